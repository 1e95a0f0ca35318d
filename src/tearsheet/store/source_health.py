"""Source health in the store: the checks health judges by, the broken flag, and the table.

The tracker reads a source's latest checks (:meth:`SourceHealth.observations`, one range of
``ix_checks_source_id_checked_at``) when a check went wrong, and sets or clears the flag;
``tearsheet sources``, ``status``, the sources page and the API read :meth:`summaries`.
Setting the flag is a conditional UPDATE: of many workers seeing the same breakage, one
sets it, and the notifier announces each flag once.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, update

from tearsheet.errors import Refusal
from tearsheet.humanize import ago, duration, stamp
from tearsheet.store.records import Observation
from tearsheet.store.schema import (
    UTCDateTime,
    articles,
    checks,
    notify_outbox,
    sources,
    versions,
)
from tearsheet.store.store import Store

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
USUAL = timedelta(days=35)  # new articles' usual length: the four weeks before the last
# A failed check whose page came back but was refused is not the site being down.
PAGE_REFUSALS = tuple(r.value for r in Refusal if r is not Refusal.BLOCKED)


@dataclass
class Outage:
    """A source's fetches failing in a row: from ``start`` to the first check after that
    reached the site (``end``; None: still failing at the last check)."""

    source: str
    start: datetime
    last: datetime
    end: datetime | None = None
    failed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """The outage in words, for `tearsheet status`."""
        why = ", ".join(f"{reason} ×{n}" for reason, n in
                        sorted(self.reasons.items(), key=lambda item: -item[1]))
        if self.end is None:
            when = f"down since {stamp(self.start)}, still failing at the last check"
        else:
            when = (f"down {stamp(self.start)} for "
                    f"{duration((self.end - self.start).total_seconds())}")
        return f"{when} ({self.failed} failed fetches: {why})"


class SourceHealth:
    """Health reads and writes over one store."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def observations(self, source_id: int, limit: int, *, since: datetime | None = None,
                     exclude: int | None = None) -> list[Observation]:
        """The source's latest checks (newest first), at most ``limit``; only those after
        ``since``, and not of article ``exclude``, when given."""
        c = checks.c
        query = (select(c.article_id, c.checked_at, c.outcome, c.reason, c.body_length)
                 .where(c.source_id == source_id)
                 .order_by(c.checked_at.desc(), c.id.desc()).limit(limit))
        if since is not None:
            query = query.where(c.checked_at > since)
        if exclude is not None:
            query = query.where(c.article_id != exclude)
        with self.engine.connect() as conn:
            return [Observation(*row) for row in conn.execute(query)]

    def holds(self, article_id: int, reason: str) -> tuple[int, datetime | None]:
        """How many of the article's latest checks in a row failed with ``reason``, and
        when the first of them was."""
        c = checks.c
        query = (select(c.outcome, c.reason, c.checked_at).where(c.article_id == article_id)
                 .order_by(c.checked_at.desc(), c.id.desc()).limit(50))
        count, first = 0, None
        with self.engine.connect() as conn:
            for outcome, why, at in conn.execute(query):
                if outcome != "failed" or why != reason:
                    break
                count, first = count + 1, at
        return count, first

    def broken(self) -> dict[int, datetime]:
        """The sources flagged broken, and since when."""
        query = select(sources.c.id, sources.c.broken_since).where(
            sources.c.broken_since.is_not(None))
        with self.engine.connect() as conn:
            return {int(i): since for i, since in conn.execute(query)}

    def name(self, source_id: int) -> str:
        with self.engine.connect() as conn:
            return str(conn.execute(select(sources.c.name).where(sources.c.id == source_id))
                       .scalar_one())

    def flag(self, source_id: int, since: datetime, reason: str, rules: list[str],
             now: datetime) -> bool:
        """Flag the source broken, and queue an ``alert`` to each of ``rules``, in one
        transaction; False if it was flagged already (by another check or worker), and
        then nothing is queued: one breakage, one notification."""
        with self.engine.begin() as conn:
            done = conn.execute(update(sources).where(
                sources.c.id == source_id, sources.c.broken_since.is_(None),
            ).values(broken_since=since, broken_reason=reason[:2000]))
            if not done.rowcount:
                return False
            for rule in rules:
                conn.execute(notify_outbox.insert().values(
                    rule=rule, version_id=None, source_id=source_id, kind="alert",
                    status="pending", next_attempt_at=now, created_at=now))
            return True

    def flagged(self, source_id: int) -> dict[str, Any]:
        """The source's name and broken flag (``broken_since`` None: not flagged)."""
        s = sources.c
        with self.engine.connect() as conn:
            row = conn.execute(select(s.name, s.broken_since, s.broken_reason)
                               .where(s.id == source_id)).one()
            return dict(row._mapping)

    def clear(self, source_id: int) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(sources).where(
                sources.c.id == source_id, sources.c.broken_since.is_not(None),
            ).values(broken_since=None, broken_reason=None))
            return bool(done.rowcount)

    def outages(self, now: datetime, *, since: timedelta = WEEK, least: int = 2,
                latest: int = 3) -> dict[str, list[Outage]]:
        """Per source (by name), its ``latest`` outages since ``now - since``, newest last:
        runs of at least ``least`` checks in a row whose fetch failed (no answer, an error
        status, a bot check), ended by the next check that reached the site. Gaps and
        islands in SQL over one range of ``ix_checks_source_id_checked_at`` per source."""
        c = checks.c
        down = case((and_(c.outcome == "failed", or_(
            c.reason.is_(None), c.reason.not_in(PAGE_REFUSALS))), 1), else_=0).label("down")
        order = (c.checked_at, c.id)
        marked = select(
            c.source_id, c.checked_at, func.coalesce(c.reason, "fetch").label("reason"), down,
            (func.row_number().over(partition_by=c.source_id, order_by=order)
             - func.row_number().over(partition_by=(c.source_id, down), order_by=order)
             ).label("island"),
            func.lead(c.checked_at, type_=UTCDateTime).over(partition_by=c.source_id,
                                                            order_by=order)
            .label("next_at"),
        ).where(c.checked_at >= now - since, c.source_id.is_not(None)).subquery()
        m = marked.c
        runs = (select(sources.c.name, m.island, m.reason, func.min(m.checked_at),
                       func.max(m.checked_at), func.count(),
                       func.max(m.next_at).label("end"),
                       (func.count() - func.count(m.next_at)).label("open"))
                .join(sources, sources.c.id == m.source_id)
                .where(m.down == 1).group_by(sources.c.name, m.island, m.reason))
        found: dict[tuple[str, int], Outage] = {}
        ongoing: set[tuple[str, int]] = set()  # holding the source's last check
        with self.engine.connect() as conn:
            for name, island, reason, first, last, n, end, still in conn.execute(runs):
                outage = found.setdefault((name, island), Outage(name, first, last))
                outage.start, outage.last = min(outage.start, first), max(outage.last, last)
                outage.failed += n
                outage.reasons[reason] = n
                outage.end = max(filter(None, (outage.end, end)), default=None)
                if still:
                    ongoing.add((name, island))
        for key in ongoing:
            found[key].end = None
        by_source: dict[str, list[Outage]] = defaultdict(list)
        for outage in sorted(found.values(), key=lambda o: o.start):
            if outage.failed >= least:
                by_source[outage.source].append(outage)
        return {name: runs[-latest:] for name, runs in by_source.items()}

    def summaries(self, now: datetime) -> list[dict[str, Any]]:
        """Per source (by name): checks and refusals by reason in the last day and week,
        checks and refusals per day for a week (oldest first), the median body length of
        its new articles this week and usually, the last good check, the broken flag."""
        c = checks.c
        with self.engine.connect() as conn:
            rows = {r.id: {"name": r.name, "broken_since": r.broken_since,
                           "broken_reason": r.broken_reason, "checks_day": 0,
                           "checks_week": 0, "refused_day": {}, "refused_week": {},
                           "daily": [[0, 0] for _ in range(7)], "last_good_at": None,
                           "median_length": None, "usual_length": None}
                    for r in conn.execute(select(sources).where(sources.c.removed_at.is_(None))
                                          .order_by(sources.c.name))}
            start = literal(now - WEEK, UTCDateTime)
            day = func.floor((func.julianday(c.checked_at) - func.julianday(start))
                             if self.engine.dialect.name == "sqlite" else
                             func.extract("epoch", c.checked_at - start) / 86400)
            per = (select(c.source_id, c.outcome, c.reason, day.label("day"),
                          func.count().label("n"))
                   .where(c.checked_at >= now - WEEK, c.source_id.is_not(None))
                   .group_by(c.source_id, c.outcome, c.reason, day))
            for source_id, outcome, reason, index, n in conn.execute(per):
                row = rows.get(source_id)
                if row is None:
                    continue
                slot = min(max(int(index or 0), 0), 6)
                failed = outcome == "failed"
                row["daily"][slot][0] += n
                row["daily"][slot][1] += n if failed else 0
                row["checks_week"] += n
                if failed:
                    refused = row["refused_week"]
                    refused[reason or "other"] = refused.get(reason or "other", 0) + n
                if slot == 6:
                    row["checks_day"] += n
                    if failed:
                        refused = row["refused_day"]
                        refused[reason or "other"] = refused.get(reason or "other", 0) + n
            good = (select(c.source_id, func.max(c.checked_at))
                    .where(c.outcome != "failed", c.source_id.is_not(None))
                    .group_by(c.source_id))
            for source_id, at in conn.execute(good):
                if source_id in rows:
                    rows[source_id]["last_good_at"] = at
            lengths: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
            new = (select(articles.c.source_id, versions.c.captured_at,
                          func.length(versions.c.text))
                   .join(articles, and_(versions.c.article_id == articles.c.id,
                                        versions.c.number == 1))
                   .where(versions.c.captured_at >= now - USUAL))
            for source_id, at, length in conn.execute(new):
                lengths[source_id][0 if at >= now - WEEK else 1].append(int(length or 0))
        for source_id, (week, usual) in lengths.items():
            if source_id in rows:
                rows[source_id]["median_length"] = statistics.median(week) if week else None
                rows[source_id]["usual_length"] = statistics.median(usual) if usual else None
        return list(rows.values())


def notes(row: Mapping[str, Any], now: datetime, collapse: float = 0.4) -> list[str]:
    """What a person should know of a source's health (a row of
    :meth:`tearsheet.store.source_health.SourceHealth.summaries`), most urgent first."""
    found = []
    if row["broken_since"] is not None:
        found.append(f"extraction broken since {stamp(row['broken_since'])}: "
                     f"{row['broken_reason']}")
    week, refused = row["checks_week"], row["refused_week"]
    if refused.get("needs_browser", 0) * 3 >= max(week, 1):
        found.append('its pages are drawn by JavaScript: set render = "browser" for it')
    if row["refused_day"].get("blocked"):
        found.append(f"the site refused {row['refused_day']['blocked']} checks today "
                     "(bot check or rate limit): backing off")
    median, usual = row["median_length"], row["usual_length"]
    if median is not None and usual and median < collapse * usual:
        found.append(f"new articles are {median / usual:.0%} of their usual length")
    if week and row["last_good_at"] is not None and \
            (now - row["last_good_at"]).total_seconds() > 86400:
        found.append(f"last good extraction {ago(row['last_good_at'], now)}")
    elif week and row["last_good_at"] is None:
        found.append("no good extraction yet")
    return found


def refusal_share(row: Mapping[str, Any], period: str = "week") -> float:
    """Share of the period's checks that failed (0 with no checks)."""
    checks = row[f"checks_{period}"]
    return sum(row[f"refused_{period}"].values()) / checks if checks else 0.0
