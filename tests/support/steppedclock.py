"""A clock the test steps, and the lockstep that moves it on.

The clock lives in a file (``tearsheet.simulate.clock``) that every process of a run
reads: the newsroom children, the demo, an in-process tracker. :func:`play` moves it on only
once the store shows nothing due at the current time and nothing in flight (no article or
feed leased), so a run checks exactly what its schedule says, however slow a loaded
machine makes each step. The tracker itself runs unchanged, on its real loop: it only
reads its time from the file.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, or_, select

from tearsheet.simulate import write_clock
from tearsheet.store.schema import articles, feeds
from tearsheet.store.store import Store

GUARD = 300.0  # real seconds one step may take before the test says it hung
POLL = 0.02


class SteppedClock:
    """POSIX seconds in ``path``; starts at the real time (whole seconds), moves on ``set``."""

    def __init__(self, path: Path, start: float | None = None) -> None:
        self.path = path
        self.seconds = float(int(time.time())) if start is None else start
        write_clock(path, self.seconds)

    def __call__(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.seconds, UTC)

    def set(self, seconds: float) -> None:
        self.seconds = seconds
        write_clock(self.path, seconds)


def busy(store: Store, moment: datetime) -> tuple[int, datetime | None]:
    """How many articles and feeds are due at ``moment`` or leased (in flight), and the
    next moment one falls due."""
    a, f = articles.c, feeds.c
    with store.engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(articles).where(
            or_(a.leased_until.is_not(None), a.next_check_at <= moment))) or 0
        count += conn.scalar(select(func.count()).select_from(feeds).where(
            f.active == 1, or_(f.leased_until.is_not(None), f.next_poll_at <= moment))) or 0
        moments = [conn.scalar(select(func.min(a.next_check_at))),
                   conn.scalar(select(func.min(f.next_poll_at)).where(f.active == 1))]
    known = [m for m in moments if m is not None]
    return count, min(known) if known else None


def settle(store: Store, clock: SteppedClock, guard: float = GUARD) -> datetime | None:
    """Wait until nothing is due at the clock's time or in flight; the next due moment."""
    deadline = time.monotonic() + guard
    while True:
        count, following = busy(store, clock.now())
        if count == 0:
            return following
        assert time.monotonic() < deadline, (
            f"{count} checks or polls due at {clock.now()} still not done after {guard:.0f} s")
        time.sleep(POLL)


def play(store: Store, clock: SteppedClock, until: float, *, step: float,
         ready: float = 0.0) -> None:
    """Move the clock to ``until`` (POSIX seconds), by ``step`` or straight to the next
    due moment when that is later, each move once the tracker has done all that was due.

    ``ready``: first wait until the store holds that many active feeds (the tracker has
    started and synced its sources), so the first step is not taken before it.
    """
    deadline = time.monotonic() + GUARD
    while _feeds(store) < ready:
        assert time.monotonic() < deadline, "the tracker never synced its sources"
        time.sleep(POLL)
    while clock.seconds < until:
        following = settle(store, clock)
        target = clock.seconds + step
        if following is not None:
            target = max(target, following.timestamp())
        clock.set(min(target, until))
    settle(store, clock)


def _feeds(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(feeds)
                               .where(feeds.c.active == 1)) or 0)
