"""``python -m ascf_graph`` runs the CLI."""

from ascf_graph.cli import main

main()
