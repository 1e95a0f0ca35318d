"""A guard against a parser that never ends: the test fails after a minute instead of
hanging the run (the unbounded parsers took 17 s to over two minutes). Not a timing
assertion: the tests assert the bound on what was read."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

HANG_GUARD = 60  # seconds


@contextmanager
def hang_guard(seconds: int = HANG_GUARD) -> Iterator[None]:
    """Fail the test (SIGALRM) if the block runs for ``seconds``."""
    def hung(*_: object) -> None:
        raise AssertionError(f"a parser ran for {seconds} s: unbounded")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def asleep(*_: object) -> None:
    """A pool job that never ends in time (it sleeps an hour): for the pool's time limit.
    Module-level, so a worker process can import it."""
    time.sleep(3600)
