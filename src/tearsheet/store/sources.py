"""The store's sources and their discovery feeds: what is polled when, and how each source
stands (:class:`Sources`, a part of :class:`tearsheet.store.store.Store`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update

from tearsheet.store.database import insert_unless_present
from tearsheet.store.records import DueFeed, ErrorRow, SourceSummary
from tearsheet.store.schema import articles, feeds, sources


class Sources:
    """Sources, their feeds' polls and leases, and the per-source status."""

    engine: Engine
    worker_id: str

    def ensure_source(self, name: str, now: datetime) -> int:
        with self.engine.begin() as conn:
            found = conn.scalar(select(sources.c.id).where(sources.c.name == name))
            if found is not None:
                return int(found)
            # Workers starting together may insert the same source: the first one wins.
            insert_unless_present(conn, sources.insert().values(name=name, created_at=now))
            return int(conn.execute(select(sources.c.id).where(sources.c.name == name))
                       .scalar_one())

    def sync_feeds(
        self, source_id: int, wanted: Iterable[tuple[str, str, str]], now: datetime,
    ) -> None:
        """Make the source's active feeds exactly ``wanted`` (kind, url, article_pattern)."""
        wanted = list(wanted)
        with self.engine.begin() as conn:
            rows = conn.execute(select(feeds).where(feeds.c.source_id == source_id)).all()
            existing = {(r.kind, r.url): r for r in rows}
            for kind, url, pattern in wanted:
                row = existing.get((kind, url))
                if row is None:
                    insert_unless_present(conn, feeds.insert().values(
                        source_id=source_id, kind=kind, url=url, article_pattern=pattern,
                        next_poll_at=now,
                    ))
                elif not row.active or row.article_pattern != pattern:
                    conn.execute(update(feeds).where(feeds.c.id == row.id).values(
                        active=1, article_pattern=pattern, next_poll_at=now))
            keep = {(kind, url) for kind, url, _ in wanted}
            for key, row in existing.items():
                if key not in keep and row.active:
                    conn.execute(update(feeds).where(feeds.c.id == row.id).values(active=0))

    def claim_feeds(self, now: datetime, lease_until: datetime) -> list[DueFeed]:
        """Take the feeds due for a poll and lease them: with many workers, each feed is
        polled by one of them at a time (``SKIP LOCKED``: no worker waits for another)."""
        f = feeds.c
        query = (select(feeds)
                 .where(f.active == 1, f.next_poll_at <= now,
                        f.leased_until.is_(None) | (f.leased_until < now))
                 .order_by(f.next_poll_at).with_for_update(skip_locked=True))
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            if rows:
                conn.execute(update(feeds).where(f.id.in_([r.id for r in rows]))
                             .values(leased_until=lease_until, leased_by=self.worker_id))
        return [DueFeed(r.id, r.source_id, r.kind, r.url, r.article_pattern, r.etag,
                        r.last_modified, r.error_count) for r in rows]

    def record_feed_poll(
        self, feed_id: int, now: datetime, next_poll_at: datetime, *,
        error: str | None = None, etag: str | None = None, last_modified: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"last_polled_at": now, "next_poll_at": next_poll_at,
                                  "leased_until": None}
        if error is None:
            values.update(error_count=0, last_error=None, etag=etag, last_modified=last_modified)
        else:
            values.update(error_count=feeds.c.error_count + 1, last_error=error)
        with self.engine.begin() as conn:
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))

    def next_feed_poll(self) -> datetime | None:
        with self.engine.connect() as conn:
            found: datetime | None = conn.scalar(
                select(func.min(feeds.c.next_poll_at)).where(feeds.c.active == 1))
            return found

    def source_name(self, source_id: int) -> str:
        with self.engine.connect() as conn:
            name = conn.scalar(select(sources.c.name).where(sources.c.id == source_id))
            return str(name or "")

    def source_summaries(self, now: datetime) -> list[SourceSummary]:
        """Per source: articles (active, retired), versions, due checks, failing articles."""
        a = articles.c
        query = (
            select(
                sources.c.name,
                func.count(a.id).label("articles"),
                func.count(a.next_check_at).label("active"),
                func.coalesce(func.sum(a.version_count), 0).label("versions"),
                func.count(a.id).filter(a.next_check_at <= now).label("due"),
                func.count(a.id).filter(a.error_count > 0).label("failing"),
            )
            .select_from(sources.outerjoin(articles, a.source_id == sources.c.id))
            .group_by(sources.c.name).order_by(sources.c.name)
        )
        with self.engine.connect() as conn:
            return [SourceSummary(**r._mapping) for r in conn.execute(query)]

    def recent_errors(self, limit: int = 10) -> list[ErrorRow]:
        """The failing feeds, then the latest failing articles (``limit``)."""
        query = (
            select(articles.c.url, articles.c.last_error, articles.c.error_count,
                   articles.c.last_checked_at)
            .where(articles.c.error_count > 0)
            .order_by(articles.c.last_checked_at.desc()).limit(limit)
        )
        feed_query = (
            select(feeds.c.url, feeds.c.last_error, feeds.c.error_count,
                   feeds.c.last_polled_at.label("last_checked_at"))
            .where(feeds.c.error_count > 0, feeds.c.active == 1)
        )
        with self.engine.connect() as conn:
            rows = [ErrorRow(**r._mapping) for r in conn.execute(feed_query)]
            rows += [ErrorRow(**r._mapping) for r in conn.execute(query)]
        return rows
