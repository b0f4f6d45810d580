"""Benchmarks side by side: our service against its peers, in one run, on the same data.

Run it with ``make bench`` or ``python -m bench --help``; see ``bench/README.md``.
"""
