"""Schedules and change summaries in words for the pages (durations and moments are
:mod:`tearsheet.humanize`), so no page ever shows a bare number or a blank."""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup, escape

from tearsheet.diff.summary import ChangeSummary, kind_label
from tearsheet.humanize import duration

EVENT_WORDS = {"unpublished": "unpublished", "moved": "moved to a new address",
               "paywalled": "put behind a paywall", "blocked": "blocked to automated reading",
               "returned": "back online"}
"""An article event (:mod:`tearsheet.tracker.events`) in words."""


def check_status(article: dict[str, object], retire_after: float,
                 now: datetime | None = None) -> str:
    """Where the article stands in the schedule, in a sentence."""
    now = now or datetime.now(UTC)
    next_check = article.get("next_check_at")
    last = article.get("last_changed_at") or article.get("first_seen_at")
    assert isinstance(last, datetime)
    if next_check is None:
        days = int((now - last).total_seconds() // 86400)
        span = f"over {days} days" if days >= 1 else duration(retire_after)
        return f"last changed {span} ago and won't be checked again"
    interval = article.get("check_interval")
    assert isinstance(next_check, datetime) and isinstance(interval, float | int)
    wait = (next_check - now).total_seconds()
    when = "due now" if wait <= 0 else f"in {duration(wait)}"
    return f"checked every {duration(float(interval))}; next check {when}"


def summary_line(summary: ChangeSummary) -> Markup:
    """A change in a line of HTML: its kinds, words added and removed, significance (from
    the diff engine, or as stored with the version).

    A Python function rather than a template macro: it is on every row of the busiest
    pages, and a macro call costs several times more."""
    if summary.boring:
        return Markup('<span class="kind boring">typography only</span>')
    kinds = "".join(f'<span class="kind">{escape(kind_label(kind))}</span> '
                    for kind in summary.kinds)
    if summary.intents:  # the dominant intent first, its fine labels in its title
        kinds = "".join(f'<span class="intent {escape(i)}">{escape(i)}</span> '
                        for i in summary.intents) + kinds
    if summary.silent_correction:
        kinds += ('<span class="silent" title="a figure, name or quote changed and the '
                  'article carries no correction note">silent correction</span> ')
    return Markup(  # noqa: S704 - the kinds are escaped, the rest are numbers
        f'{kinds}<span class="counts">+{int(summary.words_added)} / '
        f'−{int(summary.words_removed)} words</span>\n<span class="significance" '
        f'title="significance">{float(summary.significance):.2f}</span>')
