"""The outlet report: per source, how much its articles change and what the changes mean.

Media critics and researchers ask *how often* and *why*: which outlets rewrite most, how
many factual changes carry a correction note, how many headlines change. One pass over the
versions captured in the period (no text read: the stored change summaries say it all)
gives, per source: articles with a version in the period, how many of them changed,
versions (exactly what ``tearsheet export`` writes for the same source and period),
changes, median time from first sight to first change, headline edits, headline tests,
factual changes with and without a note, silent corrections, the intents' distribution,
unpublished articles (from the article events), and the most-changed articles.

Rendering (Markdown, CSV, JSON) is pure and lives here too, next to the numbers it shows.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from tearsheet.diff.headlines import read_headlines
from tearsheet.diff.summary import ChangeSummary
from tearsheet.store.schema import (
    article_events,
    articles,
    headline_tests,
    sources,
    versions,
)
from tearsheet.store.store import Store

TOP = 5  # most-changed articles listed per source
COLUMNS = ("source", "articles", "changed_articles", "share_changed", "versions", "changes",
           "median_seconds_to_first_change", "headline_changes", "headline_edits",
           "headline_tests",
           "fact_changes", "fact_changes_with_note", "silent_corrections", "unpublished",
           "intent_fact", "intent_style", "intent_narrative")
"""The CSV's columns (one row per source), in order."""


@dataclass
class SourceReport:
    """One source's numbers for the period."""

    source: str
    articles: int = 0
    changed_articles: int = 0
    versions: int = 0
    changes: int = 0
    median_seconds_to_first_change: float | None = None
    headline_changes: int = 0  # changes whose headline changed (edits and test flips)
    headline_edits: int = 0  # headline changes that stayed
    headline_tests: int = 0  # articles' runs of alternating headlines
    fact_changes: int = 0
    fact_changes_with_note: int = 0
    silent_corrections: int = 0
    unpublished: int = 0
    intents: Counter[str] = field(default_factory=Counter)  # dominant intent -> changes
    labels: Counter[str] = field(default_factory=Counter)  # fine label -> changes
    most_changed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share_changed(self) -> float:
        return round(self.changed_articles / self.articles, 3) if self.articles else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "articles": self.articles,
            "changed_articles": self.changed_articles, "share_changed": self.share_changed,
            "versions": self.versions, "changes": self.changes,
            "median_seconds_to_first_change": self.median_seconds_to_first_change,
            "headline_changes": self.headline_changes, "headline_edits": self.headline_edits,
            "headline_tests": self.headline_tests,
            "fact_changes": self.fact_changes,
            "fact_changes_with_note": self.fact_changes_with_note,
            "silent_corrections": self.silent_corrections, "unpublished": self.unpublished,
            "intents": dict(sorted(self.intents.items())),
            "labels": dict(sorted(self.labels.items())),
            "most_changed": self.most_changed,
        }


@dataclass
class Report:
    since: datetime | None
    until: datetime | None
    sources: list[SourceReport]

    def as_json(self) -> dict[str, Any]:
        return {"since": _iso(self.since), "until": _iso(self.until),
                "sources": [row.as_json() for row in self.sources]}


def outlet_report(store: Store, *, since: datetime | None = None,
                  until: datetime | None = None, source: str | None = None,
                  top: int = TOP) -> Report:
    """The report over versions captured in [``since``, ``until``) (all when None)."""
    v, a = versions.c, articles.c
    query = (select(sources.c.name.label("source"), v.article_id, v.number, v.captured_at,
                    v.kinds, v.significance, v.boring, v.words_added, v.words_removed,
                    v.intents, v.intent_labels, v.silent_correction, v.correction_note,
                    v.title, a.first_seen_at, a.url, a.title.label("article_title"),
                    a.hidden)
             .join(articles, v.article_id == a.id)
             .join(sources, a.source_id == sources.c.id))
    query = Store.version_filter(query, source, since, until)  # what export selects
    rows: dict[str, SourceReport] = {}
    seen: dict[str, set[int]] = defaultdict(set)
    changed: dict[str, Counter[int]] = defaultdict(Counter)  # visible articles' changes
    changed_any: dict[str, set[int]] = defaultdict(set)
    waits: dict[str, list[float]] = defaultdict(list)
    about: dict[int, tuple[str, str | None]] = {}
    titles: dict[int, list[str | None]] = defaultdict(list)  # each article's headlines
    with store.engine.connect() as conn:
        variants: dict[int, list[tuple[str | None, int]]] = defaultdict(list)
        for article_id, headline, count in conn.execute(
                select(headline_tests.c.article_id, headline_tests.c.headline,
                       headline_tests.c.seen)
                .order_by(headline_tests.c.first_seen_at, headline_tests.c.id)):
            variants[article_id].append((headline, int(count)))
        for row in conn.execute(query.order_by(v.article_id, v.number)):
            report = rows.setdefault(row.source, SourceReport(row.source))
            report.versions += 1
            seen[row.source].add(row.article_id)
            titles[row.article_id].append(row.title)
            if row.number < 2:
                continue
            report.changes += 1
            changed_any[row.source].add(row.article_id)
            if not row.hidden:
                changed[row.source][row.article_id] += 1
                about[row.article_id] = (row.url, row.article_title)
            if row.number == 2:
                waits[row.source].append((row.captured_at - row.first_seen_at).total_seconds())
            _count(report, ChangeSummary.from_row(dict(row._mapping)))
    for name, report in rows.items():
        report.articles = len(seen[name])
        report.changed_articles = len(changed_any[name])
        report.median_seconds_to_first_change = (
            statistics.median(waits[name]) if waits[name] else None)
        report.most_changed = [
            {"id": article_id, "url": about[article_id][0], "title": about[article_id][1],
             "changes": count, "path": f"/articles/{article_id}"}
            for article_id, count in sorted(changed[name].items(),
                                            key=lambda item: (-item[1], item[0]))[:top]]
        for article_id in seen[name]:
            headlines = read_headlines(titles[article_id], variants.get(article_id, ()))
            report.headline_tests += len(headlines.tests)
            report.headline_edits += headlines.edits
    for name, count in _unpublished(store, since, until, source).items():
        rows.setdefault(name, SourceReport(name)).unpublished = count
    return Report(since, until, [rows[name] for name in sorted(rows)])


def _unpublished(store: Store, since: datetime | None, until: datetime | None,
                 source: str | None) -> dict[str, int]:
    """Per source, the articles unpublished in the period (404/410, sent to a section)."""
    e = article_events.c
    query = (select(sources.c.name, func.count(func.distinct(e.article_id)))
             .join(articles, e.article_id == articles.c.id)
             .join(sources, articles.c.source_id == sources.c.id)
             .where(e.kind == "unpublished").group_by(sources.c.name))
    if source is not None:
        query = query.where(sources.c.name == source)
    if since is not None:
        query = query.where(e.at >= since)
    if until is not None:
        query = query.where(e.at < until)
    with store.engine.connect() as conn:
        return {name: int(count) for name, count in conn.execute(query)}


def source_names(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(sources.c.name).order_by(sources.c.name)))


def _count(report: SourceReport, summary: ChangeSummary | None) -> None:
    """Add one change's summary to its source's counts."""
    if summary is None:  # stored before summaries: a change, of unknown meaning
        return
    if "headline_changed" in summary.kinds:
        report.headline_changes += 1
    if "fact" in summary.intents:
        report.fact_changes += 1
        if summary.correction_note or "correction" in summary.intent_labels:
            report.fact_changes_with_note += 1
    if summary.silent_correction:
        report.silent_corrections += 1
    if summary.intents:
        report.intents[summary.intents[0]] += 1
    report.labels.update(summary.intent_labels)


# --- rendering (pure) -----------------------------------------------------------------

def to_json(report: Report) -> str:
    return json.dumps(report.as_json(), ensure_ascii=False, indent=2)


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.sources:
        data = row.as_json()
        writer.writerow([row.intents.get(name.removeprefix("intent_"), 0)
                         if name.startswith("intent_") else data[name] for name in COLUMNS])
    return out.getvalue()


def to_markdown(report: Report, base_url: str = "") -> str:
    """A report for people: one table of every source, then each source's details."""
    period = f"{_day(report.since) or 'the start'} to {_day(report.until) or 'now'}"
    lines = [f"# Outlet report, {period}", "",
             "| source | articles | changed | versions | headline edits | headline tests "
             "| factual changes | with a note | silent corrections | unpublished |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in report.sources:
        lines.append(
            f"| {_cell(row.source)} | {row.articles} | {row.changed_articles} "
            f"({row.share_changed:.0%}) | {row.versions} | {row.headline_edits} | "
            f"{row.headline_tests} | {row.fact_changes} | {row.fact_changes_with_note} | "
            f"{row.silent_corrections} | {row.unpublished} |")
    for row in report.sources:
        lines += ["", f"## {_cell(row.source)}", ""]
        wait = row.median_seconds_to_first_change
        lines.append(f"- median time to first change: {_duration(wait)}")
        if row.intents:
            lines.append("- changes by dominant intent: " + ", ".join(
                f"{name} {count}" for name, count in row.intents.most_common()))
        if row.labels:
            lines.append("- labels: " + ", ".join(
                f"{name.replace('_', ' ')} {count}" for name, count in row.labels.most_common()))
        if row.most_changed:
            lines.append("- most changed:")
            lines += [f"  - [{_cell(a['title'] or a['url'])}]({base_url}{a['path']}) "
                      f"({a['changes']} changes)" for a in row.most_changed]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell or link label: no pipes, brackets or newlines."""
    return " ".join(text.replace("|", "/").replace("[", "(").replace("]", ")").split())


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "no change yet"
    from tearsheet.humanize import duration

    return duration(seconds)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def total(report: Report, name: str) -> int:
    """A column summed over the sources (for checks and the page's totals)."""
    return int(sum(getattr(row, name) for row in report.sources))

