"""The ``tearsheet`` command line. Nothing imports this package; it imports the rest.

Each module of the package holds one group of commands and registers them on :data:`app`:
:mod:`.tracking` (run, check, status, export, db), :mod:`.demo`.
"""

from __future__ import annotations

# Command modules register themselves on `app` when imported.
from tearsheet.cli import (  # noqa: F401
    archive,
    backup,
    demo,
    diff,
    extract,
    migrate,
    notify,
    proof,
    report,
    simulate,
    sources,
    trace,
    tracking,
    web,
)
from tearsheet.cli.common import app, main

__all__ = ["app", "main"]
