"""The tracker: discovery and checks, driven by the schedule.

One pass is: poll the feeds that are due and enter new articles; then claim the articles
whose check is due, fetch them concurrently (the fetcher keeps per-host politeness),
extract, compare with the last version and store the result. ``run`` does both until told
to stop, discovery as its own task on the feeds' schedule and checks as they fall due, so
neither can starve the other; ``run(once=True)`` does one pass (for cron).

The event loop only fetches and decides: extraction and change summaries run in the
:class:`~tearsheet.tracker.extraction_pool.ExtractionPool`, and every store write on the
:class:`~tearsheet.tracker.writer.StoreWriter`'s thread (checks committed in groups). A tracker
holds both: use it as ``async with Tracker(...) as tracker`` (or call :meth:`aclose`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from tearsheet.archive.warc import Archive
from tearsheet.config import Settings, SourceSettings
from tearsheet.diff.align import Document
from tearsheet.diff.changes import summarize
from tearsheet.diff.fingerprint import Verdict, confirms, fingerprint, judge
from tearsheet.diff.trace import index_keys
from tearsheet.errors import ExtractionError, FetchError, Refusal
from tearsheet.extract.extraction import Extraction
from tearsheet.extract.fast_path import Checked, check_capture, recheck, same_capture
from tearsheet.fetch.browser import Browser, RenderOptions
from tearsheet.fetch.fetcher import Fetcher, Response
from tearsheet.store.database import STORE_ERRORS
from tearsheet.store.records import (
    ArticleEvent,
    CheckRecord,
    DueArticle,
    HeadlineFlip,
    NewVersion,
    Outcome,
)
from tearsheet.store.store import Store
from tearsheet.tracker import events, schedule
from tearsheet.tracker.discovery import Discovery
from tearsheet.tracker.extraction_pool import POOL_FAILURES, ExtractionPool, freeze_heap
from tearsheet.tracker.metrics import TrackerMetrics
from tearsheet.tracker.outage import Leases, Outage
from tearsheet.tracker.reread import REASON, Rereader
from tearsheet.tracker.watch import Watch
from tearsheet.tracker.writer import StoreWriter
from tearsheet.urls import canonicalize

T = TypeVar("T")
log = logging.getLogger(__name__)

CLAIM_EVERY = 1.0  # seconds: claim even a few free slots at least this often
RENEW_EVERY = 1 / 3  # of the lease: in-flight checks' leases are renewed this often


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Stats:
    """Counters since the tracker started, for the status display and the logs."""

    feeds_polled: int = 0
    feed_errors: int = 0
    articles_found: int = 0
    checks: int = 0
    new_versions: int = 0
    unchanged: int = 0
    unchanged_inline: int = 0  # of them, answered by the fast path on the event loop
    failed: int = 0
    in_flight: int = 0
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=8))


@dataclass(frozen=True)
class CheckResult:
    outcome: Outcome
    version: int | None = None
    extraction: Extraction | None = None
    error: str | None = None


class Tracker(Discovery):
    """Runs the pipeline for every configured source against one store."""

    def __init__(
        self, settings: Settings, store: Store, fetcher: Fetcher, *, archive: Archive,
        pool: ExtractionPool, writer: StoreWriter, clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None, browser: Browser | None = None,
    ) -> None:
        """The parts are built by the caller (:func:`assemble` for the usual ones): the
        archive of raw responses, the extraction workers, the store's writer thread and
        ``browser``, which renders the pages of sources with ``render = "browser"``."""
        self.settings = settings
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self.stats = Stats()
        self.archive = archive
        self.capacity = settings.fetch.concurrency * 2
        self.pool = pool
        self.writer = writer
        self.metrics = TrackerMetrics()
        self.outage = Outage()  # the store unreachable: checks pause, the tracker goes on
        self.leases = Leases(store, writer, self.outage)
        self.reread = Rereader(settings, archive.directory, pool)  # an upgrade is no edit
        self.watch = Watch(settings.health, store, self.writer, clock,
                           settings.notifications.rules, self._event)
        self.browser = browser
        self._discovery = ThreadPoolExecutor(1, thread_name_prefix="tearsheet-discovery")
        self._sources: dict[int, SourceSettings] | None = None
        freeze_heap()  # everything a tracker loads is loaded by now

    async def __aenter__(self) -> Tracker:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Write what is queued, then stop the writer thread, the extraction workers and
        the browser."""
        if self.browser is not None:
            await self.browser.aclose()
        await asyncio.to_thread(self.close)

    def close(self) -> None:
        self.writer.close()
        self.pool.close()
        self._discovery.shutdown(wait=False, cancel_futures=True)

    # --- checks ------------------------------------------------------------------------

    async def check(self, article: DueArticle) -> CheckResult:
        """Fetch one article, and store a new version if it really changed."""
        now = self.clock()
        started = time.monotonic()
        settings = self.settings.schedule
        last_changed = article.last_changed_at or article.first_seen_at
        response: Response | None = None
        previous: dict[str, Any] | None = None  # the last version, read once when it changed
        extraction: Extraction | None = None
        body_length: int | None = None
        key: str | None = None  # the decision key to store (None: keep the stored one)
        full: str | None = None  # the extraction's whole fingerprint (standfirst included)
        event: ArticleEvent | None = None  # unpublished, moved, …: never a version
        flip: HeadlineFlip | None = None  # an A/B test's headline again: never a version
        moved: str | None = None  # the same page read anew by this extractor (reread.py)
        try:
            response = await self._fetch(article)
            self.metrics.fetched(time.monotonic() - started, len(response.body))
            digest = None
            if response.redirects:
                event = events.after_redirect(article.status, article.url, response.url,
                                              response.moved_permanently)
                if events.redirected_away(article.url, response.url):
                    return await self._failed(article, now, started, response.status,
                                              f"redirected to {response.url}", event,
                                              gone=True, reason=Refusal.NOT_ARTICLE)
                if event is not None:  # moved: the history follows the new address
                    await self.writer.call(self.store.follow_move, article.id,
                                           canonicalize(response.url))
            checked = None if response.not_modified else await self._extract(
                article, response, key=article.decision_key if article.content_hash else None)
            if checked is not None and checked.extraction is None:  # the fast path: unchanged
                digest, body_length = article.content_hash, checked.body_length
            elif checked is not None and checked.extraction is not None:
                extraction, body_length = checked.extraction, checked.body_length
                key = checked.key or ""
                if article.version_count == 0:
                    canonical = extraction.canonical_url or canonicalize(response.url)
                    if canonical != article.url:
                        owner = await self.writer.call(self.store.adopt_url, article.id,
                                                       canonical)
                        if owner is not None:
                            log.info("%s is article %s (%s)", article.url, owner, canonical)
                            return CheckResult(Outcome.MERGED)
                digest = full = fingerprint(extraction)
                known = True  # the last version's standfirst (NULL: stored before it was)
                if digest != article.content_hash and article.version_count > 0:
                    previous, moved = await self.reread.last(
                        await asyncio.to_thread(self._previous, article), full,
                        await self._source(article.source_id))
                    known = previous is None or previous["standfirst"] is not None
                    if not known:
                        digest = fingerprint(extraction, standfirst=False)
                    flip = None if moved else await self._headline_flip(
                        article, extraction, digest, previous)
                    digest = (article.content_hash or digest) if moved else digest
                verdict = judge(digest, len(extraction.text), article.content_hash,
                                len(previous["text"]) if previous is not None else None)
                if verdict is Verdict.CONFIRM_SHRINK:
                    response, extraction, digest, key = await self._confirm(
                        article, digest, standfirst=known)
                    full = digest if known else None  # None: NewVersion.of computes it
                    body_length = len(extraction.text)
                    if digest != article.content_hash:
                        await self.watch.hold_shrink(article, len(extraction.text))
                elif previous is None and digest != article.content_hash:
                    await self.watch.hold_new(article, len(extraction.text))
        except (FetchError, ExtractionError) as exc:
            reason = exc.reason if isinstance(exc, ExtractionError) else exc.kind
            if reason == Refusal.BLOCKED and isinstance(exc, ExtractionError):
                self.fetcher.back_off(article.url)  # a challenge page: the host waits too
            status = exc.status if isinstance(exc, FetchError) else (
                response.status if response else None)
            return await self._failed(
                article, now, started, status, str(exc),
                events.after_failure(article.status, http_status=status, reason=reason,
                                     has_versions=article.version_count > 0),
                exc.retry_after if isinstance(exc, FetchError) else None, reason=reason,
                body_length=body_length if reason == Refusal.HELD else None)

        event = event or events.after_success(article.status)
        changed = digest is not None and digest != article.content_hash and flip is None
        archived = (self.archive, response) if response.exchange is not None and \
            self.archive.wanted(new_version=changed) else None  # by the writer, first
        if not changed:
            timing = schedule.after_unchanged(now, article.check_interval, last_changed,
                                              settings, self.rng)
            await self.writer.record(CheckRecord(
                article, checked_at=now, outcome=Outcome.UNCHANGED,
                next_check_at=timing.next_check_at,
                check_interval=timing.interval, http_status=response.status,
                elapsed_ms=_ms_since(started), etag=response.etag,
                last_modified=response.last_modified, body_length=body_length, event=event,
                headline_flip=flip, decision_key=key, content_hash=moved,
                reason=REASON if moved else None), archived=archived)
            self.stats.unchanged += 1
            await self.watch.observe(article.source_id, Outcome.UNCHANGED, None,
                                     read_body=extraction is not None)
            return CheckResult(Outcome.UNCHANGED, extraction=extraction)

        assert extraction is not None and digest is not None and body_length is not None
        document = Document.from_extraction(extraction)
        summary = None if previous is None else await self._beside(
            article.url, "change summary", summarize, Document.from_version(previous), document)
        # The version's keys for the trace index: CPU work too, off the writer thread.
        keys = await self._beside(article.url, "trace index keys", index_keys, document)
        timing = schedule.after_change(now, settings, self.rng)
        number = await self.writer.record(CheckRecord(
            article, checked_at=now, outcome=Outcome.NEW_VERSION,
            next_check_at=timing.next_check_at,
            check_interval=timing.interval, http_status=response.status,
            elapsed_ms=_ms_since(started), etag=response.etag,
            last_modified=response.last_modified, body_length=body_length,
            version=NewVersion.of(extraction, response.url, summary, None,
                                  trace_keys=keys or (), content_hash=full),
            event=event, decision_key=key,
        ), archived=archived)
        self.stats.new_versions += 1
        self._event(logging.INFO, f"version {number} of {article.url}: {extraction.title or ''}")
        await self.watch.observe(article.source_id, Outcome.NEW_VERSION, None)
        return CheckResult(Outcome.NEW_VERSION, version=number, extraction=extraction)

    async def _headline_flip(self, article: DueArticle, extraction: Extraction, digest: str,
                             previous: dict[str, Any] | None) -> HeadlineFlip | None:
        """The page shows a headline it showed before, the body and byline unchanged: an
        A/B test's variant, counted as seen rather than stored as a version again."""
        if previous is None or extraction.text != previous["text"] or \
                extraction.byline != previous["byline"]:
            return None
        if not await self.writer.call(self.store.headline_seen, article.id, digest):
            return None  # a new headline: an edit, until it comes back
        return HeadlineFlip(extraction.title, digest,
                            (previous["title"], previous["content_hash"]))

    async def _failed(self, article: DueArticle, now: datetime, started: float,
                      status: int | None, error: str, event: ArticleEvent | None,
                      retry_after: float | None = None, *, gone: bool = False,
                      reason: str | None = None, body_length: int | None = None
                      ) -> CheckResult:
        """Record a failed check, with the event it makes (if any). An unpublished article
        is checked again now and then (``schedule.unpublished_interval``), not backed off
        as an outage is: its return is an event too."""
        settings = self.settings.schedule
        last_changed = article.last_changed_at or article.first_seen_at
        gone = gone or (event is not None and event.state == "unpublished") or (
            article.status == "unpublished" and status in events.GONE_STATUSES)
        if gone:
            timing = schedule.after_unpublished(now, article.check_interval, last_changed,
                                                settings, self.rng)
        else:
            timing = schedule.after_failure(now, article.check_interval, last_changed,
                                            article.error_count + 1, settings, self.rng,
                                            retry_after)
        await self.writer.record(CheckRecord(
            article, checked_at=now, outcome=Outcome.FAILED, next_check_at=timing.next_check_at,
            check_interval=timing.interval, http_status=status, error=error,
            elapsed_ms=_ms_since(started), reason=reason, body_length=body_length,
            event=event))
        self.stats.failed += 1
        self._event(logging.WARNING, f"check failed: {error}" + (
            f" ({event.kind})" if event else ""))
        await self.watch.observe(article.source_id, Outcome.FAILED, reason)
        return CheckResult(Outcome.FAILED, error=error)

    async def _beside(self, url: str, what: str, function: Callable[..., T],
                      *args: Any) -> T | None:
        """``function(*args)`` in the extraction pool (a diff is CPU work too), for what a
        version is stored without if need be: its change summary, its trace index keys. A
        job the pool stopped (``too_slow``) or lost (``worker_died``) must not keep the
        version itself from being stored, check after check."""
        try:
            return await self.pool.run(function, *args)
        except ExtractionError as exc:
            if exc.reason not in POOL_FAILURES:
                raise
            self._event(logging.WARNING, f"{url}: new version stored without its {what} "
                        f"(the extraction pool: {exc.reason})")
            return None

    def _event(self, level: int, message: str) -> None:
        """Log a line, and keep it for the live status display."""
        log.log(level, "%s", message)
        self.stats.recent.append(message)

    async def _extract(self, article: DueArticle, response: Response, *,
                       key: str | None = None) -> Checked:
        """The page extracted, or found unchanged by its decision ``key`` (the fast path,
        unless ``fetch.fast_path`` is off), with the key to keep for the next check."""
        source = await self._source(article.source_id)
        fast = self.settings.fetch.fast_path
        if fast and key is not None and self._inline(response.document):
            checked = recheck(response.document, response.url, response.document_charset,
                              response.content_type, key)
            if checked is not None:
                self.stats.unchanged_inline += 1
                return checked
            key = None  # not found unchanged: the pool extracts it in full
        elif fast and key is not None and (checked := same_capture(
                response.document, response.document_charset, response.content_type,
                key)) is not None:
            # Too large to recheck here, but served byte for byte as when the key was
            # made: known by a hash of its bytes, without the pool.
            self.stats.unchanged_inline += 1
            return checked
        try:
            # Extraction is CPU work: beside the event loop, so fetches keep flowing.
            return await self.pool.run(
                check_capture, response.document, response.url, response.document_charset,
                response.content_type, key=key if fast else None, make_key=fast,
                body_selector=source.body_selector if source else None,
                drop_selectors=source.drop_selectors if source else (),
                limits=self.settings.limits, rendered=response.rendered is not None)
        except ExtractionError as exc:
            if exc.reason not in POOL_FAILURES:  # extract_capture named the page already
                raise
            raise exc.at(response.url) from None

    def _inline(self, document: bytes) -> bool:
        """Whether the fast path may check ``document`` on the event loop: a page within
        ``fetch.inline_check_bytes`` (it holds up the loop), whatever runs extraction. Sent
        to a worker process, the page is pickled, piped, read back and answered: that
        hand-off costs this process more CPU than the check itself (docs/performance.md)."""
        return len(document) <= self.settings.fetch.inline_check_bytes

    async def _source(self, source_id: int) -> SourceSettings | None:
        """A configured source's settings by store id (None: added through the API)."""
        if self._sources is None:  # their ids read once, on the writer's thread
            self._sources = await self.writer.call(self._source_ids, self.clock())
        return self._sources.get(source_id)

    def _source_ids(self, now: datetime) -> dict[int, SourceSettings]:
        return {self.store.ensure_source(source.name, now): source
                for source in self.settings.sources}

    async def _fetch(self, article: DueArticle, *, conditional: bool = True) -> Response:
        """The article's page: rendered by the browser for a source that asks for it
        (never conditional: the shell's ETag says nothing of the data it loads)."""
        source = await self._source(article.source_id)
        if source is not None and source.render == "browser":
            if self.browser is None:  # a Tracker given settings changed since
                self.browser = Browser(self.settings.fetch, self.fetcher)
            return await self.browser.render(article.url, RenderOptions(
                source.name, source.wait_for, source.cookies))
        if not conditional:
            return await self.fetcher.fetch(article.url)
        return await self.fetcher.fetch(article.url, etag=article.etag,
                                        last_modified=article.last_modified)

    def _previous(self, article: DueArticle) -> dict[str, Any] | None:
        """The article's last version (None: none yet), read once for a changed body: the
        shrink check measures it and the change summary diffs against it."""
        if article.version_count == 0:
            return None
        return self.store.version(article.id, article.version_count)

    async def _confirm(self, article: DueArticle, digest: str, *,
                       standfirst: bool) -> tuple[Response, Extraction, str, str]:
        """Fetch a shrunken body again: store it only if the second fetch agrees.

        A half-rendered page, a CDN serving a stub or an A/B test must not become a
        version that "deletes" half the article. If the second fetch shows the last
        version again, the check is unchanged; if it shows a third text, it fails.
        """
        response = await self._fetch(article, conditional=False)
        again = await self._extract(article, response)
        assert again.extraction is not None  # no key given: always extracted
        second = fingerprint(again.extraction, standfirst=standfirst)
        if confirms(second, digest) or second == article.content_hash:
            return response, again.extraction, second, again.key or ""
        raise ExtractionError(
            f"{article.url}: the body shrank by more than half and a second fetch did not "
            "confirm it [unconfirmed_shrink]", reason="unconfirmed_shrink")

    async def check_due(self, stop: asyncio.Event, *, until: datetime | None = None) -> int:
        """Check every article due (at ``until``, default: as time goes on) until none is.

        Keeps up to ``capacity`` checks in flight and as many again claimed ahead: a claim
        is a transaction and a durable commit, so each takes a batch (``worker.batch_size``,
        by default ``capacity``) while the slots are full, not a few articles whenever a few
        checks finished. On ``stop`` it claims nothing more, gives back those claimed ahead
        (due again at once) and gives in-flight checks ``worker.shutdown_grace`` seconds
        before abandoning them (an abandoned check records nothing; its article stays due).
        """
        pending: dict[asyncio.Task[CheckResult], DueArticle] = {}
        ready: deque[DueArticle] = deque()  # claimed ahead, waiting for a slot
        stopping = asyncio.ensure_future(stop.wait())
        done_count = 0
        lease = timedelta(seconds=self.settings.lease_seconds())
        batch = min(self.settings.worker.batch_size or self.capacity, self.capacity)
        claimed_at = renewed_at = -math.inf
        renew = lease.total_seconds() * RENEW_EVERY
        graced = False  # the in-flight checks had their grace period after a stop
        drained = False  # the last claim found fewer due than it asked for
        try:
            while True:
                free = self.capacity - len(pending)
                room = free + self.capacity - len(ready)
                wanted = room >= batch or free > len(ready)  # room for one at least
                # A batch at once; less, or after the store ran dry, once a second at most.
                if not stop.is_set() and wanted and not self.outage.paused and (
                        (room >= batch and not drained)
                        or time.monotonic() - claimed_at >= CLAIM_EVERY):
                    now = self.clock()
                    claimed_at = time.monotonic()
                    claimed = await self.leases.claim(until or now, room, now + lease)
                    drained = len(claimed) < room
                    ready.extend(claimed)
                while ready and len(pending) < self.capacity and not stop.is_set():
                    article = ready.popleft()
                    task = asyncio.create_task(self.check(article))
                    # Its record is awaited by the group being gathered (writer.py).
                    self.writer.expect(article.id)
                    task.add_done_callback(partial(self._forget, article.id))
                    pending[task] = article
                if stop.is_set() and ready:
                    await self.leases.release([a.id for a in ready], self.clock())
                    ready.clear()
                if not pending:
                    return done_count
                if time.monotonic() - renewed_at >= renew:
                    renewed_at = time.monotonic()
                    await self.leases.renew(
                        [a.id for t, a in pending.items() if not t.done()]
                        + [a.id for a in ready], self.clock() + lease)
                self.stats.in_flight = len(pending)
                if stop.is_set():
                    await asyncio.wait(pending, timeout=self.settings.worker.shutdown_grace)
                    graced = True
                else:
                    await asyncio.wait([*pending, stopping], timeout=min(CLAIM_EVERY, renew),
                                       return_when=asyncio.FIRST_COMPLETED)
                for task in [t for t in pending if t.done()]:
                    await self._finished(task, pending.pop(task))
                    done_count += 1
                if graced and pending:  # the grace period is over: abandon the rest
                    log.warning("stopping: %d check(s) still in flight after %g s "
                                "(worker.shutdown_grace) abandoned; their articles stay due",
                                len(pending), self.settings.worker.shutdown_grace)
                    for task in pending:
                        task.cancel()
                    await asyncio.gather(*pending, return_exceptions=True)
                    await self.leases.release([a.id for a in pending.values()], self.clock())
                    return done_count
        finally:
            stopping.cancel()
            self.stats.in_flight = 0

    def _forget(self, article_id: int, _: asyncio.Task[CheckResult]) -> None:
        self.writer.forget(article_id)

    async def _finished(self, task: asyncio.Task[CheckResult], article: DueArticle) -> None:
        self.stats.checks += 1
        error = task.exception()
        if error is None:
            result = task.result()
            self.metrics.checked(result.outcome, result.error)
            return
        if isinstance(error, STORE_ERRORS):  # not recorded: done again when its lease ends
            self.outage.failed(error)
            self.metrics.checked("failed", "[store_unavailable]")
            return
        self.metrics.checked("failed", "[internal_error]")
        # A bug, not a bad page: log it, record a failed check (so the article backs off
        # instead of being retried at once) and keep running.
        log.error("check of %s crashed", article.url, exc_info=error)
        now = self.clock()
        timing = schedule.after_failure(
            now, article.check_interval, article.last_changed_at or article.first_seen_at,
            article.error_count + 1, self.settings.schedule, self.rng)
        try:
            await self.writer.record(CheckRecord(
                article, checked_at=now, outcome=Outcome.FAILED, next_check_at=timing.next_check_at,
                check_interval=timing.interval, error=f"internal error: {error!r}"))
        except Exception:  # the store itself failed: the lease expires, the check is redone
            log.exception("could not record the failed check of %s", article.url)
        self.stats.failed += 1

    # --- running -----------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> Stats:
        """Discover and check until ``stop`` is set (or, with ``once``, one pass).

        Discovery runs as its own task beside the checks, on the feeds' schedule: under a
        steady load of checks, a story published meanwhile is still found on time.
        """
        await self.sync_sources()
        if self.browser is not None:
            await self.browser.start()  # a missing Chromium is said now, not on every check
        self.pool.start()  # beside discovery
        if once:
            await self.discover()
            # "Due" is fixed after discovery: a checked article that falls due again during
            # the pass waits for the next pass.
            await self.check_due(stop, until=self.clock())
            return self.stats
        found = asyncio.Event()  # set by discovery when it entered new articles
        discovering = asyncio.create_task(self._discover_until(stop, found))
        try:
            while not stop.is_set():
                await self.check_due(stop)
                await self._wait(stop, found, await self.leases.when(
                    self.store.next_check_time, self.clock))
        finally:
            stop.set()
            await discovering
        return self.stats

    async def _discover_until(self, stop: asyncio.Event, found: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.discover(found)
            except STORE_ERRORS as exc:
                self.outage.failed(exc)
            except Exception:  # a bug, not a bad feed: keep the tracker running
                log.exception("discovery crashed")
            await self._wait(stop, None, await self.leases.when(
                self.store.next_feed_poll, self.clock))

    async def _wait(self, stop: asyncio.Event, wake: asyncio.Event | None,
                    moment: datetime | None) -> None:
        """Sleep until ``moment`` (at most 5 s), ``stop``, or ``wake``."""
        wait = (moment - self.clock()).total_seconds() if moment else 5.0
        events = [asyncio.ensure_future(stop.wait())]
        if wake is not None:
            events.append(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(events, timeout=min(max(wait, 0.05), 5.0),
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for event in events:
                event.cancel()
        if wake is not None:
            wake.clear()


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def assemble(settings: Settings, store: Store, fetcher: Fetcher, *,
             clock: Callable[[], datetime] = utcnow, rng: random.Random | None = None,
             archive: Archive | None = None) -> Tracker:
    """A tracker with the parts its settings ask for: the WARC archive (``archive``), the
    extraction workers (``fetch.extract_processes``), the store's writer thread, and a
    browser when a source has ``render = "browser"`` (started on first use)."""
    browser = (Browser(settings.fetch, fetcher)
               if any(s.render == "browser" for s in settings.sources) else None)
    return Tracker(settings, store, fetcher,
                   archive=archive or Archive.from_settings(settings),
                   pool=ExtractionPool(settings.fetch.extract_processes,
                                       term_grace=settings.worker.shutdown_grace,
                                       time_limit=settings.fetch.extract_timeout),
                   writer=StoreWriter(store), clock=clock, rng=rng, browser=browser)
