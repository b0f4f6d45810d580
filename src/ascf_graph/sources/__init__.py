"""Public data turned into RDF: the ASEAN Smart Cities Network's roster and project lists, the
projects CSV template and country labels.
"""
