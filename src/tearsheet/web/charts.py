"""Statistics charts as SVG (pygal), drawn on the server: they need no JavaScript.

Charts are served as images (``<img src=...svg>``), so no script in them could ever run,
and each page also carries the same numbers as a table, for screen readers and print.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pygal
from lxml import etree
from markupsafe import Markup
from pygal.style import Style

STYLE = Style(background="transparent", plot_background="transparent", font_family="sans-serif",
              colors=("#8a1c1c", "#2b6cb0", "#2f855a", "#b7791f", "#6b46c1", "#c05621",
                      "#2c7a7b", "#97266d"))
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""An SVG image may style itself; it can never run scripts (images do not run them)."""


def changes_per_day(rows: list[dict[str, Any]], days: int, today: date) -> bytes:
    """A stacked bar per day, one colour per source."""
    labels = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    chart = pygal.StackedBar(style=STYLE, js=(), height=320, width=900, x_label_rotation=30,
                             show_minor_x_labels=False, legend_at_bottom=True,
                             title="Changes per day")
    chart.x_labels = [d.strftime("%d %b") for d in labels]
    chart.x_labels_major = chart.x_labels[::7]
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["source"], {})[str(row["day"])] = row["changes"]
    for source, by_day in sorted(counts.items()):
        chart.add(source, [by_day.get(d.isoformat(), 0) for d in labels])
    return _render(chart)


def share_changed(sources: list[dict[str, Any]]) -> bytes:
    """Per source, the share of its articles that changed at least once."""
    chart = pygal.HorizontalBar(style=STYLE, js=(), height=60 + 30 * max(1, len(sources)),
                                width=900, show_legend=False, range=(0, 100),
                                title="Articles changed at least once (%)")
    chart.x_labels = [s["name"] for s in sources]
    chart.add("changed", [round(100 * s["changed_articles"] / s["articles"], 1)
                          if s["articles"] else 0 for s in sources])
    return _render(chart)


def health_bars(daily: list[list[int]] | list[tuple[int, int]]) -> Markup:
    """A small inline SVG of a week of a source's checks: a bar per day (oldest first),
    its height the day's checks, the refused part in red. Only numbers go into it."""
    width, height, gap = 10, 24, 2
    top = max([checks for checks, _ in daily] + [1])
    bars = []
    for n, (checks, refused) in enumerate(daily):
        checks, refused = int(checks), int(refused)
        x = n * (width + gap)
        h = round(height * checks / top)
        r = round(height * refused / top)
        bars.append(f'<rect x="{x}" y="{height - h}" width="{width}" height="{h - r}" '
                    f'fill="#2f855a"/><rect x="{x}" y="{height - r}" width="{width}" '
                    f'height="{r}" fill="#c53030"/>')
    total = sum(int(c) for c, _ in daily)
    refused_total = sum(int(r) for _, r in daily)
    label = f"{total} checks in 7 days, {refused_total} refused"
    return Markup(f'<svg class="health" width="{len(daily) * (width + gap)}" '  # noqa: S704 - integers only
                  f'height="{height}" role="img" aria-label="{label}">'
                  f'<title>{label}</title>{"".join(bars)}</svg>')


def _render(chart: Any) -> bytes:
    """The SVG without pygal's inline script (tooltips we do not use): an image that holds
    no script at all, whatever the browser."""
    tree = etree.fromstring(bytes(chart.render()))
    for script in list(tree.iter("{http://www.w3.org/2000/svg}script")):
        parent = script.getparent()
        if parent is not None:
            parent.remove(script)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))


def intents_by_source(rows: list[Any]) -> bytes:
    """Per source, its changes by dominant intent (fact, narrative, style), stacked."""
    chart = pygal.HorizontalStackedBar(style=STYLE, js=(), width=900, legend_at_bottom=True,
                                       height=100 + 30 * max(1, len(rows)),
                                       title="Changes by dominant intent")
    chart.x_labels = [row.source for row in rows]
    for intent in ("fact", "narrative", "style"):
        chart.add(intent, [row.intents.get(intent, 0) for row in rows])
    return _render(chart)


def corrections_by_source(rows: list[Any]) -> bytes:
    """Per source, factual changes with a correction note, and silent corrections."""
    chart = pygal.HorizontalBar(style=STYLE, js=(), width=900, legend_at_bottom=True,
                                height=100 + 40 * max(1, len(rows)),
                                title="Factual changes with a note, and silent corrections")
    chart.x_labels = [row.source for row in rows]
    chart.add("with a note", [row.fact_changes_with_note for row in rows])
    chart.add("silent corrections", [row.silent_corrections for row in rows])
    return _render(chart)
