"""The operator's view of a store: is it reachable and current (readiness), and the
numbers a Prometheus scrape reads (see :mod:`tearsheet.web.ops`).

Every query here is indexed or aggregates small tables (sources, the outbox's pending
rows); the checks are read over a recent window through ``ix_checks_checked_at``, so a
scrape costs milliseconds on a store of millions of versions.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from tearsheet.store.database import schema_head, schema_revision
from tearsheet.store.records import SourceSummary
from tearsheet.store.schema import articles, checks, notify_outbox, versions
from tearsheet.store.store import Store

WINDOW = 3600.0  # seconds of checks the snapshot counts
ELAPSED_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)  # seconds
_REASON = re.compile(r"\[([a-z_]+)\]\s*$")


@dataclass(frozen=True)
class Snapshot:
    """What the store says now: checks of the last :data:`WINDOW` seconds by outcome and
    reason, their durations as a histogram, versions, the due backlog, the outbox, and
    per-source health."""

    checks: Counter[tuple[str, str]] = field(default_factory=Counter)
    elapsed_buckets: list[int] = field(default_factory=list)  # cumulative, per bucket
    elapsed_count: int = 0
    elapsed_sum: float = 0.0
    versions: int = 0
    due: int = 0
    due_lag: float = 0.0  # seconds the longest-waiting due check has waited
    outbox: dict[str, int] = field(default_factory=dict)
    sources: list[SourceSummary] = field(default_factory=list)


def readiness(store: Store) -> str | None:
    """None when the database answers and its schema is the one this code needs; else
    what is wrong, in words."""
    try:
        current = schema_revision(store.engine)
    except SQLAlchemyError as exc:
        return f"the database does not answer: {type(exc).__name__}: {str(exc)[:200]}"
    head = schema_head()
    if current != head:
        return (f"the database schema is at {current or 'nothing'}, this tearsheet needs "
                f"{head}: run `tearsheet db upgrade`")
    return None


LOW_DISK = 100 * 1024 * 1024  # bytes free under which status warns


def low_disk(folders: dict[str, Path], minimum: int = LOW_DISK) -> list[str]:
    """A warning per folder (by what it holds) whose filesystem has less than ``minimum``
    bytes free: a full disk makes every commit fail (the tracker waits it out)."""
    warnings = []
    for what, folder in folders.items():
        existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if existing is None:
            continue
        free = shutil.disk_usage(existing).free
        if free < minimum:
            warnings.append(f"only {free / 1e6:.1f} MB free on the disk of {folder} ({what}): "
                            "once it is full, checks cannot be stored (the tracker pauses "
                            "and resumes when space is freed)")
    return warnings


def reason_of(outcome: str, error: str | None, status: int | None = None,
              reason: str | None = None) -> str:
    """A check's reason for machines: its recorded ``reason`` (``checks.reason``, e.g.
    ``blocked`` for a 403 or 429), else the ``[reason]`` its error ends with (a refused
    page), ``http_<status>`` for an error answer, ``fetch`` for other fetch failures; the
    outcome itself for a check that did not fail."""
    if outcome != "failed":
        return outcome
    if reason:
        return reason
    match = _REASON.search(error or "")
    if match:
        return match.group(1)
    return f"http_{status}" if status and status >= 400 else "fetch"


def snapshot(store: Store, now: datetime, window: float = WINDOW) -> Snapshot:
    """The numbers of :class:`Snapshot`, read in one connection."""
    since = now - timedelta(seconds=window)
    c, a = checks.c, articles.c
    elapsed = [func.count().filter(c.elapsed_ms <= bound * 1000) for bound in ELAPSED_BUCKETS]
    due_now = and_(a.next_check_at <= now, or_(a.leased_until.is_(None), a.leased_until < now))
    with store.engine.connect() as conn:
        counted: Counter[tuple[str, str]] = Counter()
        failed = c.outcome == "failed"
        detail = (case((failed, c.error), else_=None), case((failed, c.http_status), else_=None),
                  case((failed, c.reason), else_=None))
        for outcome, error, status, reason, count in conn.execute(
                select(c.outcome, *detail, func.count()).where(c.checked_at >= since)
                .group_by(c.outcome, *detail)):
            counted[outcome, reason_of(outcome, error, status, reason)] += count
        timing = conn.execute(select(func.count(c.elapsed_ms), func.sum(c.elapsed_ms), *elapsed)
                              .where(c.checked_at >= since)).one()
        version_count = conn.execute(select(func.count()).select_from(versions)).scalar_one()
        due, oldest = conn.execute(select(func.count(), func.min(a.next_check_at))
                                   .where(due_now)).one()
        outbox = {str(status): int(count) for status, count in conn.execute(
            select(notify_outbox.c.status, func.count())
            .where(notify_outbox.c.status.in_(("pending", "held")))
            .group_by(notify_outbox.c.status))}
    return Snapshot(
        checks=counted, elapsed_buckets=[int(n) for n in timing[2:]],
        elapsed_count=int(timing[0] or 0), elapsed_sum=float(timing[1] or 0) / 1000,
        versions=int(version_count), due=int(due),
        due_lag=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
        outbox={"pending": int(outbox.get("pending", 0)), "held": int(outbox.get("held", 0))},
        sources=store.source_summaries(now))
