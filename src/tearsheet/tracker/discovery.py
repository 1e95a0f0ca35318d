"""Discovery polling: the feeds, sitemaps and section pages that are due, fetched and read
for new articles (a part of :class:`tearsheet.tracker.tracker.Tracker`).

Polls are claimed with a lease (one worker polls each feed), and the documents are parsed
on a discovery thread of their own: off the event loop, and never queued behind the
checks' extractions, so feeds keep their schedule however busy the checks are.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from tearsheet.config import FeedKind, Settings
from tearsheet.discover import Discovered, parse_feed, parse_section_page, parse_sitemap
from tearsheet.errors import TearsheetError
from tearsheet.fetch.fetcher import Fetcher, Response
from tearsheet.store.records import DueFeed
from tearsheet.store.store import Store
from tearsheet.tracker.writer import StoreWriter

if TYPE_CHECKING:
    from tearsheet.tracker.tracker import Stats

T = TypeVar("T")

MAX_CHILD_SITEMAPS = 50


class Discovery:
    """Polling the configured sources' feeds for new articles."""

    settings: Settings
    store: Store
    fetcher: Fetcher
    writer: StoreWriter
    clock: Callable[[], datetime]
    rng: random.Random
    stats: Stats
    _discovery: ThreadPoolExecutor

    def _event(self, level: int, message: str) -> None:
        raise NotImplementedError

    async def sync_sources(self) -> None:
        """Bring the store's sources and feeds in line with the configuration (on the
        store writer's thread, like every store call of the tracker)."""
        now = self.clock()
        await self.writer.call(self._sync_sources, now)

    def _sync_sources(self, now: datetime) -> None:
        for source in self.settings.sources:
            source_id = self.store.ensure_source(source.name, now)
            self.store.sync_feeds(source_id, source.discovery(), now)

    async def discover(self, entered: asyncio.Event | None = None) -> int:
        """Poll every feed that is due; returns the number of new articles.

        ``entered`` is set as soon as one feed has entered new articles, so their checks
        need not wait for the slowest feed (one timing out and retried takes seconds).
        The feeds are claimed with a lease: with many workers, one polls each feed.
        """
        now = self.clock()
        due = await self.writer.call(self.store.claim_feeds, now,
                                     now + timedelta(seconds=self.settings.lease_seconds()))
        counts = await asyncio.gather(*(self._poll(feed, entered) for feed in due))
        return sum(counts)

    async def _poll(self, feed: DueFeed, entered: asyncio.Event | None = None) -> int:
        now = self.clock()
        interval = self.settings.schedule.discovery_interval
        try:
            response = await self.fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified)
            found = [] if response.not_modified else await self._links(feed, response)
        except TearsheetError as exc:
            backoff = interval * min(2 ** feed.error_count, 8)
            await self.writer.call(self.store.record_feed_poll, feed.id, now,
                                   now + timedelta(seconds=backoff), error=str(exc))
            self.stats.feed_errors += 1
            self._event(logging.WARNING, f"discovery failed: {exc}")
            return 0
        added = await self.writer.call(
            self.store.add_articles, feed.source_id, [(d.url, d.title) for d in found], now,
            self.settings.schedule.first_interval, revive_gap=2 * interval)
        await self.writer.call(
            self.store.record_feed_poll, feed.id, now,
            now + timedelta(seconds=interval * self.rng.uniform(0.9, 1.1)),
            etag=response.etag, last_modified=response.last_modified)
        self.stats.feeds_polled += 1
        self.stats.articles_found += added
        if added and entered is not None:
            entered.set()
        if added:
            self._event(logging.INFO, f"{feed.url}: {added} new article(s)")
        return added

    async def _links(self, feed: DueFeed, response: Response) -> list[Discovered]:
        """The articles a discovery document lists (a sitemap index's children fetched too),
        parsed by :meth:`_parse`."""
        limits = self.settings.limits
        # The charset HTTP names: the documents' own declarations win (see discover).
        if feed.kind == FeedKind.FEED:
            return await self._parse(parse_feed, response.body, response.url, limits,
                                     charset=response.charset)
        if feed.kind == FeedKind.SECTION:
            return await self._parse(parse_section_page, response.body, response.url,
                                     feed.article_pattern, limits, charset=response.charset)
        result = await self._parse(parse_sitemap, response.body, response.url, limits,
                                   charset=response.charset)
        found = list(result.articles)
        for child in result.sitemaps[:MAX_CHILD_SITEMAPS]:
            try:  # one broken child sitemap must not hide the others
                child_response = await self.fetcher.fetch(child)
                child_result = await self._parse(parse_sitemap, child_response.body,
                                                 child_response.url, limits,
                                                 charset=child_response.charset)
                found += child_result.articles
            except TearsheetError as exc:
                self._event(logging.WARNING, f"discovery failed: {exc}")
        return found

    async def _parse(self, parse: Callable[..., T], *args: Any, **options: Any) -> T:
        """A discovery document parsed on the discovery thread: off the event loop (an 8 MB
        feed is seconds of CPU), and not queued behind the checks' extractions, so feeds
        keep their schedule however busy the checks are."""
        return await asyncio.get_running_loop().run_in_executor(
            self._discovery, functools.partial(parse, *args, **options))
