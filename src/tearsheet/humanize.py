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
    """A timestamp for people: ``"22 Nov 2026, 08:13 UTC"``, in the moment's own offset
    (a page's date as the page gives it: ``"1 Mar 2024, 23:30 UTC−05:00"``)."""
    return f"{moment.strftime('%-d %b %Y, %H:%M')} {zone(moment)}" if moment else "unknown"


def zone(moment: datetime) -> str:
    """``"UTC"``, or the offset from it: ``"UTC−05:00"``, ``"UTC+05:30"``."""
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes > 0 else "\u2212"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
