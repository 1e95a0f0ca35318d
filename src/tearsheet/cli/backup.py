"""`tearsheet backup DEST` and `tearsheet restore SRC`: an SQLite store and its WARC files,
copied while the tracker runs, and put back (see :mod:`tearsheet.archive.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tearsheet.cli.common import ConfigOption, app, err_console


@app.command("backup")
def backup_command(
    destination: Annotated[Path, typer.Argument(help="A new (or empty) folder.")],
    config: ConfigOption = None,
) -> None:
    """Copy the SQLite store (online: the tracker keeps running) and its WARC files."""
    from tearsheet.archive.backup import backup
    from tearsheet.config import load_settings

    report = backup(load_settings(config), destination)
    err_console.print(f"backed up {report.versions:,} versions and {report.warc_files} WARC "
                      f"files ({report.bytes:,} bytes) to {destination}", highlight=False)


@app.command("restore")
def restore_command(
    origin: Annotated[Path, typer.Argument(help="A folder written by `tearsheet backup`.")],
    config: ConfigOption = None,
    force: Annotated[bool, typer.Option(
        help="Replace an existing database (stop every tracker on it first).")] = False,
) -> None:
    """Put a backup back where the configuration points, after checking every file."""
    from tearsheet.archive.backup import restore
    from tearsheet.config import load_settings

    report = restore(load_settings(config), origin, force=force)
    err_console.print(f"restored {report.versions:,} versions and {report.warc_files} WARC "
                      f"files from {origin}", highlight=False)
