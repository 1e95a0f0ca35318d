"""`tearsheet migrate-store`: a whole store copied SQLite → PostgreSQL and back, row for row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tearsheet.diff.summary import ChangeSummary
from tearsheet.errors import StoreError
from tearsheet.store.browse import MARK_END, MARK_START, Browse
from tearsheet.store.copy import copy_store
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.schema import metadata
from tearsheet.store.store import Store
from tests.support import postgres
from tests.support.cli import cli
from tests.support.storekit import migrated_to

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def table_rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in key order."""
    with store.engine.connect() as conn:
        return {table.name: [dict(row._mapping) for row in conn.execute(
            select(table).order_by(*(list(table.primary_key.columns) or list(table.columns))))]
            for table in metadata.sorted_tables}


def fill(store: Store, articles: int = 30) -> None:
    """A store with every kind of row: feeds, articles, an alias, versions with their
    change summaries, failed and unchanged checks, a host's politeness slot."""
    source = store.ensure_source("daily", NOW)
    store.sync_feeds(source, [("feed", "https://a.example/rss", ""),
                              ("section", "https://a.example/world", "^https://a.example/")],
                     NOW)
    urls = [f"https://a.example/story-{n}?utm_source=rss" for n in range(articles)]
    store.add_articles(source, [(url, f"Story {n}") for n, url in enumerate(urls)], NOW,
                       1800.0, revive_gap=3600.0)
    for n, url in enumerate(urls):
        row = store.article_by_url(url)
        assert row is not None
        store.adopt_url(row["id"], url.split("?")[0])
        for number in range(1 + n % 3):
            at = NOW + timedelta(hours=number)
            summary = None if number == 0 else ChangeSummary(("update",), 0.5, False, 7, 1)
            store.record_check(CheckRecord(
                store.claim_article(row["id"], at + timedelta(minutes=5)), checked_at=at,
                outcome="new_version", next_check_at=at + timedelta(hours=1),
                check_interval=3600.0, http_status=200,
                version=NewVersion(url=url, title=f"Story {n}, take {number}", byline="Ann Lee",
                                   published_at=NOW, modified_at=None, language="en",
                                   text=f"Harbour ferries paused, report {n}.{number}. <b>&",
                                   content_hash=f"{n}-{number}", summary=summary)))
        store.record_check(CheckRecord(store.claim_article(row["id"], NOW + timedelta(days=1)),
                           checked_at=NOW + timedelta(hours=5), outcome="failed",
                           next_check_at=NOW + timedelta(hours=6), check_interval=3600.0,
                           http_status=503, error="server answered 503"))
    with store.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO hosts (name, next_allowed_at) VALUES "
                             "('a.example:443', '2026-11-20 08:00:00')")


@pytest.fixture
def pg_empty(pg_template: str) -> Iterator[str]:
    """A PostgreSQL database with no schema at all."""
    with postgres.database() as url:
        yield url


@pytest.fixture
def pg_filled(pg_template: str) -> Iterator[str]:
    with postgres.database(pg_template) as url:
        store = Store.open(url)
        fill(store)
        store.close()
        yield url


@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_a_whole_store_is_copied_row_for_row(
    direction: str, tmp_path: Path, pg_empty: str, pg_filled: str
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'ts.db'}"
    if direction == "sqlite-to-postgresql":
        source_url, target_url = sqlite_url, pg_empty
        store = Store.open(sqlite_url)
        fill(store)
        store.close()
    else:
        source_url, target_url = pg_filled, sqlite_url
    assert cli("migrate-store", "--from", source_url, "--to", target_url, "--batch", "7") == 0
    source, target = Store.open(source_url), Store.open(target_url)
    try:
        copied = table_rows(target)
        assert copied == table_rows(source)
        assert len(copied["versions"]) == 60 and len(copied["aliases"]) == 30
        # The search index followed (triggers on SQLite, the GIN index on PostgreSQL).
        found = Browse(target).search("harbour ferries report", limit=100)
        assert len(found) == 60
        assert all(f"{MARK_START}Harbour{MARK_END}" in hit["snippet"] for hit in found)
        # New rows get new ids (the sequences moved past the copied ones).
        source_id = target.ensure_source("weekly", NOW)
        assert source_id == 2
        target.add_articles(source_id, [("https://b.example/1", None)], NOW, 1800.0,
                            revive_gap=3600.0)
        new = target.article_by_url("https://b.example/1")
        assert new is not None and new["id"] == 31
        assert target.record_check(CheckRecord(target.claim_article(new["id"],
                                               NOW + timedelta(hours=1)),
                                   checked_at=NOW, outcome="new_version", next_check_at=None,
                                   check_interval=1800.0,
                                   version=NewVersion(url="https://b.example/1", title="B",
                                                      byline=None, published_at=None,
                                                      modified_at=None, language=None,
                                                      text="New after the move.",
                                                      content_hash="b"))) == 1
    finally:
        source.close()
        target.close()


def test_a_target_with_rows_is_refused_unless_replaced(pg_filled: str, tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'ts.db'}"
    store = Store.open(sqlite_url)
    fill(store, articles=3)
    store.close()
    target = Store.open(pg_filled)
    before = table_rows(target)
    source = Store.open(sqlite_url)
    with pytest.raises(StoreError, match=r"not empty: .*articles \(30\).*--replace"):
        copy_store(source, target)
    assert table_rows(target) == before  # untouched
    assert cli("migrate-store", "--from", sqlite_url, "--to", pg_filled) == 1
    assert cli("migrate-store", "--from", sqlite_url, "--to", pg_filled, "--replace") == 0
    assert table_rows(target) == table_rows(source)
    source.close()
    target.close()


def test_an_out_of_date_source_is_not_touched(tmp_path: Path, pg_empty: str) -> None:
    """The source is only read: an old schema is reported, never upgraded by a copy."""
    from sqlalchemy import create_engine

    old = migrated_to(tmp_path / "old.db", "0003")
    assert cli("migrate-store", "--from", old, "--to", pg_empty) == 1
    engine = create_engine(old)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
            ("0003",)]
    engine.dispose()
