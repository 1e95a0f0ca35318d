"""``tearsheet import warc|cdx`` (article histories rebuilt from web archives) and
``tearsheet export`` (datasets: JSONL, Parquet, NewsEdits SQLite, git, WARC).

All show a progress bar on a terminal and end with a summary: versions imported,
captures unchanged, and every capture skipped, counted by reason, with the first messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tearsheet.cli.common import ConfigOption, app, err_console, moment_option, open_store
from tearsheet.config import Settings, load_settings
from tearsheet.errors import ExportError, WarcImportError

if TYPE_CHECKING:
    from tearsheet.archive.warc_import import Importer, Report


import_app = typer.Typer(help="Build article histories from web archives.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")

SourceOption = Annotated[str | None, typer.Option(
    help="Store the articles under this source (default: each capture's host name). A "
         "configured source's selectors apply.")]
JsonOption = Annotated[bool, typer.Option(
    "--json", help="Print the summary as JSON on stdout (damaged records with their offsets).")]


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


@contextlib.contextmanager
def importing(settings: Settings, source: str | None) -> Iterator[
        tuple[Importer, Callable[[int], None], Callable[[int], None]]]:
    """(importer, set the total, advance) for one import: the store, the archive that
    keeps each imported version's record and the progress bar."""
    from tearsheet.archive.warc import Archive
    from tearsheet.archive.warc_import import Importer
    archive = Archive.from_settings(settings)
    with open_store(settings) as store, progress_bar("importing") as (total, advance):
        yield Importer(settings, store, source=source, archive=archive), total, advance


def print_report(report: Report, as_json: bool = False) -> None:
    """The summary (a table on stderr, or JSON on stdout); an error (exit status 1) when
    nothing at all was readable — damaged records alone are skipped, and exit 0."""
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
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
    if report.readable == 0 and report.captures > 0:
        raise WarcImportError(f"nothing readable: all {report.captures} records found are "
                            "damaged (see the summary)")


@import_app.command("warc")
def import_warc_command(
    files: Annotated[list[Path], typer.Argument(help="WARC files (.warc or .warc.gz).")],
    config: ConfigOption = None,
    source: SourceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import every HTML capture of WARC files, oldest first, as the tracker would have.

    A damaged record is skipped and reported (file and offset); reading goes on at the
    next record. Exit status 1 only when nothing was readable."""
    from tearsheet.archive.warc_import import import_warc
    with importing(load_settings(config), source) as (importer, total, advance):
        report = import_warc(importer, files, progress=advance, total=total)
    print_report(report, as_json)


@import_app.command("cdx")
def import_cdx_command(
    index: Annotated[Path, typer.Argument(help="CDX or CDXJ index file.")],
    from_: Annotated[str, typer.Option(
        "--from", help="Folder holding the WARC files the index names, or a Wayback-style "
                       "endpoint (http…) serving /web/<timestamp>id_/<url>.")],
    config: ConfigOption = None,
    source: SourceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import the captures a CDX index names, from local WARC files or an archive's server."""
    from tearsheet.archive.cdx import import_from_directory, import_from_endpoint, read_index
    settings = load_settings(config)
    entries = read_index(index)
    remote = from_.startswith(("http://", "https://"))
    if not remote and not Path(from_).is_dir():
        raise WarcImportError(f"{from_}: not a folder, nor an http(s) endpoint")
    with importing(settings, source) as (importer, total, advance):
        if remote:
            report = asyncio.run(import_from_endpoint(importer, entries, from_,
                                                      progress=advance, total=total))
        else:
            report = import_from_directory(importer, entries, Path(from_), progress=advance,
                                           total=total)
    print_report(report, as_json)


FORMATS = ("jsonl", "parquet", "newsedits", "git", "warc")


@app.command()
def export(
    config: ConfigOption = None,
    format: Annotated[str, typer.Option(
        "--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")] = "jsonl",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File (a new folder for git; default for jsonl: stdout).")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    since: Annotated[str | None, typer.Option(
        help="Only versions captured at or after this time (UTC).")] = None,
    until: Annotated[str | None, typer.Option(
        help="Only versions captured before this time (UTC).")] = None,
) -> None:
    """Write the stored versions as a dataset, streamed (see docs/guide.md, Export)."""
    from tearsheet.archive.warc import default_dir
    from tearsheet.export.git import write_git
    from tearsheet.export.newsedits import write_newsedits
    from tearsheet.export.versions import ExportReport, write_jsonl, write_parquet, write_warc
    if format not in FORMATS:
        raise ExportError(f"unknown export format {format!r} (available: {', '.join(FORMATS)})")
    if out is None and format != "jsonl":
        raise ExportError(f"--out is needed for the {format} format")
    if out is not None and format not in ("git", "jsonl") and out.exists():
        raise ExportError(f"{out} exists: choose a new file")
    start, end = moment_option(since, "since"), moment_option(until, "until")
    settings = load_settings(config)
    report = ExportReport()
    with open_store(settings) as store, progress_bar("exporting") as (total, advance):
        total(store.count_versions(source, since=start, until=end))
        rows = store.iter_versions(source, since=start, until=end, by_time=format == "git")
        if format == "jsonl" and out is None:
            report.written = write_jsonl(rows, sys.stdout, advance)
        elif format == "jsonl":
            assert out is not None
            with open(out, "w", encoding="utf-8") as fh:
                report.written = write_jsonl(rows, fh, advance)
        elif format == "parquet":
            assert out is not None
            report.written = write_parquet(rows, out, advance)
        elif format == "newsedits":
            assert out is not None
            report.written = write_newsedits(rows, out, advance)
        elif format == "git":
            assert out is not None
            report.written = write_git(rows, out, advance)
        else:
            assert out is not None
            with open(out, "wb") as fh:
                write_warc(rows, fh, default_dir(settings), report, advance)
    skipped = "".join(f", skipped {count} ({reason})"
                      for reason, count in sorted(report.skipped.items()))
    err_console.print(f"exported {report.written} versions ({format})"
                      + (f" to {out}" if out else "") + skipped,
                      markup=False, highlight=False)
