"""A web UI app served by a real uvicorn on 127.0.0.1 in a thread, for the web tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import uvicorn

from tearsheet.store import NewVersion, Store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app``; yields its base URL; stops the server on exit."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def store_version(store: Store, article_id: int, url: str, when: datetime, title: str,
                  text: str, number: int) -> None:
    """Record a successful check of the article that stored a new version, as the tracker
    does."""
    store.record_check(
        store.claim_article(article_id, when + timedelta(days=1)),
        checked_at=when, outcome="new_version", next_check_at=when + timedelta(days=1),
        check_interval=7200.0,
        version=NewVersion(url=url, title=title, byline="Lena Brandt",
                           published_at=when - timedelta(hours=1), modified_at=None,
                           language="en", text=text, content_hash=str(number)))
