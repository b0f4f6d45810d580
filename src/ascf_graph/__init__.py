"""ascf-graph: the ASEAN Smart Cities Framework as a knowledge graph."""

__version__ = "0.1.0"
