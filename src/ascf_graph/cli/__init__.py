"""The `ascf-graph` command (Typer): build, serve, validate, stewards' tokens.

The only package that imports Typer; it reaches the server only through :mod:`ascf_graph.app`.
"""

from ascf_graph.cli.main import main

__all__ = ["main"]
