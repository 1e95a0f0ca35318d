"""No store call of the notifier runs on the event loop it shares with the tracker
(`tearsheet run` builds it and runs it there, beside the checks): a read there stalls
every fetch in flight for as long as the database takes.

Every connection checkout and statement of the store's engine is watched while a notifier
is built on the loop, finds its cursor, queues a change, fails to deliver it, retries it,
holds a flood and sends its summary, and runs continuously until stopped.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tearsheet.config import load_settings
from tearsheet.notify.notifier import Notifier
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.loopwatch import watch_the_loop
from tests.support.notifying import Clock, story


def test_the_notifier_never_calls_the_store_on_its_event_loop(
        store: Store, server: LocalServer) -> None:
    answers = iter([500])  # the first delivery fails, the rest are taken

    def hook(request: Request) -> Reply:
        return Reply(next(answers, 200))

    server.route("/hook", hook)
    settings = load_settings(None, database_url=str(store.engine.url), notifications={
        "rules": [{"name": "hook", "webhook": server.url("/hook"),
                   "secret": "webhook-secret-0123456789"}], "timeout": 5,
        "retries": 2, "retry_backoff": 10, "flood_threshold": 3, "flood_window": 600})
    clock = Clock()
    on_loop = watch_the_loop(store)

    async def go() -> list[Any]:
        notifier = Notifier(settings, store, clock=clock)  # as `tearsheet run` does
        sent = []
        async with webclient.async_client() as client:
            sent.append(await notifier.step(client))  # the cursor: after the history
            await asyncio.to_thread(story, store, 1)
            sent.append(await notifier.step(client))  # queued, failed
            clock.advance(10)
            sent.append(await notifier.step(client))  # retried, sent
            for n in (2, 3, 4):
                await asyncio.to_thread(story, store, n)
            sent.append(await notifier.step(client))  # a flood: held
            clock.advance(600)
        stop = asyncio.Event()
        running = asyncio.create_task(notifier.run(stop))  # the summary, continuously
        deadline = time.monotonic() + 300  # a guard against hanging, not a bound
        while not [r for r in server.requests if r.method == "POST"][2:]:  # the summary
            assert time.monotonic() < deadline, "the summary was never sent"
            await asyncio.sleep(0.05)
        stop.set()
        await running
        return [*sent, notifier.sent]

    assert asyncio.run(go()) == [0, 0, 1, 0, 2]
    assert on_loop == [], f"{len(on_loop)} store call(s) on the event loop:\n" + on_loop[0]
