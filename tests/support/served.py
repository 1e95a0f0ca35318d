"""A store with known history, a real uvicorn server on 127.0.0.1 for an app over it, and
the headless Chromium that drives it (for the web, feed, API and notification tests)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from tearsheet.config import load_settings
from tearsheet.extract.revision import extractor_revision
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tearsheet.store.summaries import fill_missing_summaries
from tearsheet.web import create_app
from tests.support.webclient import BROWSER_TIMEOUT_MS

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(2)> ]]> &amp; \x01"
V1 = ("The council approved a budget of 412 million on Tuesday. It adds forty bus drivers.\n\n"
      "Opponents said the plan relied on optimistic forecasts.\n\n"
      f"Residents wrote {HOSTILE} on the council's website.")
V2 = ("The council approved a budget of 421 million on Tuesday. It adds forty bus drivers.\n\n"
      "Opponents said the plan relied on optimistic forecasts.\n\n"
      f"Residents wrote {HOSTILE} on the council's website.\n\n"
      "Correction: An earlier version of this article misstated the size of the budget.")
V3 = V2.replace("optimistic", "very optimistic")


def record(store: Store, source: str, url: str, history: Sequence[tuple[str, str]],
           start: datetime = START, step: timedelta = timedelta(hours=8)) -> int:
    """Track ``url`` under ``source`` and store its (title, text) versions; returns its id."""
    source_id = store.ensure_source(source, start)
    store.add_articles(source_id, [(url, None)], start, 1800.0, revive_gap=3600.0)
    article = store.article_by_url(url)
    assert article is not None
    for number, (title, text) in enumerate(history):
        store.record_check(CheckRecord(
            store.claim_article(article["id"], start + timedelta(days=1)),
            checked_at=start + step * number, outcome="new_version",
            next_check_at=start + timedelta(days=1), check_interval=7200.0,
            version=NewVersion(url=url, title=title, byline="Lena Brandt",
                               published_at=start - timedelta(hours=1), modified_at=None,
                               language="en", text=text, content_hash=f"{url}#{number}",
                               extractor=extractor_revision())))
    fill_missing_summaries(store)
    return int(article["id"])


def budget_story(store: Store) -> int:
    """The three-version story of the web tests, with a hostile headline and text."""
    titles = ["Budget passes", f"Budget passes {HOSTILE}", f"Budget passes {HOSTILE}"]
    return record(store, "daily-example", "https://news.example/2026/budget",
                  list(zip(titles, [V1, V2, V3], strict=True)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def serve_store(folder: Path, fill: Callable[[Store], object]) -> Iterator[str]:
    """A SQLite store in ``folder``, filled by ``fill`` and served; yields its base URL."""
    settings = load_settings(None, database_url=f"sqlite:///{folder / 'ts.db'}")
    store = Store.open(settings.database_url)
    try:
        fill(store)
        with serve(create_app(settings, store)) as base:
            yield base
    finally:
        store.close()


def chromium() -> str:
    """Debian's Chromium: found on PATH, else installed (as root, with apt-get)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        path = shutil.which("chromium")
    assert path, "Chromium is missing: scripts/setup installs it (apt-get install chromium)"
    return path


def launch(playwright: Any) -> Any:
    """Debian's headless Chromium, quiet: no sandbox (root in CI), no network of its own."""
    return playwright.chromium.launch(
        executable_path=chromium(), timeout=BROWSER_TIMEOUT_MS,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync"])


def new_page(browser: Any, **options: Any) -> Any:
    """A page of ``browser`` (or of a context) that waits as long as the HTTP requests of
    the tests do (``webclient.TIMEOUT``), not Playwright's 30 s, which a loaded machine outlasts."""
    page = browser.new_page(**options)
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    return page
