"""One gzip-served article on the local server, tracked with WARC captures on: the site
and the tracker run behind the archive's tests and the web UI's capture pages."""

from __future__ import annotations

import asyncio
import gzip
import os
from pathlib import Path
from typing import Any

import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.fetch.fetcher import Fetcher, Response
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import assemble
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.pages import LOREM, article_page, rss_feed

PATH = "/news/warc-story"


def config(tmp_path: Path, server: LocalServer, **archive: Any) -> Settings:
    """Settings following ``server``'s feed on a fast schedule, ``archive`` the WARC options."""
    return load_settings(
        None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
        schedule={"first_interval": "0.1s", "jitter": 0},
        fetch={"allow_private_addresses": True, "per_host_delay": 0, "retries": 0},
        archive=archive,
        sources=[{"name": "local", "feeds": [server.url("/feed.xml")]}])


class Site:
    """One article whose text the test changes; gzip-encoded answers, noise on each."""

    def __init__(self, server: LocalServer, extra: str = "") -> None:
        self.server = server
        self.extra = extra  # markup added to the page (a hostile script, say)
        self.paragraphs = list(LOREM)
        self.served: list[bytes] = []  # the gzip bodies as sent
        server.route("/feed.xml", Reply(body=rss_feed(server.base, [(PATH, "Story")]),
                                        headers={"Content-Type": "application/rss+xml"}))
        server.route(PATH, self.page)

    def page(self, request: Request) -> Reply:
        html = article_page("A story kept as proof", self.paragraphs, noise=len(self.served))
        html = html.replace("</body>", self.extra + "</body>")
        body = gzip.compress(html.encode())
        self.served.append(body)
        return Reply(body=body, headers={"Content-Encoding": "gzip", "X-Served": "yes",
                                         "Content-Type": "text/html; charset=utf-8"})


def track(settings: Settings, passes: int, site: Site) -> Store:
    """``passes`` checks by a tracker in this process (the story is corrected before the
    second); returns the store, open."""
    store = Store.open(settings.database_url)

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher:
            tracker = assemble(settings, store, fetcher)
            await tracker.sync_sources()
            await tracker.discover()
            for n in range(passes):
                if n == 1:
                    site.paragraphs.append("A correction was appended to this story.")
                await asyncio.sleep(0.15)
                await tracker.check_due(asyncio.Event(), until=tracker.clock())

    asyncio.run(go())
    return store


def fetched(settings: Settings, site: Site, count: int) -> list[Response]:
    """The article fetched ``count`` times (each with its own noise: a page of its own)."""
    async def fetch() -> list[Response]:
        async with Fetcher(settings.fetch) as fetcher:
            return [await fetcher.fetch(site.server.url(PATH)) for _ in range(count)]

    return asyncio.run(fetch())


def counting_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The file descriptors the WARC archive syncs, from now on."""
    from tearsheet.archive import warc as archive_module
    syncs: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        syncs.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(archive_module.os, "fsync", counting_fsync)
    return syncs
