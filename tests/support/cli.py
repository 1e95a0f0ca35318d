"""The ``tearsheet`` command run in this process, through its console entry point.

Tests outside ``tests/cli/`` drive the command line only through :func:`cli` (never the
command modules of :mod:`tearsheet.cli`), as a user's shell would.
"""

from __future__ import annotations

from tearsheet.cli import main


def cli(*args: str) -> int:
    """Run the ``tearsheet`` command in this process; returns its exit status."""
    try:
        main(list(args))
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0
