"""Schedule: growth, cap, retirement, failure backoff, jitter, and a whole article life."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tearsheet.config import ScheduleSettings
from tearsheet.humanize import duration
from tearsheet.tracker.schedule import (
    Timing,
    after_change,
    after_failure,
    after_unchanged,
    describe,
)

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
HOUR = 3600.0
DAY = 86400.0


def settings(**overrides: Any) -> ScheduleSettings:
    values: dict[str, Any] = {
        "first_interval": 30 * 60, "growth": 2.0, "max_interval": 8 * HOUR,
        "retire_after": 10 * DAY, "jitter": 0.0, "error_backoff": 2.0,
    }
    values.update(overrides)
    return ScheduleSettings(**values)


def rng() -> random.Random:
    return random.Random(1234)


def delay(timing: Timing, now: datetime) -> float:
    assert timing.next_check_at is not None
    return (timing.next_check_at - now).total_seconds()


def test_after_change_goes_back_to_the_first_interval() -> None:
    timing = after_change(T0, settings(), rng())
    assert timing.interval == 30 * 60
    assert timing.next_check_at == T0 + timedelta(minutes=30)
    assert not timing.retired


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        (30 * 60.0, HOUR),  # grows by `growth`
        (HOUR, 2 * HOUR),
        (3 * HOUR, 6 * HOUR),
        (5 * HOUR, 8 * HOUR),  # capped at max_interval
        (8 * HOUR, 8 * HOUR),
        (60.0, HOUR),  # never below first_interval before growing
    ],
)
def test_after_unchanged_grows_and_caps(interval: float, expected: float) -> None:
    now = T0 + timedelta(days=1)
    timing = after_unchanged(now, interval, T0, settings(), rng())
    assert timing.interval == expected
    assert delay(timing, now) == expected


@pytest.mark.parametrize(
    ("since_change", "retired"),
    [
        (timedelta(days=10) - timedelta(seconds=1), False),
        (timedelta(days=10), True),
        (timedelta(days=10, seconds=1), True),
        (timedelta(days=400), True),
    ],
)
def test_retirement_exactly_at_retire_after(since_change: timedelta, retired: bool) -> None:
    now = T0 + since_change
    timing = after_unchanged(now, HOUR, T0, settings(), rng())
    assert timing.retired is retired
    assert (timing.next_check_at is None) is retired


@pytest.mark.parametrize(
    ("errors", "wait"),
    [(1, 30 * 60.0), (2, HOUR), (3, 2 * HOUR), (4, 4 * HOUR), (5, 8 * HOUR), (6, 8 * HOUR),
     (40, 8 * HOUR)],
)
def test_failure_backoff_doubles_and_caps(errors: int, wait: float) -> None:
    now = T0 + timedelta(hours=5)
    timing = after_failure(now, 3 * HOUR, T0, errors, settings(), rng())
    assert delay(timing, now) == wait
    assert timing.interval == 3 * HOUR  # a failure keeps the interval: it is not "no change"


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [(None, HOUR), (10.0, HOUR), (2 * HOUR, 2 * HOUR), (30 * HOUR, 30 * HOUR)],
)
def test_retry_after_is_a_floor(retry_after: float | None, wait: float) -> None:
    timing = after_failure(T0, HOUR, T0, 2, settings(), rng(), retry_after=retry_after)
    assert delay(timing, T0) == wait


def test_failing_article_retires_too() -> None:
    timing = after_failure(T0 + timedelta(days=10), HOUR, T0, 3, settings(), rng())
    assert timing.retired
    assert timing.interval == HOUR


@pytest.mark.parametrize("jitter", [0.1, 0.25, 0.5])
def test_jitter_stays_within_bounds(jitter: float) -> None:
    s = settings(jitter=jitter, max_interval=DAY)
    generator = random.Random(42)
    delays = [delay(after_change(T0, s, generator), T0) for _ in range(5000)]
    base = s.first_interval
    assert all(base * (1 - jitter) <= d <= base * (1 + jitter) for d in delays)
    # The spread is really used, and centred on the interval.
    assert min(delays) < base * (1 - 0.9 * jitter)
    assert max(delays) > base * (1 + 0.9 * jitter)
    assert statistics.fmean(delays) == pytest.approx(base, rel=0.02)
    unchanged = [delay(after_unchanged(T0, HOUR, T0, s, generator), T0) for _ in range(2000)]
    assert all(2 * HOUR * (1 - jitter) <= d <= 2 * HOUR * (1 + jitter) for d in unchanged)


def test_jitter_is_reproducible_with_a_seed() -> None:
    s = settings(jitter=0.2)
    first = [after_change(T0, s, random.Random(7)).next_check_at for _ in range(3)]
    assert len(set(first)) == 1
    assert first[0] != T0 + timedelta(minutes=30)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"jitter": 0.1},
        {"jitter": 0.5, "growth": 1.2, "max_interval": 3 * DAY, "retire_after": 40 * DAY},
        {"jitter": 0.3, "growth": 1.0, "first_interval": HOUR, "max_interval": HOUR,
         "retire_after": 2 * DAY},
        {"jitter": 0.1, "growth": 100.0, "first_interval": 60, "max_interval": 7 * DAY,
         "retire_after": 3 * DAY},
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_article_life_retires_after_retire_after(overrides: dict[str, Any], seed: int) -> None:
    s = settings(**overrides)
    generator = random.Random(seed)
    timing = after_change(T0, s, generator)
    now = T0
    quiet: list[float] = []  # seconds since the last change, at each unchanged check
    while not timing.retired:
        assert timing.interval <= s.max_interval
        wait = delay(timing, now)
        assert s.first_interval * (1 - s.jitter) <= wait <= s.max_interval * (1 + s.jitter)
        assert timing.next_check_at is not None
        now = timing.next_check_at
        timing = after_unchanged(now, timing.interval, T0, s, generator)
        quiet.append((now - T0).total_seconds())
        assert len(quiet) < 100_000
    assert timing.interval <= s.max_interval
    # It retired at the first check at or after retire_after: never early, never much late.
    assert all(q < s.retire_after for q in quiet[:-1])
    assert s.retire_after <= quiet[-1] < s.retire_after + s.max_interval * (1 + s.jitter)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (30 * 60, "30 minutes"),
        (HOUR, "1 hour"),
        (3 * HOUR, "3 hours"),
        (DAY, "1 day"),
        (3 * DAY, "3 days"),
    ],
)
def test_duration_in_words(seconds: float, words: str) -> None:
    assert duration(seconds) == words


def test_describe() -> None:
    assert describe(Timing(2 * HOUR, T0)) == "checked every 2 hours"
    assert describe(Timing(2 * HOUR, None)) == "no longer checked"
