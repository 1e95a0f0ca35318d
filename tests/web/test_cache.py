"""The page cache and conditional GET, over HTTP against a real server and store."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tearsheet.config import load_settings
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tearsheet.web import create_app
from tearsheet.web.cache import Kept, PageCache
from tests.support import webclient
from tests.support.served import START, record, serve

URL = "https://news.example/2026/budget"
TEXT = "The council approved a budget of {n} million on Tuesday.\n\nIt adds bus drivers."


@pytest.fixture
def site(store_url: str) -> Iterator[tuple[str, Store]]:
    """One article in two versions, served (on SQLite and on PostgreSQL, where the data
    version is read differently); a second store (the tracker's) writes more."""
    settings = load_settings(None, database_url=store_url)
    store = Store.open(settings.database_url)
    record(store, "daily-example", URL, [(f"Budget {n}", TEXT.format(n=400 + n)) for n in (1, 2)],
           START, timedelta(hours=1))
    writer = Store.open(settings.database_url)
    with serve(create_app(settings, store)) as base:
        yield base, writer
    writer.close()
    store.close()


def store_third_version(store: Store) -> None:
    """What the tracker does when a check finds a change."""
    store.record_check(CheckRecord(
        store.claim_article(1, START + timedelta(days=1)), checked_at=START + timedelta(hours=3),
        outcome="new_version", next_check_at=START + timedelta(days=1), check_interval=7200.0,
        version=NewVersion(url=URL, title="Budget 3", byline=None, published_at=None,
                           modified_at=None, language="en", text=TEXT.format(n=999),
                           content_hash="third")))


@pytest.mark.parametrize("path", ["/", "/articles/1", "/articles/1/diff/1/2", "/sources"])
def test_repeated_pages_come_from_the_cache_with_an_etag(site: tuple[str, Store],
                                                         path: str) -> None:
    base, _ = site
    first = webclient.get(base + path)
    second = webclient.get(base + path)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.text == second.text
    assert first.headers["etag"] == second.headers["etag"]
    assert "content-security-policy" in second.headers  # cached with its headers
    assert second.headers["cache-control"] == "no-cache"  # browsers revalidate by ETag


def test_conditional_get_answers_304_without_a_body(site: tuple[str, Store]) -> None:
    base, _ = site
    etag = webclient.get(base + "/articles/1").headers["etag"]
    again = webclient.get(base + "/articles/1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    weak = webclient.get(base + "/articles/1", headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    other = webclient.get(base + "/articles/1", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and "Budget 2" in other.text


def test_a_new_version_shows_at_once(site: tuple[str, Store]) -> None:
    base, writer = site
    before = {path: webclient.get(base + path) for path in ("/", "/articles/1")}
    assert webclient.get(base + "/articles/1").headers["x-cache"] == "hit"
    store_third_version(writer)
    front = webclient.get(base + "/")
    assert front.headers["x-cache"] == "miss" and "Budget 3" in front.text
    article = webclient.get(base + "/articles/1")
    assert article.headers["x-cache"] == "miss"
    assert "changed 2 times" in article.text and "changed 1 time" in before["/articles/1"].text
    assert article.headers["etag"] != before["/articles/1"].headers["etag"]
    stale = webclient.get(base + "/articles/1",
                          headers={"If-None-Match": before["/articles/1"].headers["etag"]})
    assert stale.status_code == 200  # an old ETag no longer matches
    assert webclient.get(base + "/articles/1/diff/2/3").status_code == 200


@pytest.mark.parametrize(("path", "status"), [("/articles/99", 404), ("/?before=x", 400),
                                              ("/static/style.css", 200),
                                              ("/articles/1/compare?old=2&new=1", 303)])
def test_errors_redirects_and_static_files_are_not_cached(site: tuple[str, Store], path: str,
                                                          status: int) -> None:
    base, _ = site
    for _ in range(2):
        response = webclient.get(base + path)
        assert response.status_code == status
        assert "x-cache" not in response.headers


def _app(counter: list[int], status: int = 200, kind: bytes = b"text/html") -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        counter.append(1)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind)]})
        await send({"type": "http.response.body", "body": f"page {len(counter)}".encode()})
    return app


def _get(cache: PageCache, path: str = "/") -> tuple[int, bytes, dict[bytes, bytes]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
    asyncio.run(cache(scope, receive, send))
    return sent[0]["status"], sent[1]["body"], dict(sent[0]["headers"])


def test_pages_expire_after_max_age_and_when_the_data_changes() -> None:
    calls: list[int] = []
    version = [1]
    cache = PageCache(_app(calls), lambda: version[0], max_age=3600)
    assert _get(cache)[1] == _get(cache)[1] == b"page 1"
    version[0] = 2
    assert _get(cache)[1] == b"page 2"
    expiring = PageCache(_app(calls), lambda: 1, max_age=0)
    assert _get(expiring)[1] != _get(expiring)[1]


def test_settled_pages_outlive_a_change_of_the_data_for_a_while() -> None:
    """The statistics (aggregates of the whole store) are reused for a few seconds after
    the tracker commits; other pages show the change at once."""
    calls: list[int] = []
    version = [1]
    cache = PageCache(_app(calls), lambda: version[0], settle={"/stats": 3600.0})
    first_stats, first_front = _get(cache, "/stats")[1], _get(cache, "/")[1]
    version[0] = 2
    assert _get(cache, "/stats")[1] == first_stats
    assert _get(cache, "/")[1] != first_front and len(calls) == 3
    expiring = PageCache(_app(calls), lambda: version[0], settle={"/stats": 0.0})
    _get(expiring, "/stats")
    version[0] = 3
    assert _get(expiring, "/stats")[2][b"x-cache"] == b"miss"


@pytest.mark.parametrize("limit", [{"max_pages": 2}, {"max_bytes": 13}])
def test_only_the_newest_pages_are_kept(limit: dict[str, int]) -> None:
    calls: list[int] = []
    cache = PageCache(_app(calls), lambda: 1, **limit)
    for path in ("/a", "/b", "/c"):  # bodies of 6 bytes each: "page 1"
        _get(cache, path)
    assert list(cache.pages) == [b"/b?", b"/c?"] and cache.size == 12
    assert _get(cache, "/a")[2][b"x-cache"] == b"miss"


@pytest.mark.parametrize(("status", "kind"), [(500, b"text/html"), (200, b"application/json")])
def test_only_successful_pages_are_kept(status: int, kind: bytes) -> None:
    calls: list[int] = []
    cache = PageCache(_app(calls, status, kind), lambda: 1)
    assert _get(cache)[0] == status
    _get(cache)
    assert len(calls) == 2 and not cache.pages


@pytest.mark.parametrize(("kind", "chunk"), [
    (b"text/plain", 10), (b"text/html", 400 * 1024)])  # not a page; a page too big to keep
def test_an_answer_that_cannot_be_kept_is_passed_on_as_it_comes(kind: bytes,
                                                               chunk: int) -> None:
    """The cache holds an answer only while it may still keep it: a raw capture of
    megabytes goes to the client chunk by chunk, never whole in memory first."""
    from tearsheet.web.cache import MAX_BODY

    sent: list[dict[str, object]] = []
    seen_before_next: list[int] = []

    async def streaming(scope: object, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200,  # type: ignore[operator]
                    "headers": [(b"content-type", kind)]})
        for n in range(4):
            seen_before_next.append(len(sent))  # what reached the client so far
            await send({"type": "http.response.body", "body": b"x" * chunk,  # type: ignore[operator]
                        "more_body": n < 3})

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    async def receive() -> dict[str, str]:
        return {"type": "http.disconnect"}

    cache = PageCache(streaming, lambda: 1)
    scope = {"type": "http", "method": "GET", "path": "/big", "query_string": b"",
             "headers": []}
    asyncio.run(cache(scope, receive, send))
    assert b"".join(m.get("body", b"") for m in sent) == b"x" * chunk * 4  # type: ignore[misc]
    assert not cache.pages
    held = 0 if kind == b"text/plain" else (MAX_BODY // chunk) + 1
    # From the point it could no longer be kept, each chunk was sent before the next made.
    assert seen_before_next[held + 1:] == list(range(held + 2, 5)), seen_before_next


def test_kept_diffs_and_cards_are_bounded_by_count_and_by_size() -> None:
    """The diff and card caches of the app: the least recently used go first, and a few
    huge values cannot hold more than the size bound."""
    kept: Kept[str, str] = Kept(max_items=3, max_size=100)
    for key in "abc":
        kept.put(key, key * 10, 10)
    assert kept.get("a") == "a" * 10  # used: now the newest
    kept.put("d", "d", 10)
    assert kept.get("b") is None and len(kept) == 3 and kept.size == 30
    kept.put("e", "huge", 90)  # over the size bound with the others: they go
    assert kept.get("e") == "huge" and kept.size <= 100 and kept.get("c") is None
    kept.put("f", "too big alone", 101)  # never kept, and nothing else dropped for it
    assert kept.get("f") is None and kept.get("e") == "huge" and kept.size == 100


@pytest.mark.parametrize(("kind", "renders"), [(b"text/html", 1), (b"application/json", 5)])
def test_requests_arriving_during_a_render_share_it(kind: bytes, renders: int) -> None:
    """Five readers ask for the page the tracker's commit just made stale: one renders it,
    the others are answered with its result. An answer that is not a page (JSON) is
    rendered for each of them, none waiting for another's."""
    calls: list[int] = []

    async def scenario() -> list[bytes]:
        release = asyncio.Event()

        async def slow(scope: object, receive: object, send: Any) -> None:
            calls.append(1)
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", kind)]})
            await release.wait()  # still rendering while the others arrive
            await send({"type": "http.response.body", "body": b"page"})

        cache = PageCache(slow, lambda: 7)

        async def get() -> bytes:
            sent: list[dict[str, Any]] = []

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            async def receive() -> dict[str, str]:
                return {"type": "http.disconnect"}

            await cache({"type": "http", "method": "GET", "path": "/", "query_string": b"",
                         "headers": []}, receive, send)
            return b"".join(m.get("body", b"") for m in sent)

        readers = [asyncio.ensure_future(get()) for _ in range(5)]
        while len(calls) < renders:  # every render that will happen has started
            await asyncio.sleep(0)
        for _ in range(20):
            await asyncio.sleep(0)
        release.set()
        return await asyncio.gather(*readers)

    assert asyncio.run(scenario()) == [b"page"] * 5
    assert len(calls) == renders
