"""Polite, bounded HTTP fetching: the only place tearsheet talks to the network.

Every request goes through one gate (global and per-host concurrency, a delay between starts to
the same host), obeys robots.txt, refuses internal addresses (checked again at connect time so
DNS rebinding cannot slip through), decompresses under a hard size cap, and retries what is
worth retrying. Callers only ever see :class:`~tearsheet.errors.FetchError` subclasses.
"""

from __future__ import annotations

import asyncio
import email.utils
import http
import logging
import math
import random
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType

import httpx
from protego import Protego

from tearsheet.config import FetchSettings
from tearsheet.errors import (
    BlockedAddressError,
    BlockedError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    ResponseTooLargeError,
    RobotsDisallowedError,
)
from tearsheet.fetch.transport import BlockedConnect, GuardedTransport, is_blocked_address, resolve

log = logging.getLogger(__name__)

ROBOTS_TOKEN = "tearsheet"  # noqa: S105 - a robots.txt product token, not a secret
MAX_REDIRECTS = 10
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_TTL = 3600.0
ROBOTS_ERROR_TTL = 600.0  # an unreachable robots.txt is asked for again sooner
DEADLINE_FACTOR = 4  # whole attempt may take this many times fetch.timeout (trickling servers)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BLOCKED_STATUSES = frozenset({403, 429})
"""Answers that mean "not you, not now": the host backs off, the check is ``blocked``."""
BLOCK_BACKOFF = 60.0  # seconds a host is left alone after its first refusal; doubles
MAX_BLOCK_BACKOFF = 6 * 3600.0


@dataclass(frozen=True)
class Exchange:
    """The final request and response as on the wire, for the WARC capture (archive.py).

    ``body`` is the entity as received: still content-encoded (gzip stays gzip), but
    de-chunked by the HTTP client, which is why ``Transfer-Encoding`` is not among
    ``response_headers``. It is the decoded body itself when there was no encoding, so
    keeping it costs nothing then, and at most ``fetch.max_bytes`` otherwise.
    """

    http_version: str  # "HTTP/1.1"
    reason: str
    response_headers: tuple[tuple[str, str], ...]  # in order, as received (latin-1)
    request_method: str
    request_target: str  # path and query
    request_headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Response:
    """A successful (2xx) or not-modified (304) answer, body already decompressed."""

    url: str
    requested_url: str
    status: int
    headers: httpx.Headers
    body: bytes
    fetched_at: datetime
    redirects: tuple[str, ...]  # every URL that answered with a redirect, in order
    exchange: Exchange | None = None  # the raw exchange (None only for hand-made responses)
    rendered: bytes | None = None  # the DOM a browser rendered from it (UTF-8), if any

    @property
    def document(self) -> bytes:
        """What extraction reads: the rendered DOM, else the body as fetched."""
        return self.body if self.rendered is None else self.rendered

    @property
    def document_charset(self) -> str | None:
        return self.charset if self.rendered is None else "utf-8"
    redirect_statuses: tuple[int, ...] = ()  # the status of each redirect (301, 302…)

    @property
    def moved_permanently(self) -> bool:
        """Every redirect on the way was permanent (301, 308): the page has a new address."""
        return bool(self.redirect_statuses) and all(
            code in (301, 308) for code in self.redirect_statuses)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return _header(self.headers, "etag")

    @property
    def last_modified(self) -> str | None:
        return _header(self.headers, "last-modified")

    @property
    def content_type(self) -> str:
        return (_header(self.headers, "content-type") or "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in (_header(self.headers, "content-type") or "").split(";")[1:]:
            name, _, value = param.partition("=")
            value = value.strip().strip("\"'")
            if name.strip().lower() == "charset" and value:
                return value.lower()
        return None


def _header(headers: httpx.Headers, name: str) -> str | None:
    value: str | None = headers.get(name)
    return value


class _Transient(FetchError):
    """One attempt failed in a way worth retrying (network, timeout, truncation)."""

    def __init__(self, url: str, message: str, *, timeout: bool = False) -> None:
        super().__init__(url, message)
        self.timeout = timeout


class _Decoder:
    """Decompresses gzip/deflate incrementally, never holding more than ``limit`` bytes."""

    def __init__(self, url: str, encoding: str, limit: int) -> None:
        self._url, self._encoding, self._limit = url, encoding, limit
        self._parts: list[bytes] = []
        self._received: list[bytes] = []  # the encoded input, for the WARC capture
        self._size = self._raw = 0
        self._head = b""  # first bytes of a deflate body, to tell zlib-wrapped from raw
        self._z: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity", "deflate"):
            raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")

    def _add(self, data: bytes) -> None:
        self._size += len(data)
        self._check(self._size)
        self._parts.append(data)

    def _check(self, size: int) -> None:
        if size > self._limit:
            raise ResponseTooLargeError(
                self._url, f"body is larger than fetch.max_bytes ({self._limit} bytes)")

    def feed(self, data: bytes) -> None:
        self._raw += len(data)
        self._check(self._raw)  # compressed input is capped too: no endless empty blocks
        if self._encoding in ("", "identity"):
            return self._add(data)
        self._received.append(data)
        if self._z is None:  # deflate: RFC says zlib-wrapped, some servers send raw
            self._head += data
            if len(self._head) < 2:
                return None
            cmf, flg = self._head[0], self._head[1]
            wrapped = cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            data, self._head = self._head, b""
        while data:
            if self._z.eof:  # another gzip member follows, or trailing junk we ignore
                if self._encoding == "deflate" or not data.startswith(b"\x1f\x8b"):
                    return None
                self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                self._add(self._z.decompress(data, self._limit - self._size + 1))
            except zlib.error as exc:
                raise FetchError(self._url, f"corrupt {self._encoding} body ({exc})") from None
            data = self._z.unconsumed_tail or (self._z.unused_data if self._z.eof else b"")
        return None

    def finish(self) -> tuple[bytes, bytes]:
        """The decoded body, and the body as received (the same object when not encoded)."""
        if self._raw and (self._head or (self._z is not None and not self._z.eof)):
            raise FetchError(self._url, f"truncated or corrupt {self._encoding} body")
        body = b"".join(self._parts)
        return body, (b"".join(self._received) if self._received else body)


@dataclass
class _Host:
    """Politeness and robots state of one host:port."""

    slots: asyncio.Semaphore
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: Protego | None = None
    robots_expires: float = -math.inf
    blocked_until: float = 0.0  # refused us (403, 429, a challenge): no request before
    blocks: int = 0  # refusals in a row, for the backoff


@dataclass(frozen=True)
class _Hop:
    url: httpx.URL
    status: int
    headers: httpx.Headers
    body: bytes
    fetched_at: datetime
    exchange: Exchange | None = None


def _latin1(pairs: list[tuple[bytes, bytes]], drop: frozenset[bytes] = frozenset(),
            ) -> tuple[tuple[str, str], ...]:
    return tuple((name.decode("latin-1"), value.decode("latin-1"))
                 for name, value in pairs if name.lower() not in drop)


def _exchange(reply: httpx.Response, received: bytes) -> Exchange:
    request = reply.request
    return Exchange(
        http_version=reply.http_version, reason=reply.reason_phrase,
        # The client de-chunked the body: a Transfer-Encoding header would misdescribe it.
        response_headers=_latin1(reply.headers.raw, frozenset({b"transfer-encoding"})),
        request_method=request.method, request_target=request.url.raw_path.decode("ascii"),
        request_headers=_latin1(request.headers.raw), body=received)


def _protocol_error(exc: Exception, reading: bool) -> str:
    """What a broken HTTP answer was, in words: h11 says "illegal status line" or "Receive
    buffer too long", which all read "server closed the connection" before."""
    detail = str(exc)
    if "Invalid URL in location header" in detail:
        return f"a redirect to an invalid URL ({detail.partition(': ')[2] or detail})"
    if "Receive buffer too long" in detail:
        return "the response headers are too large (over 100 KB)"
    if "illegal status line" in detail:
        return f"not an HTTP response: a bad status line ({detail[:120]})"
    if "header" in detail.lower() and not reading:
        return f"a malformed response header ({detail[:120]})"
    what = "truncated body" if reading else "server closed the connection"
    return f"{what} ({detail})"


def _parse_url(url: str | httpx.URL) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(str(url), f"not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(str(url), f"unsupported URL scheme {parsed.scheme!r} (only http, https)")
    if not parsed.host:
        raise FetchError(str(url), "URL has no host")
    return parsed.copy_with(fragment=None)


def _host_key(url: httpx.URL) -> str:
    return f"{url.raw_host.decode('ascii')}:{_port(url)}"


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _status_text(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class Fetcher:
    """Fetches pages for tearsheet; use as ``async with Fetcher(settings) as f``."""

    def __init__(self, settings: FetchSettings, *,
                 gate: Callable[[str], Awaitable[None]] | None = None) -> None:
        """``gate(host)``, when given, is awaited before each request once this process's
        own per-host delay has passed: the shared politeness of many workers
        (:class:`tearsheet.store.hosts.HostGate`)."""
        self._settings = settings
        self._gate = gate
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, _Host] = {}
        limits = httpx.Limits(max_connections=settings.concurrency,
                              max_keepalive_connections=settings.concurrency)
        transport = GuardedTransport(limits, guard=not settings.allow_private_addresses)
        self._client = httpx.AsyncClient(
            transport=transport, timeout=settings.timeout, follow_redirects=False,
            trust_env=False, http1=True, http2=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None,
                    headers: dict[str, str] | None = None) -> Response:
        """GET ``url`` following redirects; a 2xx or 304 Response, else a FetchError.
        ``headers`` are sent too (a browser page's cookies)."""
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = _parse_url(url)
        redirects: list[str] = []
        codes: list[int] = []
        try:
            while True:
                await self._admit(current)
                hop = await self._with_retries(current, headers)
                location = hop.headers.get("location")
                if hop.status in _REDIRECT_STATUSES and location:
                    if len(redirects) >= MAX_REDIRECTS:
                        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")
                    redirects.append(str(current))
                    codes.append(hop.status)
                    try:
                        target = _parse_url(current.join(location.strip()))
                    except httpx.InvalidURL:
                        raise FetchError(url, f"bad redirect Location {location!r}") from None
                    if str(target) in redirects:
                        raise FetchError(url, f"redirect loop ({' -> '.join(redirects)} -> "
                                              f"{target})")
                    current = target
                    continue
                if 200 <= hop.status < 300 or hop.status == 304:
                    return Response(str(hop.url), url, hop.status, hop.headers, hop.body,
                                    hop.fetched_at, tuple(redirects), hop.exchange,
                                    redirect_statuses=tuple(codes))
                raise HTTPStatusError(str(current), f"server answered {_status_text(hop.status)}",
                                      status=hop.status)
        except FetchError as exc:  # report against the URL the caller asked for
            if exc.url == url:
                raise
            reason = f"{exc.reason} (at {exc.url}, after redirect)" if redirects else exc.reason
            raise type(exc)(url, reason, status=exc.status, retry_after=exc.retry_after) from exc

    async def fetch_asset(self, url: str, *, method: str = "GET",
                          headers: dict[str, str] | None = None,
                          data: bytes | None = None) -> Response:
        """One request a rendered page makes (a script, a stylesheet, an XHR), answered as
        the server answered it (a redirect is the browser's to follow).

        The same guards as :meth:`fetch` (internal addresses, robots.txt, the size cap,
        the global concurrency), but neither the per-host delay, which would make one page
        of twenty scripts take twenty seconds, nor retries: a page does without an asset.
        """
        if method not in ("GET", "POST"):
            raise FetchError(url, f"{method} requests are not made for pages")
        target = _parse_url(url)
        await self._admit(target)
        hop = await self._exchange(target, dict(headers or {}), self._settings.max_bytes,
                                   method=method, data=data, polite=False)
        return Response(str(hop.url), url, hop.status, hop.headers, hop.body, hop.fetched_at,
                        (), hop.exchange)

    def back_off(self, url: str, seconds: float | None = None) -> float:
        """The host of ``url`` refused us (a status, or a challenge page extraction saw):
        no request to it for ``seconds`` (a Retry-After), else for a backoff that doubles
        with each refusal in a row. Returns the wait."""
        host = self._host(_parse_url(url))
        host.blocks += 1
        wait = seconds if seconds is not None else min(
            BLOCK_BACKOFF * 2 ** (host.blocks - 1), MAX_BLOCK_BACKOFF)
        host.blocked_until = max(host.blocked_until, time.monotonic() + wait)
        return wait

    def _check_blocked(self, url: httpx.URL) -> None:
        """Fail at once while the host backs off longer than we would wait for it."""
        host = self._host(url)
        wait = host.blocked_until - time.monotonic()
        if wait > self._settings.max_retry_after:
            raise BlockedError(
                str(url), f"{url.host} refused us recently; backing off for another "
                          f"{wait:.0f} s", retry_after=wait)

    async def _admit(self, url: httpx.URL) -> None:
        """Refuse internal addresses and what robots.txt forbids, before any request."""
        self._check_blocked(url)
        await self._check_address(url)
        if self._settings.obey_robots and not await self._robots_allow(url):
            raise RobotsDisallowedError(
                str(url), f"robots.txt of {url.host} forbids {ROBOTS_TOKEN} to fetch this page")

    async def _check_address(self, url: httpx.URL) -> None:
        """Clean early refusal; the connect-time guard is what actually enforces it."""
        if self._settings.allow_private_addresses:
            return
        host = url.raw_host.decode("ascii")
        try:
            addresses = await resolve(host, _port(url))
        except OSError:
            return  # unresolvable: the connection attempt fails (and is retried) later
        blocked = [a for a in addresses if is_blocked_address(a)]
        if blocked:
            raise BlockedAddressError(
                str(url), f"{host} is an internal address ({', '.join(blocked)}); refused "
                          "(set fetch.allow_private_addresses to allow)")

    def _host(self, url: httpx.URL) -> _Host:
        key = _host_key(url)
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self._settings.per_host_concurrency))
        return self._hosts[key]

    @asynccontextmanager
    async def _slot(self, url: httpx.URL) -> AsyncIterator[None]:
        """Hold a per-host and a global slot, starting no sooner than per_host_delay after
        the previous start to this host. The global slot is only taken once it is our turn,
        so a slow host never blocks the others."""
        host = self._host(url)
        async with host.slots:
            async with host.start_lock:
                self._check_blocked(url)
                # Waited in steps: the host may refuse us meanwhile (a challenge another
                # page of it showed), and then this request is not made.
                while (wait := max(host.next_start, host.blocked_until)
                       - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                    self._check_blocked(url)
                if self._gate is not None:
                    await self._gate(_host_key(url))
                await self._global.acquire()
                host.next_start = time.monotonic() + self._settings.per_host_delay
            try:
                yield
            finally:
                self._global.release()

    async def _with_retries(self, url: httpx.URL, headers: dict[str, str]) -> _Hop:
        """One hop, retried on network trouble and 429/5xx with exponential backoff."""
        attempts = self._settings.retries + 1
        for attempt in range(1, attempts + 1):
            after = "" if attempt == 1 else f" after {attempt} attempts"
            backoff = self._settings.retry_backoff * 2 ** (attempt - 1)
            backoff *= random.uniform(1.0, 1.25)  # noqa: S311 - jitter, not crypto
            try:
                hop = await self._exchange(url, headers, self._settings.max_bytes)
            except _Transient as exc:
                if attempt < attempts:
                    log.debug("retrying %s: %s", url, exc.reason)
                    await asyncio.sleep(backoff)
                    continue
                kind = FetchTimeoutError if exc.timeout else FetchError
                raise kind(str(url), exc.reason + after) from None
            if 200 <= hop.status < 300:
                self._host(url).blocks = 0
            if hop.status not in _RETRY_STATUSES | BLOCKED_STATUSES:
                return hop
            wait = (_retry_after(hop.headers.get("retry-after"))
                    if hop.status in (429, 503) else None)
            message = f"server answered {_status_text(hop.status)}"
            error = BlockedError if hop.status in BLOCKED_STATUSES else HTTPStatusError
            if hop.status == 429:  # the whole host waits, not just this page
                self.back_off(str(url), backoff if wait is None else wait)
            elif hop.status == 403:
                self.back_off(str(url))
            if hop.status == 403:  # not retried: an article behind it stays so for a while
                raise error(str(url), message, status=hop.status)
            if wait is not None and wait > self._settings.max_retry_after:
                raise error(str(url), f"{message}, asking to wait {wait:.0f} s",
                            status=hop.status, retry_after=wait)
            if attempt == attempts:
                raise error(str(url), message + after, status=hop.status, retry_after=wait)
            log.debug("retrying %s: %s", url, message)
            if hop.status != 429:  # a 429 set the host's wait, which the next slot honours
                await asyncio.sleep(backoff if wait is None else wait)
        raise AssertionError("unreachable")

    async def _exchange(self, url: httpx.URL, headers: dict[str, str], limit: int, *,
                        method: str = "GET", data: bytes | None = None,
                        polite: bool = True) -> _Hop:
        """One request through the politeness gate (``polite``; else the global limit
        only); the body is read only for 2xx answers."""
        where = str(url)
        reading = False
        try:
            async with (
                self._slot(url) if polite else self._global,
                asyncio.timeout(DEADLINE_FACTOR * self._settings.timeout),
                self._client.stream(method, url, headers=headers, content=data) as reply,
            ):
                fetched_at = datetime.now(UTC)
                body = received = b""
                if 200 <= reply.status_code < 300:
                    declared = reply.headers.get("content-length", "").strip()
                    chunked = "transfer-encoding" in reply.headers  # overrides the length
                    if declared.isdigit() and int(declared) > limit and not chunked:
                        raise ResponseTooLargeError(
                            where, f"server announces {declared} bytes, more than "
                                   f"fetch.max_bytes ({limit})")
                    decoder = _Decoder(
                        where, reply.headers.get("content-encoding", "").strip().lower(),
                        limit)
                    reading = True
                    async for chunk in reply.aiter_raw():
                        decoder.feed(chunk)
                    body, received = decoder.finish()
                return _Hop(url, reply.status_code, reply.headers, body, fetched_at,
                            _exchange(reply, received))
        except BlockedConnect as exc:
            raise BlockedAddressError(where, f"{exc}; refused") from None
        except httpx.TimeoutException:
            raise _Transient(where, f"no answer within {self._settings.timeout:g} s",
                             timeout=True) from None
        except TimeoutError:  # the total deadline, not one read: a trickling server
            deadline = DEADLINE_FACTOR * self._settings.timeout
            raise _Transient(where, f"the response took longer than the total deadline of "
                                    f"{deadline:g} s ({DEADLINE_FACTOR} × fetch.timeout)",
                             timeout=True) from None
        except httpx.RemoteProtocolError as exc:
            message = _protocol_error(exc, reading)
            if message.startswith(("truncated", "server closed")):
                raise _Transient(where, message) from None
            raise FetchError(where, message) from None  # the same answer again: no retry
        except httpx.ConnectError as exc:
            raise _Transient(where, f"cannot connect ({exc or type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Transient(where, f"connection error ({exc or type(exc).__name__})") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(where, f"request failed ({exc or type(exc).__name__})") from None

    async def _robots_allow(self, url: httpx.URL) -> bool:
        host = self._host(url)
        if host.robots_expires < time.monotonic():
            async with host.robots_lock:
                if host.robots_expires < time.monotonic():
                    host.robots, ttl = await self._load_robots(url)
                    host.robots_expires = time.monotonic() + ttl
        return host.robots is None or host.robots.can_fetch(str(url), ROBOTS_TOKEN)

    async def _load_robots(self, page: httpx.URL) -> tuple[Protego | None, float]:
        """The parsed robots.txt of the page's host (None: allow all) and how long to keep it."""
        url = page.copy_with(path="/robots.txt", query=None)
        for _ in range(5):
            try:
                await self._check_address(url)
                hop = await self._exchange(url, {}, ROBOTS_MAX_BYTES)
                location = hop.headers.get("location")
                if hop.status in _REDIRECT_STATUSES and location:
                    url = _parse_url(url.join(location.strip()))
                    continue
            except (FetchError, httpx.InvalidURL) as exc:
                log.warning("cannot read %s (%s); fetching as if allowed", url,
                            getattr(exc, "reason", exc))
                return None, ROBOTS_ERROR_TTL
            if 200 <= hop.status < 300:
                return parse_robots(hop.body), ROBOTS_TTL
            if 400 <= hop.status < 500:
                return None, ROBOTS_TTL
            log.warning("%s answered %s; fetching as if allowed", url, _status_text(hop.status))
            return None, ROBOTS_ERROR_TTL
        log.warning("%s redirects too often; fetching as if allowed", url)
        return None, ROBOTS_ERROR_TTL


def parse_robots(body: bytes) -> Protego:
    """A robots.txt as the fetcher obeys it: any bytes (at most ROBOTS_MAX_BYTES read)."""
    return Protego.parse(body.decode("utf-8-sig", "replace"))
