"""Mastodon and Bluesky clients against local servers that check the real requests."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tearsheet.notify import social
from tests.support import webclient
from tests.support.localserver import LocalServer
from tests.support.protocols import DID, PASSWORD, TOKEN, FakeMastodon, FakePDS, multipart

NOW = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def post(key: str = "tearsheet-1", text: str = "The Daily changed a story") -> social.Post:
    return social.Post(text=text + "\nhttps://ts.example/articles/1/diff/1/2", image=PNG,
                       alt="A card", size=(1200, 675), key=key, created_at=NOW,
                       link="https://ts.example/articles/1/diff/1/2")


def run(coroutine: Any) -> Any:
    async def go() -> Any:
        async with webclient.async_client() as client:
            return await coroutine(client)
    return asyncio.run(go())


@pytest.fixture
def server() -> Any:
    running = LocalServer().start()
    yield running
    running.stop()


def test_mastodon_uploads_the_card_then_posts_and_threads(server: LocalServer) -> None:
    fake = FakeMastodon(server, processing_polls=1)
    mastodon = social.Mastodon(server.base, TOKEN, 5, lambda: NOW, poll_interval=0)
    first = run(lambda c: mastodon.post(c, post("k-1"), None, False))
    thread = social.Thread(first, first)
    second = run(lambda c: mastodon.post(c, post("k-2"), thread, False))
    assert [s.in_reply_to_id for s in fake.statuses] == [None, first.id]
    assert second.id == fake.statuses[1].id and second.url.endswith(second.id)
    assert fake.statuses[0].media[0]["description"] == "A card"
    upload = server.hits("/api/v2/media")[0]
    assert multipart(upload)["file"][2] == "image/png"
    assert server.hits("/api/v1/statuses")[0].headers["Idempotency-Key"] == "k-1"


def test_mastodon_answers_a_repeated_key_with_the_first_status(server: LocalServer) -> None:
    fake = FakeMastodon(server, processing_polls=0)
    mastodon = social.Mastodon(server.base, TOKEN, 5, lambda: NOW)
    a = run(lambda c: mastodon.post(c, post("same"), None, False))
    b = run(lambda c: mastodon.post(c, post("same"), None, True))
    assert a.id == b.id and len(fake.statuses) == 1


def test_mastodon_long_text_keeps_the_link() -> None:
    text = social.shorten("word " * 200 + "\nhttps://ts.example/d", 500, "https://ts.example/d")
    assert len(text) <= 500 and text.endswith("…\nhttps://ts.example/d")


def test_mastodon_429_names_the_reset_and_pauses(server: LocalServer) -> None:
    fake = FakeMastodon(server, processing_polls=0)
    reset = NOW + timedelta(minutes=5)
    fake.rate_headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                         "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z")}
    fake.fail_next = [429]
    mastodon = social.Mastodon(server.base, TOKEN, 5, lambda: NOW)
    with pytest.raises(social.RateLimited) as caught:
        run(lambda c: mastodon.post(c, post(), None, False))
    assert caught.value.until == reset
    with pytest.raises(social.RateLimited):  # paused: no request at all
        run(lambda c: mastodon.post(c, post(), None, False))
    assert len(server.hits("/api/v2/media")) == 1


def test_mastodon_bad_token_is_final_and_not_echoed(server: LocalServer) -> None:
    FakeMastodon(server)
    mastodon = social.Mastodon(server.base, "wrong-token-xyz", 5, lambda: NOW)
    with pytest.raises(social.PostError) as caught:
        run(lambda c: mastodon.post(c, post(), None, False))
    assert caught.value.final and "401" in str(caught.value)
    assert "wrong-token-xyz" not in str(caught.value)


def test_bluesky_session_blob_record_with_alt_facet_and_reply(server: LocalServer) -> None:
    pds = FakePDS(server)
    sky = social.Bluesky(server.base, "bot.example", PASSWORD, 5, lambda: NOW)
    first = run(lambda c: sky.post(c, post("tearsheet-1"), None, False))
    second = run(lambda c: sky.post(c, post("tearsheet-2"), social.Thread(first, first),
                                    False))
    assert pds.sessions == 1  # one login for both
    root, reply = pds.posts
    assert first.id == root.uri and first.id.startswith(f"at://{DID}/app.bsky.feed.post/")
    assert reply.value["reply"] == {"root": {"uri": first.id, "cid": first.cid},
                                    "parent": {"uri": first.id, "cid": first.cid}}
    image = root.value["embed"]["images"][0]
    assert image["alt"] == "A card" and image["aspectRatio"] == {"width": 1200, "height": 675}
    facet = root.value["facets"][0]
    text = root.value["text"].encode()
    link = text[facet["index"]["byteStart"]:facet["index"]["byteEnd"]]
    assert link == b"https://ts.example/articles/1/diff/1/2"
    assert second.url.startswith("https://bsky.app/profile/")
    blob = json.loads(server.hits("/xrpc/com.atproto.repo.createRecord")[0].body)
    assert blob["record"]["createdAt"].endswith("Z")


def test_bluesky_repeated_attempt_finds_the_post_instead_of_posting(server: LocalServer
                                                                     ) -> None:
    pds = FakePDS(server)
    sky = social.Bluesky(server.base, "bot.example", PASSWORD, 5, lambda: NOW)
    a = run(lambda c: sky.post(c, post("tearsheet-7"), None, False))
    b = run(lambda c: sky.post(c, post("tearsheet-7"), None, True))
    assert a == b and len(pds.posts) == 1


def test_bluesky_rate_limit_reset_is_a_unix_time(server: LocalServer) -> None:
    pds = FakePDS(server)
    reset = NOW + timedelta(seconds=90)
    pds.rate_headers = {"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
                        "RateLimit-Reset": str(int(reset.timestamp()))}
    pds.fail_next = [429]
    sky = social.Bluesky(server.base, "bot.example", PASSWORD, 5, lambda: NOW)
    with pytest.raises(social.RateLimited) as caught:
        run(lambda c: sky.post(c, post(), None, False))
    assert caught.value.until == reset


def test_tids_are_13_sortable_characters() -> None:
    a, b = social.tid(NOW, 1), social.tid(NOW + timedelta(microseconds=1), 1)
    assert len(a) == 13 and a < b and social.tid(NOW, 1) == a


def test_record_keys_of_one_batch_differ(server: LocalServer) -> None:
    """Rows queued together share their creation time: the row id keeps keys apart."""
    pds = FakePDS(server)
    sky = social.Bluesky(server.base, "bot.example", PASSWORD, 5, lambda: NOW)

    def numbered(n: int) -> social.Post:
        return social.Post("a change", None, "", (0, 0), f"tearsheet-{n}", NOW, sequence=n)

    for n in range(1, 80):
        run(lambda c, n=n: sky.post(c, numbered(n), None, False))
    assert len(pds.posts) == 79
