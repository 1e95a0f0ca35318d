"""What the notifier's tests share: a clock the test moves, stories with a change, and
one step of the notifier at a time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tearsheet.notify.notifier import Notifier
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.served import START, record

NOW = START + timedelta(days=3)


class Clock:
    """The notifier's idea of now, moved by the test (retries without waiting)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def story(store: Store, n: int, source: str = "daily", title: str = "Ferry late",
          extra: str = "and the minister will answer questions in parliament") -> int:
    """Story ``n`` of ``source``, recorded with two versions an hour before :data:`NOW`;
    returns the article id."""
    return record(store, source, f"https://{source}.example/story-{n}",
                  [(title, f"The ferry number {n} was late again on Monday, said the operator."),
                   (title, f"The ferry number {n} was late again on Monday, the operator said "
                    f"in a statement, {extra}.")],
                  start=NOW - timedelta(hours=1), step=timedelta(minutes=10))


def step(notifier: Notifier) -> int:
    """One ``Notifier.step`` with its own HTTP client; returns what the step returns."""
    async def go() -> int:
        async with webclient.async_client() as client:
            return await notifier.step(client)
    return asyncio.run(go())


class Crash(BaseException):
    """The notifier's process dying at a chosen point (not an error it could catch)."""


def crash_before_recording(notifier: Notifier) -> None:
    """Make ``notifier`` die after a target took a delivery and before it is marked sent:
    the case at-least-once delivery is about."""
    def crash(*args: object) -> None:
        raise Crash

    notifier.outbox.mark_sent = crash  # type: ignore[method-assign,assignment]
