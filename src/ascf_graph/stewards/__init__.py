"""Data stewards' write path: submissions, their provenance, credentials, the audit log, the
archive and how uploads are admitted.
"""
