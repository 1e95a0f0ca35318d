"""HTTP requests from tests to the servers they start, with ONE generous timeout.

httpx waits 5 s by default; on the shared 2-core machine under load (load average 15-30) a
cache-miss page or a first PostgreSQL query can take longer, and a test then failed on the
machine's speed instead of on what it asserts. Every request of a test to a server it started
goes through here (or passes ``timeout=TIMEOUT``). A test that asserts a timeout happens
passes its own short ``timeout=`` and keeps it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx

TIMEOUT_SECONDS = 120.0
"""How long a test waits for a server it started: long enough for any loaded machine."""
TIMEOUT = httpx.Timeout(TIMEOUT_SECONDS)
BROWSER_TIMEOUT_MS = TIMEOUT_SECONDS * 1000
"""The same wait for Playwright, which counts in milliseconds (its default is 30 s)."""


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """``httpx.request`` with :data:`TIMEOUT` unless the caller gives its own."""
    kwargs.setdefault("timeout", TIMEOUT)
    return httpx.request(method, url, **kwargs)


# The verbs: ``request`` with the method filled in.
get = partial(request, "GET")
head = partial(request, "HEAD")
options = partial(request, "OPTIONS")
post = partial(request, "POST")
delete = partial(request, "DELETE")


def client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` with :data:`TIMEOUT` unless the caller gives its own."""
    kwargs.setdefault("timeout", TIMEOUT)
    return httpx.Client(**kwargs)


def async_client(**kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with :data:`TIMEOUT` unless the caller gives its own."""
    kwargs.setdefault("timeout", TIMEOUT)
    return httpx.AsyncClient(**kwargs)
