"""The store writer: checks committed in groups, each check whole, one bad check alone."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from tearsheet.store.records import CheckRecord, DueArticle, NewVersion
from tearsheet.store.store import Store
from tearsheet.tracker.writer import StoreWriter
from tests.support.storekit import FIRST, GAP, LEASE, NOW


def _store(tmp_path: Path, count: int) -> tuple[Store, list[DueArticle]]:
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    source_id = store.ensure_source("example", NOW)
    store.add_articles(source_id, [(f"https://a.example/{n}", None) for n in range(count)],
                       NOW, FIRST, revive_gap=GAP)
    return store, store.claim_due(NOW, count, LEASE)


def _record(article: DueArticle, text: str = "Body text.") -> CheckRecord:
    return CheckRecord(
        article, checked_at=NOW, outcome="new_version", next_check_at=NOW + timedelta(hours=1),
        check_interval=3600.0, http_status=200,
        version=NewVersion(url=article.url, title="Title", byline=None, published_at=None,
                           modified_at=None, language="en", text=text,
                           content_hash=f"hash-{article.id}"))


def _held(writer: StoreWriter) -> threading.Event:
    """Keep the writer thread busy until the event is set, so what is submitted meanwhile
    is written as one group."""
    release, started = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    writer.submit_call(hold)
    assert started.wait(10)
    return release


def _stored(store: Store) -> tuple[list[tuple[int, int]], list[int], list[tuple[int, object]]]:
    with store.engine.connect() as conn:
        versions = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT article_id, number FROM versions ORDER BY article_id")]
        checks = [r[0] for r in conn.exec_driver_sql(
            "SELECT article_id FROM checks ORDER BY article_id")]
        articles = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT version_count, leased_until FROM articles ORDER BY id")]
    return versions, checks, articles  # type: ignore[return-value]


def test_checks_finished_together_are_one_commit(tmp_path: Path) -> None:
    store, due = _store(tmp_path, 5)
    writer = StoreWriter(store)
    release = _held(writer)
    futures = [writer.submit(_record(article)) for article in due]
    release.set()
    assert [f.result(10) for f in futures] == [1] * 5
    writer.close()
    assert writer.commits == 1
    versions, checks, articles = _stored(store)
    assert versions == [(a.id, 1) for a in due]
    assert checks == [a.id for a in due]
    assert articles == [(1, None)] * 5  # each check's schedule moved on with it


def test_a_bad_check_in_a_group_fails_alone_and_the_others_are_stored(tmp_path: Path) -> None:
    store, due = _store(tmp_path, 5)
    # A version without text breaks a NOT NULL constraint, in the middle of the group.
    records = [_record(a) for a in due]
    records[2] = dataclasses.replace(records[2], version=dataclasses.replace(
        records[2].version, text=None))  # type: ignore[arg-type]
    writer = StoreWriter(store)
    release = _held(writer)
    futures = [writer.submit(record) for record in records]
    release.set()
    with pytest.raises(IntegrityError):
        futures[2].result(10)
    assert [f.result(10) for f in (futures[:2] + futures[3:])] == [1, 1, 1, 1]
    writer.close()
    good = [a for n, a in enumerate(due) if n != 2]
    versions, checks, articles = _stored(store)
    assert versions == [(a.id, 1) for a in good]  # nothing lost, nothing doubled
    assert checks == [a.id for a in good]  # and nothing of the bad one: no half check
    assert [row[0] for row in articles] == [1, 1, 0, 1, 1]
    assert articles[2][1] is not None  # still leased: it is checked again when that ends
    store.close()


def test_writes_keep_their_order_and_close_writes_what_is_queued(tmp_path: Path) -> None:
    store, due = _store(tmp_path, 2)
    writer = StoreWriter(store)
    release = _held(writer)
    first = writer.submit(_record(due[0], "First text."))
    seen = writer.submit_call(store.version, due[0].id, 1)  # queued after the first check
    second = writer.submit(_record(due[1], "Second text."))
    release.set()
    writer.close()  # waits for everything queued before it
    assert (first.result(0), second.result(0)) == (1, 1)
    assert seen.result(0) is not None and seen.result(0)["text"] == "First text."
    assert _stored(store)[1] == [due[0].id, due[1].id]
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(_record(due[0]))
