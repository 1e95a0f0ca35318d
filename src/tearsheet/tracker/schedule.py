"""Schedule: when an article is checked next. Pure functions of the article's timing.

The NewsSniffer rule: check again ``first_interval`` after first sight and after each
change; after each unchanged check the interval grows by ``growth`` up to
``max_interval``; after ``retire_after`` without a change the article retires and is not
checked again (until it reappears in a feed). Jitter spreads checks so articles discovered
together do not stay in lockstep; failures back off exponentially without resetting the
interval, so a site outage does not look like "no change".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from tearsheet.config import ScheduleSettings
from tearsheet.humanize import duration


@dataclass(frozen=True)
class Timing:
    """The schedule state written back after a check."""

    interval: float  # seconds: the base wait before the next check
    next_check_at: datetime | None  # None: retired

    @property
    def retired(self) -> bool:
        return self.next_check_at is None


def _jittered(seconds: float, settings: ScheduleSettings, rng: random.Random) -> timedelta:
    factor = 1.0 + rng.uniform(-settings.jitter, settings.jitter) if settings.jitter else 1.0
    return timedelta(seconds=seconds * factor)


def _retired(now: datetime, last_changed_at: datetime, settings: ScheduleSettings) -> bool:
    return (now - last_changed_at).total_seconds() >= settings.retire_after


def after_change(now: datetime, settings: ScheduleSettings, rng: random.Random) -> Timing:
    """First sight of an article, or a new version: back to the shortest interval."""
    interval = settings.first_interval
    return Timing(interval, now + _jittered(interval, settings, rng))


def after_unchanged(
    now: datetime, interval: float, last_changed_at: datetime,
    settings: ScheduleSettings, rng: random.Random,
) -> Timing:
    """An unchanged check: the interval grows, and a long-quiet article retires."""
    interval = min(max(interval, settings.first_interval) * settings.growth,
                   settings.max_interval)
    if _retired(now, last_changed_at, settings):
        return Timing(interval, None)
    return Timing(interval, now + _jittered(interval, settings, rng))


def after_failure(
    now: datetime, interval: float, last_changed_at: datetime, consecutive_errors: int,
    settings: ScheduleSettings, rng: random.Random, retry_after: float | None = None,
) -> Timing:
    """A failed check: wait longer with each consecutive failure; keep the interval.

    ``consecutive_errors`` counts this failure. ``retry_after`` (from a 429/503) is a floor.
    An article that keeps failing for ``retire_after`` since its last change retires too.
    """
    if _retired(now, last_changed_at, settings):
        return Timing(interval, None)
    exponent = min(consecutive_errors - 1, 16)
    wait = min(settings.first_interval * settings.error_backoff**exponent, settings.max_interval)
    delay = _jittered(wait, settings, rng)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return Timing(interval, now + delay)


def after_unpublished(
    now: datetime, interval: float, last_changed_at: datetime, settings: ScheduleSettings,
    rng: random.Random,
) -> Timing:
    """An unpublished article (404, 410, sent to a section page): checked again every
    ``unpublished_interval``, in case it returns, until it retires like any other."""
    if _retired(now, last_changed_at, settings):
        return Timing(interval, None)
    return Timing(interval, now + _jittered(settings.unpublished_interval, settings, rng))


def describe(timing: Timing) -> str:
    """Words for the status column: "checked every 2 hours" or the retirement line."""
    if timing.retired:
        return "no longer checked"
    return f"checked every {duration(timing.interval)}"
