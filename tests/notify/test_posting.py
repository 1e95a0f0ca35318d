"""Rules that post cards to Mastodon and Bluesky, through the outbox, against local
servers that check each request: threading, retries after 500 and 429, no duplicate
after a crash between posting and recording it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.notify.notifier import Notifier
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tearsheet.store.summaries import fill_missing_summaries
from tests.support.localserver import LocalServer
from tests.support.notifying import NOW, Clock, Crash, crash_before_recording, step, story
from tests.support.protocols import PASSWORD, TOKEN, FakeMastodon, FakePDS


def settings(store: Store, server: LocalServer, **rule: Any) -> Settings:
    accounts = {"masto": {"mastodon": server.base, "token": TOKEN, "language": "en"},
                "sky": {"bluesky": server.base, "identifier": "bot.example",
                        "password": PASSWORD}}
    rules = [{"name": "toot", "account": "masto", **rule},
             {"name": "skeet", "account": "sky", **rule}]
    return load_settings(None, database_url=str(store.engine.url), notifications={
        "rules": rules, "accounts": accounts, "timeout": 2, "retries": 2,
        "retry_backoff": 10, "base_url": "https://ts.example"})


def notifier(store: Store, server: LocalServer, clock: Clock) -> Notifier:
    made = Notifier(settings(store, server), store, clock=clock)
    made.posting.media_poll = 0.0
    return made


def another_version(store: Store, article_id: int, url: str, text: str) -> None:
    article = store.claim_article(article_id, NOW)
    store.record_check(CheckRecord(article, checked_at=NOW, outcome="new_version",
                       next_check_at=NOW + timedelta(days=1), check_interval=7200.0,
                       version=NewVersion(url=url, title="Ferry late", byline="Lena Brandt",
                                          published_at=NOW - timedelta(days=1),
                                          modified_at=None, language="en", text=text,
                                          content_hash=f"third-{len(text)}")))
    fill_missing_summaries(store)


@pytest.fixture
def fakes(server: LocalServer) -> tuple[FakeMastodon, FakePDS]:
    return FakeMastodon(server, processing_polls=1), FakePDS(server)


def test_cards_are_posted_and_later_changes_threaded(
        store: Store, server: LocalServer, fakes: tuple[FakeMastodon, FakePDS]) -> None:
    mastodon, pds = fakes
    clock = Clock()
    posting = notifier(store, server, clock)
    posting.queue()
    article = story(store, 1)
    assert step(posting) == 2
    another_version(store, article, "https://daily.example/story-1",
                    "The ferry number 1 was cancelled on Monday, the operator said in a "
                    "statement, and the minister will answer questions.")
    assert step(posting) == 2
    first, second = mastodon.statuses
    assert second.in_reply_to_id == first.id and first.in_reply_to_id is None
    assert first.media[0]["description"].startswith("daily: changes to “Ferry late”")
    assert "https://ts.example/articles/" in first.text
    root, reply = pds.posts
    assert reply.value["reply"]["root"] == {"uri": root.uri, "cid": root.cid}
    assert reply.value["reply"]["parent"] == {"uri": root.uri, "cid": root.cid}
    assert reply.value["embed"]["images"][0]["alt"].startswith("daily: changes to")
    rows = posting.posting.posts.of_article(article)
    assert {r["state"] for r in rows} == {"sent"} and len(rows) == 4
    assert {r["post_id"] for r in rows} == {first.id, second.id, root.uri, reply.uri}


def test_server_errors_are_retried_with_backoff(
        store: Store, server: LocalServer, fakes: tuple[FakeMastodon, FakePDS]) -> None:
    mastodon, pds = fakes
    mastodon.fail_next = [500]
    pds.fail_next = [502]
    clock = Clock()
    posting = notifier(store, server, clock)
    posting.queue()
    story(store, 1)
    assert step(posting) == 0
    assert {r["last_error"].split(":")[0] for r in posting.outbox.rows()} == {"mastodon",
                                                                              "bluesky"}
    clock.advance(10)
    assert step(posting) == 2
    assert len(mastodon.statuses) == 1 and len(pds.posts) == 1


def test_429_waits_for_the_reset_without_counting_an_attempt(
        store: Store, server: LocalServer, fakes: tuple[FakeMastodon, FakePDS]) -> None:
    mastodon, _ = fakes
    reset = NOW + timedelta(minutes=7)
    mastodon.rate_headers = {"X-RateLimit-Remaining": "0",
                             "X-RateLimit-Reset": reset.isoformat()}
    mastodon.fail_next = [429]
    clock = Clock()
    posting = notifier(store, server, clock)
    posting.queue()
    story(store, 1)
    assert step(posting) == 1  # Bluesky's
    [row] = posting.outbox.rows("toot")
    assert row["status"] == "pending" and row["attempts"] == 0
    assert row["next_attempt_at"] == reset
    clock.advance(6 * 60)
    assert step(posting) == 0 and not mastodon.statuses
    clock.advance(61)
    assert step(posting) == 1 and len(mastodon.statuses) == 1


def test_a_crash_between_posting_and_recording_posts_once(
        store: Store, server: LocalServer, fakes: tuple[FakeMastodon, FakePDS]) -> None:
    mastodon, pds = fakes
    clock = Clock()
    crashing = notifier(store, server, clock)
    crashing.queue()
    story(store, 1)

    crash_before_recording(crashing)
    with pytest.raises(Crash):
        step(crashing)
    assert len(mastodon.statuses) + len(pds.posts) >= 1
    restarted = notifier(store, server, clock)
    clock.advance(restarted.lease)
    while step(restarted):
        pass
    assert len(mastodon.statuses) == 1 and len(pds.posts) == 1  # posted once each
    assert {r["status"] for r in restarted.outbox.rows()} == {"sent"}


def test_refused_credentials_fail_at_once_and_are_not_shown(
        store: Store, server: LocalServer, fakes: tuple[FakeMastodon, FakePDS]) -> None:
    clock = Clock()
    wrong = load_settings(None, database_url=str(store.engine.url), notifications={
        "rules": [{"name": "toot", "account": "masto"}],
        "accounts": {"masto": {"mastodon": server.base, "token": "not-the-token-4321"}},
        "base_url": "https://ts.example"})
    posting = Notifier(wrong, store, clock=clock)
    posting.queue()
    story(store, 1)
    assert step(posting) == 0
    [row] = posting.outbox.rows()
    assert row["status"] == "failed" and "401" in row["last_error"]
    assert "not-the-token-4321" not in row["last_error"]
    assert "not-the-token-4321" not in repr(wrong)
