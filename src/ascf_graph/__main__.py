"""``python -m ascf_graph`` runs the CLI."""

from ascf_graph.cli.main import main

main()
