"""What every layer shares and nothing else: errors, settings, namespaces, HTTP validators, metrics
and logs.

The bottom layer: it imports nothing else from ascf_graph.
"""
