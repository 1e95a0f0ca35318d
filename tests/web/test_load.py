"""The web UI read while the tracker writes, on one SQLite file: a real tracker (`tearsheet
run`, its own process) stores a version of every story on every check, and readers in
threads fetch every kind of page at once from a real server meanwhile. No answer fails,
nothing says "database is locked", and the statistics count what was written."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tearsheet.config import load_settings
from tearsheet.web import create_app
from tests.support import webclient
from tests.support.busysite import busy_config, busy_site
from tests.support.localserver import LocalServer
from tests.support.served import serve

WAIT = 120.0  # a bound on each phase on a loaded machine, never a measured time
READERS = 6
PAGES = ["/", "/?min=0.1", "/sources", "/sources/busy", "/stats", "/stats/changes.svg",
         "/search?q=update", "/api/v1/changes?limit=20", "/api/v1/stats",
         "/api/v1/articles", "/articles/1", "/articles/2/diff/1/2", "/feed.atom"]


def versions_in(database: Path) -> int:
    try:
        with closing(sqlite3.connect(database, timeout=30)) as conn:
            return int(conn.execute("SELECT count(*) FROM versions").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {WAIT:g} s for {what}"
        time.sleep(0.2)


def test_pages_read_while_the_tracker_writes(server: LocalServer, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    busy_site(server)
    database = tmp_path / "ts.db"
    config = busy_config(tmp_path, f"sqlite:///{database}", server)
    log = tmp_path / "tracker.log"
    with log.open("wb") as sink:
        tracker = subprocess.Popen(
            [sys.executable, "-m", "tearsheet", "run", "--config", str(config)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.DEVNULL,
            stderr=sink)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    rounds = [0] * READERS
    stop = threading.Event()
    try:
        wait_for(lambda: versions_in(database) >= 8, "the tracker's first versions")
        settings = load_settings(config)
        caplog.set_level(logging.ERROR)
        with serve(create_app(settings)) as base:

            def read(reader: int) -> None:
                with webclient.client(base_url=base) as client:
                    while not stop.is_set():
                        for path in PAGES[reader % 3:] + PAGES[:reader % 3]:
                            try:
                                answer = client.get(path)
                            except httpx.HTTPError as exc:
                                failures.append(f"{path}: {exc!r}")
                                continue
                            statuses[answer.status_code] += 1
                            if answer.status_code != 200 or "is locked" in answer.text:
                                failures.append(f"{path}: {answer.status_code} "
                                                f"{answer.text[:300]}")
                        rounds[reader] += 1

            threads = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
            for thread in threads:
                thread.start()
            try:
                written = versions_in(database)
                # Reading goes on until the tracker has written more meanwhile and every
                # reader has been through every page at least twice.
                wait_for(lambda: versions_in(database) >= written + 12 and min(rounds) >= 2,
                         "versions written while the pages were read")
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=WAIT)
        assert tracker.poll() is None, "the tracker stopped under the readers"
    finally:
        stop.set()
        tracker.send_signal(signal.SIGTERM)
        tracker.wait(timeout=60)
    said = log.read_text(errors="replace")
    assert failures == [], failures[:5]
    assert set(statuses) == {200} and sum(statuses.values()) >= READERS * 2 * len(PAGES)
    assert "is locked" not in said, said[-2000:]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert tracker.returncode == 0, said[-2000:]

    # What the statistics say is what was written, counted as it was written.
    with closing(sqlite3.connect(database)) as conn:
        per_day = dict(((day, changes) for day, changes in conn.execute(
            "SELECT date(captured_at), count(*) FROM versions WHERE number > 1 "
            "GROUP BY date(captured_at)")))
        waits = sorted(seconds for (seconds,) in conn.execute(
            "SELECT (julianday(v.captured_at) - julianday(a.first_seen_at)) * 86400 "
            "FROM versions AS v JOIN articles AS a ON a.id = v.article_id "
            "WHERE v.number = 2"))
    with TestClient(create_app(load_settings(config))) as client:
        shown = client.get("/api/v1/stats").json()
    assert {row["day"]: row["changes"] for row in shown["changes_per_day"]} == per_day
    assert sum(per_day.values()) == shown["sources"][0]["changes"]
    middle = (waits[(len(waits) - 1) // 2] + waits[len(waits) // 2]) / 2
    assert shown["median_seconds_to_first_change"]["busy"] == pytest.approx(middle, abs=0.01)
