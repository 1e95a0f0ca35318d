"""A clock kept in a file: time that passes only when whoever writes the file says so.

The newsroom replays its histories on a clock; the tracker schedules checks on one. On a
loaded machine a real clock runs on while the tracker waits for the CPU, and a version
shown for a few seconds goes by unseen. A test that writes the time into a file, and
moves it on only once the tracker has done everything due (every process reading the same
file: the newsroom child, the demo, the tracker), makes the run the same however slow
the machine is. ``tearsheet simulate --clock-file`` and ``tearsheet demo --clock-file``
(hidden options, for tests) read it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from tearsheet.errors import TearsheetError


class FileClock:
    """POSIX seconds read from ``path`` at every call (the file holds one number)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self()  # a missing or bad file is said at start, not on the first request

    def __call__(self) -> float:
        try:
            return float(self.path.read_text(encoding="ascii"))
        except (OSError, ValueError) as exc:
            raise TearsheetError(f"cannot read the clock file {self.path}: {exc}") from None

    def datetime(self) -> datetime:
        """The file's time as an aware UTC datetime (the tracker's clock)."""
        return datetime.fromtimestamp(self(), UTC)


def write_clock(path: Path, seconds: float) -> None:
    """Set the time in ``path``, atomically (a reader never sees half a number)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(repr(seconds), encoding="ascii")
    os.replace(partial, path)
