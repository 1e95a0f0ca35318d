"""The tracker's watch over its sources' health: holding shrunken bodies, flagging breakages.

The judgements are :mod:`tearsheet.tracker.health`'s (pure); this feeds them the source's
checks from the store, keeps which sources are flagged broken (read again every
:data:`REFRESH` seconds, so many workers agree), and sets or clears the flag through the
store writer. The notifier announces a new flag (once).

Cost: nothing for a check that went well on a healthy source, except every
:data:`SAMPLE`-th one that read a body of its own (a collapse of body lengths shows in
checks that succeed); one indexed read of the source's latest checks otherwise. A check
that read none (the fast path or a 304 found the last version's page) is not counted on a
healthy source: its body is the last version's, whose length was counted when it was
stored, and a collapsing site changes its pages, which then are read in full.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from tearsheet.config import HealthSettings, NotifyRule
from tearsheet.errors import ExtractionError, Refusal
from tearsheet.store.records import DueArticle, Observation
from tearsheet.store.source_health import SourceHealth
from tearsheet.store.store import Store
from tearsheet.tracker.health import healed, judge, read, shrink_verdict, usual_length
from tearsheet.tracker.writer import StoreWriter

log = logging.getLogger(__name__)

REFRESH = 10.0  # seconds between reads of the broken flags
SAMPLE = 8  # judge a healthy source after this many good checks of it
WINDOW = 64  # latest checks of a source read to judge it


class Watch:
    """Source health for one tracker."""

    def __init__(self, settings: HealthSettings, store: Store, writer: StoreWriter,
                 clock: Callable[[], datetime], rules: list[NotifyRule] | None = None,
                 event: Callable[[int, str], None] | None = None) -> None:
        """``rules``: the notification rules, each alerted of a breakage of the sources
        it follows."""
        self.settings = settings
        self.rules = rules or []
        self.health = SourceHealth(store)
        self.writer = writer
        self.clock = clock
        self._event = event or (lambda level, message: log.log(level, "%s", message))
        self._broken: dict[int, datetime] = {}
        self._read_at = -float("inf")
        self._good: Counter[int] = Counter()

    async def broken(self, source_id: int) -> bool:
        """Whether ``source_id`` is flagged broken (the flags read off the event loop, at
        most every :data:`REFRESH` seconds)."""
        if time.monotonic() - self._read_at > REFRESH:
            self._read_at = time.monotonic()
            self._broken = await asyncio.to_thread(self.health.broken)
        return source_id in self._broken

    async def hold_shrink(self, article: DueArticle, length: int) -> None:
        """Raise ``held`` unless a confirmed shrink of ``article`` may be stored now."""
        holds, first = await asyncio.to_thread(self.health.holds, article.id, Refusal.HELD)
        others = await asyncio.to_thread(
            self.health.observations, article.source_id, WINDOW, since=first,
            exclude=article.id) if first else []
        if not shrink_verdict(others, holds, await self.broken(article.source_id),
                              self.settings):
            raise _held(f"{article.url}: the body shrank by more than half; held back until "
                        "the source's other articles show whether it is an edit or a "
                        "breakage of the site")

    async def hold_new(self, article: DueArticle, length: int) -> None:
        """Raise ``held`` for a first version far shorter than usual on a broken source."""
        if not await self.broken(article.source_id):
            return
        usual = usual_length(await asyncio.to_thread(
            self.health.observations, article.source_id, WINDOW))
        if usual is not None and length < self.settings.collapse * usual:
            raise _held(f"{article.url}: extraction of this source is broken and the body "
                        f"is far shorter than usual ({length} characters against "
                        f"{usual:.0f}); held back")

    async def observe(self, source_id: int, outcome: str, reason: str | None, *,
                      read_body: bool = True) -> None:
        """After a check is recorded: judge the source when there is news of its health.
        ``read_body=False``: an unchanged check that read no body of its own (module
        docstring), news only on a source flagged broken (is it healed?)."""
        if outcome != "failed" and not await self.broken(source_id):
            if not read_body:
                return
            self._good[source_id] += 1
            if self._good[source_id] % SAMPLE:
                return
        elif not read(Observation(0, self.clock(), outcome, reason)) \
                and not await self.broken(source_id):
            return  # blocked, network: nothing about extraction
        recent = await self.writer.call(self.health.observations, source_id, WINDOW)
        if await self.broken(source_id):
            if healed(recent, self.settings) and await self.writer.call(
                    self.health.clear, source_id):
                self._broken.pop(source_id, None)
                name = await asyncio.to_thread(self.health.name, source_id)
                self._event(logging.WARNING, f"{name}: extraction works again")
            return
        verdict = judge(recent, self.settings)
        if verdict is None:
            return
        name = await asyncio.to_thread(self.health.name, source_id)
        rules = [r.name for r in self.rules if r.alerts and (not r.sources or name in r.sources)]
        if await self.writer.call(self.health.flag, source_id, verdict.since, verdict.reason,
                                  rules, self.clock()):
            self._broken[source_id] = verdict.since
            self._event(logging.ERROR, f"{name}: extraction broken since "
                                       f"{verdict.since:%Y-%m-%d %H:%M} UTC: {verdict.reason}")


def _held(message: str) -> ExtractionError:
    return ExtractionError(message + f" [{Refusal.HELD}]", reason=Refusal.HELD)
