"""RDF and SPARQL as text: reading and writing the syntaxes, Turtle output, the SPARQL lexer and
bound variables, nesting limits and uploads' parsing.

No store here: these work on bytes, strings and pyoxigraph terms.
"""
