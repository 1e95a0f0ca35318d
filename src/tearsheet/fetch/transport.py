"""The connection layer under :class:`tearsheet.fetch.fetcher.Fetcher`: where a request's TCP
connection is opened.

Internal addresses are refused here, at connect time, on the address actually connected
to (a DNS answer that changed since the fetcher's early check cannot slip through).
Pooled connections answer httpcore's "did the server hang up?" with one ``poll()``, asked
only when it matters, and the pool's bookkeeping is linear in its connections.
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import socket
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_blocked_address(address: str) -> bool:
    """True for any address that is not on the public internet (or is multicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and is_blocked_address(str(embedded)):
            return True
    return not ip.is_global or ip.is_multicast


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class BlockedConnect(Exception):
    """Raised inside httpcore; passes through httpx unmapped and becomes BlockedAddressError."""


class _Stream(httpcore.AsyncNetworkStream):
    """A connection whose "did the server hang up?" check is one ``poll()``.

    httpcore's pool asks it of every pooled connection whenever a request starts or ends
    (encode/httpcore#928); the stock anyio stream rebuilds all its socket attributes
    (``getpeername`` and more) to answer, about a third of a fetch's CPU at 16 connections.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # readable while idle: closed by the server, or garbage
            if self._socket is None or self._socket.fileno() < 0:
                return True
            poll = select.poll()
            poll.register(self._socket, select.POLLIN)
            return bool(poll.poll(0))
        if info == "socket":
            return self._socket
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves and validates at connect time, then connects to the vetted IP itself
    (with ``guard`` False, to any address: ``fetch.allow_private_addresses``).

    httpcore passes the origin hostname to ``start_tls`` separately, so SNI and certificate
    checks still use the name, not the IP.
    """

    def __init__(self, guard: bool = True) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._guard = guard

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if not self._guard:
            return _Stream(await self._inner.connect_tcp(
                host, port, timeout, local_address, socket_options))
        try:
            async with asyncio.timeout(timeout):
                addresses = await resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        blocked = [a for a in addresses if is_blocked_address(a)]
        if blocked:
            raise BlockedConnect(f"{host} resolves to internal address {', '.join(blocked)}")
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return _Stream(await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedConnect("unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's HTTP/1.1 pool, its bookkeeping linear in the connections.

    httpcore 1.0 reassigns connections whenever a request is queued or done (several times
    a fetch). Each time it counts every connection again for each idle one it meets,
    quadratic in ``fetch.concurrency`` (encode/httpcore#1035; fixed in its fork httpx2,
    pydantic/httpx2#974), and asks every idle one whether it has expired, a ``poll()`` of
    its socket: ~50 a fetch at 16 connections, ~200 at 64.

    Here a pass makes the same decisions in one pass over the connections and one over
    the queue: for HTTP/1.1, all the fetcher speaks, assigning a request changes no
    connection's state (a request that loses a connection to another is queued again by
    the pool) and a new connection is neither idle nor available, so which connections
    are idle or available is read once. All are asked whether they have expired at most
    every :attr:`SWEEP` seconds; between sweeps, the one about to serve a request (in the
    same pass, as fresh as before) or to be closed to make room: an expired connection
    never serves a request and is closed before a sound one. ``tests/fetch/
    test_transport.py`` holds it to httpcore's decisions; ``bench/pool.py`` measures it.
    """

    SWEEP = 0.1
    """Seconds between passes that ask every connection whether it has expired."""

    _swept = float("-inf")

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing: list[httpcore.AsyncConnectionInterface] = []
        now = time.monotonic()
        # A surplus of idle connections (never in the fetcher's own configuration, whose
        # keep-alive limit is its size) is cut after the expired ones, as httpcore cuts it.
        sweep = now - self._swept >= self.SWEEP or \
            len(self._connections) > self._max_keepalive_connections
        if sweep:
            self._swept = now
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif (sweep and connection.has_expired()) or (
                    len(self._connections) > self._max_keepalive_connections
                    and connection.is_idle()):  # the pool's count, as httpcore counts it
                self._connections.remove(connection)
                closing.append(connection)
        queued = [request for request in self._requests if request.is_queued()]
        if not queued:
            return closing
        available = [c for c in self._connections if c.is_available()]
        idle = [c for c in self._connections if c.is_idle()]
        for request in queued:
            origin = request.request.url.origin
            found = self._reusable(origin, available, idle, closing, asked=sweep)
            if found is not None:
                connection = found
            else:
                if len(self._connections) >= self._max_connections:
                    if not idle:
                        continue  # stays queued until a connection is done
                    # An idle connection to another origin, closed to make room: an
                    # expired one first, which a sweep would have closed.
                    spare = next((c for c in idle if not sweep and c.has_expired()), idle[0])
                    self._drop(spare, closing, available, idle)
                connection = self.create_connection(origin)
                self._connections.append(connection)
            request.assign_to_connection(connection)
        return closing

    def _reusable(self, origin: httpcore.Origin,
                  available: list[httpcore.AsyncConnectionInterface],
                  idle: list[httpcore.AsyncConnectionInterface],
                  closing: list[httpcore.AsyncConnectionInterface], *, asked: bool,
                  ) -> httpcore.AsyncConnectionInterface | None:
        """The first available connection to ``origin`` that has not expired (``asked``:
        this pass's sweep asked them all); each expired one met is closed, as a sweep
        would have closed it."""
        for connection in list(available):
            if connection.can_handle_request(origin):
                if asked or not connection.has_expired():
                    return connection
                self._drop(connection, closing, available, idle)
        return None

    def _drop(self, connection: httpcore.AsyncConnectionInterface,
              closing: list[httpcore.AsyncConnectionInterface],
              *views: list[httpcore.AsyncConnectionInterface]) -> None:
        """``connection`` out of the pool and of this pass's ``views`` of it, to be closed."""
        self._connections.remove(connection)
        for view in views:
            if connection in view:
                view.remove(connection)
        closing.append(connection)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """The stock transport, with its pool rebuilt on :class:`_GuardedBackend`."""

    def __init__(self, limits: httpx.Limits, *, guard: bool = True) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = _Pool(
            ssl_context=ssl_context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False,
            network_backend=_GuardedBackend(guard),
        )
