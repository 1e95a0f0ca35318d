"""``tearsheet report``: the outlet report (per source: how much articles change, what the
changes mean, silent corrections), as Markdown, CSV or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tearsheet.cli.common import ConfigOption, app, moment_option, open_store
from tearsheet.config import load_settings
from tearsheet.errors import TearsheetError

FORMATS = ("md", "csv", "json")


@app.command()
def report(
    config: ConfigOption = None,
    format: Annotated[str, typer.Option(
        "--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")] = "md",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File to write (default: stdout).")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Only versions captured at or after this time (UTC).")] = None,
    until: Annotated[str | None, typer.Option(
        help="Only versions captured before this time (UTC).")] = None,
    base_url: Annotated[str, typer.Option(
        help="Where `tearsheet serve` answers, for the Markdown's links.")] = "",
) -> None:
    """Per source: articles, share changed, versions, time to first change, headline edits
    and tests, factual changes with and without a note (silent corrections), intents,
    unpublished articles, the most-changed articles (see docs/intents.md)."""
    from tearsheet.store import report as outlet

    if format not in FORMATS:
        raise TearsheetError(f"unknown report format {format!r} (available: "
                             f"{', '.join(FORMATS)})")
    start, end = moment_option(since, "since"), moment_option(until, "until")
    settings = load_settings(config)
    with open_store(settings) as store:
        if source is not None and source not in outlet.source_names(store):
            raise TearsheetError(f"no source named {source!r}: see `tearsheet status`")
        result = outlet.outlet_report(store, since=start, until=end, source=source)
    text = {"md": lambda: outlet.to_markdown(result, base_url.rstrip("/")),
            "csv": lambda: outlet.to_csv(result), "json": lambda: outlet.to_json(result)}[format]()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
