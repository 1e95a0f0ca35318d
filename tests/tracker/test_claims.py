"""Claims: the tracker takes due articles a batch at a time, with as many again waiting
for a slot beside the checks in flight, and gives those back when it stops."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from tearsheet.config import Settings, load_settings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.schema import articles
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import assemble
from tests.support.holding import HANG, held_until
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import write_config
from tests.support.pages import LOREM, article_page, rss_feed

CONCURRENCY = 2  # fetch.concurrency: four checks in flight (Tracker.capacity)
CAPACITY = 2 * CONCURRENCY


def _stories(server: LocalServer, count: int, held: threading.Event | None = None) -> None:
    paths = [f"/news/story-{n}" for n in range(count)]
    for n, path in enumerate(paths):
        page = article_page(f"Story number {n}", [f"{LOREM[0]} ({n})", *LOREM[1:]])
        server.route(path, page)
        if held is not None:
            server.route(path, held_until(held, server.routes[path]))
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [(p, p) for p in paths]),
                                    headers={"Content-Type": "application/rss+xml"}))


def _settings(tmp_path: Path, server: LocalServer, store_url: str) -> Settings:
    settings = load_settings(write_config(tmp_path, server, store_url))
    return settings.model_copy(update={"fetch": settings.fetch.model_copy(update={
        "concurrency": CONCURRENCY, "extract_processes": 0, "timeout": HANG})})


def test_claims_take_a_batch_while_the_slots_are_full(
    server: LocalServer, tmp_path: Path, store_url: str,
) -> None:
    """24 due articles, four checks in flight: the first claim takes eight (four to
    start, four to wait), each later one four (as many as the slots), never one article
    each time one check finished. Every claim asks for a whole batch at least."""
    stories = 24
    _stories(server, stories)
    settings = _settings(tmp_path, server, store_url)
    store = Store.open(settings.database_url)
    claims: list[tuple[int, int]] = []  # (asked, taken)
    claim_due = store.claim_due

    def counted(now: datetime, limit: int, lease_until: datetime):  # type: ignore[no-untyped-def]
        taken = claim_due(now, limit, lease_until)
        claims.append((limit, len(taken)))
        return taken

    store.claim_due = counted  # type: ignore[method-assign]

    async def go() -> int:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher) as tracker:
            await tracker.sync_sources()
            await tracker.discover()
            return await tracker.check_due(asyncio.Event(), until=datetime.now(UTC))

    try:
        assert asyncio.run(go()) == stories
    finally:
        store.close()
    taken = [n for _, n in claims if n]
    assert sum(taken) == stories, claims
    assert taken[0] == 2 * CAPACITY, claims
    assert len(taken) <= stories // CAPACITY, claims  # 8, then 4 at a time: 5 claims
    assert all(asked >= CAPACITY for asked, _ in claims), claims


def test_a_stop_gives_back_the_articles_claimed_ahead(
    server: LocalServer, tmp_path: Path, store_url: str,
) -> None:
    """Twelve due articles whose pages are held: four checks in flight, four more
    claimed (leased) waiting for a slot. On a stop the four waiting are given back, due at
    once and unleased, never fetched; the four in flight finish and are stored."""
    held = threading.Event()
    _stories(server, 12, held)
    settings = _settings(tmp_path, server, store_url)
    store = Store.open(settings.database_url)

    def leased() -> int:
        with store.engine.connect() as conn:
            return int(conn.exec_driver_sql(
                "SELECT count(*) FROM articles WHERE leased_until IS NOT NULL").scalar_one())

    async def go() -> tuple[int, int]:
        stop = asyncio.Event()
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher) as tracker:
            await tracker.sync_sources()
            await tracker.discover()
            run = asyncio.create_task(tracker.check_due(stop, until=datetime.now(UTC)))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + HANG
            while not (tracker.stats.in_flight == CAPACITY and any(
                    server.hits(f"/news/story-{n}") for n in range(12))):
                assert loop.time() < deadline, "no check in flight"
                await asyncio.sleep(0.02)
            claimed = await asyncio.to_thread(leased)
            stop.set()
            held.set()
            return claimed, await run

    try:
        claimed, done = asyncio.run(go())
        stopped = datetime.now(UTC)
        with store.engine.connect() as conn:
            rows = conn.execute(select(articles.c.version_count, articles.c.leased_until,
                                       articles.c.next_check_at)).all()
    finally:
        held.set()
        store.close()
    assert (claimed, done) == (2 * CAPACITY, CAPACITY)
    assert [row for row in rows if row.leased_until is not None] == []
    assert sum(row.version_count for row in rows) == CAPACITY, rows
    # Given back: due at once, not when the lease would have ended (with the others).
    assert all(row.next_check_at <= stopped for row in rows if row.version_count == 0), rows
    fetched = sum(1 for n in range(12) if server.hits(f"/news/story-{n}"))
    assert fetched == CAPACITY
