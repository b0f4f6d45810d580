"""Worker processes: query and document workers over store snapshots, input workers for untrusted
uploads, and the protocol they speak.
"""
