"""``tearsheet import warc|cdx``: article histories rebuilt from web archives.

Both show a progress bar on a terminal and end with a summary: versions imported,
captures unchanged, and every capture skipped, counted by reason, with the first messages.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tearsheet.archive import Archive
from tearsheet.backfill import Importer, Report, import_warc
from tearsheet.cdx import import_from_directory, import_from_endpoint, read_index
from tearsheet.cli import ConfigOption, app, err_console, open_store
from tearsheet.config import load_settings
from tearsheet.errors import BackfillError

import_app = typer.Typer(help="Build article histories from web archives.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")

SourceOption = Annotated[str | None, typer.Option(
    help="Store the articles under this source (default: each capture's host name). A "
         "configured source's selectors apply.")]


@contextlib.contextmanager
def progress_bar(what: str) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """(set the total, advance) callbacks drawing a bar on a terminal; silent otherwise."""
    if not err_console.is_terminal:
        yield (lambda total: None), (lambda step: None)
        return
    with Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task(what, total=None)
        yield (lambda total: bar.update(task, total=total)), (
            lambda step: bar.advance(task, step))


def print_report(report: Report) -> None:
    table = Table(title="import summary", show_header=False)
    table.add_column("outcome")
    table.add_column("captures", justify="right")
    table.add_row("versions imported", str(report.imported))
    table.add_row("unchanged (same as the version before)", str(report.unchanged))
    for reason, count in sorted(report.skipped.items()):
        table.add_row(f"skipped: {reason}", str(count))
    err_console.print(table)
    for problem in report.problems:
        err_console.print(f"  {problem}", markup=False, highlight=False)


@import_app.command("warc")
def import_warc_command(
    files: Annotated[list[Path], typer.Argument(help="WARC files (.warc or .warc.gz).")],
    config: ConfigOption = None,
    source: SourceOption = None,
) -> None:
    """Import every HTML capture of WARC files, oldest first, as the tracker would have."""
    settings = load_settings(config)
    with open_store(settings) as store, progress_bar("importing") as (total, advance):
        archive = Archive.from_settings(settings)
        importer = Importer(settings, store, source=source, archive=archive)
        report = import_warc(importer, files, progress=advance, total=total)
        archive.close()
    print_report(report)


@import_app.command("cdx")
def import_cdx_command(
    index: Annotated[Path, typer.Argument(help="CDX or CDXJ index file.")],
    from_: Annotated[str, typer.Option(
        "--from", help="Folder holding the WARC files the index names, or a Wayback-style "
                       "endpoint (http…) serving /web/<timestamp>id_/<url>.")],
    config: ConfigOption = None,
    source: SourceOption = None,
) -> None:
    """Import the captures a CDX index names, from local WARC files or an archive's server."""
    settings = load_settings(config)
    entries = read_index(index)
    remote = from_.startswith(("http://", "https://"))
    if not remote and not Path(from_).is_dir():
        raise BackfillError(f"{from_}: not a folder, nor an http(s) endpoint")
    with open_store(settings) as store, progress_bar("importing") as (total, advance):
        archive = Archive.from_settings(settings)
        importer = Importer(settings, store, source=source, archive=archive)
        if remote:
            report = asyncio.run(import_from_endpoint(importer, entries, from_,
                                                      progress=advance, total=total))
        else:
            report = import_from_directory(importer, entries, Path(from_), progress=advance,
                                           total=total)
        archive.close()
    print_report(report)
