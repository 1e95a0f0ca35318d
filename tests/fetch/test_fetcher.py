"""Fetcher against a real local HTTP server: bodies, caps, retries, politeness, robots, SSRF."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import logging
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from tearsheet.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    ResponseTooLargeError,
    RobotsDisallowedError,
)
from tearsheet.fetch import fetcher as fetch_module
from tearsheet.fetch import transport
from tearsheet.fetch.fetcher import Fetcher, Response, _retry_after
from tearsheet.fetch.transport import is_blocked_address
from tests.support.fetching import fetch_all, fetch_one, make_settings
from tests.support.localserver import LocalServer, Reply, Request

HTML = "<html><body><p>Story</p></body></html>"




def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def sequence(*replies: Reply) -> Callable[[Request], Reply]:
    """A route answering each request with the next reply (the last one repeats)."""
    queue = list(replies)

    def handler(request: Request) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


# --- bodies ------------------------------------------------------------------------------------


def test_ok_body_and_headers(server: LocalServer) -> None:
    server.route("/a", Reply(body=HTML, headers={
        "Content-Type": 'text/HTML; charset="ISO-8859-1"', "ETag": '"v1"',
        "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT", "X-Extra": "yes"}))
    response = fetch_one(server.url("/a"))
    assert response.status == 200
    assert response.body == HTML.encode()
    assert response.url == response.requested_url == server.url("/a")
    assert response.redirects == ()
    assert response.headers["x-extra"] == "yes"
    assert response.content_type == "text/html"
    assert response.charset == "iso-8859-1"
    assert response.etag == '"v1"'
    assert response.last_modified == "Wed, 01 May 2024 10:00:00 GMT"
    assert not response.not_modified
    assert response.fetched_at.tzinfo is not None
    assert abs(response.fetched_at - datetime.now(UTC)) < timedelta(seconds=10)
    sent = server.hits("/a")[0].headers
    assert sent["User-Agent"] == make_settings().user_agent
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in sent


def test_no_content_type(server: LocalServer) -> None:
    server.route("/a", Reply(body=b"x", headers={"Content-Type": ""}))
    response = fetch_one(server.url("/a"))
    assert response.content_type == ""
    assert response.charset is None


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(("encoding", "encode"), [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("GZIP", lambda b: gzip.compress(b[:10]) + gzip.compress(b[10:])),  # two members
    ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
    ("deflate", _raw_deflate),  # raw, as some servers send it
    ("identity", lambda b: b),
])
def test_compressed_bodies(server: LocalServer, encoding: str,
                           encode: Callable[[bytes], bytes]) -> None:
    body = (HTML * 50).encode()
    server.route("/a", Reply(body=encode(body), headers={"Content-Encoding": encoding}))
    assert fetch_one(server.url("/a")).body == body


@pytest.mark.parametrize(("encoding", "body", "message"), [
    ("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage", "corrupt gzip"),
    ("gzip", gzip.compress(HTML.encode())[:-12], "truncated or corrupt gzip"),
    ("deflate", b"\x00\x01\x02\x03 not deflate at all \xff\xfe", "deflate body"),
    ("br", b"whatever", "unsupported Content-Encoding 'br'"),
])
def test_bad_encodings(server: LocalServer, encoding: str, body: bytes, message: str) -> None:
    server.route("/a", Reply(body=body, headers={"Content-Encoding": encoding}))
    with pytest.raises(FetchError, match=message) as info:
        fetch_one(server.url("/a"))
    assert type(info.value) is FetchError
    assert info.value.url == server.url("/a")
    assert len(server.hits("/a")) == 1  # not retried


def test_gzip_bomb_is_stopped_early(server: LocalServer) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1_000_000)
    bomb = b"".join(compressor.compress(zeros) for _ in range(50)) + compressor.flush()
    assert len(bomb) < 100_000  # 50 MB once expanded
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError, match=r"larger than fetch\.max_bytes"):
            fetch_one(server.url("/bomb"), make_settings(max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000


def test_plain_body_over_cap_while_streaming(server: LocalServer) -> None:
    # Chunked, so no Content-Length warns us: the cap must trip while reading.
    body = chunked(*[b"x" * 4000] * 10)
    server.route("/big", Reply(body=body, headers={"Transfer-Encoding": "chunked"}))
    with pytest.raises(ResponseTooLargeError):
        fetch_one(server.url("/big"), make_settings(max_bytes=10_000))
    assert fetch_one(server.url("/big"), make_settings(max_bytes=40_000)).body == b"x" * 40_000


def test_content_length_over_cap_refused(server: LocalServer) -> None:
    server.route("/big", Reply(body=b"y" * 5000))
    with pytest.raises(ResponseTooLargeError, match="announces 5000 bytes"):
        fetch_one(server.url("/big"), make_settings(max_bytes=4999))
    assert len(server.hits("/big")) == 1


# --- conditional GET and redirects ------------------------------------------------------------


def test_not_modified(server: LocalServer) -> None:
    def handler(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(body=HTML, headers={"ETag": '"v1"'})

    server.route("/a", handler)
    since = "Wed, 01 May 2024 10:00:00 GMT"
    response = fetch_one(server.url("/a"), etag='"v1"', last_modified=since)
    assert response.status == 304 and response.not_modified
    assert response.body == b""
    assert response.etag == '"v1"'
    sent = server.hits("/a")[0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == since


def test_redirect_chain(server: LocalServer) -> None:
    server.route("/a", Reply(status=301, headers={"Location": "/b?x=1"}))
    server.route("/b", Reply(status=302, headers={"Location": "c"}))  # relative to /b
    server.route("/c", Reply(status=307, headers={"Location": server.url("/d#frag")}))
    server.route("/d", HTML)
    response = fetch_one(server.url("/a"))
    assert response.body == HTML.encode()
    assert response.url == server.url("/d")
    assert response.requested_url == server.url("/a")
    assert response.redirects == (server.url("/a"), server.url("/b?x=1"), server.url("/c"))


@pytest.mark.parametrize(("routes", "message"), [
    ({"/a": "/b", "/b": "/a"}, "redirect loop"),
    ({"/a": "/a"}, "redirect loop"),
    ({"/a": "/r0", **{f"/r{i}": f"/r{i + 1}" for i in range(20)}}, "more than 10 redirects"),
])
def test_redirect_loops(server: LocalServer, routes: dict[str, str], message: str) -> None:
    for path, target in routes.items():
        server.route(path, Reply(status=302, headers={"Location": target}))
    with pytest.raises(FetchError, match=message) as info:
        fetch_one(server.url("/a"))
    assert info.value.url == server.url("/a")


def test_ten_redirects_are_fine(server: LocalServer) -> None:
    for i in range(10):
        server.route(f"/r{i}", Reply(status=302, headers={"Location": f"/r{i + 1}"}))
    server.route("/r10", HTML)
    assert len(fetch_one(server.url("/r0")).redirects) == 10


def test_error_after_redirect_names_both_urls(server: LocalServer) -> None:
    server.route("/a", Reply(status=301, headers={"Location": "/gone"}))
    with pytest.raises(HTTPStatusError) as info:
        fetch_one(server.url("/a"))
    assert info.value.url == server.url("/a") and info.value.status == 404
    assert server.url("/gone") in str(info.value)


def test_error_reported_against_url_as_given(server: LocalServer) -> None:
    server.route("/", Reply(status=410))
    with pytest.raises(HTTPStatusError) as info:
        fetch_one(server.base)  # normalised to .../ internally
    assert info.value.url == server.base
    assert str(info.value) == f"{server.base}: server answered 410 Gone"


# --- retries ----------------------------------------------------------------------------------


def test_500_retried_then_reported(server: LocalServer) -> None:
    server.route("/a", Reply(status=500, body="boom"))
    with pytest.raises(HTTPStatusError) as info:
        fetch_one(server.url("/a"), make_settings(retries=2))
    assert info.value.status == 500
    assert len(server.hits("/a")) == 3
    assert str(info.value) == (
        f"{server.url('/a')}: server answered 500 Internal Server Error after 3 attempts")


@pytest.mark.parametrize("status", [502, 504])
def test_transient_status_then_success(server: LocalServer, status: int) -> None:
    server.route("/a", sequence(Reply(status=status), Reply(body=HTML)))
    assert fetch_one(server.url("/a")).body == HTML.encode()
    assert len(server.hits("/a")) == 2


def test_retry_after_honoured(server: LocalServer) -> None:
    server.route("/a", sequence(Reply(status=503, headers={"Retry-After": "1"}), Reply(body=HTML)))
    started = time.monotonic()
    response = fetch_one(server.url("/a"), make_settings(max_retry_after=2))
    assert response.body == HTML.encode()
    first, second = server.hits("/a")
    assert second.at - first.at >= 0.9
    assert time.monotonic() - started < 3


def test_retry_after_too_long_gives_up_at_once(server: LocalServer) -> None:
    server.route("/a", Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(HTTPStatusError) as info:
        fetch_one(server.url("/a"), make_settings(max_retry_after=2, retries=3))
    assert info.value.status == 429
    assert info.value.retry_after == 3600
    assert "429 Too Many Requests" in str(info.value)
    assert len(server.hits("/a")) == 1


def test_retry_after_parsing() -> None:
    assert _retry_after("120") == 120
    assert _retry_after(" 0 ") == 0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    assert _retry_after("nan") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=100), usegmt=True)
    assert 95 <= (_retry_after(later) or 0) <= 100
    assert _retry_after("Wed, 01 Jan 2020 00:00:00 GMT") == 0


@pytest.mark.parametrize("status", [404, 410, 403, 400])
def test_client_errors_not_retried(server: LocalServer, status: int) -> None:
    server.route("/a", Reply(status=status))
    with pytest.raises(HTTPStatusError) as info:
        fetch_one(server.url("/a"), make_settings(retries=3))
    assert info.value.status == status
    assert info.value.retry_after is None
    assert len(server.hits("/a")) == 1


def test_timeout(server: LocalServer) -> None:
    server.route("/slow", Reply(body=HTML, delay=1.0))
    with pytest.raises(FetchTimeoutError, match=r"no answer within 0.3 s after 2 attempts"):
        fetch_one(server.url("/slow"), make_settings(timeout=0.3, retries=1))
    assert len(server.hits("/slow")) == 2


def test_truncated_body(server: LocalServer) -> None:
    server.route("/cut", Reply(body="z" * 1000, truncate_at=100))
    with pytest.raises(FetchError, match="truncated body") as info:
        fetch_one(server.url("/cut"), make_settings(retries=1))
    assert type(info.value) is FetchError
    assert len(server.hits("/cut")) == 2


def test_truncated_once_then_whole(server: LocalServer) -> None:
    server.route("/cut", sequence(Reply(body="z" * 1000, truncate_at=100), Reply(body="z" * 1000)))
    assert fetch_one(server.url("/cut")).body == b"z" * 1000


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect") as info:
        fetch_one(f"http://127.0.0.1:{port}/a", make_settings(retries=1))
    assert type(info.value) is FetchError
    assert "after 2 attempts" in str(info.value)


@pytest.mark.parametrize("url", [
    "ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "http:///nohost", "",
])
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch_one(url)
    assert type(info.value) is FetchError


def test_redirect_to_other_scheme(server: LocalServer) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match="unsupported URL scheme 'file'"):
        fetch_one(server.url("/a"))


# --- robots.txt -------------------------------------------------------------------------------

ROBOTS = "User-agent: *\nDisallow: /\n\nUser-agent: tearsheet\nDisallow: /private\n"


def test_robots_disallow_and_cache(server: LocalServer) -> None:
    server.route("/robots.txt", Reply(body=ROBOTS, headers={"Content-Type": "text/plain"}))
    for path in ("/a", "/b", "/c", "/private/x"):
        server.route(path, HTML)
    urls = [server.url(p) for p in ("/a", "/b", "/c", "/private/x")]
    results = fetch_all(urls, make_settings(obey_robots=True))
    assert [isinstance(r, Response) for r in results[:3]] == [True, True, True]
    assert isinstance(results[3], RobotsDisallowedError)
    assert "robots.txt" in str(results[3])
    assert len(server.hits("/robots.txt")) == 1
    assert server.hits("/private/x") == []


def test_robots_other_agents_only(server: LocalServer) -> None:
    server.route("/robots.txt", "User-agent: otherbot\nDisallow: /\n")
    server.route("/a", HTML)
    assert fetch_one(server.url("/a"), make_settings(obey_robots=True)).status == 200


@pytest.mark.parametrize("robots", [
    Reply(status=404), Reply(status=410), Reply(status=403),
    Reply(status=500), Reply(body="User-agent: *\nDisallow: /\n" * 30_000),  # over 512 KB
])
def test_robots_missing_or_broken_allows(server: LocalServer, robots: Reply,
                                         caplog: pytest.LogCaptureFixture) -> None:
    server.route("/robots.txt", robots)
    server.route("/a", HTML)
    with caplog.at_level(logging.WARNING, logger="tearsheet.fetch.fetcher"):
        assert fetch_one(server.url("/a"), make_settings(obey_robots=True)).status == 200
    assert len(server.hits("/robots.txt")) == 1
    assert bool(caplog.records) == (robots.status == 500 or robots.status == 200)


def test_robots_on_redirect_target(server: LocalServer) -> None:
    server.route("/robots.txt", "User-agent: tearsheet\nDisallow: /private\n")
    server.route("/a", Reply(status=302, headers={"Location": "/private/b"}))
    with pytest.raises(RobotsDisallowedError):
        fetch_one(server.url("/a"), make_settings(obey_robots=True))
    assert server.hits("/private/b") == []


def test_robots_redirect_followed(server: LocalServer) -> None:
    server.route("/robots.txt", Reply(status=301, headers={"Location": "/real-robots.txt"}))
    server.route("/real-robots.txt", "User-agent: tearsheet\nDisallow: /\n")
    with pytest.raises(RobotsDisallowedError):
        fetch_one(server.url("/a"), make_settings(obey_robots=True))


# --- internal addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(("address", "blocked"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("172.20.0.1", True), ("192.168.1.1", True),
    ("169.254.1.1", True), ("100.64.0.1", True), ("0.0.0.0", True), ("224.0.0.1", True),
    ("255.255.255.255", True), ("::1", True), ("::", True), ("fc00::1", True),
    ("fe80::1", True), ("fe80::1%eth0", True), ("ff02::1", True), ("::ffff:127.0.0.1", True),
    ("::ffff:10.0.0.1", True), ("2002:7f00:1::", True), ("64:ff9b::a00:1", True),
    ("8.8.8.8", False), ("1.1.1.1", False), ("2606:4700::1111", False),
    ("::ffff:8.8.8.8", False),
])
def test_address_classifier(address: str, blocked: bool) -> None:
    assert is_blocked_address(address) is blocked


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_address_refused(server: LocalServer, host: str) -> None:
    server.route("/a", HTML)
    url = server.url("/a").replace("127.0.0.1", host)
    with pytest.raises(BlockedAddressError) as info:
        fetch_one(url, make_settings(allow_private_addresses=False, obey_robots=True))
    assert info.value.url == url
    assert server.requests == []


def test_private_address_refused_at_connect_time(server: LocalServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if the early check is fooled (DNS rebinding), the connection is refused."""

    async def fooled(self: Fetcher, url: Any) -> None:
        return None

    monkeypatch.setattr(Fetcher, "_check_address", fooled)
    server.route("/a", HTML)
    with pytest.raises(BlockedAddressError, match="internal address"):
        fetch_one(server.url("/a"), make_settings(allow_private_addresses=False, retries=2))
    assert server.requests == []


def test_redirect_to_internal_address_refused(server: LocalServer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Only loopback is available here, so pretend 127.0.0.1 is public and 127.0.0.2 is not.
    for module in (fetch_module, transport):  # the early check and the connect-time guard
        monkeypatch.setattr(module, "is_blocked_address", lambda a: a == "127.0.0.2")
    server.route("/a", Reply(status=302, headers={"Location": f"http://127.0.0.2:{server.port}/"}))
    with pytest.raises(BlockedAddressError):
        fetch_one(server.url("/a"), make_settings(allow_private_addresses=False))
    assert [r.path for r in server.requests] == ["/a"]


# --- politeness -------------------------------------------------------------------------------


def test_per_host_delay_under_concurrency(server: LocalServer) -> None:
    for i in range(6):
        server.route(f"/p{i}", HTML)
    urls = [server.url(f"/p{i}") for i in range(6)]
    results = fetch_all(urls, make_settings(per_host_delay=0.4, obey_robots=True,
                                            per_host_concurrency=4))
    assert all(isinstance(r, Response) for r in results)
    starts = sorted(r.at for r in server.requests)
    assert len(starts) == 7  # robots.txt counts too
    # The server notes each arrival on its own thread: a wide margin below the delay keeps a
    # loaded machine's scheduling out of the verdict (without the delay the gaps are ~1 ms).
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.25


@pytest.mark.parametrize(("concurrency", "per_host"), [(16, 2), (2, 4)])
def test_concurrency_caps(server: LocalServer, concurrency: int, per_host: int) -> None:
    lock = threading.Lock()
    in_flight = [0, 0]  # now, most ever

    def slow(request: Request) -> Reply:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.3)
        with lock:
            in_flight[0] -= 1
        return Reply(body=HTML)

    server.route("/slow", slow)
    results = fetch_all([server.url("/slow")] * 6, make_settings(
        concurrency=concurrency, per_host_concurrency=per_host))
    assert all(isinstance(r, Response) for r in results)
    assert in_flight[1] == 2


def test_a_pooled_connection_knows_when_the_server_hung_up() -> None:
    """The pool's cheap "did the server close this idle connection?" check (one poll)."""
    listener = socket.create_server(("127.0.0.1", 0))

    async def go() -> list[bool]:
        stream = await transport._GuardedBackend(guard=False).connect_tcp(
            "127.0.0.1", listener.getsockname()[1], timeout=5)
        accepted, _ = listener.accept()
        seen = [stream.get_extra_info("is_readable")]
        accepted.close()  # the server hangs up on the idle connection
        await asyncio.sleep(0.05)
        seen.append(stream.get_extra_info("is_readable"))
        assert stream.get_extra_info("socket") is not None
        await stream.aclose()
        return seen

    try:
        assert asyncio.run(go()) == [False, True]
    finally:
        listener.close()


# --- the raw exchange, for the WARC capture ---------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_the_exchange_keeps_the_body_as_received(server: LocalServer, encoding: str) -> None:
    body = HTML.encode() * 50
    sent = gzip.compress(body) if encoding == "gzip" else body
    server.route("/raw", Reply(body=sent, headers={"Content-Encoding": encoding,
                                                   "X-Custom": "Kept As Sent"}))
    response = fetch_one(server.url("/raw"))
    exchange = response.exchange
    assert exchange is not None and response.body == body
    assert exchange.body == sent
    if encoding == "identity":
        assert exchange.body is response.body  # kept at no extra cost
    assert ("X-Custom", "Kept As Sent") in exchange.response_headers  # case and order kept
    assert (exchange.http_version, exchange.reason) == ("HTTP/1.1", "OK")
    assert (exchange.request_method, exchange.request_target) == ("GET", "/raw")
    assert any(name.lower() == "accept-encoding" for name, _ in exchange.request_headers)


def test_the_size_cap_holds_on_the_decompressed_stream_still(server: LocalServer) -> None:
    bomb = gzip.compress(b"a" * 5_000_000)  # 5 KB that decompress to 5 MB
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(ResponseTooLargeError):
        fetch_one(server.url("/bomb"), make_settings(max_bytes=1_000_000))
