"""A site that refuses us (403, 429) is ``blocked`` and its whole host backs off: no
request to it while the wait is long, every request after it while it is short."""

from __future__ import annotations

import asyncio

import pytest

from tearsheet.config import FetchSettings
from tearsheet.errors import BlockedError, HTTPStatusError
from tearsheet.fetch.fetcher import Fetcher, Response
from tests.support.localserver import LocalServer, Reply
from tests.support.pages import LOREM, article_page

SETTINGS = FetchSettings(allow_private_addresses=True, per_host_delay=0, retry_backoff=0.01,
                         obey_robots=False, timeout=2, max_retry_after=2)


def fetch_in_turn(urls: list[str]) -> list[Response | BaseException]:
    async def go() -> list[Response | BaseException]:
        results: list[Response | BaseException] = []
        async with Fetcher(SETTINGS) as fetcher:
            for url in urls:
                try:
                    results.append(await fetcher.fetch(url))
                except HTTPStatusError as exc:  # BlockedError is one
                    results.append(exc)
        return results
    return asyncio.run(go())


def test_403_blocks_the_host_without_asking_again(server: LocalServer) -> None:
    server.route("/a", Reply(status=403, body="Forbidden"))
    server.route("/b", article_page("B", LOREM))
    first, second = fetch_in_turn([server.url("/a"), server.url("/b")])
    assert isinstance(first, BlockedError) and first.kind == "blocked" and first.status == 403
    assert isinstance(second, BlockedError) and second.retry_after is not None
    assert "backing off" in str(second)
    assert server.hits("/b") == []


def test_long_retry_after_blocks_the_host(server: LocalServer) -> None:
    server.route("/a", Reply(status=429, headers={"Retry-After": "600"}))
    server.route("/b", article_page("B", LOREM))
    first, second = fetch_in_turn([server.url("/a"), server.url("/b")])
    assert isinstance(first, BlockedError) and first.retry_after == 600
    assert isinstance(second, BlockedError) and 590 < (second.retry_after or 0) <= 600
    assert server.hits("/b") == []


def test_short_retry_after_holds_every_request_to_the_host(server: LocalServer) -> None:
    answers = iter([Reply(status=429, headers={"Retry-After": "1"})])
    server.route("/a", lambda request: next(answers, Reply(body=article_page("A", LOREM))))
    server.route("/b", article_page("B", LOREM))

    async def go() -> None:
        async with Fetcher(SETTINGS) as fetcher:
            first = asyncio.create_task(fetcher.fetch(server.url("/a")))
            while not server.hits("/a"):
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)  # the 429 is in
            await fetcher.fetch(server.url("/b"))
            assert (await first).status == 200

    asyncio.run(go())
    refused, served = server.hits("/a")
    assert served.at - refused.at >= 0.9
    assert server.hits("/b")[0].at - refused.at >= 0.9  # the whole host waited


@pytest.mark.parametrize("status", [200, 404])
def test_other_answers_do_not_block(server: LocalServer, status: int) -> None:
    server.route("/a", Reply(status=status, body=article_page("A", LOREM)))
    server.route("/b", article_page("B", LOREM))
    first, second = fetch_in_turn([server.url("/a"), server.url("/b")])
    assert not isinstance(first, BlockedError)
    assert isinstance(second, Response)
