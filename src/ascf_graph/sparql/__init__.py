"""The SPARQL endpoint's domain: running queries, the runners that bound them, answer formats, the
service description and the curated queries.
"""
