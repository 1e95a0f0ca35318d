"""Many `tearsheet worker` processes on one PostgreSQL store: leases, a killed worker,
each version once, and per-host politeness held across workers."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tearsheet.simulate import Version, load_histories, read_truth, write_histories
from tearsheet.simulate.newsroom import newsroom_process
from tearsheet.simulate.score import Stored, score
from tearsheet.store.hosts import HostGate
from tearsheet.store.store import Store
from tests.support import postgres
from tests.support.cli import cli
from tests.support.localserver import LocalServer, Reply
from tests.support.pages import LOREM, article_page, rss_feed
from tests.support.steppedclock import GUARD, SteppedClock

MAX_INTERVAL = 3.0  # seconds: no article waits longer between two checks
LEASE = 4.0

CONFIG = """
database_url = "{db}"
[schedule]
first_interval = "1s"
growth = 1.5
max_interval = "{interval}s"
retire_after = "1h"
discovery_interval = "5s"
jitter = 0.1
[fetch]
per_host_delay = "{delay}s"
per_host_concurrency = 8
concurrency = 8
timeout = "2s"
retries = 0
extract_processes = 0
allow_private_addresses = true
[worker]
lease = "{lease}s"
[[sources]]
name = "{name}"
{feeds}
"""


def histories(count: int) -> list[Version]:
    """``count`` articles published at once, each rewritten once, 45-60 s later (on the
    site's clock, which the test moves on only once every first version is stored)."""
    pool = list({v.article: v for v in load_histories()}.values())
    versions = []
    for i in range(count):
        base = pool[i % len(pool)]
        first = Version(f"story-{i}", f"/news/story-{i}", 0.0, f"{base.headline} ({i})",
                        base.byline, base.paragraphs, "news")
        second = Version(first.article, first.path, 45.0 + i % 16, first.headline,
                         first.byline,
                         (*base.paragraphs, f"Update {i}: officials later confirmed it."),
                         "news")
        versions += [first, second]
    return versions


def start_worker(config: Path, name: str, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tearsheet", "worker", "--config", str(config), "--id",
             name, "--verbose"], stdout=out, stderr=out, stdin=subprocess.DEVNULL)


@contextlib.contextmanager
def workers(config: Path, names: list[str], folder: Path
            ) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    procs = {name: start_worker(config, name, folder / f"{name}.log") for name in names}
    try:
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(condition: Callable[[], bool]) -> None:
    """Until ``condition`` holds; the guard only says a step hung."""
    deadline = time.monotonic() + GUARD
    while not condition():
        assert time.monotonic() < deadline, "the workers hung"
        time.sleep(0.05)


def scalar(store: Store, query: str) -> object:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql(query).scalar()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    with postgres.database(pg_template) as url:
        yield url


@pytest.mark.slow
def test_four_workers_one_killed_capture_every_version_once(
    tmp_path: Path, pg_url: str
) -> None:
    archive = tmp_path / "histories.jsonl"
    served = histories(500)
    write_histories(served, archive)
    truth = tmp_path / "truth.jsonl"
    longest = max(v.at for v in served)
    # The site's clock stands still until the test moves it: the rewrites come only once
    # the workers stored every first version, however long a loaded machine takes.
    clock = SteppedClock(tmp_path / "clock")
    with newsroom_process(tmp_path / "site.log", "--histories", str(archive),
                          "--truth", str(truth), "--seed", "3",
                          "--clock-file", str(clock.path)) as base:
        config = tmp_path / "tearsheet.toml"
        config.write_text(CONFIG.format(
            db=pg_url, interval=MAX_INTERVAL, delay="0.002", lease=LEASE, name="sim",
            feeds=f'sitemaps = ["{base}/sitemap.xml"]'))
        store = Store.open(pg_url)
        names = [f"w{n}" for n in range(4)]

        def versions() -> int:
            return int(scalar(store, "SELECT count(*) FROM versions"))

        with workers(config, names, tmp_path) as procs:
            # Kill w0 once it holds leases on articles it is checking, mid-run.
            wait_for(lambda: int(scalar(
                store, "SELECT count(*) FROM articles WHERE leased_by = 'w0' "
                       "AND leased_until IS NOT NULL")) > 0 and versions() > 50)
            procs["w0"].send_signal(signal.SIGKILL)
            procs["w0"].wait()
            killed_at = datetime.now(UTC)
            with store.engine.connect() as conn:
                orphaned = {row[0] for row in conn.exec_driver_sql(
                    "SELECT id FROM articles WHERE leased_by = 'w0' "
                    "AND leased_until IS NOT NULL")}
            assert orphaned, "w0 held no lease when it was killed"
            wait_for(lambda: versions() >= len(served) // 2)  # every first version
            clock.set(clock.seconds + longest + 1)  # every rewrite is live
            # Run until every version served is stored, then a little longer: a version
            # stored twice would show up by then.
            wait_for(lambda: versions() >= len(served))
            time.sleep(2 * MAX_INTERVAL)
            for name in names[1:]:
                assert procs[name].poll() is None, (tmp_path / f"{name}.log").read_text()
    # Every article w0 held when it died was checked again, by another worker.
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, leased_by, last_checked_at FROM articles WHERE id = ANY(%s)",
            (list(orphaned),)).all()
        duplicates = conn.exec_driver_sql(
            "SELECT article_id, content_hash, count(*) FROM versions "
            "GROUP BY article_id, content_hash HAVING count(*) > 1").all()
        numbering = conn.exec_driver_sql(
            "SELECT count(*) FROM articles a WHERE version_count <> "
            "(SELECT count(*) FROM versions v WHERE v.article_id = a.id)").scalar()
        checkers = {row[0] for row in conn.exec_driver_sql(
            "SELECT DISTINCT leased_by FROM articles")}
    assert len(rows) == len(orphaned)
    for article_id, holder, checked in rows:
        assert holder != "w0" and checked.replace(tzinfo=UTC) > killed_at, (
            article_id, holder, checked)
    assert checkers <= {"w1", "w2", "w3", "w0"} and {"w1", "w2", "w3"} <= checkers
    assert duplicates == []  # no version stored twice
    assert numbering == 0
    stored = [Stored(r["url"], r["number"], r["captured_at"], r["title"], r["byline"],
                     r["text"]) for r in store.iter_versions()]
    store.close()
    result = score(read_truth(truth), stored)
    assert result.served == 1000
    assert [(v.url, v.version) for v in result.missed] == []
    assert [(m.stored.url, m.stored.number) for m in result.phantoms] == []
    assert result.stored == len(result.captured) == 1000  # each version exactly once


def test_host_gate_spaces_reservations_across_workers(pg_url: str) -> None:
    """Two workers' gates reserving the same host at once get slots one delay apart."""
    store = Store.open(pg_url)
    gates = [HostGate(store.engine, 10.0), HostGate(store.engine, 10.0)]
    waits: list[float] = []
    lock = threading.Lock()

    def reserve(gate: HostGate) -> None:
        for _ in range(4):
            wait = gate.reserve("news.example:443")
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=reserve, args=(gate,)) for gate in gates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gates[0].reserve("other.example:443") <= 0  # another host: its own queue
    store.close()
    waits.sort()
    assert waits[0] <= 0
    gaps = [b - a for a, b in itertools.pairwise(waits)]
    assert all(9.0 < gap <= 10.0 for gap in gaps), waits


def test_politeness_holds_across_worker_processes(
    server: LocalServer, tmp_path: Path, pg_url: str
) -> None:
    """Two workers, one host: the shared gate hands out request slots per_host_delay apart
    in all, and no request starts before a slot. The slots are read from the store (a
    trigger records each one), so a loaded machine delaying a request cannot fail it; the
    server's clock only checks that requests come at or after their slots."""
    paths = [f"/news/story-{n}" for n in range(4)]
    for path in paths:
        server.route(path, article_page(f"Story {path}", LOREM))
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [(p, p) for p in paths]),
                                    headers={"Content-Type": "application/rss+xml"}))
    config = tmp_path / "tearsheet.toml"
    config.write_text(CONFIG.format(
        db=pg_url, interval=60, delay="1", lease=30, name="local",
        feeds=f'feeds = ["{server.url("/feed.xml")}"]').replace(
            "per_host_concurrency = 8", "per_host_concurrency = 4"))
    assert cli("db", "upgrade", "--config", str(config)) == 0
    store = Store.open(pg_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(SLOT_LOG)
    with workers(config, ["a", "b"], tmp_path):
        deadline = time.monotonic() + 300  # a guard against hanging, not a bound
        while time.monotonic() < deadline and not all(server.hits(p) for p in paths):
            time.sleep(0.1)
    assert all(server.hits(p) for p in paths)
    with store.engine.connect() as conn:
        slots = [row[0] for row in conn.exec_driver_sql(
            "SELECT EXTRACT(EPOCH FROM slot) FROM host_slots ORDER BY slot")]
    store.close()
    starts = sorted(r.at for p in [*paths, "/feed.xml", "/robots.txt"]
                    for r in server.hits(p))
    gaps = [float(b - a) for a, b in itertools.pairwise(slots)]
    assert len(slots) >= len(starts) and min(gaps) >= 1.0 - 1e-6, gaps
    # Each request at or after its slot: the k-th request no earlier than the k-th slot
    # (a few ms for the two clocks' readings of one system clock).
    assert all(start >= float(slot) - 0.05 for start, slot in zip(starts, slots)), (
        starts, slots)


# Every slot the gate hands out (store/hosts.py: a slot is next_allowed_at less the delay).
SLOT_LOG = """
CREATE TABLE host_slots (slot timestamp);
CREATE FUNCTION log_host_slot() RETURNS trigger AS $$
BEGIN
    INSERT INTO host_slots VALUES (NEW.next_allowed_at - interval '1 second');
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER host_slot AFTER INSERT OR UPDATE ON hosts
    FOR EACH ROW EXECUTE FUNCTION log_host_slot();
"""


def test_worker_refuses_sqlite(tmp_path: Path) -> None:
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "ts.db"}"\n'
                      '[[sources]]\nname = "x"\nfeeds = ["http://127.0.0.1:9/feed.xml"]\n')
    assert cli("worker", "--config", str(config)) == 1
    assert not os.path.exists(tmp_path / "ts.db.lock")


def test_a_lease_shorter_than_a_check_never_lets_two_workers_check_one_article(
        pg_url: str, server: LocalServer) -> None:
    """worker.lease is 2 s and the page takes 3 s: the worker checking it renews its lease
    meanwhile, so the other never claims it then: the fetches' spans, seen from the
    workers, never overlap, and each check is recorded."""
    import asyncio

    from tearsheet.config import load_settings
    from tearsheet.fetch.fetcher import Fetcher, Response
    from tearsheet.tracker.tracker import assemble

    spans: list[tuple[float, float]] = []

    class Watched(Fetcher):
        async def fetch(self, url: str, **options: str | None) -> Response:
            started = time.monotonic()
            try:
                return await super().fetch(url, **options)
            finally:
                if "a-slow-story" in url:
                    spans.append((started, time.monotonic()))

    def slow(_request: object) -> Reply:
        time.sleep(3.0)
        return Reply(body=article_page("A slow story", LOREM))

    server.route("/news/a-slow-story", slow)
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/a-slow-story", "S")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    settings = load_settings(
        None, database_url=pg_url, worker={"lease": "2s"},
        schedule={"discovery_interval": "1h", "first_interval": "0.1s", "max_interval": "0.1s",
                  "growth": 1.0, "jitter": 0},
        fetch={"extract_processes": 0, "per_host_delay": 0, "retries": 0, "timeout": "10s",
               "allow_private_addresses": True},
        sources=[{"name": "slow", "feeds": [server.url("/feed.xml")]}])

    async def worker(name: str, stop: asyncio.Event) -> None:
        store = Store.open(pg_url)
        store.worker_id = name
        try:
            async with Watched(settings.fetch) as fetcher, \
                    assemble(settings, store, fetcher) as tracker:
                await tracker.run(stop)
        finally:
            store.close()

    async def both() -> None:
        stop = asyncio.Event()
        runs = [asyncio.create_task(worker(name, stop)) for name in ("a", "b")]
        await asyncio.sleep(8.0)  # several leases: the workers claim it in turn
        stop.set()
        await asyncio.gather(*runs)

    asyncio.run(both())
    spans.sort()
    assert len(spans) >= 2  # checked again once the first check was recorded
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans)), spans
    store = Store.open(pg_url)
    try:
        assert scalar(store, "SELECT count(*) FROM versions") == 1
        assert scalar(store, "SELECT count(*) FROM checks") >= len(spans) - 1
    finally:
        store.close()
