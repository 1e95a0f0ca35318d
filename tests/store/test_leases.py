"""Leases on the store: due articles claimed oldest first, never by two workers at once
(SKIP LOCKED on PostgreSQL), a check that outlived its lease not recorded; the schedule
queries planned on their indexes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from tearsheet.store.records import CheckRecord, DueArticle
from tearsheet.store.store import Store
from tests.support.storekit import (
    FIRST,
    GAP,
    LEASE,
    NOW,
    add,
    claim,
    plan,
    sql,
    version,
)


def test_claim_due_oldest_first_and_leased(store: Store) -> None:
    urls = {f"https://a.example/{n}": NOW - timedelta(minutes=n) for n in (3, 1, 2)}
    for url, due in urls.items():
        add(store, "daily", url, at=due)
    add(store, "daily", "https://a.example/future", at=NOW + timedelta(minutes=1))
    claimed = store.claim_due(NOW, 10, LEASE)
    assert [a.url for a in claimed] == [
        "https://a.example/3", "https://a.example/2", "https://a.example/1"]
    assert store.claim_due(NOW, 10, LEASE) == []  # leased: a second runner gets nothing
    # Once the lease runs out (a crashed runner), they are due again.
    after_lease = LEASE + timedelta(seconds=1)
    assert len(store.claim_due(after_lease, 10, after_lease + timedelta(minutes=5))) == 4


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_claim_due_respects_the_limit(store: Store, limit: int) -> None:
    add(store, "daily", *(f"https://a.example/{n}" for n in range(3)))
    first = store.claim_due(NOW, limit, LEASE)
    assert len(first) == min(limit, 3)
    rest = store.claim_due(NOW, 10, LEASE)
    assert len(rest) == 3 - len(first)
    assert not {a.id for a in first} & {a.id for a in rest}


def test_claim_due_ignores_retired_articles(store: Store) -> None:
    retired, live = add(store, "daily", "https://a.example/old", "https://a.example/new")
    store.record_check(CheckRecord(claim(store, retired), checked_at=NOW, outcome="unchanged",
                       next_check_at=None, check_interval=FIRST))
    store.release_leases()
    later = NOW + timedelta(days=365)
    assert [a.id for a in store.claim_due(later, 10, later + timedelta(minutes=5))] == [live]


def test_release_leases(store: Store) -> None:
    ids = add(store, "daily", *(f"https://a.example/{n}" for n in range(3)))
    assert len(store.claim_due(NOW, 10, LEASE)) == 3
    assert store.release_leases([ids[0]], now=NOW) == 1
    assert [a.id for a in store.claim_due(NOW, 10, LEASE)] == [ids[0]]
    assert store.release_leases(now=NOW) == 3
    assert store.release_leases(now=NOW) == 0
    assert len(store.claim_due(NOW, 10, LEASE)) == 3


def test_a_claim_moves_the_next_check_to_the_lease_end(store: Store) -> None:
    """The due index holds no leased row: a claim does not step over the in-flight ones,
    and an article whose check is never recorded is due again when its lease ends."""
    ids = add(store, "daily", *(f"https://a.example/{n}" for n in range(3)))
    claimed = store.claim_due(NOW, 2, LEASE)
    assert store.next_check_time() == NOW  # the unclaimed one
    assert [a.id for a in store.claim_due(NOW, 10, LEASE)] == [ids[2]]
    assert store.next_check_time() == LEASE
    assert {a.id for a in store.claim_due(LEASE + timedelta(seconds=1), 10,
                                          LEASE + timedelta(minutes=5))} == set(ids)
    assert len(claimed) == 2


def test_due_query_uses_the_partial_index(store: Store) -> None:
    source_id = store.ensure_source("daily", NOW)
    store.add_articles(source_id, [(f"https://a.example/{n}", None) for n in range(200)],
                       NOW, FIRST, revive_gap=GAP)
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "next_check_at" in statement:
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        assert len(store.claim_due(NOW, 10, LEASE)) == 10
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert statements, "claim_due ran no SELECT on next_check_at"
    details = plan(store, *statements[0])
    assert "ix_articles_due" in details, details
    assert "TEMP B-TREE" not in details  # ordered by the index, not sorted afterwards
    assert "Sort" not in details


@pytest.mark.parametrize(
    ("call", "index"),
    [(lambda store: store.next_check_time(), "ix_articles_due"),
     (lambda store: store.release_leases(), "ix_articles_leased")],
    ids=["next_check_time", "release_leases"],
)
def test_schedule_queries_use_their_index(store: Store, call: Any, index: str) -> None:
    """The statements the store really sends are planned on an index, not a table scan."""
    from sqlalchemy import event

    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        call(store)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    statement, parameters = next(s for s in sent if "articles" in s[0])
    details = plan(store, statement, parameters)
    assert index in details, details


# --- several workers on one store ----------------------------------------------------------


def two_workers(store_url: str) -> tuple[Store, Store]:
    first, second = Store.open(store_url), Store.open(store_url)
    first.worker_id, second.worker_id = "worker-a", "worker-b"
    return first, second


def check_with(store: Store, article: DueArticle, text: str, at: datetime) -> int | None:
    return store.record_check(CheckRecord(
        article, checked_at=at, outcome="new_version", next_check_at=at + timedelta(hours=1),
        check_interval=FIRST, version=version(text), http_status=200))


def test_a_check_that_outlived_its_lease_is_not_recorded(store: Store, store_url: str) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    a, b = two_workers(store_url)
    try:
        (slow,) = a.claim_due(NOW, 10, LEASE)
        assert b.claim_due(NOW, 10, LEASE) == []  # leased to a
        later = LEASE + timedelta(seconds=1)
        (taken,) = b.claim_due(later, 10, later + timedelta(minutes=5))  # a's lease ran out
        assert check_with(a, slow, "from a", later) is None  # b holds it now
        assert sql(store, "SELECT count(*) FROM checks") == [(0,)]
        assert check_with(b, taken, "from b", later) == 1
        assert sql(store, "SELECT text FROM versions") == [("from b",)]
        assert store.article_by_url("https://a.example/1")["leased_by"] == "worker-b"  # type: ignore[index]
    finally:
        a.close()
        b.close()
    assert article_id == taken.id


def test_no_version_is_stored_twice_or_from_a_stale_check(store: Store, store_url: str) -> None:
    add(store, "daily", "https://a.example/1")
    a, b = two_workers(store_url)
    try:
        (first,) = a.claim_due(NOW, 10, LEASE)
        after = LEASE + timedelta(seconds=1)
        assert check_with(a, first, "v1", NOW) == 1
        # b had read the article before a stored v1 (e.g. a check out of schedule):
        stale = first
        b.claim_article(first.id, after + timedelta(minutes=5))
        assert check_with(b, stale, "v1", after) is None  # the same text: not a 2nd copy
        assert check_with(b, stale, "v2 from an old read", after) is None  # compared to v0
        assert sql(store, "SELECT number, text FROM versions") == [(1, "v1")]
        assert sql(store, "SELECT outcome FROM checks ORDER BY id") == [
            ("new_version",), ("unchanged",)]
    finally:
        a.close()
        b.close()


def test_claims_of_concurrent_workers_never_overlap(pg_template: str) -> None:
    """Workers claiming at the same moment on PostgreSQL take disjoint batches (the rows
    are locked, SKIP LOCKED passes over them). An SQLite file has one runner (its lock file)
    whose claims run on one thread."""
    from tests.support import postgres

    with postgres.database(pg_template) as url:
        store = Store.open(url)
        add(store, "daily", *(f"https://a.example/{n}" for n in range(200)))
        store.close()
        claimed = claim_concurrently(url, 4)
    every = [article_id for batch in claimed for article_id in batch]
    assert len(every) == len(set(every)) == 200


def claim_concurrently(url: str, workers: int) -> list[list[int]]:
    import threading

    stores = [Store.open(url) for _ in range(workers)]
    claimed: list[list[int]] = [[] for _ in stores]
    start = threading.Barrier(len(stores))

    def claim_all(index: int) -> None:
        start.wait()
        while batch := stores[index].claim_due(NOW, 7, LEASE):
            claimed[index] += [article.id for article in batch]

    threads = [threading.Thread(target=claim_all, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for opened in stores:
        opened.close()
    return claimed


def test_checks_without_a_version_check_the_lease_in_their_update(
        store: Store, store_url: str) -> None:
    """Unchanged and failed checks are written without reading the rows first (the lease is
    in the update's WHERE): one whose lease was lost is still not recorded, the others of
    its group are, and nothing of the lost one's is kept."""
    add(store, "daily", "https://a.example/1", "https://a.example/2", "https://a.example/3")
    a, b = two_workers(store_url)
    try:
        one, two, three = a.claim_due(NOW, 10, LEASE)
        later = LEASE + timedelta(seconds=1)
        b.claim_article(two.id, later + timedelta(minutes=5))  # a's lease on two ran out

        def check(article: DueArticle, outcome: str) -> CheckRecord:
            return CheckRecord(article, checked_at=later, outcome=outcome,
                               next_check_at=later + timedelta(hours=1), check_interval=FIRST,
                               error="boom" if outcome == "failed" else None,
                               decision_key="key-" + str(article.id))

        assert a.record_checks([check(one, "unchanged"), check(two, "unchanged")]) == [
            None, None]
        assert a.record_checks([check(three, "failed"), check(two, "failed")]) == [None, None]
        assert sql(store, "SELECT article_id, outcome FROM checks ORDER BY id") == [
            (one.id, "unchanged"), (three.id, "failed")]
        rows = sql(store, "SELECT id, leased_by, error_count, decision_key FROM articles "
                          "ORDER BY id")
        assert rows == [(one.id, "worker-a", 0, f"key-{one.id}"), (two.id, "worker-b", 0, None),
                        (three.id, "worker-a", 1, f"key-{three.id}")]
        # lease held: a group of both kinds (two update statements) is recorded whole
        assert b.record_checks([check(two, "failed"), check(one, "unchanged")]) == [None, None]
        assert sql(store, "SELECT count(*) FROM checks") == [(4,)]
        assert sql(store, "SELECT error_count, decision_key FROM articles WHERE id = ?",
                   two.id) == [(1, f"key-{two.id}")]
    finally:
        a.close()
        b.close()
