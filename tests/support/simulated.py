"""A tracker following simulated newsroom sites for a while, on a fast schedule: the
configuration (``CONFIG.format(db=…, interval=…, sources=source(…) + …)``) and the run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tearsheet.config import load_settings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import assemble, utcnow

CONFIG = """
database_url = "sqlite:///{db}"
[schedule]
first_interval = "0.5s"
growth = 1.5
max_interval = "{interval}s"
retire_after = "1h"
discovery_interval = "0.5s"
jitter = 0.1
[fetch]
per_host_delay = "0s"
per_host_concurrency = 8
timeout = "1s"
retries = 2
retry_backoff = "0.1s"
allow_private_addresses = true
{sources}
"""


def source(name: str, base: str) -> str:
    """The ``[[sources]]`` table of one simulated site at ``base``: its feeds and sitemap."""
    return (f'[[sources]]\nname = "{name}"\nfeeds = ["{base}/feed.xml", "{base}/atom.xml"]\n'
            f'sitemaps = ["{base}/sitemap.xml"]\n')


async def track(config: Path, seconds: float | None = None, *,
                clock: Callable[[], datetime] = utcnow,
                play: Callable[[], None] | None = None) -> None:
    """Run the tracker in this process (discovery and checks, ``Tracker.run``) for
    ``seconds``, or until ``play`` (run on a thread: it steps the tracker's ``clock``)
    returns."""
    settings = load_settings(config)
    store = Store.open(settings.database_url)
    stop = asyncio.Event()
    if seconds is not None:
        asyncio.get_running_loop().call_later(seconds, stop.set)
    try:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher, clock=clock) as tracker:
            running = asyncio.create_task(tracker.run(stop))
            if play is not None:
                playing = asyncio.create_task(asyncio.to_thread(play))
                await asyncio.wait([running, playing], return_when=asyncio.FIRST_COMPLETED)
                stop.set()
                await playing  # a step that hung says so here
            await running
    finally:
        store.close()
