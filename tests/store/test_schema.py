"""The store's schema: opening, creating and upgrading it on both backends, refusing a
newer one or a bad URL; the migrations and schema.py kept in step."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import StatementError

from tearsheet.errors import StoreError
from tearsheet.store.store import Store
from tests.support.storekit import (
    add,
    db_url,
    head_revision,
    migrated_to,
    sql,
)

# --- opening -----------------------------------------------------------------------------


def test_open_creates_the_schema_at_head(empty_store_url: str) -> None:
    store = Store.open(empty_store_url, upgrade=True)
    try:
        assert sql(store, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
        tables = set(inspect(store.engine).get_table_names())
        assert {"sources", "feeds", "articles", "aliases", "versions", "checks"} <= tables
    finally:
        store.close()


def test_reopen_keeps_data(store_url: str) -> None:
    first = Store.open(store_url)
    add(first, "daily", "https://a.example/1")
    first.close()
    again = Store.open(store_url)
    try:
        assert again.article_by_url("https://a.example/1") is not None
        assert sql(again, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    finally:
        again.close()


def test_newer_schema_is_refused(store: Store, store_url: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError, match="newer than this tearsheet"):
        Store.open(store_url)


def test_out_of_date_schema_without_upgrade(empty_store_url: str) -> None:
    with pytest.raises(StoreError, match=r"has no schema yet.*run `tearsheet db upgrade`"):
        Store.open(empty_store_url, upgrade=False)


def test_postgresql_waits_for_db_upgrade(empty_store_url: str, backend: str) -> None:
    """Many processes share a PostgreSQL store: opening it never migrates it by surprise;
    an SQLite file (one user) is brought up to date on the spot."""
    if backend == "postgresql":
        with pytest.raises(StoreError, match="tearsheet db upgrade"):
            Store.open(empty_store_url)
        Store.open(empty_store_url, upgrade=True).close()
    store = Store.open(empty_store_url)
    try:
        assert store.schema_revision() == head_revision()
    finally:
        store.close()


@pytest.mark.parametrize("search_triggers", [True, False])
def test_upgrading_a_store_with_data_keeps_every_row(tmp_path: Path,
                                                     search_triggers: bool) -> None:
    """A batch migration rebuilds a table (``articles`` in 0005): with foreign keys enforced,
    dropping the old one cascaded to every version and check — or, with the search index's
    triggers, failed ("database table is locked")."""
    migrated_to(tmp_path / "ts.db", "0003")
    with sqlite3.connect(tmp_path / "ts.db") as conn:
        if not search_triggers:
            conn.execute("DROP TRIGGER versions_fts_insert")
        conn.executescript("""
            PRAGMA foreign_keys=ON;
            INSERT INTO sources (id, name, created_at) VALUES (1, 's', '2026-11-20 08:00:00');
            INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at,
                                  check_interval, version_count)
                VALUES (1, 1, 'https://news.example/a', '2026-11-20 08:00:00',
                        '2026-11-20 08:00:00', 1800, 1);
            INSERT INTO versions (article_id, number, captured_at, url, text, content_hash)
                VALUES (1, 1, '2026-11-20 08:00:00', 'https://news.example/a', 'Text.', 'h');
            INSERT INTO checks (article_id, checked_at, outcome)
                VALUES (1, '2026-11-20 08:00:00', 'new_version');""")
    store = Store.open(db_url(tmp_path))
    try:
        assert store.schema_revision() == head_revision()
        assert store.article_by_url("https://news.example/a") is not None
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "ts.db") as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("articles", "versions", "checks")]
    assert counts == [1, 1, 1]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a database url", "not a database URL"),
        ("nosuchdialect://host/db", "cannot open"),
        ("sqlite:///{tmp}/missing/folder/ts.db", "does not exist"),
        ("postgresql://nobody:secret@127.0.0.1:1/tearsheet", "cannot open .*nobody:\\*\\*\\*@"),
    ],
)
def test_bad_urls(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store.open(url.format(tmp=tmp_path))


def test_not_a_database_file(tmp_path: Path) -> None:
    (tmp_path / "ts.db").write_bytes(b"this is not an SQLite database, just a text file\n" * 20)
    with pytest.raises(StoreError):
        Store.open(db_url(tmp_path))


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        store.ensure_source("daily", datetime(2026, 11, 20, 8, 0))


def test_migrations_build_exactly_the_schema(store: Store) -> None:
    """schema.py and the Alembic migrations must not drift apart."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tearsheet.store.schema import include_name, metadata

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == []
