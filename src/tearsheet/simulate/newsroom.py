"""The simulated newsroom as a child process: what the demo, the integration tests and the
benchmarks run beside a tracker.

Its own interpreter, so page rendering does not take the tracker's GIL; it exits by itself
if the parent dies.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tearsheet.errors import TearsheetError

SITE_START_TIMEOUT = 30.0


@contextlib.contextmanager
def newsroom_process(log_path: Path, *options: str) -> Iterator[str]:
    """Run `tearsheet simulate OPTIONS` as a child on a free port; yields its base URL.

    Its output goes to ``log_path``, whose first line names the URL. The child stops when
    the context exits, and by itself if this process dies.
    """
    with open(log_path, "w", encoding="utf-8") as log:
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "tearsheet", "simulate", "--port", "0",
             "--exit-with-parent", *options],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL,
            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        )
    try:
        deadline = time.monotonic() + SITE_START_TIMEOUT
        base = ""
        while not base:
            first = log_path.read_text(encoding="utf-8").split("\n", 1)[0].split()
            if first and first[0].startswith("http://"):
                base = first[0].rstrip("/")
            elif child.poll() is not None or time.monotonic() > deadline:
                raise TearsheetError(f"the simulated newsroom did not start (see {log_path})")
            else:
                time.sleep(0.05)
        yield base
    finally:
        if child.poll() is None:
            child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)
