"""The queue of Wayback Machine saves: each new version of a ``wayback = true`` source.

Like the notification outbox: the versions stored since a cursor (``notify_state``
``wayback``) are queued in ``wayback_saves`` in the transaction that moves the cursor; a
row is claimed (its next attempt moved a lease ahead) before each request, so several
notifiers never ask twice at once. A row goes ``pending`` → (capture asked: ``job_id``,
then polled) → ``saved`` with the memento copied to ``versions.memento_url``, or
``failed`` once ``wayback.retries`` is spent. A rate limit waits without counting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from tearsheet.config import Settings
from tearsheet.errors import PostError, RateLimited
from tearsheet.notify.wayback import SavePageNow
from tearsheet.store.schema import articles, notify_state, sources, versions, wayback_saves
from tearsheet.store.store import Store

log = logging.getLogger(__name__)
CURSOR = "wayback"
BATCH = 500


class Saver:
    def __init__(self, settings: Settings, store: Store,
                 clock: Callable[[], datetime]) -> None:
        self.config = settings.wayback
        self.sources = [s.name for s in settings.sources if s.wayback]
        self.engine = store.engine
        self.clock = clock
        assert self.config.access_key is not None and self.config.secret_key is not None
        self.client = SavePageNow(self.config.endpoint, self.config.access_key.get_secret_value(),
                                  self.config.secret_key.get_secret_value(),
                                  settings.notifications.timeout, clock)

    @property
    def lease(self) -> float:
        return self.client.timeout * 2 + 30

    def queue(self) -> int:
        """Queue the versions of wayback sources stored since the cursor; returns how many."""
        now, added = self.clock(), 0
        with self.engine.begin() as conn:
            cursor = conn.scalar(select(notify_state.c.value)
                                 .where(notify_state.c.name == CURSOR))
            if cursor is None:  # start at the newest version: no saving of the past
                cursor = int(conn.scalar(select(func.coalesce(func.max(versions.c.id), 0))) or 0)
                conn.execute(notify_state.insert().values(name=CURSOR, value=cursor))
            rows = conn.execute(
                select(versions.c.id, articles.c.url)
                .join(articles, versions.c.article_id == articles.c.id)
                .join(sources, articles.c.source_id == sources.c.id)
                .where(versions.c.id > cursor, sources.c.name.in_(self.sources))
                .order_by(versions.c.id).limit(BATCH)).all()
            newest = int(conn.scalar(select(func.coalesce(func.max(versions.c.id), 0))) or 0)
            for version_id, url in rows:
                try:
                    with conn.begin_nested():
                        conn.execute(wayback_saves.insert().values(
                            version_id=version_id, url=url, status="pending",
                            next_attempt_at=now, created_at=now))
                    added += 1
                except IntegrityError:  # queued by another notifier
                    continue
            moved = rows[-1][0] if len(rows) == BATCH else newest
            conn.execute(update(notify_state).where(notify_state.c.name == CURSOR)
                         .values(value=moved))
        return added

    def claim(self, limit: int) -> list[Any]:
        now, w = self.clock(), wayback_saves.c
        due = (select(wayback_saves).where(w.status == "pending", w.next_attempt_at <= now)
               .order_by(w.next_attempt_at).limit(limit))
        claimed = []
        with self.engine.begin() as conn:
            for row in conn.execute(due).all():
                done = conn.execute(update(wayback_saves).where(
                    w.version_id == row.version_id, w.status == "pending",
                    w.next_attempt_at == row.next_attempt_at,
                ).values(next_attempt_at=now + timedelta(seconds=self.lease)))
                if done.rowcount:
                    claimed.append(row)
        return claimed

    def _set(self, version_id: int, **values: Any) -> None:
        memento = values.pop("memento", None)
        with self.engine.begin() as conn:
            conn.execute(update(wayback_saves).where(wayback_saves.c.version_id == version_id)
                         .values(**values))
            if values.get("status") == "saved":
                conn.execute(update(versions).where(versions.c.id == version_id)
                             .values(memento_url=memento))

    async def step(self, client: httpx.AsyncClient) -> int:
        """Ask or poll what is due; returns the versions saved."""
        await asyncio.to_thread(self.queue)
        saved = 0
        while rows := await asyncio.to_thread(self.claim, self.config.concurrency):
            results = await asyncio.gather(*(self._one(row, client) for row in rows))
            saved += sum(results)
        return saved

    async def _one(self, row: Any, client: httpx.AsyncClient) -> bool:
        now = self.clock()
        poll = now + timedelta(seconds=self.config.poll_interval)
        try:
            if row.job_id is None:
                job_id = await self.client.capture(client, row.url)
                await asyncio.to_thread(self._set, row.version_id, job_id=job_id,
                                        next_attempt_at=poll)
                return False
            job = await self.client.status(client, row.job_id)
        except RateLimited as exc:
            await asyncio.to_thread(self._set, row.version_id, last_error=str(exc),
                                    next_attempt_at=exc.until)
            return False
        except PostError as exc:
            await asyncio.to_thread(self._failed, row, str(exc), exc.final)
            return False
        if job.status == "success":
            await asyncio.to_thread(self._set, row.version_id, status="saved",
                                    memento=job.memento, saved_at=now, last_error=None,
                                    next_attempt_at=None)
            return True
        if job.status == "error":  # the capture failed: ask again, from the start
            await asyncio.to_thread(self._failed, row, job.error or "error", False)
            return False
        await asyncio.to_thread(self._set, row.version_id, next_attempt_at=poll)
        return False

    def _failed(self, row: Any, error: str, final: bool) -> None:
        attempts = row.attempts + 1
        if final or attempts > self.config.retries:
            log.warning("Wayback save of version %s failed for good: %s", row.version_id, error)
            self._set(row.version_id, status="failed", attempts=attempts, last_error=error,
                      next_attempt_at=None, job_id=None)
            return
        wait = self.config.retry_backoff * 2 ** (attempts - 1)
        self._set(row.version_id, attempts=attempts, last_error=error, job_id=None,
                  next_attempt_at=self.clock() + timedelta(seconds=wait))



def wayback_status(store: Store) -> tuple[dict[str, int], list[Any]]:
    """Saves per status, and the last errors (for ``tearsheet notify status``)."""
    w = wayback_saves.c
    with store.engine.connect() as conn:
        counts = {s: int(n) for s, n in conn.execute(
            select(w.status, func.count()).group_by(w.status))}
        errors = conn.execute(select(w.version_id, w.status, w.last_error).where(
            and_(w.last_error.is_not(None), w.last_error != ""))
            .order_by(w.created_at.desc()).limit(10)).all()
    return counts, list(reversed(errors))
