"""Copy a whole store from one database to another (SQLite → PostgreSQL, or back).

Why: a tracker that outgrows its SQLite file moves to PostgreSQL (and many workers)
without losing a version; a PostgreSQL store can be taken home as one file.

Both stores are at the current schema (the target is created or upgraded, the source
must already be). Tables are copied parent first, streamed in batches (memory stays flat
whatever the size), in **one transaction** on the target: a failure leaves it as it was.
Before committing, every table's row count is compared with the source; on PostgreSQL
the id sequences are moved past the copied ids so new rows do not collide. The search
index follows by itself (SQLite's triggers fire on the inserts; PostgreSQL's GIN index
is an index).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Table, func, select

from tearsheet.errors import StoreError
from tearsheet.store.schema import metadata
from tearsheet.store.store import Store

Progress = Callable[[str, int], None]


def copy_store(source: Store, target: Store, *, replace: bool = False, batch: int = 2000,
               progress: Progress | None = None) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``; returns the rows copied per table.

    Refuses a target that holds any row unless ``replace``, which empties it first (in
    the same transaction).
    """
    tables = metadata.sorted_tables  # parents before children
    with source.engine.connect() as reading, target.engine.begin() as writing:
        filled = {t.name: n for t in tables if (n := _count(writing, t))}
        if filled and not replace:
            listed = ", ".join(f"{name} ({n})" for name, n in filled.items())
            raise StoreError(f"the target store is not empty: {listed}; copy into an empty "
                             "database, or pass --replace to empty it first")
        for table in reversed(tables) if filled else ():
            writing.execute(table.delete())
        copied = {}
        for table in tables:
            copied[table.name] = _copy_table(reading, writing, table, batch, progress)
        for table in tables:
            expected, found = _count(reading, table), _count(writing, table)
            if expected != found or copied[table.name] != expected:
                raise StoreError(f"{table.name}: {expected} rows in the source, {found} "
                                 "copied; nothing was changed in the target")
        if writing.dialect.name == "postgresql":
            _reset_sequences(writing, tables)
    return copied


def _count(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def _copy_table(reading: Connection, writing: Connection, table: Table, batch: int,
                progress: Progress | None) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    result = reading.execution_options(stream_results=True, yield_per=batch).execute(
        select(table).order_by(*order))
    copied = 0
    for rows in result.partitions(batch):
        writing.execute(table.insert(), [dict(row._mapping) for row in rows])
        copied += len(rows)
        if progress is not None:
            progress(table.name, copied)
    return copied


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move each id sequence past the largest copied id (PostgreSQL)."""
    for table in tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        top = func.max(column)
        conn.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"),
                                        func.coalesce(top, 1), top.is_not(None))))

