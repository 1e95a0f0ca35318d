"""Durations and moments in words, the one place that says them: "3 hours", "3 hours ago",
"about 8 hours later", "22 Nov 2026, 08:13 UTC". Pages, feeds, messages and the CLI use it,
so no surface shows a bare number of seconds or a blank."""

from __future__ import annotations

from datetime import UTC, datetime


def duration(seconds: float) -> str:
    """``"3 hours"``: the largest whole unit (days, hours, minutes, seconds), rounded."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            value = round(seconds / size)
            return f"{value} {unit}{'s' if value != 1 else ''}"
    value = round(seconds)
    return f"{value} second{'s' if value != 1 else ''}"


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """``"3 hours ago"``; ``"just now"`` under a minute."""
    if moment is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return "just now" if seconds >= 0 else f"in {duration(-seconds)}"
    return f"{duration(seconds)} ago"


def later(first: datetime, then: datetime) -> str:
    """``"about 8 hours later"``, as NewsSniffer's version list says it."""
    seconds = (then - first).total_seconds()
    if seconds < 60:
        return "moments later"
    return f"about {duration(seconds)} later"


def stamp(moment: datetime | None) -> str:
    """A timestamp for people: ``"22 Nov 2026, 08:13 UTC"``."""
    return moment.strftime("%-d %b %Y, %H:%M UTC") if moment else "unknown"
