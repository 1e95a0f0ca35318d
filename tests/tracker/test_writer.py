"""The store writer: checks committed in groups, each check whole, one bad check alone."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import queue
import threading
import time
from concurrent.futures import wait
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from warcio.archiveiterator import ArchiveIterator

from tearsheet.archive.warc import Archive, read_capture
from tearsheet.config import ArchiveSettings
from tearsheet.store.records import CheckRecord, DueArticle, NewVersion, WarcPointer
from tearsheet.store.store import Store
from tearsheet.tracker.writer import StoreWriter
from tests.support.proofkit import response
from tests.support.storekit import FIRST, GAP, LEASE, NOW
from tests.support.warcsite import counting_fsyncs


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


def test_a_groups_raw_responses_are_archived_together_before_its_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer archives the captures of a group in one go (one fsync), before the
    group's commit, and each version points at its own response; a check that makes no
    version (an unchanged one, ``archive.keep = "all"``) is archived all the same."""
    store, due = _store(tmp_path, 4)
    archive = Archive(ArchiveSettings(), tmp_path / "warc")
    syncs = counting_fsyncs(monkeypatch)
    on_disk: list[int] = []  # the fsyncs done when the group's rows were written
    record_group = store.record_group

    def recording(records: list[CheckRecord]) -> list[int | Exception | None]:
        on_disk.append(len(syncs))
        return record_group(records)

    monkeypatch.setattr(store, "record_group", recording)
    records = [_record(a) for a in due[:3]] + [dataclasses.replace(
        _record(due[3]), outcome="unchanged", version=None)]
    fetched = [response(a.url, n + 1) for n, a in enumerate(due)]
    writer = StoreWriter(store)
    release = _held(writer)
    futures = [writer.submit(r, archived=(archive, f)) for r, f in zip(records, fetched,
                                                                         strict=True)]
    release.set()
    assert [f.result(10) for f in futures] == [1, 1, 1, None]
    writer.close()
    assert len(syncs) == 1 and on_disk == [1]
    with store.engine.connect() as conn:
        stored = list(conn.exec_driver_sql(
            "SELECT warc_file, warc_offset, warc_length FROM versions ORDER BY article_id"))
    bodies = [read_capture(archive.directory, WarcPointer(*row), 10**7).body for row in stored]
    assert bodies == [f.body for f in fetched[:3]]
    (path,) = archive.directory.glob("*.warc.gz")
    with open(path, "rb") as fh:  # the unchanged check's response too
        assert sum(r.rec_type == "response" for r in ArchiveIterator(fh)) == 4


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


def test_a_group_waits_for_the_checks_still_expected(tmp_path: Path) -> None:
    """Checks in flight are waited for (not an hour here: until none is left to come), so
    an idle writer commits them together instead of one transaction each."""
    store, due = _store(tmp_path, 3)
    writer = StoreWriter(store, gather=3600)
    for article in due:
        writer.expect(article.id)
    first = writer.submit(_record(due[0]))
    assert not wait([first], timeout=0.5).done  # two more are expected
    second = writer.submit(_record(due[1]))
    writer.forget(due[2].id)  # its check ended without a record: nothing left to wait for
    assert (first.result(10), second.result(10)) == (1, 1)
    assert writer.commits == 1
    writer.forget(due[1].id)  # recorded already: changes nothing
    writer.close()
    assert _stored(store)[1] == [due[0].id, due[1].id]
    store.close()


def test_another_write_ends_the_wait_and_keeps_its_order(tmp_path: Path) -> None:
    store, due = _store(tmp_path, 2)
    writer = StoreWriter(store, gather=3600)
    writer.expect(due[1].id)  # never recorded in this test
    first = writer.submit(_record(due[0], "First text."))
    seen = writer.submit_call(store.version, due[0].id, 1)
    assert first.result(10) == 1
    assert seen.result(10)["text"] == "First text."  # written before the call ran
    writer.close()
    store.close()


def test_a_gathered_group_keeps_the_leases(store_url: str) -> None:
    """A check whose lease passed to another worker is not recorded, whatever group it is
    gathered into; the others of the group are, once each (SQLite and PostgreSQL)."""
    a, b = Store.open(store_url), Store.open(store_url)
    a.worker_id, b.worker_id = "worker-a", "worker-b"
    try:
        source_id = a.ensure_source("example", NOW)
        a.add_articles(source_id, [(f"https://a.example/{n}", None) for n in range(4)],
                       NOW, FIRST, revive_gap=GAP)
        due = a.claim_due(NOW, 4, LEASE)
        later = LEASE + timedelta(seconds=1)
        b.claim_article(due[1].id, later + timedelta(minutes=5))  # a's lease on it ran out
        b.claim_article(due[2].id, later + timedelta(minutes=5))
        writer = StoreWriter(a, gather=3600)
        for article in due:
            writer.expect(article.id)
        outcomes = ["unchanged", "unchanged", "new_version", "new_version"]
        futures = [writer.submit(_record(article) if outcome == "new_version" else
                                 CheckRecord(article, checked_at=later, outcome=outcome,
                                             next_check_at=later + timedelta(hours=1),
                                             check_interval=FIRST))
                   for article, outcome in zip(due, outcomes, strict=True)]
        assert [f.result(10) for f in futures] == [None, None, None, 1]
        writer.close()
        assert writer.commits == 1
        versions, checks, _ = _stored(a)
        assert checks == [due[0].id, due[3].id]
        assert versions == [(due[3].id, 1)]
        with a.engine.connect() as conn:
            leases = [tuple(r) for r in conn.exec_driver_sql(
                "SELECT leased_by, leased_until IS NULL FROM articles ORDER BY id")]
        assert leases == [("worker-a", True), ("worker-b", False), ("worker-b", False),
                          ("worker-a", True)]
    finally:
        a.close()
        b.close()


class _CountedWakes:
    """Stands in front of the writer's wake queue and counts the wakes asked for."""

    def __init__(self, inner: queue.SimpleQueue[None]) -> None:
        self.inner, self.count = inner, 0

    def put(self, item: None) -> None:
        self.count += 1
        self.inner.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> None:
        return self.inner.get(block, timeout)


def test_checks_joining_a_gathered_group_do_not_wake_the_writer(tmp_path: Path) -> None:
    """A thread's wake costs both threads more CPU than a check's share of a commit: while
    a group is gathered, only the check that completes it (the last expected) wakes the
    writer; the others wait in the queue and go into the same commit."""
    store, due = _store(tmp_path, 6)
    writer = StoreWriter(store, gather=3600)
    wakes = _CountedWakes(writer._wake)
    writer._wake = wakes  # type: ignore[assignment]
    for article in due:
        writer.expect(article.id)
    first = writer.submit(_record(due[0]))  # starts the thread and the group
    while writer._items:  # until the thread took it: it gathers the group now
        time.sleep(0.001)
    before = wakes.count
    futures = [writer.submit(_record(article)) for article in due[1:5]]
    assert wakes.count == before  # four checks, no wake: the group still expects one
    assert not wait([first, *futures], timeout=0.3).done
    last = writer.submit(_record(due[5]))
    assert wakes.count == before + 1
    assert [f.result(10) for f in (first, *futures, last)] == [1] * 6
    assert writer.commits == 1
    writer.close()
    store.close()


def test_a_group_still_commits_at_its_deadline_without_a_wake(tmp_path: Path) -> None:
    """Checks queued without a wake are not left behind when the expected one never comes:
    the group is committed when its gathering time is up."""
    store, due = _store(tmp_path, 3)
    writer = StoreWriter(store, gather=0.3)
    for article in due:
        writer.expect(article.id)  # due[2] is never recorded
    futures = [writer.submit(_record(article)) for article in due[:2]]
    assert [f.result(10) for f in futures] == [1, 1]
    assert writer.commits == 1
    writer.close()
    store.close()


def test_an_event_loop_gets_its_outcomes_and_a_cancelled_waiter_loses_nothing(
        tmp_path: Path) -> None:
    """From a running loop, records and calls are answered on that loop (a group's in one
    call); a check whose waiter was cancelled is still written, and a store error reaches
    its caller as itself."""
    store, due = _store(tmp_path, 3)
    writer = StoreWriter(store, gather=0.05)

    async def run() -> None:
        release = _held(writer)
        recorded = [asyncio.ensure_future(writer.record(_record(a))) for a in due]
        await asyncio.sleep(0.01)
        recorded[1].cancel()  # its task gave up: the check is real, and written
        release.set()
        assert [await recorded[0], await recorded[2]] == [1, 1]
        assert recorded[1].cancelled()
        assert (await writer.call(store.version, due[1].id, 1))["text"] == "Body text."

        def fails() -> None:
            raise LookupError("no such article")

        with pytest.raises(LookupError, match="no such article"):
            await writer.call(fails)

    asyncio.run(run())
    writer.close()
    assert writer.commits == 1
    assert _stored(store)[1] == [a.id for a in due]
    store.close()


def test_a_closed_event_loop_does_not_stop_the_writer(tmp_path: Path) -> None:
    """A loop closed while its check was being written (a tracker stopped hard) gets no
    answer, and the writer goes on with the next writes."""
    store, due = _store(tmp_path, 2)
    writer = StoreWriter(store)
    release = _held(writer)
    loop = asyncio.new_event_loop()
    pending = loop.create_task(writer.record(_record(due[0])))
    loop.run_until_complete(asyncio.sleep(0.01))  # the record is queued
    pending.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        loop.run_until_complete(pending)
    loop.close()
    release.set()
    assert writer.submit(_record(due[1])).result(10) == 1
    writer.close()
    assert _stored(store)[1] == [due[0].id, due[1].id]
    store.close()
