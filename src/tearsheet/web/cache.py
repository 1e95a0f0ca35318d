"""Rendered pages kept in memory until the store changes, and conditional GET (304);
:class:`Kept`, the bounded cache of diffs and cards.

Every page is a pure function of its URL, the store's contents and the clock (relative
times such as "3 hours ago"). So a rendered page is reused while the store has not changed
— :meth:`tearsheet.store.browse.Browse.data_version` says so for a few microseconds — and for at
most :data:`MAX_AGE` seconds, which bounds how stale a relative time can get. A new version
stored by the tracker changes the data version, and the next request renders afresh.

The ETag is a hash of the page's bytes, so it means the same in every server process
(``serve --workers N``), and a browser that already has the page gets a 304 without a body;
when the page is cached, without rendering it either.

This is plain ASGI middleware in front of the whole app: a hit is answered before any
routing, so it costs a dictionary look-up and a send. Only successful ``GET``
answers in HTML or SVG of at most :data:`MAX_BODY` bytes are kept; anything else (errors,
redirects, static files, feeds, the JSON API, big raw captures) passes through untouched,
as it comes: an answer is held only while it may still be kept (never more than
:data:`MAX_BODY` bytes of it).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

MAX_AGE = 30.0
"""Seconds a rendered page is reused at most, even if the store has not changed."""
MAX_PAGES = 500
"""Pages kept per server process (the least recently used go first)..."""
MAX_BYTES = 32 * 1024 * 1024
"""...and their bodies' bytes at most, together."""
MAX_BODY = 512 * 1024
"""Bigger answers (a raw capture, say) are sent but not kept."""
CACHEABLE = (b"text/html", b"image/svg+xml")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]


@dataclass(frozen=True)
class Page:
    version: object  # the store's data version it was rendered at
    born: float  # time.monotonic() when rendered
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class PageCache:
    """ASGI middleware: answer repeated requests from memory while the data is unchanged.

    ``data_version`` is called once per request and returns a value that changes whenever
    the store does (see :meth:`tearsheet.store.browse.Browse.data_version`). ``settle``:
    paths (aggregates over the whole store, such as the statistics) whose page is reused
    for that many seconds even if the store changed meanwhile: under a tracker that
    commits many times a second they would otherwise be rendered for nearly every reader.
    """

    def __init__(self, app: ASGIApp, data_version: Callable[[], object],
                 max_pages: int = MAX_PAGES, max_age: float = MAX_AGE,
                 max_bytes: int = MAX_BYTES, settle: Mapping[str, float] | None = None
                 ) -> None:
        self.app = app
        self.settle = dict(settle or {})
        self.data_version = data_version
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self.size = 0  # bytes of the bodies kept
        self.max_age = max_age
        self.pages: OrderedDict[bytes, Page] = OrderedDict()
        self.flights: dict[bytes, tuple[object, asyncio.Future[Page | None]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" \
                or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        key = scope["path"].encode() + b"?" + scope["query_string"]
        version = self.data_version()
        page = self.pages.get(key)
        age = time.monotonic() - page.born if page is not None else self.max_age
        if page is not None and age < self.max_age and (
                page.version == version or age < self.settle.get(scope["path"], 0.0)):
            self.pages.move_to_end(key)
            await self._answer(scope, send, page, b"hit")
            return
        # One render per page and data version: requests that arrive while it is being
        # rendered (20 readers just after the tracker committed) wait for it instead of
        # rendering it again each; if it cannot be kept, each renders its own.
        flight = self.flights.get(key)
        if flight is not None and flight[0] == version:
            page = await asyncio.shield(flight[1])
            if page is not None:
                await self._answer(scope, send, page, b"hit")
                return
        done: asyncio.Future[Page | None] = asyncio.get_running_loop().create_future()
        self.flights[key] = (version, done)
        page = None
        try:
            page = await self._render(scope, receive, send, key, version, done)
        finally:
            if self.flights.get(key) == (version, done):
                del self.flights[key]
            if not done.done():
                done.set_result(page)

    async def _render(self, scope: Scope, receive: Receive, send: Send, key: bytes,
                      version: object, done: asyncio.Future[Page | None]) -> Page | None:
        """Run the app; keep and send its answer if it is a page (returned), else pass the
        answer on as it comes (None). ``done`` learns None as soon as the answer is known
        not to be a page: whoever waits for it renders its own at once."""
        captured: list[Message] = []
        passing = False  # decided: not a page to keep, so passed on as it comes
        held = 0

        async def capture(message: Message) -> None:
            # Held only while it may still be kept: an answer that cannot be (a raw
            # capture of megabytes, an error, JSON) goes out as it comes, never buffered.
            nonlocal passing, held
            if not passing:
                held += len(message.get("body", b""))
                passing = held > MAX_BODY or (message["type"] == "http.response.start"
                                              and not _may_keep(message))
                captured.append(message)
                if not passing:
                    return
                if not done.done():
                    done.set_result(None)
                messages = captured[:]
                captured.clear()
                for earlier in messages:
                    await send(earlier)
                return
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:  # the 500 page was sent before the error was raised again
            for message in captured:
                await send(message)
            raise
        if passing:
            return None
        page = _page(captured, version)
        if page is None:  # not a cacheable page: pass on what the app said, as it said it
            for message in captured:
                await send(message)
            return None
        old = self.pages.pop(key, None)
        self.size += len(page.body) - (len(old.body) if old else 0)
        self.pages[key] = page
        while len(self.pages) > self.max_pages or self.size > self.max_bytes:
            self.size -= len(self.pages.popitem(last=False)[1].body)
        await self._answer(scope, send, page, b"miss")
        return page

    async def _answer(self, scope: Scope, send: Send, page: Page, state: bytes) -> None:
        headers = [*page.headers, (b"etag", page.etag), (b"x-cache", state)]
        if page.etag in _if_none_match(scope):
            kept = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": page.status, "headers": headers})
        await send({"type": "http.response.body", "body": page.body})


def _may_keep(start: Message) -> bool:
    """Whether an answer, by its start, may become a kept page (it is read to the end
    only then)."""
    headers = dict((bytes(k).lower(), bytes(v)) for k, v in start.get("headers", []))
    length = headers.get(b"content-length", b"0")
    return start["status"] == 200 and headers.get(b"content-type", b"").startswith(CACHEABLE) \
        and b"etag" not in headers and (not length.isdigit() or int(length) <= MAX_BODY)


def _page(messages: list[Message], version: object) -> Page | None:
    """The app's answer as a :class:`Page`, if it is a complete, successful HTML or SVG one."""
    if not messages or messages[0]["type"] != "http.response.start" \
            or messages[0]["status"] != 200:
        return None
    headers = [(bytes(k).lower(), bytes(v)) for k, v in messages[0].get("headers", [])]
    kind = dict(headers).get(b"content-type", b"")
    if not kind.startswith(CACHEABLE) or any(k == b"etag" for k, _ in headers):
        return None
    body = b"".join(m.get("body", b"") for m in messages[1:] if m["type"] == "http.response.body")
    if len(body) > MAX_BODY:
        return None
    etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
    if not any(k == b"cache-control" for k, _ in headers):  # browsers: ask again, by ETag
        headers.append((b"cache-control", b"no-cache"))
    return Page(version, time.monotonic(), 200, headers, body, etag)


def _if_none_match(scope: Scope) -> list[bytes]:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return [tag.strip().removeprefix(b"W/") for tag in value.split(b",")]
    return []


K = TypeVar("K")
V = TypeVar("V")


class Kept(Generic[K, V]):
    """Values kept for reuse (diffs, cards), the least recently used dropped first once
    there are more than ``max_items`` or their sizes (as the caller weighs them) add up
    to more than ``max_size``: a few huge articles cannot fill the memory. Safe to use
    from the event loop and the thread pool at once."""

    def __init__(self, max_items: int, max_size: int) -> None:
        self.max_items, self.max_size = max_items, max_size
        self.size = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int) -> V:
        """Keep ``value`` (unless it alone is over the size bound); returns it."""
        with self._lock:
            old = self._items.pop(key, None)
            self.size -= old[1] if old else 0
            if size <= self.max_size:
                self._items[key] = (value, size)
                self.size += size
            while len(self._items) > self.max_items or self.size > self.max_size:
                self.size -= self._items.popitem(last=False)[1][1]
        return value
