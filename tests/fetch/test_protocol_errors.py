"""Broken HTTP answers end in messages that say what happened (the API's own errors:
web/test_protocol_errors.py).

The servers are real sockets on 127.0.0.1 that send scripted bytes."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tearsheet.config import FetchSettings
from tearsheet.errors import FetchError, FetchTimeoutError
from tearsheet.fetch.fetcher import Fetcher


@pytest.fixture
def raw_server() -> Iterator[tuple[list[bytes], str]]:
    """A server answering every connection with the bytes put in the list (b"TRICKLE":
    a 200 whose body arrives a byte every 0.2 s)."""
    script: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def answer() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                try:
                    if script[0] == b"TRICKLE":
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                        for _ in range(100):
                            conn.sendall(b"x")
                            time.sleep(0.2)
                    else:
                        conn.sendall(script[0])
                except OSError:
                    pass

    threading.Thread(target=answer, daemon=True).start()
    yield script, f"http://127.0.0.1:{listener.getsockname()[1]}/story"
    listener.close()


def fetch(url: str, timeout: float = 2.0) -> FetchError:
    settings = FetchSettings(allow_private_addresses=True, obey_robots=False, retries=0,
                             timeout=timeout, per_host_delay=0)

    async def go() -> FetchError:
        async with Fetcher(settings) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(url)
        return caught.value

    return asyncio.run(go())


@pytest.mark.parametrize(("answer", "words"), [
    (b"HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n",
     "a redirect to an invalid URL"),
    (b"HTTP/1.1 301 Moved\r\nLocation: http://ex\x01ample.com/\r\nContent-Length: 0\r\n\r\n",
     "a redirect to an invalid URL"),
    (b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 300_000 + b"\r\n\r\n",
     "the response headers are too large"),
    (b"HTTP/1.1 abc Broken\r\n\r\n", "a bad status line"),
    (b"\x00\x01 not http at all\r\n\r\n", "a bad status line"),
])
def test_broken_answers_say_what_was_broken(raw_server: tuple[list[bytes], str],
                                            answer: bytes, words: str) -> None:
    script, url = raw_server
    script.append(answer)
    error = fetch(url)
    assert words in str(error)
    assert "server closed the connection" not in str(error)


def test_a_trickling_server_fails_on_the_total_deadline(
        raw_server: tuple[list[bytes], str]) -> None:
    script, url = raw_server
    script.append(b"TRICKLE")
    error = fetch(url, timeout=0.5)
    assert isinstance(error, FetchTimeoutError)
    assert "total deadline of 2 s (4 × fetch.timeout)" in str(error)
