"""The ``tearsheet`` command line. Nothing imports this package; it imports the rest.

Each module of the package holds one group of commands and registers them on :data:`app`:
:mod:`.tracking` (run, check, status, export, db), :mod:`.demo`.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from tearsheet.config import Settings
from tearsheet.errors import TearsheetError
from tearsheet.store.store import Store

app = typer.Typer(
    help="tearsheet: track news articles and keep every version, with proof.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", envvar="TEARSHEET_CONFIG",
                 help="TOML settings file (default: ./tearsheet.toml if present)."),
]


@contextlib.contextmanager
def open_store(settings: Settings) -> Iterator[Store]:
    store = Store.open(settings.database_url)
    try:
        yield store
    finally:
        store.close()


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> None:
    """Entry point: a TearsheetError becomes a one-line message and exit status 1."""
    try:
        app(args=argv, prog_name="tearsheet")
    except TearsheetError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)


# Command modules register themselves on `app` when imported.
from tearsheet.cli import (  # noqa: E402
    archive,
    demo,
    diff,
    extract,
    migrate,
    notify,
    proof,
    simulate,
    trace,
    tracking,
    web,
)

__all__ = ["app", "archive", "demo", "diff", "extract", "main", "migrate", "notify", "proof",
           "simulate", "trace", "tracking", "web"]
