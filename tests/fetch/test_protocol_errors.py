"""Broken HTTP answers and broken API requests end in messages that say what happened.

The servers are real sockets on 127.0.0.1 that send scripted bytes."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tearsheet.config import FetchSettings, load_settings
from tearsheet.errors import FetchError, FetchTimeoutError
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tests.support.served import serve


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


# --- the API's contract ------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    from tearsheet.web import create_app

    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             api={"token": "t" * 20})
    store = Store.open(settings.database_url)
    try:
        with serve(create_app(settings, store)) as base:
            yield base
    finally:
        store.close()


@pytest.mark.parametrize("moment", ["0.5", "12", "1e9", "yesterday"])
def test_changed_since_takes_dates_not_numbers(site: str, moment: str) -> None:
    answer = httpx.get(site + "/api/v1/articles", params={"changed_since": moment})
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["query", "changed_since"] and "ISO 8601" in problem["msg"]
    ok = httpx.get(site + "/api/v1/articles", params={"changed_since": "2026-11-20"})
    assert ok.status_code == 200


def test_options_and_405_name_every_method_of_the_path(site: str) -> None:
    options = httpx.options(site + "/api/v1/sources")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, OPTIONS, POST"
    for method, path, allow in [("PUT", "/api/v1/sources", "GET, OPTIONS, POST"),
                                ("DELETE", "/api/v1/changes", "GET, OPTIONS"),
                                ("POST", "/", "GET, OPTIONS")]:
        answer = httpx.request(method, site + path)
        assert answer.status_code == 405, (method, path)
        assert answer.headers["allow"] == allow
        assert method in answer.text


def test_a_422_of_a_write_is_a_list_as_documented(site: str) -> None:
    answer = httpx.post(site + "/api/v1/sources", json={"name": "empty"},
                        headers={"Authorization": "Bearer " + "t" * 20})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert isinstance(detail, list) and "at least one feed" in detail[0]["msg"]
    schema = httpx.get(site + "/openapi.json").json()
    documented = schema["paths"]["/api/v1/sources"]["post"]["responses"]
    assert {"400", "401", "403", "409", "422"} <= set(documented)
    assert documented["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "HTTPValidationError")
