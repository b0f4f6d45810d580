"""Framework URIs as linked data: which resource a URI names, its description, documents in every
format, graphs, dumps, VoID and the ontology's pages.
"""
