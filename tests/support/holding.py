"""Waiting on events, not time: a reply held until the test releases it, and a wait for a
condition that only a hang (``HANG``) ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tests.support.localserver import Reply, Request

HANG = 300.0  # seconds a step may take on a loaded machine before the test calls it a hang


def held_until(event: threading.Event, reply):  # type: ignore[no-untyped-def]
    """``reply`` (a handler or a :class:`Reply`) sent only once ``event`` is set."""
    def held(request: Request) -> Reply:
        event.wait(HANG)
        return reply(request) if callable(reply) else reply  # type: ignore[no-any-return]
    return held


def wait_until(condition: Callable[[], object], what: str) -> None:
    """Wait for ``condition`` however loaded the machine (``HANG`` guards a hang only)."""
    deadline = time.monotonic() + HANG
    while not condition():
        assert time.monotonic() < deadline, f"waited {HANG:g} s for {what}"
        time.sleep(0.05)

