"""The notifier: new versions → rules → outbox → deliveries, as its own task.

One :meth:`Notifier.step` reads the changes stored since the cursor, queues them per rule
(flood control decides between one message each and a held group), folds held groups
whose window has passed into one summary each, and sends what is due, retrying failures
with exponential backoff until ``notifications.retries`` is spent. It runs beside the
tracker in ``tearsheet run`` and alone as ``tearsheet notify run``; it shares only the
database with the tracker, so a slow webhook never delays a check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tearsheet.config import NotifyRule, Settings
from tearsheet.errors import DeliveryError, PostError, RateLimited, TearsheetError
from tearsheet.notify import rules as r
from tearsheet.notify.deliver import send
from tearsheet.notify.outbox import BATCH, Delivery, Outbox
from tearsheet.notify.posting import Posting
from tearsheet.notify.readable import READABLE, Messenger, channel
from tearsheet.notify.rules import ChangeEvent
from tearsheet.notify.saving import Saver
from tearsheet.notify.social import Post
from tearsheet.store.database import STORE_ERRORS, describe_failure
from tearsheet.store.republished import republications, stale_note
from tearsheet.store.source_health import SourceHealth
from tearsheet.store.store import Store

log = logging.getLogger(__name__)
SEND_BATCH = 20  # deliveries in flight at once


def utcnow() -> datetime:
    return datetime.now(UTC)


class Notifier:
    def __init__(self, settings: Settings, store: Store, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.config = settings.notifications
        self.rules = {rule.name: rule for rule in self.config.rules}
        self.store = store
        self.outbox = Outbox(store)
        self.posting = Posting(settings, store, clock)
        self.messenger = Messenger(settings, store, clock)
        self.saver = Saver(settings, store, clock) if settings.wayback.enabled and any(
            source.wayback for source in settings.sources) else None
        self.health = SourceHealth(store)  # an alert's source and its broken flag
        self.clock = clock
        self.sent = self.failed = 0

    @property
    def lease(self) -> float:
        """How long a claimed delivery is left alone: past it, a crash is assumed."""
        return self.config.timeout * 2 + 30

    async def step(self, client: httpx.AsyncClient) -> int:
        """Queue what is new, fold floods, send what is due; returns deliveries sent.

        The database work runs on a worker thread: beside the tracker, the event loop
        stays free for its fetches."""
        await asyncio.to_thread(self.housekeep)
        done = 0
        while deliveries := await asyncio.to_thread(self.outbox.claim, self.clock(), self.lease,
                                                    SEND_BATCH):
            results = await asyncio.gather(*(self.deliver(d, client) for d in deliveries))
            done += sum(results)
        if self.saver is not None:
            await self.saver.step(client)
        return done

    def housekeep(self) -> None:
        """The database work of a step before sending, in one trip to a worker thread:
        queue what is new, fold floods whose window has passed, forget old deliveries."""
        self.queue()
        now = self.clock()
        self.outbox.fold_floods(now, self.config.flood_window)
        self.outbox.prune(now)

    def queue(self) -> int:
        """Match the changes stored since the cursor against the rules and queue them,
        moving the cursor in the same transaction. Returns the rows queued."""
        now = self.clock()
        cursor = self.outbox.cursor()
        late = self.outbox.late_changes(cursor, now)  # usually all queued already
        done = {rule: self.outbox.queued(rule, [e.version_id for e in late])
                for rule in self.rules} if late else {}
        events = late
        added = 0
        while True:
            fresh = self.outbox.new_changes(cursor)
            events += fresh
            queued = []
            for rule in self.rules.values():
                # (Changes queued before must not count again towards a flood.)
                matched = [e for e in events if e.version_id not in done.get(rule.name, ())
                           and r.matches(rule, e)]
                queued += [(rule.name, e, held) for e, held in self._flood(rule, matched, now)]
            cursor = max((e.version_id for e in fresh), default=cursor)
            added += self.outbox.enqueue(queued, cursor, now)
            if len(fresh) < BATCH:
                return added
            events = []

    def _flood(self, rule: NotifyRule, events: list[ChangeEvent],
               now: datetime) -> list[tuple[ChangeEvent, bool]]:
        """(change, held): a source with ``flood_threshold`` or more changes for this rule
        within ``flood_window`` (queued before, plus these) has them held for a summary."""
        by_source: dict[int, list[ChangeEvent]] = defaultdict(list)
        for event in events:
            by_source[event.source_id].append(event)
        since = now - timedelta(seconds=self.config.flood_window)
        out = []
        for source_id, group in by_source.items():
            recent = self.outbox.queued_since(rule.name, source_id, since)
            held = recent + len(group) >= self.config.flood_threshold
            out += [(event, held) for event in group]
        return out

    async def deliver(self, delivery: Delivery, client: httpx.AsyncClient) -> bool:
        """One attempt; the outcome is stored before returning."""
        rule = self.rules.get(delivery.rule)
        if rule is None:  # the rule was removed from the configuration since
            await asyncio.to_thread(self.outbox.mark_failed, delivery.id,
                                    f"no rule named {delivery.rule!r} any more", None)
            return False
        try:
            if channel(rule, self.settings) in READABLE:
                await self._message(rule, delivery, client)
            elif rule.account is not None:
                await self._post(rule, delivery, client)
            else:
                payload, title, body = await asyncio.to_thread(self.message, rule, delivery)
                await send(rule, payload, title, body, delivery.id, self.config.timeout,
                           client, self.clock())
        except RateLimited as exc:
            await asyncio.to_thread(self.outbox.defer, delivery.id, str(exc), exc.until)
            return False
        except PostError as exc:
            if exc.final:  # refused as it is (bad credentials, invalid post): no retry
                self.failed += 1
                await asyncio.to_thread(self.outbox.mark_failed, delivery.id, str(exc), None)
                return False
            return await asyncio.to_thread(self._failed, delivery, str(exc))
        except (DeliveryError, TearsheetError, ValueError) as exc:
            return await asyncio.to_thread(self._failed, delivery, str(exc))
        except Exception as exc:  # a template or plugin bug: logged, retried, never lost
            log.exception("notification %s crashed", delivery.id)
            return await asyncio.to_thread(self._failed, delivery, f"internal error: {exc!r}")
        await asyncio.to_thread(self.outbox.mark_sent, delivery.id, self.clock())
        self.sent += 1
        return True

    async def _post(self, rule: NotifyRule, delivery: Delivery,
                    client: httpx.AsyncClient) -> None:
        summary = None
        if delivery.kind == "summary":
            _, title, body = await asyncio.to_thread(self.message, rule, delivery)
            summary = f"{title}\n{body}"
        await self.posting.deliver(rule, delivery, client, summary)

    async def _message(self, rule: NotifyRule, delivery: Delivery,
                       client: httpx.AsyncClient) -> None:
        if delivery.kind == "summary":
            _, title, body = await asyncio.to_thread(self.message, rule, delivery)
            composed = self.messenger.compose_summary(rule, title, body)
        elif delivery.event is None:
            raise TearsheetError(f"the version of notification {delivery.id} is gone")
        else:
            composed = await asyncio.to_thread(self.messenger.compose, rule, delivery.event)
        # Stable per row (a retry is the same message), apart across databases.
        key = f"tearsheet-{delivery.id}-{delivery.created_at:%Y%m%d%H%M%S}"
        await self.messenger.send(rule, composed, key, client)

    def _failed(self, delivery: Delivery, error: str) -> bool:
        if delivery.attempts > self.config.retries:
            retry_at = None
            self.failed += 1
            log.warning("notification %s (rule %s) failed for good after %d attempts: %s",
                        delivery.id, delivery.rule, delivery.attempts, error)
        else:
            wait = self.config.retry_backoff * 2 ** (delivery.attempts - 1)
            retry_at = self.clock() + timedelta(seconds=wait)
            log.info("notification %s (rule %s) failed, retrying in %.0f s: %s",
                     delivery.id, delivery.rule, wait, error)
        self.outbox.mark_failed(delivery.id, error, retry_at)
        return False

    def message(self, rule: NotifyRule, delivery: Delivery
                ) -> tuple[dict[str, Any], str, str]:
        """(webhook payload, title, body) for a delivery."""
        base = self.config.base_url.rstrip("/")
        common = {"delivery": delivery.id, "rule": rule.name}
        if delivery.kind == "alert":
            state = self.health.flagged(delivery.source_id or 0)
            context, title, body = r.alert(state["name"], delivery.created_at, state, base)
            return ({"event": "source_broken", **common, **context,
                     "message": {"title": title, "body": body}}, title, body)
        if delivery.kind == "summary":
            events = self.outbox.summarized(delivery.id)
            source = events[0].source if events else "?"
            context = r.summary_context(source, events, delivery.items,
                                        self.config.flood_window, base)
            title, body = r.message(rule, context, summary=True)
            return ({"event": "summary", **common, **context,
                     "message": {"title": title, "body": body}}, title, body)
        event = delivery.event
        if event is None:
            raise TearsheetError(f"the version of notification {delivery.id} is gone")
        context = {**r.change_context(event, base), **self._copies(event)}
        title, body = r.message(rule, context, summary=False)
        return ({"event": "change", **common, **context,
                 "article": {"id": event.article_id, "url": event.url},
                 "message": {"title": title, "body": body}}, title, body)

    def _copies(self, event: ChangeEvent) -> dict[str, Any]:
        """The tracked copies of the changed article that still show an earlier text
        (``stale_copies``, ``copies_note``: "wire changed the text (version 3); 2 copies
        still show an earlier one: …"); empty when it has none."""
        linked = republications(self.store, event.article_id) if event.article_id else []
        stale = [c for c in linked if c.role == "copy" and c.stale]
        return {"stale_copies": [{"source": c.source, "url": c.url, "title": c.title,
                                  "shows_version": c.origin_version} for c in stale],
                "copies_note": stale_note(event.source, linked) or ""}

    async def drain(self) -> int:
        """One step (``tearsheet run --once``): queue, fold, send what is due."""
        if not self.rules and self.saver is None:
            return 0
        async with httpx.AsyncClient(follow_redirects=False) as client:
            return await self.step(client)

    async def run(self, stop: asyncio.Event) -> None:
        """Step every ``poll_interval`` (sooner when a retry falls due) until ``stop``."""
        if not self.rules and self.saver is None:
            return
        async with httpx.AsyncClient(follow_redirects=False) as client:
            while not stop.is_set():
                wait = self.config.poll_interval
                try:
                    await self.step(client)
                    upcoming = await asyncio.to_thread(self.outbox.next_attempt)
                    if upcoming is not None:
                        wait = min(wait, max(0.05, (upcoming - self.clock()).total_seconds()))
                except STORE_ERRORS as exc:  # a database hiccup: the state is stored
                    log.warning("notifier step failed: %s", describe_failure(exc))
                except Exception:  # a bug: keep going
                    log.exception("notifier step failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)

    async def test(self, rule_name: str) -> None:
        """Send a sample message through one rule now (``tearsheet notify test``)."""
        rule = self.config.rule(rule_name)
        now = self.clock()
        event = ChangeEvent(
            version_id=0, article_id=0, source_id=0, source="example", number=2,
            url="https://news.example/2026/sample", captured_at=now,
            title="Sample: a headline that changed", previous_title="Sample: a headline",
            text="This is a sample notification from tearsheet.", kinds=("headline_changed",),
            significance=0.5, boring=False, words_added=3, words_removed=1)
        delivery = Delivery(0, rule.name, "change", 1, 1, 0, now, event)
        payload, title, body = self.message(rule, delivery)
        if channel(rule, self.settings) in READABLE:  # the sample has no stored versions
            async with httpx.AsyncClient(follow_redirects=False) as client:
                await self.messenger.send(rule, self.messenger.compose(
                    rule, event, stored=False), f"tearsheet-test-{now:%Y%m%d%H%M%S}", client)
            return
        if rule.account is not None:  # words only: the sample change has no stored versions
            async with httpx.AsyncClient(follow_redirects=False) as client:
                await self.posting.network(rule.account).post(client, Post(
                    f"{title}\n{body}", None, "", (0, 0), f"tearsheet-test-{now:%Y%m%d%H%M%S}",
                    now), None, False)
            return
        payload["test"] = True
        async with httpx.AsyncClient(follow_redirects=False) as client:
            await send(rule, payload, title, body, 0, self.config.timeout, client)
