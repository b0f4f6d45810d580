"""The dataset: the embedded and remote stores, their generations, writes, snapshots and the caches
keyed on a generation.
"""
