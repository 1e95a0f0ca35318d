"""The store as the tracker sees it: reachable, or in an outage it waits out; and the
tracker's claims and lease renewals, which go through it.

A database restarted, a connection cut, a statement timeout, a full disk: every store call
of the tracker can fail. None of these stops the tracker. A failed claim or read starts an
outage: it is logged once, in words (not a traceback per check), shown in the live status,
and new checks pause for a growing interval (1 s, doubling, at most :data:`MAX_PAUSE`)
while checks in flight finish; the first call that succeeds ends it. Nothing committed is
lost (a check's version, check row and schedule are one transaction), and a check whose
write failed keeps its lease and is done again once the lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from tearsheet.store.database import STORE_ERRORS, describe_failure
from tearsheet.store.records import DueArticle
from tearsheet.store.store import Store
from tearsheet.tracker.writer import StoreWriter

log = logging.getLogger(__name__)

MAX_PAUSE = 30.0


class Outage:
    """Whether the store answers, and how long to wait before asking it again."""

    def __init__(self) -> None:
        self.error: str | None = None  # what the current outage's last failure said
        self.failures = 0  # store calls failed since the tracker started
        self.outages = 0
        self._pause = 0.0
        self._resume_at = 0.0

    @property
    def paused(self) -> bool:
        return time.monotonic() < self._resume_at

    def failed(self, exc: BaseException) -> float:
        """Note a failed store call; the seconds to wait before the next try."""
        self.failures += 1
        message = describe_failure(exc)
        if self.error is None:
            self.outages += 1
            log.warning("the database is unavailable (%s); new checks pause until it "
                        "answers, nothing committed is lost", message)
        self.error = message
        self._pause = min(MAX_PAUSE, max(1.0, self._pause * 2))
        self._resume_at = time.monotonic() + self._pause
        return self._pause

    def succeeded(self) -> None:
        if self.error is not None:
            log.warning("the database answers again (after %d failed calls)", self.failures)
        self.error = None
        self._pause = 0.0
        self._resume_at = 0.0


class Leases:
    """A tracker's claims and lease renewals, on its store writer's thread; a failure
    starts (or continues) an :class:`Outage` instead of stopping the tracker."""

    def __init__(self, store: Store, writer: StoreWriter, outage: Outage) -> None:
        self.store, self.writer, self.outage = store, writer, outage

    async def claim(self, until: datetime, free: int,
                    lease_until: datetime) -> list[DueArticle]:
        """Due articles, leased; none while the store is unavailable."""
        try:
            claimed = await self.writer.call(self.store.claim_due, until, free, lease_until)
        except STORE_ERRORS as exc:
            self.outage.failed(exc)
            return []
        self.outage.succeeded()
        return claimed

    async def renew(self, article_ids: list[int], lease_until: datetime) -> None:
        """Extend the leases of the checks in flight: a check slower than its lease keeps
        its article (no other worker checks it meanwhile); a dead worker's run out."""
        if not article_ids:
            return
        try:
            await self.writer.call(self.store.renew_leases, article_ids, lease_until)
        except STORE_ERRORS as exc:
            self.outage.failed(exc)

    async def release(self, article_ids: list[int], now: datetime) -> None:
        """Give back the leases of articles claimed and not checked (claimed ahead, or
        abandoned, on a stop): due again at ``now``, not when their lease ends. The store
        failing, their leases run out."""
        try:
            await self.writer.call(self.store.release_leases, article_ids, now=now)
        except STORE_ERRORS as exc:
            self.outage.failed(exc)

    async def when(self, read: Callable[[], datetime | None],
                   clock: Callable[[], datetime]) -> datetime | None:
        """When the next check (or poll) is due, read off the event loop; during an outage,
        when to ask the store again."""
        try:
            return await asyncio.to_thread(read)
        except STORE_ERRORS as exc:
            return clock() + timedelta(seconds=self.outage.failed(exc))
