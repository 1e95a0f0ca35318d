"""The store, on a real SQLite file and a real PostgreSQL database: schema, feeds, articles,
leases, checks, versions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect
from sqlalchemy.exc import StatementError

from tearsheet.errors import StoreError
from tearsheet.records import DueArticle, NewVersion
from tearsheet.store import Store

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=5)
FIRST = 1800.0
GAP = 1200.0  # revive_gap: unseen this long, a retired article that reappears is revived


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", "tearsheet:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ts.db'}"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


def sql(store: Store, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run SQL with ``?`` placeholders on either backend."""
    if store.engine.dialect.name == "postgresql":
        query = query.replace("?", "%s")
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(query, tuple(params))]


def plan(store: Store, statement: str, parameters: Any) -> str:
    """The query plan of a statement the store sent, as one string."""
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return " ".join(str(row[-1]) for row in rows)
        # A few hundred rows fit one page, where a scan is cheaper: ask for the index plan.
        conn.exec_driver_sql("SET enable_seqscan = off; SET enable_bitmapscan = off")
        return " ".join(str(row[0]) for row in conn.exec_driver_sql(
            f"EXPLAIN {statement}", parameters))


def add(store: Store, source: str, *urls: str, at: datetime = NOW) -> list[int]:
    """Enter articles (due at ``at``) and return their ids."""
    source_id = store.ensure_source(source, NOW)
    store.add_articles(source_id, [(url, None) for url in urls], at, FIRST, revive_gap=GAP)
    return [store.article_by_url(url)["id"] for url in urls]  # type: ignore[index]


def claim(store: Store, article_id: int) -> DueArticle:
    return store.claim_article(article_id, LEASE)


def version(text: str, *, title: str = "Headline", url: str = "https://a.example/1") -> NewVersion:
    return NewVersion(url=url, title=title, byline="Jane Doe",
                      published_at=datetime(2026, 11, 19, tzinfo=UTC), modified_at=None,
                      language="en", text=text, content_hash=f"hash-of-{text}")


def record_version(store: Store, article_id: int, text: str, at: datetime) -> int | None:
    return store.record_check(
        claim(store, article_id), checked_at=at, outcome="new_version",
        next_check_at=at + timedelta(seconds=FIRST), check_interval=FIRST,
        version=version(text), http_status=200)


# --- opening -----------------------------------------------------------------------------


def test_open_creates_the_schema_at_head(empty_store_url: str) -> None:
    store = Store.open(empty_store_url, upgrade=True)
    try:
        assert sql(store, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
        tables = set(inspect(store.engine).get_table_names())
        assert {"sources", "feeds", "articles", "aliases", "versions", "checks"} <= tables
    finally:
        store.close()


def test_reopen_keeps_data(store_url: str) -> None:
    first = Store.open(store_url)
    add(first, "daily", "https://a.example/1")
    first.close()
    again = Store.open(store_url)
    try:
        assert again.article_by_url("https://a.example/1") is not None
        assert sql(again, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    finally:
        again.close()


def test_newer_schema_is_refused(store: Store, store_url: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError, match="newer than this tearsheet"):
        Store.open(store_url)


def test_out_of_date_schema_without_upgrade(empty_store_url: str) -> None:
    with pytest.raises(StoreError, match=r"has no schema yet.*run `tearsheet db upgrade`"):
        Store.open(empty_store_url, upgrade=False)


def test_postgresql_waits_for_db_upgrade(empty_store_url: str, backend: str) -> None:
    """Many processes share a PostgreSQL store: opening it never migrates it by surprise;
    an SQLite file (one user) is brought up to date on the spot."""
    if backend == "postgresql":
        with pytest.raises(StoreError, match="tearsheet db upgrade"):
            Store.open(empty_store_url)
        Store.open(empty_store_url, upgrade=True).close()
    store = Store.open(empty_store_url)
    try:
        assert store.schema_revision() == head_revision()
    finally:
        store.close()


@pytest.mark.parametrize("search_triggers", [True, False])
def test_upgrading_a_store_with_data_keeps_every_row(tmp_path: Path,
                                                     search_triggers: bool) -> None:
    """A batch migration rebuilds a table (``articles`` in 0005): with foreign keys enforced,
    dropping the old one cascaded to every version and check — or, with the search index's
    triggers, failed ("database table is locked")."""
    from alembic import command
    from sqlalchemy import create_engine

    config = Config()
    config.set_main_option("script_location", "tearsheet:migrations")
    engine = create_engine(db_url(tmp_path))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
    engine.dispose()
    with sqlite3.connect(tmp_path / "ts.db") as conn:
        if not search_triggers:
            conn.execute("DROP TRIGGER versions_fts_insert")
        conn.executescript("""
            PRAGMA foreign_keys=ON;
            INSERT INTO sources (id, name, created_at) VALUES (1, 's', '2026-11-20 08:00:00');
            INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at,
                                  check_interval, version_count)
                VALUES (1, 1, 'https://news.example/a', '2026-11-20 08:00:00',
                        '2026-11-20 08:00:00', 1800, 1);
            INSERT INTO versions (article_id, number, captured_at, url, text, content_hash)
                VALUES (1, 1, '2026-11-20 08:00:00', 'https://news.example/a', 'Text.', 'h');
            INSERT INTO checks (article_id, checked_at, outcome)
                VALUES (1, '2026-11-20 08:00:00', 'new_version');""")
    store = Store.open(db_url(tmp_path))
    try:
        assert store.schema_revision() == head_revision()
        assert store.article_by_url("https://news.example/a") is not None
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "ts.db") as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("articles", "versions", "checks")]
    assert counts == [1, 1, 1]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a database url", "not a database URL"),
        ("nosuchdialect://host/db", "cannot open"),
        ("sqlite:///{tmp}/missing/folder/ts.db", "does not exist"),
        ("postgresql://nobody:secret@127.0.0.1:1/tearsheet", "cannot open .*nobody:\\*\\*\\*@"),
    ],
)
def test_bad_urls(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store.open(url.format(tmp=tmp_path))


def test_not_a_database_file(tmp_path: Path) -> None:
    (tmp_path / "ts.db").write_bytes(b"this is not an SQLite database, just a text file\n" * 20)
    with pytest.raises(StoreError):
        Store.open(db_url(tmp_path))


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        store.ensure_source("daily", datetime(2026, 11, 20, 8, 0))


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
    assert sorted((f.kind, f.url, f.article_pattern) for f in store.due_feeds(NOW)) == sorted(
        [feed, sitemap, section])

    store.sync_feeds(source_id, [feed, section], NOW)
    assert {f.url for f in store.due_feeds(NOW)} == {feed[1], section[1]}
    assert sql(store, "SELECT active FROM feeds WHERE url = ?", sitemap[1]) == [(0,)]

    changed = ("section", section[1], "^https://a.example/news/")
    store.sync_feeds(source_id, [feed, sitemap, changed], NOW)
    assert sorted((f.kind, f.url, f.article_pattern) for f in store.due_feeds(NOW)) == sorted(
        [feed, sitemap, changed])
    assert sql(store, "SELECT count(*) FROM feeds") == [(3,)]  # updated, not duplicated


def test_feed_poll_errors_and_recovery(store: Store) -> None:
    source_id = store.ensure_source("daily", NOW)
    store.sync_feeds(source_id, [("feed", "https://a.example/rss.xml", "")], NOW)
    (feed,) = store.due_feeds(NOW)
    later = NOW + timedelta(minutes=10)
    store.record_feed_poll(feed.id, NOW, later, error="not a feed")
    assert store.due_feeds(NOW) == []
    assert store.next_feed_poll() == later
    (again,) = store.due_feeds(later)
    assert again.error_count == 1
    assert [e["last_error"] for e in store.recent_errors()] == ["not a feed"]
    store.record_feed_poll(feed.id, later, later + timedelta(minutes=10), etag='"v2"')
    assert store.recent_errors() == []
    (recovered,) = store.due_feeds(later + timedelta(minutes=10))
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
    store.record_check(claim(store, article_id), checked_at=NOW, outcome="unchanged",
                       next_check_at=None, check_interval=3 * 86400.0)
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


def test_claim_due_oldest_first_and_leased(store: Store) -> None:
    urls = {f"https://a.example/{n}": NOW - timedelta(minutes=n) for n in (3, 1, 2)}
    for url, due in urls.items():
        add(store, "daily", url, at=due)
    add(store, "daily", "https://a.example/future", at=NOW + timedelta(minutes=1))
    claimed = store.claim_due(NOW, 10, LEASE)
    assert [a.url for a in claimed] == [
        "https://a.example/3", "https://a.example/2", "https://a.example/1"]
    assert store.claim_due(NOW, 10, LEASE) == []  # leased: a second runner gets nothing
    # Once the lease runs out (a crashed runner), they are due again.
    after_lease = LEASE + timedelta(seconds=1)
    assert len(store.claim_due(after_lease, 10, after_lease + timedelta(minutes=5))) == 4


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_claim_due_respects_the_limit(store: Store, limit: int) -> None:
    add(store, "daily", *(f"https://a.example/{n}" for n in range(3)))
    first = store.claim_due(NOW, limit, LEASE)
    assert len(first) == min(limit, 3)
    rest = store.claim_due(NOW, 10, LEASE)
    assert len(rest) == 3 - len(first)
    assert not {a.id for a in first} & {a.id for a in rest}


def test_claim_due_ignores_retired_articles(store: Store) -> None:
    retired, live = add(store, "daily", "https://a.example/old", "https://a.example/new")
    store.record_check(claim(store, retired), checked_at=NOW, outcome="unchanged",
                       next_check_at=None, check_interval=FIRST)
    store.release_leases()
    later = NOW + timedelta(days=365)
    assert [a.id for a in store.claim_due(later, 10, later + timedelta(minutes=5))] == [live]


def test_release_leases(store: Store) -> None:
    ids = add(store, "daily", *(f"https://a.example/{n}" for n in range(3)))
    assert len(store.claim_due(NOW, 10, LEASE)) == 3
    assert store.release_leases([ids[0]]) == 1
    assert [a.id for a in store.claim_due(NOW, 10, LEASE)] == [ids[0]]
    assert store.release_leases() == 3
    assert store.release_leases() == 0
    assert len(store.claim_due(NOW, 10, LEASE)) == 3


def test_due_query_uses_the_partial_index(store: Store) -> None:
    source_id = store.ensure_source("daily", NOW)
    store.add_articles(source_id, [(f"https://a.example/{n}", None) for n in range(200)],
                       NOW, FIRST, revive_gap=GAP)
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "next_check_at" in statement:
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        assert len(store.claim_due(NOW, 10, LEASE)) == 10
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert statements, "claim_due ran no SELECT on next_check_at"
    details = plan(store, *statements[0])
    assert "ix_articles_due" in details, details
    assert "TEMP B-TREE" not in details  # ordered by the index, not sorted afterwards
    assert "Sort" not in details


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
    assert store.record_check(claim(store, article_id), checked_at=later, outcome="unchanged",
                              next_check_at=later + timedelta(hours=2), check_interval=7200.0,
                              etag='"e1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT") is None
    row = store.article_by_url("https://a.example/1")
    assert row is not None
    assert (row["version_count"], row["last_changed_at"], row["last_checked_at"],
            row["check_interval"], row["etag"]) == (1, NOW, later, 7200.0, '"e1"')


def test_failed_check_counts_errors_and_stores_no_version(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    record_version(store, article_id, "first", NOW)
    for n in (1, 2):
        at = NOW + timedelta(hours=n)
        assert store.record_check(claim(store, article_id), checked_at=at, outcome="failed",
                                  next_check_at=at + timedelta(hours=1), check_interval=FIRST,
                                  http_status=503, error=f"503 number {n}") is None
        row = store.article_by_url("https://a.example/1")
        assert row is not None
        assert (row["error_count"], row["last_error"]) == (n, f"503 number {n}")
        assert (row["version_count"], row["content_hash"], row["last_changed_at"]) == (
            1, "hash-of-first", NOW)
    assert sql(store, "SELECT count(*) FROM versions") == [(1,)]
    assert sql(store, "SELECT outcome, http_status FROM checks ORDER BY id") == [
        ("new_version", 200), ("failed", 503), ("failed", 503)]
    assert [e["url"] for e in store.recent_errors()] == ["https://a.example/1"]
    record_version(store, article_id, "second", NOW + timedelta(hours=3))
    row = store.article_by_url("https://a.example/1")
    assert row is not None
    assert (row["error_count"], row["last_error"], row["version_count"]) == (0, None, 2)


def test_record_check_is_one_transaction(store: Store) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    naive = datetime(2026, 11, 20, 9, 0)  # refused when the article row is written, last
    with pytest.raises(StatementError, match="naive datetime"):
        store.record_check(claim(store, article_id), checked_at=NOW, outcome="new_version",
                           next_check_at=naive, check_interval=FIRST, version=version("v1"))
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
    store.record_check(claim(store, duplicate), checked_at=NOW, outcome="failed",
                       next_check_at=NOW + timedelta(hours=1), check_interval=FIRST, error="x")
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
    store.record_check(claim(store, retired), checked_at=NOW, outcome="unchanged",
                       next_check_at=None, check_interval=FIRST)
    store.record_check(claim(store, failing), checked_at=NOW, outcome="failed",
                       next_check_at=NOW + timedelta(hours=2), check_interval=FIRST, error="x")
    summaries = store.source_summaries(NOW + timedelta(minutes=5))
    assert summaries == [
        {"name": "daily", "articles": 4, "active": 3, "versions": 2, "due": 1, "failing": 1},
        {"name": "empty", "articles": 0, "active": 0, "versions": 0, "due": 0, "failing": 0},
    ]
    assert fresh  # the one due now: never checked


def test_migrations_build_exactly_the_schema(store: Store) -> None:
    """schema.py and the Alembic migrations must not drift apart."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from tearsheet.schema import include_name, metadata

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == []


@pytest.mark.parametrize(
    ("call", "index"),
    [(lambda store: store.next_check_time(), "ix_articles_due"),
     (lambda store: store.release_leases(), "ix_articles_leased")],
    ids=["next_check_time", "release_leases"],
)
def test_schedule_queries_use_their_index(store: Store, call: Any, index: str) -> None:
    """The statements the store really sends are planned on an index, not a table scan."""
    from sqlalchemy import event

    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        call(store)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    statement, parameters = next(s for s in sent if "articles" in s[0])
    details = plan(store, statement, parameters)
    assert index in details, details


# --- several workers on one store ----------------------------------------------------------


def two_workers(store_url: str) -> tuple[Store, Store]:
    first, second = Store.open(store_url), Store.open(store_url)
    first.worker_id, second.worker_id = "worker-a", "worker-b"
    return first, second


def check_with(store: Store, article: DueArticle, text: str, at: datetime) -> int | None:
    return store.record_check(
        article, checked_at=at, outcome="new_version", next_check_at=at + timedelta(hours=1),
        check_interval=FIRST, version=version(text), http_status=200)


def test_a_check_that_outlived_its_lease_is_not_recorded(store: Store, store_url: str) -> None:
    (article_id,) = add(store, "daily", "https://a.example/1")
    a, b = two_workers(store_url)
    try:
        (slow,) = a.claim_due(NOW, 10, LEASE)
        assert b.claim_due(NOW, 10, LEASE) == []  # leased to a
        later = LEASE + timedelta(seconds=1)
        (taken,) = b.claim_due(later, 10, later + timedelta(minutes=5))  # a's lease ran out
        assert check_with(a, slow, "from a", later) is None  # b holds it now
        assert sql(store, "SELECT count(*) FROM checks") == [(0,)]
        assert check_with(b, taken, "from b", later) == 1
        assert sql(store, "SELECT text FROM versions") == [("from b",)]
        assert store.article_by_url("https://a.example/1")["leased_by"] == "worker-b"  # type: ignore[index]
    finally:
        a.close()
        b.close()
    assert article_id == taken.id


def test_no_version_is_stored_twice_or_from_a_stale_check(store: Store, store_url: str) -> None:
    add(store, "daily", "https://a.example/1")
    a, b = two_workers(store_url)
    try:
        (first,) = a.claim_due(NOW, 10, LEASE)
        after = LEASE + timedelta(seconds=1)
        assert check_with(a, first, "v1", NOW) == 1
        # b had read the article before a stored v1 (e.g. a check out of schedule):
        stale = first
        b.claim_article(first.id, after + timedelta(minutes=5))
        assert check_with(b, stale, "v1", after) is None  # the same text: not a 2nd copy
        assert check_with(b, stale, "v2 from an old read", after) is None  # compared to v0
        assert sql(store, "SELECT number, text FROM versions") == [(1, "v1")]
        assert sql(store, "SELECT outcome FROM checks ORDER BY id") == [
            ("new_version",), ("unchanged",)]
    finally:
        a.close()
        b.close()


def test_claims_of_concurrent_workers_never_overlap(pg_template: str) -> None:
    """Workers claiming at the same moment on PostgreSQL take disjoint batches (the rows
    are locked, SKIP LOCKED passes over them). An SQLite file has one runner (its lock file)
    whose claims run on one thread."""
    from tests import postgres

    with postgres.database(pg_template) as url:
        store = Store.open(url)
        add(store, "daily", *(f"https://a.example/{n}" for n in range(200)))
        store.close()
        claimed = claim_concurrently(url, 4)
    every = [article_id for batch in claimed for article_id in batch]
    assert len(every) == len(set(every)) == 200


def claim_concurrently(url: str, workers: int) -> list[list[int]]:
    import threading

    stores = [Store.open(url) for _ in range(workers)]
    claimed: list[list[int]] = [[] for _ in stores]
    start = threading.Barrier(len(stores))

    def claim_all(index: int) -> None:
        start.wait()
        while batch := stores[index].claim_due(NOW, 7, LEASE):
            claimed[index] += [article.id for article in batch]

    threads = [threading.Thread(target=claim_all, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for opened in stores:
        opened.close()
    return claimed
