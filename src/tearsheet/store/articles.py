"""The store's articles: entering them, claiming the due ones with a lease, merging two URLs
of one article (:class:`Articles`, a part of :class:`tearsheet.store.store.Store`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, case, func, select, update

from tearsheet.store.database import dialect_insert, insert_unless_present, stream_rows
from tearsheet.store.records import DueArticle, ImportTarget
from tearsheet.store.schema import aliases, articles, checks, sources


class Articles:
    """Articles and their schedule: the due query, leases, aliases."""

    engine: Engine
    worker_id: str

    def add_articles(
        self, source_id: int, found: Iterable[tuple[str, str | None]], now: datetime,
        first_interval: float, revive_gap: float,
    ) -> int:
        """Enter newly discovered (url, title) pairs into the schedule, due now.

        A known URL (or an alias of one) only has its ``last_seen_at`` refreshed, unless the
        article retired and *reappears*: it had not been seen for ``revive_gap`` seconds.
        Such an article is revived. (An article that merely stays in a feed past its
        retirement stays retired.) Returns the number of new articles.
        """
        titles: dict[str, str | None] = {}
        for url, title in found:
            titles.setdefault(url, title)
        pairs = list(titles.items())
        added = 0
        with self.engine.begin() as conn:
            for start in range(0, len(pairs), 500):
                chunk = pairs[start:start + 500]
                added += self._add_chunk(conn, source_id, chunk, now, first_interval,
                                         revive_gap)
        return added

    @staticmethod
    def _add_chunk(
        conn: Connection, source_id: int, chunk: list[tuple[str, str | None]], now: datetime,
        first_interval: float, revive_gap: float,
    ) -> int:
        urls = [url for url, _ in chunk]
        owner = {url: article_id for url, article_id in conn.execute(
            select(aliases.c.url, aliases.c.article_id).where(aliases.c.url.in_(urls)))}
        for article_id, url in conn.execute(
                select(articles.c.id, articles.c.url).where(articles.c.url.in_(urls))):
            owner[url] = article_id
        new = [{"source_id": source_id, "url": url, "title": title, "first_seen_at": now,
                "last_seen_at": now, "next_check_at": now, "check_interval": first_interval}
               for url, title in sorted(chunk) if url not in owner]
        added = 0
        if new:
            # Two workers polling feeds that list the same story: one of them enters it.
            insert = dialect_insert(conn)(articles).on_conflict_do_nothing(
                index_elements=["url"])
            added = len(conn.execute(insert.returning(articles.c.id), new).all())
        known = sorted(set(owner.values()))
        if known:
            a = articles.c
            # Lock the rows in id order first (an UPDATE takes them in storage order), as
            # record_checks does: concurrent writers never deadlock.
            conn.execute(select(a.id).where(a.id.in_(known)).order_by(a.id).with_for_update())
            conn.execute(update(articles).where(
                a.id.in_(known), a.next_check_at.is_(None),
                a.last_seen_at < now - timedelta(seconds=revive_gap),
            ).values(next_check_at=now, check_interval=first_interval, last_changed_at=now))
            conn.execute(update(articles).where(a.id.in_(known)).values(last_seen_at=now))
        return added

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[DueArticle]:
        """Take up to ``limit`` articles whose check is due, oldest first, and lease them.

        The lease keeps other workers (or the same worker's next pass) off an article
        while it is checked; :meth:`record_check` releases it. On PostgreSQL the rows are
        locked while the lease is written and ``SKIP LOCKED`` makes workers claiming at
        the same moment take different articles instead of waiting for each other.
        """
        with self.engine.begin() as conn:
            rows = conn.execute(_DUE, {"now": now, "limit": limit}).all()
            if rows:
                # Due again when the lease ends (should the check never be recorded): the
                # due index then holds no leased row, so the next claim does not step
                # over the in-flight ones (thousands, with many workers) to find work.
                conn.execute(_LEASE, {"ids": [r.id for r in rows], "until": lease_until,
                                      "next": lease_until, "holder": self.worker_id})
        return [_due_article(r) for r in rows]

    def renew_leases(self, article_ids: list[int], lease_until: datetime) -> int:
        """Extend this worker's leases on ``article_ids`` (checks still running), moving
        their next check along; a lease another worker took is left alone."""
        with self.engine.begin() as conn:
            return int(conn.execute(
                update(articles).where(articles.c.id.in_(article_ids),
                                       articles.c.leased_by == self.worker_id,
                                       articles.c.leased_until.is_not(None))
                .values(leased_until=lease_until, next_check_at=lease_until)).rowcount or 0)

    def claim_article(self, article_id: int, lease_until: datetime | None) -> DueArticle:
        """Lease one article for a check out of schedule (``tearsheet check``); with
        ``lease_until`` None, only read it (an import, which no runner competes with)."""
        with self.engine.begin() as conn:
            if lease_until is not None:
                conn.execute(update(articles).where(articles.c.id == article_id)
                             .values(leased_until=lease_until, leased_by=self.worker_id))
            row = conn.execute(select(articles).where(articles.c.id == article_id)).one()
        return _due_article(row)

    def release_leases(self, article_ids: list[int] | None = None, *,
                       holder: str | None = None, now: datetime | None = None) -> int:
        """Forget leases: of ``article_ids``, of the worker named ``holder`` (restarted under
        the same id), or all (a single runner starting after a crash). A claim moved the
        article's next check to the lease's end: released, it is due at ``now`` (the
        caller's clock; default the wall clock)."""
        query = update(articles).where(articles.c.leased_until.is_not(None))
        if article_ids is not None:
            query = query.where(articles.c.id.in_(article_ids))
        if holder is not None:
            query = query.where(articles.c.leased_by == holder)
        moment = now or datetime.now(UTC)
        due = case((articles.c.next_check_at > moment, moment), else_=articles.c.next_check_at)
        with self.engine.begin() as conn:
            return int(conn.execute(query.values(leased_until=None, next_check_at=due))
                       .rowcount or 0)

    def next_check_time(self) -> datetime | None:
        with self.engine.connect() as conn:
            # The IS NOT NULL lets MIN() read the first entry of the partial due index.
            found: datetime | None = conn.scalar(select(func.min(articles.c.next_check_at))
                                                 .where(articles.c.next_check_at.is_not(None)))
            return found

    def adopt_url(self, article_id: int, canonical: str) -> int | None:
        """Make ``canonical`` the article's URL, keeping the old one as an alias.

        When another article already has that URL, this one (which must have no versions
        yet) is folded into it and its id returned; otherwise returns None.
        """
        with self.engine.begin() as conn:
            owner = conn.scalar(select(articles.c.id).where(articles.c.url == canonical))
            if owner is None:
                owner = conn.scalar(select(aliases.c.article_id).where(aliases.c.url == canonical))
            old_url: str = conn.execute(
                select(articles.c.url).where(articles.c.id == article_id)).scalar_one()
            if owner is None or owner == article_id:
                conn.execute(update(articles).where(articles.c.id == article_id)
                             .values(url=canonical))
                self._add_alias(conn, old_url, article_id)
                return None
            conn.execute(update(aliases).where(aliases.c.article_id == article_id)
                         .values(article_id=owner))
            conn.execute(checks.delete().where(checks.c.article_id == article_id))
            conn.execute(articles.delete().where(articles.c.id == article_id))
            self._add_alias(conn, old_url, owner)
            return int(owner)

    def follow_move(self, article_id: int, url: str) -> bool:
        """An article moved to ``url`` (a permanent redirect): it becomes the article's
        address, the old one an alias. Not when another article has that address (the two
        are left as they are); returns whether it moved."""
        with self.engine.begin() as conn:
            owner = conn.scalar(select(articles.c.id).where(articles.c.url == url)) or \
                conn.scalar(select(aliases.c.article_id).where(aliases.c.url == url))
            if owner not in (None, article_id):
                return False
            old_url: str = conn.execute(
                select(articles.c.url).where(articles.c.id == article_id)).scalar_one()
            if old_url != url:
                conn.execute(update(articles).where(articles.c.id == article_id)
                             .values(url=url))
                self._add_alias(conn, old_url, article_id)
            return True

    @staticmethod
    def _add_alias(conn: Connection, url: str, article_id: int) -> None:
        insert_unless_present(conn, aliases.insert().values(url=url, article_id=article_id))

    def article_for_import(
        self, source_id: int, url: str, seen_at: datetime, check_interval: float,
        alias: str | None = None,
    ) -> ImportTarget:
        """The article at ``url`` (or whose alias it is), entered unscheduled if unknown.

        An imported history is not a tracking order: a new article gets no next check
        (a feed that lists it later revives it). ``alias``, the URL the capture was made
        at, is kept as an alias when it differs from ``url``.
        """
        with self.engine.begin() as conn:
            owner = conn.scalar(select(aliases.c.article_id).where(aliases.c.url == url))
            condition = (articles.c.id == owner) if owner else (articles.c.url == url)
            row = conn.execute(select(articles).where(condition)).first()
            if row is None:
                conn.execute(articles.insert().values(
                    source_id=source_id, url=url, first_seen_at=seen_at, last_seen_at=seen_at,
                    next_check_at=None, check_interval=check_interval))
                row = conn.execute(select(articles).where(articles.c.url == url)).one()
            if alias and alias != url and conn.scalar(
                    select(articles.c.id).where(articles.c.url == alias)) is None:
                self._add_alias(conn, alias, row.id)
            return _import_target(row)

    def find_for_import(self, url: str) -> ImportTarget | None:
        """The article at ``url`` (or whose alias it is), as :meth:`article_for_import`
        gives it, but only read: None if there is none."""
        with self.engine.connect() as conn:
            owner = conn.scalar(select(aliases.c.article_id).where(aliases.c.url == url))
            condition = (articles.c.id == owner) if owner else (articles.c.url == url)
            row = conn.execute(select(articles).where(condition)).first()
            return None if row is None else _import_target(row)

    def iter_articles(self, source: str | None = None) -> Iterator[dict[str, Any]]:
        """Every article with its source name, in order of first sight, streamed."""
        query = (select(articles, sources.c.name.label("source"))
                 .join(sources, articles.c.source_id == sources.c.id)
                 .order_by(articles.c.id))
        if source is not None:
            query = query.where(sources.c.name == source)
        yield from stream_rows(self.engine, query)

    def article_by_url(self, url: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            article_id = conn.scalar(select(aliases.c.article_id).where(aliases.c.url == url))
            condition = (articles.c.id == article_id) if article_id else (articles.c.url == url)
            row = conn.execute(select(articles).where(condition)).first()
            return dict(row._mapping) if row else None


# claim_due's statements, built once: built on every claim they cost about half of it
# (SQLAlchemy's expression building and cache key; bench/checkloop.py's claims, ~12 rows).
_DUE = (select(articles)
        .where(articles.c.next_check_at <= bindparam("now"))
        .where(articles.c.leased_until.is_(None) | (articles.c.leased_until < bindparam("now")))
        .order_by(articles.c.next_check_at)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True))
_LEASE = (update(articles).where(articles.c.id.in_(bindparam("ids", expanding=True)))
          .values(leased_until=bindparam("until"), leased_by=bindparam("holder"),
                  next_check_at=bindparam("next")))


def _import_target(row: Any) -> ImportTarget:
    return ImportTarget(row.id, row.content_hash, row.version_count, row.last_changed_at,
                        row.next_check_at, row.check_interval, row.etag, row.last_modified,
                        _due_article(row))


def _due_article(row: Any) -> DueArticle:
    return DueArticle(row.id, row.source_id, row.url, row.check_interval, row.first_seen_at,
                      row.last_changed_at, row.version_count, row.content_hash, row.etag,
                      row.last_modified, row.error_count, row.status, row.decision_key)
