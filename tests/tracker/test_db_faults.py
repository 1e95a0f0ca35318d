"""Database faults under a running tracker: a real PostgreSQL (a private cluster) restarted,
its connections cut, a statement timeout; SQLite on a small real filesystem that fills up.
Each time the tracker logs the outage in words, keeps running, resumes storing versions
when the database answers, and loses nothing it had committed."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support import private_postgres
from tests.support.busysite import busy_config, busy_site
from tests.support.cli import cli
from tests.support.localserver import LocalServer

WAIT = 90.0  # seconds a phase may take at most on a loaded machine


def write_config(folder: Path, database_url: str, server: LocalServer) -> Path:
    return busy_config(folder, database_url, server, f"""[worker]
lease = "5s"
statement_timeout = "1s"
[archive]
dir = "{folder / 'warc'}"
""")


@contextlib.contextmanager
def tracker(command: str, config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tearsheet", command, "--config", str(config), "--log-json"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.DEVNULL,
            stderr=sink)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT:g} s for {what}"
        time.sleep(0.2)


def waiting_for_a_lock(locker: psycopg.Connection[tuple[object, ...]], database: str) -> bool:
    """Whether another session of ``database`` waits for a lock (the one ``locker`` holds:
    asked in its own transaction, which keeps the lock)."""
    return bool(locker.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
        "pg_backend_pid() AND wait_event_type = 'Lock'", (database,)).fetchone()[0])  # type: ignore[index]


class Versions:
    """The versions table read through its own connection (psycopg or sqlite3)."""

    def __init__(self, connect: Callable[[], object]) -> None:
        self.connect = connect

    def rows(self) -> set[tuple[int, int, str]]:
        try:
            with contextlib.closing(self.connect()) as conn:
                return {(a, n, h) for a, n, h in conn.execute(  # type: ignore[attr-defined]
                    "SELECT article_id, number, content_hash FROM versions").fetchall()}
        except (psycopg.Error, sqlite3.Error):
            return set()

    def count(self) -> int:
        return len(self.rows())


def assert_whole(before: set[tuple[int, int, str]], after: set[tuple[int, int, str]]) -> None:
    """Nothing committed lost; every article's versions numbered 1..n without a gap."""
    assert before <= after
    numbers: dict[int, list[int]] = {}
    for article, number, _ in after:
        numbers.setdefault(article, []).append(number)
    assert all(sorted(n) == list(range(1, len(n) + 1)) for n in numbers.values())


@pytest.fixture(scope="module")
def cluster() -> Iterator[private_postgres.Cluster]:
    from tests.support import postgres

    postgres.ensure_server()  # installs PostgreSQL where it is missing (as the suite does)
    why = private_postgres.available()
    if why is not None:
        pytest.skip(why)
    with private_postgres.cluster() as running:
        yield running


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["restart", "cut_connections", "statement_timeout"])
def test_workers_ride_out_postgresql_faults(
        cluster: private_postgres.Cluster, server: LocalServer, tmp_path: Path,
        fault: str) -> None:
    busy_site(server)
    database = f"faults_{fault}"
    url = cluster.create_database(database)
    config = write_config(tmp_path, url, server)
    assert cli("db", "upgrade", "--config", str(config)) == 0
    dsn = f"postgresql://postgres@127.0.0.1:{cluster.port}/{database}"
    versions = Versions(lambda: psycopg.connect(dsn, connect_timeout=5))
    log = tmp_path / "worker.log"
    with tracker("worker", config, log) as worker:
        wait_for(lambda: versions.count() >= 8, "versions before the fault")
        if fault == "statement_timeout":  # worker.statement_timeout is 1 s here
            with psycopg.connect(dsn) as locker:  # every statement on articles now waits
                locker.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
                # In order, whatever the load: a statement of the tracker seen waiting for
                # the lock, then the timeout it ends in.
                wait_for(lambda: waiting_for_a_lock(locker, database), "a tracker's "
                         "statement waiting for the lock")
                # The outage, not only a timeout: a group commit that timed out is written
                # again one by one, and would succeed once the lock is gone.
                wait_for(lambda: "statement timeout" in log.read_text()
                         and "the database is unavailable" in log.read_text(),
                         "an outage of a timeout: " + log.read_text()[-1500:])
                before = versions.rows()
        else:
            before = versions.rows()
            if fault == "restart":
                # Down until the worker says so, then up: a restart as quick as the
                # worker's spell between statements passed unnoticed (its pool replaces
                # a cut idle connection silently: seen on a loaded machine).
                cluster.stop("fast")
                wait_for(lambda: "the database is unavailable" in log.read_text(),
                         "the worker seeing the outage: " + log.read_text()[-1500:])
                cluster.start()
            else:  # cut again and again: some cuts land inside a transaction
                for _ in range(10):
                    cluster.terminate_connections(database)
                    time.sleep(0.3)
        wait_for(lambda: versions.count() >= len(before) + 8, "versions after the fault")
        assert worker.poll() is None, log.read_text()[-3000:]
    assert worker.returncode == 0, log.read_text()[-3000:]
    assert_whole(before, versions.rows())
    text = log.read_text()
    if fault != "cut_connections":  # a cut idle connection is replaced unnoticed
        assert "the database is unavailable" in text
    # Every outage ended, but perhaps the one the stop request arrived in.
    assert 0 <= text.count("the database is unavailable") - text.count("answers again") <= 1
    assert "Traceback" not in text


@contextlib.contextmanager
def small_disk(size: str) -> Iterator[Path]:
    """A real tmpfs of ``size`` (root only), unmounted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="tearsheet-disk-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True, check=False)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.decode().strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


@pytest.mark.slow
def test_a_full_disk_pauses_the_tracker_and_loses_nothing(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    busy_site(server)
    with small_disk("8m") as disk:
        config = write_config(disk, f"sqlite:///{disk / 'ts.db'}", server)
        versions = Versions(lambda: sqlite3.connect(disk / "ts.db"))
        log = tmp_path / "run.log"  # not on the full disk
        with tracker("run", config, log) as run:
            wait_for(lambda: versions.count() >= 8, "versions before the disk fills")
            filler = disk / "filler"
            # The disk full may be raised by a write or by the close that flushes the rest.
            with contextlib.suppress(OSError), open(filler, "wb") as fh:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            wait_for(lambda: "disk is full" in log.read_text(), "the full disk noticed")
            before = versions.rows()
            assert cli("status", "--config", str(config)) == 0
            assert "MB free on the disk" in capsys.readouterr().out
            filler.unlink()
            wait_for(lambda: versions.count() >= len(before) + 8, "versions after freeing")
            assert run.poll() is None, log.read_text()[-3000:]
        assert run.returncode == 0, log.read_text()[-3000:]
        assert_whole(before, versions.rows())
        with sqlite3.connect(disk / "ts.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        text = log.read_text()
        assert "the database is unavailable" in text and "the database answers again" in text
        assert "Traceback" not in text
