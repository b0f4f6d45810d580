"""Building a store from ontology/, shapes/ and data/: loading, inference, the reasoner and
publishing the build.
"""
