"""What every command module shares: the Typer app, the consoles, the options used by
several commands, opening the store, logging, and the entry point."""


from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from tearsheet.config import Settings
from tearsheet.errors import TearsheetError

if TYPE_CHECKING:
    from tearsheet.store.store import Store

app = typer.Typer(
    help="tearsheet: track news articles and keep every version, with proof.",
    no_args_is_help=True, pretty_exceptions_enable=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", envvar="TEARSHEET_CONFIG",
                 help="TOML settings file (default: ./tearsheet.toml if present)."),
]

RenderOption = Annotated[
    str | None,
    typer.Option("--render", help="http, or browser: render the page in headless Chromium "
                                  "(as sources with render = \"browser\" are)."),
]


def with_render(settings: Settings, render: str | None) -> Settings:
    """``settings`` with every source's ``render`` set to ``render`` (when given)."""
    if render is None:
        return settings
    if render not in ("http", "browser"):
        raise TearsheetError(f"--render {render!r}: use http or browser")
    sources = [s.model_copy(update={"render": render}) for s in settings.sources]
    return settings.model_copy(update={"sources": sources})


@contextlib.contextmanager
def open_store(settings: Settings, *, tracking: bool = False) -> Iterator[Store]:
    """The store of ``settings``; ``tracking``: for a tracker, whose statements are bounded
    by ``worker.statement_timeout`` (a lock held elsewhere fails them, and the tracker
    waits the outage out instead of hanging)."""
    from tearsheet.store.store import Store
    store = Store.open(settings.database_url, statement_timeout=settings.worker.statement_timeout
                       if tracking else None)
    try:
        yield store
    finally:
        store.close()


def setup_logging(verbose: bool, *, json_lines: bool = False) -> None:
    """Log to stderr: plain lines, or (``json_lines``) one JSON object per record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time (UTC, ISO 8601), level, logger, message, and
    the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                 "level": record.levelname.lower(), "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point: a TearsheetError becomes a one-line message and exit status 1."""
    try:
        app(args=argv, prog_name="tearsheet")
    except TearsheetError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)


def moment_option(value: str | None, name: str) -> datetime | None:
    """A ``--since``/``--until`` value: ``2026-11-20`` or ``2026-11-20T08:00`` (UTC unless it
    names its offset), as an aware UTC time; a clear error for anything else."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC)
    except (ValueError, OverflowError):
        raise TearsheetError(f"--{name} {value!r} is not a date in range (use e.g. 2026-11-20 "
                             "or 2026-11-20T08:00)") from None
