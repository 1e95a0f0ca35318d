"""The fetcher's connection pool: httpcore's decisions, made in linear time."""

from __future__ import annotations

import asyncio
import dataclasses

import httpcore
from hypothesis import given, settings
from hypothesis import strategies as st

from tearsheet.config import FetchSettings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.fetch.transport import _Pool
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

    def _answer(self, index: int) -> bool:
        self.asked += 1
        return STATES[self.state][index]

    def is_closed(self) -> bool:
        return self._answer(0)

    def has_expired(self) -> bool:
        return self._answer(1)

    def is_idle(self) -> bool:
        return self._answer(2)

    def is_available(self) -> bool:
        return self._answer(3)

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        self.asked += 1
        return origin == httpcore.URL(self.origin).origin


Pool = tuple[list[tuple[str, str]], list[tuple[str, bool]], int, int]


def build(cls: type[httpcore.AsyncConnectionPool], pool: Pool) -> httpcore.AsyncConnectionPool:
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
    return built


def decided(cls: type[httpcore.AsyncConnectionPool], state: Pool) -> tuple[object, ...]:
    """What a pass of a pool in ``state`` decides: the connections kept, those to close,
    who serves each request (an existing connection by name, a new one by its origin)."""
    return asyncio.run(_decided(cls, state))  # the pool's locks want an event loop


async def _decided(cls: type[httpcore.AsyncConnectionPool], state: Pool) -> tuple[object, ...]:
    def named(connection: object) -> str:
        if isinstance(connection, Connection):
            return connection.name
        assert isinstance(connection, httpcore.AsyncHTTPConnection)
        return f"new {connection._origin}"

    pool = build(cls, state)
    closing = pool._assign_requests_to_connections()
    return ([named(c) for c in pool._connections], [named(c) for c in closing],
            [None if r.connection is None else named(r.connection) for r in pool._requests])


pools = st.tuples(
    st.lists(st.tuples(st.sampled_from(ORIGINS), st.sampled_from(sorted(STATES))),
             max_size=12),
    st.lists(st.tuples(st.sampled_from(ORIGINS), st.booleans()), max_size=8),
    st.integers(1, 10), st.integers(0, 10))


@settings(max_examples=400, deadline=None)
@given(pools)
def test_the_pool_decides_as_httpcore_does(pool: Pool) -> None:
    """Reuse, new connections, room made by closing an idle one, expired and surplus idle
    connections closed, requests left queued: the same in the same order, state by state."""
    assert decided(_Pool, pool) == decided(httpcore.AsyncConnectionPool, pool)


def test_a_pass_asks_each_connection_a_few_questions() -> None:
    """A pass over a pool of n connections asks O(n) questions, not httpcore's O(n²)."""
    def questions(cls: type[httpcore.AsyncConnectionPool], n: int) -> int:
        async def asked() -> int:
            pool = build(cls, ([(ORIGINS[0], "idle")] * n, [(ORIGINS[1], True)], n, n))
            connections = list(pool._connections)
            pool._assign_requests_to_connections()  # closes one to make room for origin b
            return sum(c.asked for c in connections)  # type: ignore[attr-defined]
        return asyncio.run(asked())

    for n in (16, 64, 256):
        assert questions(_Pool, n) <= 6 * n
        assert questions(httpcore.AsyncConnectionPool, n) >= n * n  # the oracle: quadratic


def test_concurrent_fetches_share_the_pools_connections(server: LocalServer) -> None:
    """Over a real server: sixty fetches at once, on at most ``concurrency`` connections,
    each reused (the server sees the requests on that many sockets)."""
    server.route("/story", "<html><body><p>Story.</p></body></html>")
    settings = FetchSettings(allow_private_addresses=True, per_host_delay=0,
                             obey_robots=False, concurrency=4, per_host_concurrency=4)

    async def go() -> list[int]:
        async with Fetcher(settings) as fetcher:
            responses = await asyncio.gather(*(
                fetcher.fetch(server.url(f"/story?n={n}")) for n in range(60)))
        return [r.status for r in responses]

    assert asyncio.run(go()) == [200] * 60
    assert len(server.requests) == 60
    assert 1 <= len({r.client_port for r in server.requests}) <= 4
