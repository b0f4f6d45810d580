"""What every command shares: its exit codes and how it reports a failure.

Exit codes as pySHACL documents its own: 0 success (for ``validate`` and
``submit``: the data conforms, or was accepted), 1 the data does not conform
or the build refused the content, 2 unusable input or a runtime error.
"""

import typer

from ascf_graph.core.errors import AscfError

EXIT_OK, EXIT_NONCONFORMING, EXIT_UNUSABLE = 0, 1, 2


def fail(error: AscfError, code: int = EXIT_UNUSABLE) -> typer.Exit:
    """Print ``error``'s message on stderr; the exit to raise (``code``, 2 by default)."""
    typer.echo(f"error: {error.message}", err=True)
    return typer.Exit(code)
