"""`tearsheet migrate-store`: copy a whole store to another database."""

from __future__ import annotations

from typing import Annotated

import typer

from tearsheet.cli.common import app, err_console


@app.command("migrate-store")
def migrate_store(
    source: Annotated[str, typer.Option(
        "--from", help="The store to copy (e.g. sqlite:///tearsheet.db); only read.")],
    target: Annotated[str, typer.Option(
        "--to", help="Where to copy it (e.g. postgresql://user@host/tearsheet): an empty "
                     "database; its schema is created.")],
    replace: Annotated[bool, typer.Option(
        help="Empty a target that already holds rows, then copy.")] = False,
    batch: Annotated[int, typer.Option(min=1, help="Rows per insert.")] = 2000,
) -> None:
    """Copy every source, feed, article, version and check to another database, in one
    transaction, and check the row counts before committing."""
    from tearsheet.store.copy import copy_store
    from tearsheet.store.store import Store
    reading = Store.open(source, upgrade=False)
    try:
        writing = Store.open(target, upgrade=True)
        try:
            last: dict[str, int] = {}

            def progress(table: str, rows: int) -> None:
                if rows // 100_000 != last.get(table, 0) // 100_000:
                    err_console.print(f"  {table}: {rows:,} rows", highlight=False)
                last[table] = rows

            copied = copy_store(reading, writing, replace=replace, batch=batch,
                                progress=progress)
        finally:
            writing.close()
    finally:
        reading.close()
    summary = ", ".join(f"{rows:,} {table}" for table, rows in copied.items() if rows)
    err_console.print(f"copied {summary or 'an empty store'}; row counts verified",
                      highlight=False)
