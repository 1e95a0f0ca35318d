"""Delivery state in the database: the notifier's cursor and the outbox.

Each (rule, version) to notify is one ``notify_outbox`` row, written in the same
transaction that moves the cursor past the version, so a version is queued exactly once
whatever the crash. A row is *claimed* before it is sent (its next attempt moved one lease
ahead) and marked sent after: a crash in between leaves it pending, and it is sent again
when the lease runs out — at least once, never lost, and twice only after a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select, update
from sqlalchemy.exc import IntegrityError

from tearsheet.diff.summary import UNSUMMARIZED, ChangeSummary
from tearsheet.notify.rules import ChangeEvent
from tearsheet.store.schema import articles, notify_outbox, notify_state, sources, versions
from tearsheet.store.store import Store

CURSOR = "cursor"
BATCH = 500
LOOKBACK = timedelta(minutes=5)  # see Outbox.late_changes
KEEP = timedelta(days=30)  # delivered or failed rows are kept this long, for `notify status`


@dataclass(frozen=True)
class Delivery:
    """A claimed outbox row: one change, or a flood summary of ``items`` changes."""

    id: int
    rule: str
    kind: str  # change | summary | alert (a source broke)
    attempts: int
    items: int
    source_id: int | None
    created_at: datetime
    event: ChangeEvent | None  # for a change


class Outbox:
    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    # --- the cursor --------------------------------------------------------------------

    def cursor(self) -> int:
        """The last version looked at. Starts at the newest version, so a new notifier
        does not announce the whole history."""
        with self.engine.begin() as conn:
            value = conn.scalar(select(notify_state.c.value)
                                .where(notify_state.c.name == CURSOR))
            if value is not None:
                return int(value)
            newest = int(conn.scalar(select(func.coalesce(func.max(versions.c.id), 0))) or 0)
            conn.execute(notify_state.insert().values(name=CURSOR, value=newest))
            return newest

    def new_changes(self, after: int) -> list[ChangeEvent]:
        """Changes (versions after the first) of visible articles stored after version
        ``after``, oldest first, at most :data:`BATCH`."""
        v = versions.c
        return self._events(v.id > after, limit=BATCH)

    def late_changes(self, upto: int, now: datetime) -> list[ChangeEvent]:
        """Changes up to version ``upto`` captured within :data:`LOOKBACK`: on
        PostgreSQL a version with a smaller id can commit after one with a larger id."""
        v = versions.c
        return self._events(and_(v.id <= upto, v.captured_at >= now - LOOKBACK), limit=BATCH)

    def enqueue(self, queued: Iterable[tuple[str, ChangeEvent, bool]], cursor: int,
                now: datetime) -> int:
        """Queue (rule, change, held) rows not queued before, and move the cursor to
        ``cursor``, in one transaction. Returns the number of rows added."""
        added = 0
        with self.engine.begin() as conn:
            for rule, event, held in queued:
                try:  # queued before, or by another notifier (every worker runs one)
                    with conn.begin_nested():
                        conn.execute(notify_outbox.insert().values(
                            rule=rule, version_id=event.version_id, source_id=event.source_id,
                            kind="change", status="held" if held else "pending",
                            next_attempt_at=None if held else now, created_at=now))
                except IntegrityError:
                    continue
                added += 1
            conn.execute(update(notify_state).where(notify_state.c.name == CURSOR)
                         .values(value=func.max(notify_state.c.value, cursor)
                                 if self.engine.dialect.name == "sqlite"
                                 else func.greatest(notify_state.c.value, cursor)))
        return added

    def queued(self, rule: str, version_ids: Sequence[int]) -> set[int]:
        """Which of these versions a rule has queued already."""
        o = notify_outbox.c
        query = select(o.version_id).where(o.rule == rule, o.version_id.in_(list(version_ids)))
        with self.engine.connect() as conn:
            return {int(v) for v in conn.scalars(query)}

    def queued_since(self, rule: str, source_id: int, since: datetime) -> int:
        """Rows of a rule for a source queued since a moment (the flood counter)."""
        o = notify_outbox.c
        query = select(func.count()).where(o.rule == rule, o.source_id == source_id,
                                           o.kind == "change", o.created_at >= since)
        with self.engine.connect() as conn:
            return int(conn.scalar(query) or 0)

    # --- floods ------------------------------------------------------------------------

    def fold_floods(self, now: datetime, window: float) -> list[int]:
        """Turn each (rule, source) group of held rows whose oldest is ``window`` old into
        one pending summary row; returns the new summaries' ids."""
        o = notify_outbox.c
        groups = (select(o.rule, o.source_id, func.min(o.created_at).label("first"))
                  .where(o.status == "held").group_by(o.rule, o.source_id))
        made = []
        with self.engine.begin() as conn:
            for rule, source_id, first in conn.execute(groups).all():
                if first > now - timedelta(seconds=window):
                    continue
                held = [o.rule == rule, o.source_id == source_id, o.status == "held"]
                count = int(conn.scalar(select(func.count()).where(*held)) or 0)
                summary = conn.execute(notify_outbox.insert().values(
                    rule=rule, version_id=None, source_id=source_id, kind="summary",
                    status="pending", next_attempt_at=now, created_at=now, items=count,
                )).inserted_primary_key[0]  # type: ignore[index]
                conn.execute(update(notify_outbox).where(*held)
                             .values(status="summarized", summary_id=summary))
                made.append(int(summary))
        return made

    def summarized(self, summary_id: int) -> list[ChangeEvent]:
        """The changes folded into a summary, oldest first."""
        ids = select(notify_outbox.c.version_id).where(notify_outbox.c.summary_id == summary_id)
        return self._events(versions.c.id.in_(ids))

    # --- delivery ----------------------------------------------------------------------

    def claim(self, now: datetime, lease: float, limit: int) -> list[Delivery]:
        """Take due pending rows, oldest first, and move their next attempt one lease
        ahead (counting the attempt), so no other notifier sends them meanwhile."""
        o = notify_outbox.c
        due = (select(notify_outbox).where(o.status == "pending", o.next_attempt_at <= now)
               .order_by(o.next_attempt_at, o.id).limit(limit))
        claimed = []
        with self.engine.begin() as conn:
            for row in conn.execute(due).all():
                done = conn.execute(update(notify_outbox).where(
                    o.id == row.id, o.status == "pending", o.attempts == row.attempts,
                ).values(attempts=row.attempts + 1,
                         next_attempt_at=now + timedelta(seconds=lease)))
                if done.rowcount:
                    claimed.append(row)
            events = {e.version_id: e for e in self._events(
                versions.c.id.in_([r.version_id for r in claimed if r.version_id]), conn)}
        return [Delivery(r.id, r.rule, r.kind, r.attempts + 1, r.items, r.source_id,
                         r.created_at, events.get(r.version_id)) for r in claimed]

    def mark_sent(self, delivery_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(notify_outbox).where(notify_outbox.c.id == delivery_id)
                         .values(status="sent", sent_at=now, next_attempt_at=None,
                                 last_error=None))

    def mark_failed(self, delivery_id: int, error: str, retry_at: datetime | None) -> None:
        """A failed attempt: try again at ``retry_at``, or give up (None: ``failed``)."""
        values: dict[str, Any] = {"last_error": error[:2000], "next_attempt_at": retry_at}
        if retry_at is None:
            values["status"] = "failed"
        with self.engine.begin() as conn:
            conn.execute(update(notify_outbox).where(notify_outbox.c.id == delivery_id)
                         .values(**values))

    def defer(self, delivery_id: int, error: str, until: datetime) -> None:
        """Try again at ``until`` without counting this attempt (a rate limit is not a
        failure of the message)."""
        o = notify_outbox.c
        with self.engine.begin() as conn:
            conn.execute(update(notify_outbox).where(o.id == delivery_id).values(
                last_error=error[:2000], next_attempt_at=until,
                attempts=func.max(o.attempts - 1, 0) if self.engine.dialect.name == "sqlite"
                else func.greatest(o.attempts - 1, 0)))

    def prune(self, now: datetime) -> int:
        """Forget deliveries that ended (sent, summarised, failed) :data:`KEEP` ago."""
        o = notify_outbox.c
        with self.engine.begin() as conn:
            done = conn.execute(notify_outbox.delete().where(
                o.status.in_(("sent", "summarized", "failed")), o.created_at < now - KEEP))
            return int(done.rowcount or 0)

    def next_attempt(self) -> datetime | None:
        with self.engine.connect() as conn:
            found: datetime | None = conn.scalar(
                select(func.min(notify_outbox.c.next_attempt_at))
                .where(notify_outbox.c.status == "pending"))
            return found

    def status(self, errors: int = 10) -> tuple[dict[tuple[str, str], int], list[Any]]:
        """Rows per (rule, status), and the last ``errors`` rows that recorded an error,
        oldest first (``notify status``: counted by the database, not loaded)."""
        o = notify_outbox.c
        with self.engine.connect() as conn:
            counts = {(rule, state): int(count) for rule, state, count in conn.execute(
                select(o.rule, o.status, func.count()).group_by(o.rule, o.status))}
            last = conn.execute(
                select(o.id, o.rule, o.status, o.last_error)
                .where(o.last_error.is_not(None), o.last_error != "")
                .order_by(o.id.desc()).limit(errors)).all()
        return counts, list(reversed(last))

    def rows(self, rule: str | None = None) -> list[dict[str, Any]]:
        """Every outbox row (for status displays and tests), in id order."""
        query = select(notify_outbox).order_by(notify_outbox.c.id)
        if rule is not None:
            query = query.where(notify_outbox.c.rule == rule)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def change(self, version_id: int) -> ChangeEvent | None:
        """The change a version made (None: no such version, or a first version)."""
        found = self._events(versions.c.id == version_id)
        return found[0] if found else None

    def recent_changes(self, limit: int) -> list[ChangeEvent]:
        """The newest changes, newest first (``notify preview``)."""
        return self._events(True, limit=limit, newest_first=True)

    def _events(self, condition: Any, conn: Connection | None = None,
                limit: int | None = None, newest_first: bool = False) -> list[ChangeEvent]:
        """Changes of visible articles meeting ``condition``, oldest first."""
        query = (_changes().where(condition, versions.c.number > 1,
                                  articles.c.hidden.is_(False))
                 .order_by(versions.c.id.desc() if newest_first else versions.c.id)
                 .limit(limit))
        if conn is not None:
            return [_event(row._mapping) for row in conn.execute(query)]
        with self.engine.connect() as own:
            return [_event(row._mapping) for row in own.execute(query)]


def _changes() -> Select[Any]:
    """Versions with what a rule and a message need: source, previous headline, summary."""
    v = versions.c
    previous = versions.alias("previous")
    return (
        select(v.id, v.article_id, articles.c.source_id, sources.c.name.label("source"),
               articles.c.url, v.number, v.captured_at, v.title,
               previous.c.title.label("previous_title"), v.text, v.kinds, v.significance,
               v.boring, v.words_added, v.words_removed, v.intents, v.intent_labels,
               v.silent_correction, v.correction_note)
        .join(articles, v.article_id == articles.c.id)
        .join(sources, articles.c.source_id == sources.c.id)
        .outerjoin(previous, and_(previous.c.article_id == v.article_id,
                                  previous.c.number == v.number - 1)))


def _event(row: Any) -> ChangeEvent:
    summary = ChangeSummary.from_row(row) or UNSUMMARIZED  # a first version, or not summarised
    return ChangeEvent(
        version_id=row["id"], article_id=row["article_id"], source_id=row["source_id"],
        source=row["source"], url=row["url"], number=row["number"],
        captured_at=row["captured_at"], title=row["title"],
        previous_title=row["previous_title"], text=row["text"],
        kinds=summary.kinds, significance=summary.significance, boring=summary.boring,
        words_added=summary.words_added, words_removed=summary.words_removed,
        intents=summary.intents, intent_labels=summary.intent_labels,
        silent_correction=summary.silent_correction, correction_note=summary.correction_note)

