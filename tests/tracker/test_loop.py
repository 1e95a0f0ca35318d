"""No store call runs on the tracker's event loop: a read or a write there (a source's
ids, its health flags, the last version, the configured feeds) stalls every fetch in
flight for as long as the database takes, a lock or an outage included.

Every connection the store's engine hands out and every statement it runs is watched: one
on the thread of a running event loop is recorded. A tracker then goes through its paths
— configured sources synced, feeds polled, new articles, an edit, a body that shrinks
(fetched again, held back by the source's health), a page that fails, an article whose
redirect moves it, the continuous run that waits for the next due moment — and none may
have touched the store from the loop.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tearsheet.config import load_settings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import Tracker, assemble
from tests.support.localserver import LocalServer, Reply
from tests.support.loopwatch import watch_the_loop
from tests.support.newsroom import Newsroom, Story, write_config
from tests.support.pages import LOREM

LONG = [f"{p} (part {n})" for n in range(3) for p in LOREM]


def test_the_tracker_never_calls_the_store_on_its_event_loop(
    server: LocalServer, tmp_path: Path, store_url: str
) -> None:
    room = Newsroom(server)
    server.route("/feed.xml", room.feed)
    room.publish("/news/steady", Story("A steady story", list(LOREM)))
    room.publish("/news/edited", Story("An edited story", list(LOREM)))
    room.publish("/news/shrinking", Story("A shrinking story", list(LONG)))
    room.publish("/news/failing", Story("A failing story", list(LOREM)))
    room.publish("/news/moving", Story("A moving story", list(LOREM)))
    config = write_config(tmp_path, server, store_url)
    settings = load_settings(config, fetch={"extract_processes": 0, "per_host_delay": 0,
                                            "allow_private_addresses": True})
    now = [datetime(2026, 1, 5, 6, 0, tzinfo=UTC)]
    store = Store.open(store_url)
    on_loop = watch_the_loop(store)

    async def go() -> Tracker:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher, clock=lambda: now[0]) as tracker:
            await tracker.run(asyncio.Event(), once=True)
            room.stories["/news/edited"].paragraphs.append("Update: a paragraph was added.")
            room.stories["/news/shrinking"].paragraphs[3:] = []  # cut by more than half
            room.stories["/news/failing"].status = 500
            room.publish("/news/moved", Story("A moving story", list(LOREM)))
            server.route("/news/moving", Reply(status=301, headers={
                "Location": server.url("/news/moved")}))
            now[0] += timedelta(hours=1)
            await tracker.run(asyncio.Event(), once=True)
            stop = asyncio.Event()  # the continuous run: discovery beside the checks
            running = asyncio.create_task(tracker.run(stop))
            polls = len(server.hits("/feed.xml"))
            now[0] += timedelta(hours=1)
            async with asyncio.timeout(300):  # a guard against hanging, not a bound
                while len(server.hits("/feed.xml")) == polls or tracker.stats.checks < 15:
                    await asyncio.sleep(0.02)
            stop.set()
            await running
            return tracker

    tracker = asyncio.run(go())
    with store.engine.connect() as conn:  # off the loop: not recorded
        outcomes = dict(conn.exec_driver_sql(
            "SELECT a.url, group_concat(c.outcome) FROM checks c JOIN articles a "
            "ON a.id = c.article_id GROUP BY a.url" if store.engine.dialect.name == "sqlite"
            else "SELECT a.url, string_agg(c.outcome, ',') FROM checks c JOIN articles a "
            "ON a.id = c.article_id GROUP BY a.url").all())
    store.close()
    assert tracker.stats.new_versions >= 6 and tracker.stats.failed >= 1
    assert "failed" in outcomes[server.url("/news/failing")]
    assert len(server.hits("/news/shrinking")) >= 3  # the shrink was fetched again
    assert on_loop == [], f"{len(on_loop)} store call(s) on the event loop:\n" + on_loop[0]
