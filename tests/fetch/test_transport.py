"""The fetcher's connection pool: httpcore's decisions, made in linear time."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from typing import cast

import httpcore
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tearsheet.fetch.fetcher import Fetcher, Response
from tearsheet.fetch.transport import _Pool
from tests.support.fetching import fetch_all, make_settings
from tests.support.localserver import LocalServer

ORIGINS = ("http://a.example", "http://b.example", "http://c.example")

# The states an HTTP/1.1 connection of httpcore's pool can be in, as its five predicates
# answer them: (closed, expired, idle, available).
STATES = {
    "connecting": (False, False, False, False),
    "failed": (True, True, True, False),  # a connection attempt that failed
    "busy": (False, False, False, False),
    "idle": (False, False, True, True),
    "expired": (False, True, True, True),  # idle past keepalive_expiry, or hung up on
    "closed": (True, False, False, False),
}


@dataclasses.dataclass(eq=False)
class Connection:
    """A pooled connection in a given state, counting the questions asked of it."""

    name: str
    origin: str
    state: str
    asked: int = 0
    asked_expiry: int = 0  # a poll() of its socket, for a real connection

    def _answer(self, index: int) -> bool:
        self.asked += 1
        return STATES[self.state][index]

    def is_closed(self) -> bool:
        return self._answer(0)

    def has_expired(self) -> bool:
        self.asked_expiry += 1
        return self._answer(1)

    def is_idle(self) -> bool:
        return self._answer(2)

    def is_available(self) -> bool:
        return self._answer(3)

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        self.asked += 1
        return origin == httpcore.URL(self.origin).origin


Pool = tuple[list[tuple[str, str]], list[tuple[str, bool]], int, int]
Decided = tuple[list[str], list[str], list[str | None]]


def build(cls: type[httpcore.AsyncConnectionPool], pool: Pool, *,
          swept: bool = False) -> httpcore.AsyncConnectionPool:
    """A pool in the state ``pool`` says; ``swept``: its connections were all asked
    whether they expired a moment ago (tearsheet's pool then asks only the one it uses)."""
    connections, requests, most, keepalive = pool
    built = cls(max_connections=most, max_keepalive_connections=keepalive, http1=True,
                http2=False)
    built._connections = [Connection(f"c{n}", origin, state)  # type: ignore[misc]
                          for n, (origin, state) in enumerate(connections)]
    built._requests = []
    for origin, queued in requests:
        request = httpcore._async.connection_pool.AsyncPoolRequest(
            httpcore.Request("GET", origin + "/story"))
        if not queued:
            request.assign_to_connection(built._connections[0] if connections else None)
        built._requests.append(request)
    if swept and isinstance(built, _Pool):
        built._swept = time.monotonic()
    return built


def decided(cls: type[httpcore.AsyncConnectionPool], state: Pool, *,
            swept: bool = False) -> Decided:
    """What a pass of a pool in ``state`` decides: the connections kept, those to close,
    who serves each request (an existing connection by name, a new one by its origin)."""
    async def run() -> Decided:  # the pool's locks want an event loop
        pool = build(cls, state, swept=swept)
        closing = pool._assign_requests_to_connections()
        return ([_named(c) for c in pool._connections], [_named(c) for c in closing],
                [None if r.connection is None else _named(r.connection)
                 for r in pool._requests])

    return asyncio.run(run())


def _named(connection: object) -> str:
    if isinstance(connection, Connection):
        return connection.name
    assert isinstance(connection, httpcore.AsyncHTTPConnection)
    return f"new {connection._origin}"


def pools(states: list[str]) -> st.SearchStrategy[Pool]:
    return st.tuples(
        st.lists(st.tuples(st.sampled_from(ORIGINS), st.sampled_from(states)), max_size=12),
        st.lists(st.tuples(st.sampled_from(ORIGINS), st.booleans()), max_size=8),
        st.integers(1, 10), st.integers(0, 10))


@settings(max_examples=400, deadline=None)
@given(pools(sorted(STATES)))
def test_the_pool_decides_as_httpcore_does(pool: Pool) -> None:
    """Reuse, new connections, room made by closing an idle one, expired and surplus idle
    connections closed, requests left queued: the same in the same order, state by state
    (a pass that asks every connection whether it expired, as the first one does)."""
    assert decided(_Pool, pool) == decided(httpcore.AsyncConnectionPool, pool)


@settings(max_examples=400, deadline=None)
@given(pools(sorted(set(STATES) - {"expired"})))
def test_between_sweeps_the_pool_decides_as_httpcore_does(pool: Pool) -> None:
    """Between sweeps too, as long as no connection has expired."""
    assert decided(_Pool, pool, swept=True) == decided(httpcore.AsyncConnectionPool, pool)


@settings(max_examples=400, deadline=None)
@given(pools(sorted(STATES)))
def test_between_sweeps_no_request_gets_an_expired_connection(pool: Pool) -> None:
    """An expired connection (the server hung up, or keep-alive ran out) never serves a
    request: it is closed when met, as a sweep would close it, and before any sound one is
    closed to make room; as many requests are served as by httpcore, each by a connection
    to its origin, and no sound connection is closed that httpcore keeps."""
    kept, closing, served = decided(_Pool, pool, swept=True)
    expired = {f"c{n}" for n, (_, state) in enumerate(pool[0]) if state == "expired"}
    was_queued = [queued for _, queued in pool[1]]
    assert not expired & {s for s, queued in zip(served, was_queued, strict=True) if queued}
    assert not set(kept) & set(closing)
    _, their_closing, theirs = decided(httpcore.AsyncConnectionPool, pool)
    assert sum(s is not None for s in served) == sum(s is not None for s in theirs)
    assert set(closing) - expired <= set(their_closing)
    for (origin, queued), by in zip(pool[1], served, strict=True):
        if queued and by is not None:
            assert by == f"new {httpcore.URL(origin).origin}" or \
                pool[0][int(by[1:])][0] == origin


def test_a_pass_asks_each_connection_a_few_questions() -> None:
    """A pass over a pool of n connections asks O(n) questions, not httpcore's O(n²); and
    between sweeps, only the connection it reuses is asked whether it expired (a poll of
    its socket), where httpcore asks every idle one on every pass."""
    def asked(cls: type[httpcore.AsyncConnectionPool], n: int, origin: str,
              swept: bool = False) -> tuple[int, int]:
        async def run() -> tuple[int, int]:
            pool = build(cls, ([(ORIGINS[0], "idle")] * n, [(origin, True)], n, n),
                         swept=swept)
            connections = cast(list[Connection], list(pool._connections))
            pool._assign_requests_to_connections()
            return (sum(c.asked for c in connections),
                    sum(c.asked_expiry for c in connections))
        return asyncio.run(run())

    for n in (16, 64, 256):
        other, same = ORIGINS[1], ORIGINS[0]  # making room for another origin; a reuse
        assert asked(_Pool, n, other)[0] <= 6 * n
        assert asked(httpcore.AsyncConnectionPool, n, other)[0] >= n * n  # the oracle
        assert asked(_Pool, n, same, swept=True)[1] == 1
        assert asked(_Pool, n, same)[1] == n  # a sweep asks every one, as httpcore does
        assert asked(httpcore.AsyncConnectionPool, n, same)[1] == n


def test_concurrent_fetches_share_the_pools_connections(server: LocalServer) -> None:
    """Over a real server: sixty fetches at once, on at most ``concurrency`` connections,
    each reused (the server sees the requests on that many sockets)."""
    server.route("/story", "<html><body><p>Story.</p></body></html>")
    results = fetch_all([server.url(f"/story?n={n}") for n in range(60)],
                        make_settings(concurrency=4, per_host_concurrency=4))
    assert [r.status if isinstance(r, Response) else r for r in results] == [200] * 60
    assert len(server.requests) == 60
    assert 1 <= len({r.client_port for r in server.requests}) <= 4


def test_a_connection_the_server_hung_up_on_is_not_reused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that closes each connection after its answer, without saying so: every
    fetch, a few milliseconds apart and with no sweep of the pool after the first, is
    answered on a new connection, with no retry (none allowed), never sent down the
    closed one."""
    monkeypatch.setattr(_Pool, "SWEEP", 3600.0)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    accepted: list[int] = []

    def serve() -> None:
        for _ in range(5):
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with client:
                accepted.append(client.getpeername()[1])
                client.recv(65536)
                client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               b"Content-Length: 6\r\n\r\nStory.")
                time.sleep(0.005)  # then hangs up, as an idle timeout would

    settings = make_settings(retries=0, timeout=5)

    async def go() -> list[int]:
        statuses = []
        async with Fetcher(settings) as fetcher:
            for n in range(5):
                statuses.append((await fetcher.fetch(
                    f"http://127.0.0.1:{listener.getsockname()[1]}/story?n={n}")).status)
                await asyncio.sleep(0.02)  # the hang-up arrives
        return statuses

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        assert asyncio.run(go()) == [200] * 5
        assert len(set(accepted)) == 5
    finally:
        listener.close()
        thread.join(5)
