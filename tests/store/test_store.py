"""The store, on a real SQLite file and a real PostgreSQL database: sources, feeds,
articles, checks, versions and reading them back (schema: test_schema.py; leases:
test_leases.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import StatementError

from tearsheet.store.records import CheckRecord, SourceSummary
from tearsheet.store.store import Store
from tests.support.storekit import (
    FIRST,
    GAP,
    NOW,
    add,
    claim,
    due_feeds,
    record_version,
    sql,
    version,
)

# --- sources and feeds -------------------------------------------------------------------


def test_ensure_source_is_idempotent(store: Store) -> None:
    first = store.ensure_source("daily", NOW)
    assert store.ensure_source("daily", NOW + timedelta(days=1)) == first
    assert store.ensure_source("weekly", NOW) != first
    assert sql(store, "SELECT name FROM sources ORDER BY id") == [("daily",), ("weekly",)]


def test_sync_feeds_adds_deactivates_and_revives(store: Store) -> None:
    source_id = store.ensure_source("daily", NOW)
    feed = ("feed", "https://a.example/rss.xml", "")
    sitemap = ("sitemap", "https://a.example/sitemap.xml", "")
    section = ("section", "https://a.example/politics", "^https://a.example/20")
    store.sync_feeds(source_id, [feed, sitemap, section], NOW)
    assert sorted((f.kind, f.url, f.article_pattern) for f in due_feeds(store, NOW)) == sorted(
        [feed, sitemap, section])

    store.sync_feeds(source_id, [feed, section], NOW)
    assert {f.url for f in due_feeds(store, NOW)} == {feed[1], section[1]}
    assert sql(store, "SELECT active FROM feeds WHERE url = ?", sitemap[1]) == [(0,)]

    changed = ("section", section[1], "^https://a.example/news/")
    store.sync_feeds(source_id, [feed, sitemap, changed], NOW)
    assert sorted((f.kind, f.url, f.article_pattern) for f in due_feeds(store, NOW)) == sorted(
        [feed, sitemap, changed])
    assert sql(store, "SELECT count(*) FROM feeds") == [(3,)]  # updated, not duplicated


def test_feed_poll_errors_and_recovery(store: Store) -> None:
    source_id = store.ensure_source("daily", NOW)
    store.sync_feeds(source_id, [("feed", "https://a.example/rss.xml", "")], NOW)
    (feed,) = due_feeds(store, NOW)
    later = NOW + timedelta(minutes=10)
    store.record_feed_poll(feed.id, NOW, later, error="not a feed")
    assert due_feeds(store, NOW) == []
    assert store.next_feed_poll() == later
    (again,) = due_feeds(store, later)
    assert again.error_count == 1
    assert [e.last_error for e in store.recent_errors()] == ["not a feed"]
    store.record_feed_poll(feed.id, later, later + timedelta(minutes=10), etag='"v2"')
    assert store.recent_errors() == []
    (recovered,) = due_feeds(store, later + timedelta(minutes=10))
    assert (recovered.error_count, recovered.etag) == (0, '"v2"')


# --- articles ----------------------------------------------------------------------------


def test_add_articles_dedupes_and_counts(store: Store) -> None:
    source_id = store.ensure_source("daily", NOW)
    found = [("https://a.example/1", "One"), ("https://a.example/2", "Two"),
             ("https://a.example/1", "One again")]
    assert store.add_articles(source_id, found, NOW, FIRST, revive_gap=GAP) == 2
    assert store.add_articles(source_id, [("https://a.example/2", None),
                                          ("https://a.example/3", None)],
                              NOW, FIRST, revive_gap=GAP) == 1
    rows = sql(store, "SELECT url, title, check_interval FROM articles ORDER BY id")
    assert rows == [("https://a.example/1", "One", FIRST), ("https://a.example/2", "Two", FIRST),
                    ("https://a.example/3", None, FIRST)]
    assert store.next_check_time() == NOW


@pytest.mark.parametrize(
    ("seen_in_between", "revived"),
    [
        ([], True),  # gone from the feeds, then back: revived
        ([timedelta(seconds=GAP * k) for k in (0.9, 1.8, 2.7)], False),  # listed all along
    ],
    ids=["reappears", "stays-listed"],
)
def test_add_articles_revives_a_retired_article(
    store: Store, seen_in_between: list[timedelta], revived: bool
) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    source_id = store.ensure_source("daily", NOW)
    store.record_check(CheckRecord(claim(store, article_id), checked_at=NOW, outcome="unchanged",
                       next_check_at=None, check_interval=3 * 86400.0))
    assert store.article_by_url("https://a.example/1")["next_check_at"] is None  # type: ignore[index]
    for offset in seen_in_between:
        store.add_articles(source_id, [("https://a.example/1", None)], NOW + offset, FIRST,
                           revive_gap=GAP)
    later = NOW + timedelta(seconds=3 * GAP)
    assert store.add_articles(source_id, [("https://a.example/1", None)], later, FIRST,
                              revive_gap=GAP) == 0
    row = store.article_by_url("https://a.example/1")
    assert row is not None
    if revived:
        assert (row["next_check_at"], row["check_interval"], row["last_changed_at"]) == (
            later, FIRST, later)
        assert [a.id for a in store.claim_due(later, 10, later + timedelta(minutes=5))] == [
            article_id]
    else:
        assert row["next_check_at"] is None
        assert row["check_interval"] == 3 * 86400.0


def test_add_articles_leaves_a_live_schedule_alone(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    record_version(store, article_id, "first", NOW)
    source_id = store.ensure_source("daily", NOW)
    for offset in (timedelta(minutes=5), timedelta(days=3)):
        store.add_articles(source_id, [("https://a.example/1", "New title")], NOW + offset,
                           1.0, revive_gap=GAP)
    row = store.article_by_url("https://a.example/1")
    assert row is not None
    assert (row["next_check_at"], row["check_interval"], row["last_changed_at"]) == (
        NOW + timedelta(seconds=FIRST), FIRST, NOW)


def test_add_articles_resolves_aliases(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1?utm_source=rss")
    store.adopt_url(article_id, "https://a.example/1")
    source_id = store.ensure_source("daily", NOW)
    assert store.add_articles(source_id, [("https://a.example/1?utm_source=rss", None),
                                          ("https://a.example/1", None)],
                              NOW, FIRST, revive_gap=GAP) == 0
    assert sql(store, "SELECT count(*) FROM articles") == [(1,)]


# --- checks and versions -----------------------------------------------------------------


def test_versions_are_numbered_and_update_the_article(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    for number, text in enumerate(["first", "second", "third"], start=1):
        at = NOW + timedelta(hours=number)
        assert record_version(store, article_id, text, at) == number
        row = store.article_by_url("https://a.example/1")
        assert row is not None
        assert (row["version_count"], row["content_hash"], row["last_changed_at"],
                row["last_checked_at"], row["leased_until"]) == (
                    number, f"hash-of-{text}", at, at, None)
        assert row["next_check_at"] == at + timedelta(seconds=FIRST)
        assert row["title"] == "Headline"
        assert row["published_at"] == datetime(2026, 11, 19, tzinfo=UTC)
    assert sql(store, "SELECT number, text FROM versions ORDER BY id") == [
        (1, "first"), (2, "second"), (3, "third")]
    assert sql(store, "SELECT outcome FROM checks") == [("new_version",)] * 3


def test_unchanged_check_keeps_the_version(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    record_version(store, article_id, "first", NOW)
    later = NOW + timedelta(hours=1)
    assert store.record_check(CheckRecord(claim(store, article_id), checked_at=later,
                                          outcome="unchanged",
                              next_check_at=later + timedelta(hours=2), check_interval=7200.0,
                              etag='"e1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT")) is None
    row = store.article_by_url("https://a.example/1")
    assert row is not None
    assert (row["version_count"], row["last_changed_at"], row["last_checked_at"],
            row["check_interval"], row["etag"]) == (1, NOW, later, 7200.0, '"e1"')


def test_failed_check_counts_errors_and_stores_no_version(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    record_version(store, article_id, "first", NOW)
    for n in (1, 2):
        at = NOW + timedelta(hours=n)
        assert store.record_check(CheckRecord(claim(store, article_id), checked_at=at,
                                              outcome="failed",
                                  next_check_at=at + timedelta(hours=1), check_interval=FIRST,
                                  http_status=503, error=f"503 number {n}")) is None
        row = store.article_by_url("https://a.example/1")
        assert row is not None
        assert (row["error_count"], row["last_error"]) == (n, f"503 number {n}")
        assert (row["version_count"], row["content_hash"], row["last_changed_at"]) == (
            1, "hash-of-first", NOW)
    assert sql(store, "SELECT count(*) FROM versions") == [(1,)]
    assert sql(store, "SELECT outcome, http_status FROM checks ORDER BY id") == [
        ("new_version", 200), ("failed", 503), ("failed", 503)]
    assert [e.url for e in store.recent_errors()] == ["https://a.example/1"]
    record_version(store, article_id, "second", NOW + timedelta(hours=3))
    row = store.article_by_url("https://a.example/1")
    assert row is not None
    assert (row["error_count"], row["last_error"], row["version_count"]) == (0, None, 2)


def test_record_check_is_one_transaction(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    naive = datetime(2026, 11, 20, 9, 0)  # refused when the article row is written, last
    with pytest.raises(StatementError, match="naive datetime"):
        store.record_check(CheckRecord(claim(store, article_id), checked_at=NOW,
                                       outcome="new_version",
                           next_check_at=naive, check_interval=FIRST, version=version("v1")))
    assert sql(store, "SELECT count(*) FROM versions") == [(0,)]
    assert sql(store, "SELECT count(*) FROM checks") == [(0,)]
    row = store.article_by_url("https://a.example/1")
    assert row is not None
    assert (row["version_count"], row["content_hash"], row["next_check_at"]) == (0, None, NOW)


def test_adopt_url_renames_and_keeps_an_alias(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/amp/1")
    assert store.adopt_url(article_id, "https://a.example/1") is None
    for url in ("https://a.example/amp/1", "https://a.example/1"):
        row = store.article_by_url(url)
        assert row is not None
        assert (row["id"], row["url"]) == (article_id, "https://a.example/1")
    assert sql(store, "SELECT url, article_id FROM aliases") == [
        ("https://a.example/amp/1", article_id)]


def test_adopt_url_merges_into_the_existing_article(store: Store) -> None:
    owner, duplicate = add(store, "daily", "https://a.example/1", "https://a.example/1/amp")
    record_version(store, owner, "first", NOW)
    store.record_check(CheckRecord(claim(store, duplicate), checked_at=NOW, outcome="failed",
                       next_check_at=NOW + timedelta(hours=1), check_interval=FIRST, error="x"))
    assert store.adopt_url(duplicate, "https://a.example/1") == owner
    assert sql(store, "SELECT id FROM articles") == [(owner,)]
    assert sql(store, "SELECT count(*) FROM checks WHERE article_id = ?", duplicate) == [(0,)]
    row = store.article_by_url("https://a.example/1/amp")
    assert row is not None
    assert (row["id"], row["version_count"]) == (owner, 1)


def test_adopt_url_merges_through_an_alias(store: Store) -> None:
    (owner,) = add(store, "daily", "https://a.example/1?utm_source=rss")
    store.adopt_url(owner, "https://a.example/1")
    (duplicate,) = add(store, "daily", "https://a.example/m/1")
    assert store.adopt_url(duplicate, "https://a.example/1?utm_source=rss") == owner
    assert store.article_by_url("https://a.example/m/1")["id"] == owner  # type: ignore[index]


# --- reading -----------------------------------------------------------------------------


def test_iter_versions_order_and_source_filter(store: Store) -> None:
    a1, a2 = add(store, "daily", "https://a.example/1", "https://a.example/2")
    (b1,) = add(store, "weekly", "https://b.example/1")
    record_version(store, a2, "a2 v1", NOW)
    record_version(store, b1, "b1 v1", NOW)
    record_version(store, a1, "a1 v1", NOW + timedelta(hours=1))
    record_version(store, a2, "a2 v2", NOW + timedelta(hours=2))
    record_version(store, a1, "a1 v2", NOW + timedelta(hours=3))
    everything = list(store.iter_versions())
    assert [(v["url"], v["number"]) for v in everything] == [
        ("https://a.example/1", 1), ("https://a.example/1", 2),
        ("https://a.example/2", 1), ("https://a.example/2", 2),
        ("https://b.example/1", 1)]
    assert [v["text"] for v in everything][:2] == ["a1 v1", "a1 v2"]
    first = everything[0]
    assert first["source"] == "daily"
    assert first["captured_at"] == NOW + timedelta(hours=1)
    assert {"title", "byline", "published_at", "modified_at", "language", "fetched_url"} <= set(
        first)
    assert [v["text"] for v in store.iter_versions("weekly")] == ["b1 v1"]
    assert list(store.iter_versions("monthly")) == []


def test_source_summaries(store: Store) -> None:
    changed, retired, failing, fresh = add(
        store, "daily", *(f"https://a.example/{n}" for n in range(4)))
    store.ensure_source("empty", NOW)
    record_version(store, changed, "one", NOW)
    record_version(store, changed, "two", NOW + timedelta(minutes=1))
    store.record_check(CheckRecord(claim(store, retired), checked_at=NOW, outcome="unchanged",
                       next_check_at=None, check_interval=FIRST))
    store.record_check(CheckRecord(claim(store, failing), checked_at=NOW, outcome="failed",
                       next_check_at=NOW + timedelta(hours=2), check_interval=FIRST, error="x"))
    summaries = store.source_summaries(NOW + timedelta(minutes=5))
    assert summaries == [
        SourceSummary(name="daily", articles=4, active=3, versions=2, due=1, failing=1),
        SourceSummary(name="empty", articles=0, active=0, versions=0, due=0, failing=0),
    ]
    assert fresh  # the one due now: never checked
