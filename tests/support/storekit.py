"""Helpers of the store's tests (test_store*.py): a clock, articles entered and claimed,
versions recorded, SQL and query plans on either backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import select

from tearsheet.store.records import CheckRecord, DueArticle, DueFeed, NewVersion
from tearsheet.store.schema import feeds
from tearsheet.store.store import Store

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=5)
FIRST = 1800.0
GAP = 1200.0  # revive_gap: unseen this long, a retired article that reappears is revived


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", "tearsheet.store:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def migrated_to(path: Path, revision: str) -> str:
    """A new SQLite file at ``path`` migrated up to ``revision`` only (an older tearsheet's
    store, to upgrade or refuse); its URL."""
    from alembic import command
    from sqlalchemy import create_engine

    url = f"sqlite:///{path}"
    config = Config()
    config.set_main_option("script_location", "tearsheet.store:migrations")
    engine = create_engine(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()
    return url


def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ts.db'}"


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
    return store.record_check(CheckRecord(
        claim(store, article_id), checked_at=at, outcome="new_version",
        next_check_at=at + timedelta(seconds=FIRST), check_interval=FIRST,
        version=version(text), http_status=200))


def due_feeds(store: Store, now: datetime) -> list[DueFeed]:
    """The active feeds due at ``now``, without claiming them (what claim_feeds would take)."""
    query = (select(feeds).where(feeds.c.active == 1, feeds.c.next_poll_at <= now)
             .order_by(feeds.c.next_poll_at))
    with store.engine.connect() as conn:
        return [DueFeed(r.id, r.source_id, r.kind, r.url, r.article_pattern, r.etag,
                        r.last_modified, r.error_count) for r in conn.execute(query)]
