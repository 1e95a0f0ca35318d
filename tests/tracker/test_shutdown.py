"""Stopping a run: SIGTERM lets the checks in flight finish within worker.shutdown_grace,
and abandons what is left past it (the article stays due, no lease, nothing recorded)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

from tearsheet.store.store import Store
from tests.support.holding import HANG, held_until, wait_until
from tests.support.newsroom import Newsroom, Story, export, run_once, write_config
from tests.support.pages import LOREM


def _run_holding(newsroom: Newsroom, path: str, grace: str, tmp_path: Path, store_url: str
                 ) -> tuple[subprocess.Popen[bytes], threading.Event, Path]:
    """``tearsheet run`` with ``worker.shutdown_grace = grace``, and a story at ``path``
    whose page is held until the event returned is set."""
    newsroom.publish(path, Story("A held story", list(LOREM)))
    held = threading.Event()
    newsroom.server.route(path, held_until(held, newsroom.server.routes[path]))
    config = write_config(tmp_path, newsroom.server, store_url)
    config.write_text(config.read_text() + f'[worker]\nshutdown_grace = "{grace}"\n')
    proc = subprocess.Popen([sys.executable, "-m", "tearsheet", "run", "--config", str(config)],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    return proc, held, config


def test_sigterm_stops_cleanly(newsroom: Newsroom, tmp_path: Path, store_url: str) -> None:
    """SIGTERM while a check is in flight (its page held until the signal is sent, however
    slowly the run started): the check is finished and stored, the run exits 0. Its
    ``worker.shutdown_grace`` is 5 minutes: what is left of the held check fits in it
    however loaded the machine."""
    newsroom.publish("/news/first-story", Story("A first story", list(LOREM)))
    proc, held, config = _run_holding(newsroom, "/news/calm-story", "5m", tmp_path, store_url)
    try:
        wait_until(lambda: newsroom.server.hits("/news/calm-story")
                   and _versions(store_url) == 1, "the first version, the check in flight")
        proc.send_signal(signal.SIGTERM)
    finally:
        held.set()
    _, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, err.decode()
    assert "new versions" in err.decode()
    assert sorted((v["url"], v["version"]) for v in export(config, tmp_path)) == [
        (newsroom.server.url("/news/calm-story"), 1),
        (newsroom.server.url("/news/first-story"), 1)]


def test_sigterm_abandons_checks_past_the_grace(newsroom: Newsroom, tmp_path: Path,
                                               store_url: str) -> None:
    """``worker.shutdown_grace = "0s"``: SIGTERM while a check is in flight, its page held
    until the run has exited (so only the grace can end it): the check is abandoned, the
    run exits 0, the article is left due with no lease, and the next run stores it."""
    proc, held, config = _run_holding(newsroom, "/news/held-story", "0s", tmp_path, store_url)
    try:
        wait_until(lambda: newsroom.server.hits("/news/held-story"), "the check in flight")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=HANG)  # the page is still held
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        held.set()
    assert proc.returncode == 0, err.decode()
    assert "1 check(s) still in flight after 0 s (worker.shutdown_grace) abandoned" in (
        " ".join(err.decode().split())), err.decode()
    store = Store.open(store_url)
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT leased_until, next_check_at, version_count FROM articles").one()
        checks = conn.exec_driver_sql("SELECT count(*) FROM checks").scalar_one()
    store.close()
    assert row[0] is None and row[1] is not None and row[2] == 0 and checks == 0, (row, checks)
    run_once(config)
    assert [(v["url"], v["version"]) for v in export(config, tmp_path)] == [
        (newsroom.server.url("/news/held-story"), 1)]


def _versions(store_url: str) -> int:
    """Versions stored so far, read beside the running tracker (no migration of its own)."""
    from sqlalchemy import create_engine

    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM versions").scalar_one())
    finally:
        engine.dispose()

