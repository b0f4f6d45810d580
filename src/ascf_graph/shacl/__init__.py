"""SHACL validation: the engines (pySHACL, rudof), the store's context for a check, reports and
their formats.
"""
