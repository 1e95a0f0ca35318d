"""The store as the tracker sees it: reachable, or in an outage it waits out.

A database restarted, a connection cut, a statement timeout, a full disk: every store call
of the tracker can fail. None of these stops the tracker. A failed claim or read starts an
outage: it is logged once, in words (not a traceback per check), shown in the live status,
and new checks pause for a growing interval (1 s, doubling, at most :data:`MAX_PAUSE`)
while checks in flight finish; the first call that succeeds ends it. Nothing committed is
lost (a check's version, check row and schedule are one transaction), and a check whose
write failed keeps its lease and is done again once the lease runs out.
"""

from __future__ import annotations

import logging
import time

from tearsheet.store.database import describe_failure

log = logging.getLogger(__name__)

MAX_PAUSE = 30.0


class Outage:
    """Whether the store answers, and how long to wait before asking it again."""

    def __init__(self) -> None:
        self.error: str | None = None  # what the current outage's last failure said
        self.failures = 0  # store calls failed since the tracker started
        self.outages = 0
        self._pause = 0.0
        self._resume_at = 0.0

    @property
    def paused(self) -> bool:
        return time.monotonic() < self._resume_at

    def failed(self, exc: BaseException) -> float:
        """Note a failed store call; the seconds to wait before the next try."""
        self.failures += 1
        message = describe_failure(exc)
        if self.error is None:
            self.outages += 1
            log.warning("the database is unavailable (%s); new checks pause until it "
                        "answers, nothing committed is lost", message)
        self.error = message
        self._pause = min(MAX_PAUSE, max(1.0, self._pause * 2))
        self._resume_at = time.monotonic() + self._pause
        return self._pause

    def succeeded(self) -> None:
        if self.error is not None:
            log.warning("the database answers again (after %d failed calls)", self.failures)
        self.error = None
        self._pause = 0.0
        self._resume_at = 0.0
