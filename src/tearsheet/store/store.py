"""The store: articles, their versions and their schedule, in SQLite or PostgreSQL.

The store knows nothing of the web: it takes and returns plain values. Every write that
matters is one transaction — a new version, its check and the article's next check are
committed together, so a killed process never leaves a version without its schedule or a
schedule that skipped a version.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select, update

from tearsheet.diff.align import Document
from tearsheet.diff.summary import ChangeSummary
from tearsheet.diff.trace import index_keys
from tearsheet.store import database, proofs
from tearsheet.store.database import dialect_insert, insert_unless_present
from tearsheet.store.records import CheckRecord, DueArticle, DueFeed, Outcome
from tearsheet.store.schema import aliases, articles, checks, feeds, sources, versions
from tearsheet.store.tracing import index_version

log = logging.getLogger(__name__)


class Store:
    """Access to one tearsheet database. Open with :meth:`open`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Names this process in the leases it takes (``worker.id``, see docs/deploy.md).
        self.worker_id = default_worker_id()

    @classmethod
    def open(cls, url: str, *, upgrade: bool | None = None,
             statement_timeout: float | None = None) -> Store:
        """Open the database at ``url``, creating or upgrading its schema if ``upgrade``
        (see :func:`tearsheet.store.database.open_engine`: by default SQLite only);
        ``statement_timeout`` bounds each statement on PostgreSQL (seconds)."""
        return cls(database.open_engine(url, upgrade=upgrade,
                                        statement_timeout=statement_timeout))

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None: empty database)."""
        return database.schema_revision(self.engine)

    def upgrade(self) -> None:
        """Apply every pending migration."""
        database.upgrade_schema(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def relax_durability(self) -> None:
        """For a bulk write that can simply be run again (an import): on SQLite, commit
        without waiting for the disk (WAL with ``synchronous=NORMAL``: a power cut may lose
        the last commits, never corrupt the database). Only this store's connections."""
        database.relax_durability(self.engine)

    # --- sources and feeds -------------------------------------------------------------

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

    def due_feeds(self, now: datetime) -> list[DueFeed]:
        query = (select(feeds).where(feeds.c.active == 1, feeds.c.next_poll_at <= now)
                 .order_by(feeds.c.next_poll_at))
        with self.engine.connect() as conn:
            return [DueFeed(r.id, r.source_id, r.kind, r.url, r.article_pattern, r.etag,
                            r.last_modified, r.error_count) for r in conn.execute(query)]

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

    # --- articles ----------------------------------------------------------------------

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
        query = (
            select(articles)
            .where(articles.c.next_check_at <= now)
            .where((articles.c.leased_until.is_(None)) | (articles.c.leased_until < now))
            .order_by(articles.c.next_check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            if rows:
                conn.execute(update(articles).where(articles.c.id.in_([r.id for r in rows]))
                             .values(leased_until=lease_until, leased_by=self.worker_id))
        return [_due_article(r) for r in rows]

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
                       holder: str | None = None) -> int:
        """Forget leases: of ``article_ids``, of the worker named ``holder`` (restarted under
        the same id), or all (a single runner starting after a crash)."""
        query = update(articles).where(articles.c.leased_until.is_not(None))
        if article_ids is not None:
            query = query.where(articles.c.id.in_(article_ids))
        if holder is not None:
            query = query.where(articles.c.leased_by == holder)
        with self.engine.begin() as conn:
            return int(conn.execute(query.values(leased_until=None)).rowcount or 0)

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

    @staticmethod
    def _add_alias(conn: Connection, url: str, article_id: int) -> None:
        insert_unless_present(conn, aliases.insert().values(url=url, article_id=article_id))

    def record_check(self, record: CheckRecord) -> int | None:
        """Record one check and move the schedule on, in one transaction.

        With a ``version``, stores it as the article's next version and returns its number.
        The article's row is locked first and checked again: if another worker took the lease
        over (this check outlived it),
        nothing is recorded; if the version is the one already stored, it is not stored
        twice.
        """
        return self.record_checks([record])[0]

    def record_checks(self, records: Sequence[CheckRecord]) -> list[int | None]:
        """Record several checks in one transaction: one durable commit for all (group
        commit). All or none are stored; each returns its version number (or None)."""
        numbers: list[int | None] = [None] * len(records)
        with self.engine.begin() as conn:
            # Article rows are locked in id order, as add_articles updates them: two
            # workers' transactions then never wait for each other in a cycle (deadlock).
            for index in sorted(range(len(records)), key=lambda i: records[i].article.id):
                numbers[index] = self._write_check(conn, records[index])
        return numbers

    def _write_check(self, conn: Connection, record: CheckRecord) -> int | None:
        article, version, outcome = record.article, record.version, record.outcome
        current = conn.execute(
            select(articles.c.leased_by, articles.c.leased_until, articles.c.version_count,
                   articles.c.content_hash)
            .where(articles.c.id == article.id).with_for_update()).first()
        if current is None or (current.leased_by not in (None, self.worker_id)
                               and current.leased_until is not None):
            log.warning("article %s: lease taken over by %s; this check is not recorded",
                        article.url, current.leased_by if current else "(merged)")
            return None
        if version is not None and version.content_hash == current.content_hash:
            version, outcome = None, Outcome.UNCHANGED  # already stored: never twice
        elif version is not None and current.version_count != article.version_count:
            log.warning("article %s: another check stored a version meanwhile; this one is "
                        "not recorded", article.url)
            return None
        values: dict[str, Any] = {
            "last_checked_at": record.checked_at, "next_check_at": record.next_check_at,
            "check_interval": record.check_interval, "leased_until": None,
        }
        number = None
        if outcome == Outcome.FAILED:
            values.update(error_count=articles.c.error_count + 1, last_error=record.error)
        else:
            values.update(error_count=0, last_error=None, etag=record.etag,
                          last_modified=record.last_modified)
        if version is not None:
            number = current.version_count + 1
            version_id = conn.execute(versions.insert().values(
                article_id=article.id, number=number, captured_at=record.checked_at,
                url=version.url, title=version.title, byline=version.byline,
                published_at=version.published_at, modified_at=version.modified_at,
                language=version.language, text=version.text,
                content_hash=version.content_hash,
                **(version.summary.columns() if version.summary else {}),
                **(version.capture.columns() if version.capture else {}),
            ).returning(versions.c.id)).scalar_one()
            if version.capture is not None and version.capture.digest is not None:
                proofs.queue_stamp(conn, int(version_id), version.capture.digest,
                                   record.checked_at)
            keys = version.trace_keys
            if keys is None:
                keys = index_keys(Document.from_text(version.text, language=version.language))
            index_version(conn, article.id, number, keys)
            values.update(version_count=number, content_hash=version.content_hash,
                          last_changed_at=record.checked_at, title=version.title)
            if version.published_at is not None:
                values["published_at"] = version.published_at
        conn.execute(checks.insert().values(
            article_id=article.id, checked_at=record.checked_at, outcome=outcome,
            http_status=record.http_status, error=record.error, elapsed_ms=record.elapsed_ms,
            source_id=article.source_id, reason=record.reason, body_length=record.body_length,
        ))
        conn.execute(update(articles).where(articles.c.id == article.id).values(**values))
        return number

    def article_for_import(
        self, source_id: int, url: str, seen_at: datetime, check_interval: float,
        alias: str | None = None,
    ) -> dict[str, Any]:
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
            return dict(row._mapping)

    # --- reading -----------------------------------------------------------------------

    def iter_versions(
        self, source: str | None = None, *, since: datetime | None = None,
        until: datetime | None = None, by_time: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every version (of ``source``, captured in [``since``, ``until``)), in article
        then version order — or in capture order with ``by_time`` — streamed (flat memory)."""
        query: Select[Any] = (
            select(sources.c.name.label("source"), articles.c.url, versions.c.number,
                   versions.c.captured_at, versions.c.title, versions.c.byline,
                   versions.c.published_at, versions.c.modified_at, versions.c.language,
                   versions.c.text, versions.c.url.label("fetched_url"),
                   articles.c.first_seen_at, versions.c.article_id, versions.c.content_hash,
                   versions.c.kinds, versions.c.significance, versions.c.warc_file,
                   versions.c.warc_offset, versions.c.warc_length, versions.c.memento_url,
                   versions.c.intents, versions.c.intent_labels, versions.c.silent_correction,
                   versions.c.correction_note)
            .join(articles, versions.c.article_id == articles.c.id)
            .join(sources, articles.c.source_id == sources.c.id)
        )
        query = self.version_filter(query, source, since, until)
        order = (versions.c.captured_at, versions.c.id) if by_time else (
            versions.c.article_id, versions.c.number)
        yield from self._stream(query.order_by(*order))

    def count_versions(self, source: str | None = None, *, since: datetime | None = None,
                       until: datetime | None = None) -> int:
        """How many versions :meth:`iter_versions` would give (for a progress bar)."""
        query = (select(func.count()).select_from(versions)
                 .join(articles, versions.c.article_id == articles.c.id)
                 .join(sources, articles.c.source_id == sources.c.id))
        with self.engine.connect() as conn:
            return int(conn.scalar(self.version_filter(query, source, since, until)) or 0)

    @staticmethod
    def version_filter(query: Select[Any], source: str | None, since: datetime | None,
                        until: datetime | None) -> Select[Any]:
        if source is not None:
            query = query.where(sources.c.name == source)
        if since is not None:
            query = query.where(versions.c.captured_at >= since)
        if until is not None:
            query = query.where(versions.c.captured_at < until)
        return query

    def iter_articles(self, source: str | None = None) -> Iterator[dict[str, Any]]:
        """Every article with its source name, in order of first sight, streamed."""
        query = (select(articles, sources.c.name.label("source"))
                 .join(sources, articles.c.source_id == sources.c.id)
                 .order_by(articles.c.id))
        if source is not None:
            query = query.where(sources.c.name == source)
        yield from self._stream(query)

    def _stream(self, query: Select[Any]) -> Iterator[dict[str, Any]]:
        """Rows as dicts, fetched in batches (server-side cursor on PostgreSQL)."""
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=500).execute(query)
            for row in result:
                yield dict(row._mapping)

    def article_by_url(self, url: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            article_id = conn.scalar(select(aliases.c.article_id).where(aliases.c.url == url))
            condition = (articles.c.id == article_id) if article_id else (articles.c.url == url)
            row = conn.execute(select(articles).where(condition)).first()
            return dict(row._mapping) if row else None

    def source_name(self, source_id: int) -> str:
        with self.engine.connect() as conn:
            name = conn.scalar(select(sources.c.name).where(sources.c.id == source_id))
            return str(name or "")

    def versions_without_summary(self, limit: int, after_id: int = 0) -> list[dict[str, Any]]:
        """Changes (versions after the first) stored before summaries were, or before
        their intents were (for backfill)."""
        query = (select(versions.c.id, versions.c.article_id, versions.c.number)
                 .where(versions.c.number > 1,
                        versions.c.significance.is_(None) | versions.c.intents.is_(None),
                        versions.c.id > after_id)
                 .order_by(versions.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def set_summary(self, version_id: int, summary: ChangeSummary) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(versions).where(versions.c.id == version_id)
                         .values(**summary.columns()))

    def version(self, article_id: int, number: int) -> dict[str, Any] | None:
        """One stored version of an article (``number`` counts from 1)."""
        query = select(versions).where(versions.c.article_id == article_id,
                                       versions.c.number == number)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            return dict(row._mapping) if row else None

    def last_text_length(self, article_id: int) -> int | None:
        """Characters in the body of the article's latest version (None: no version).

        Asked only when a check is about to store a new version (to notice a body that
        shrank by half), so one indexed lookup then costs nothing in the common case.
        """
        query = (select(func.length(versions.c.text))
                 .where(versions.c.article_id == article_id)
                 .order_by(versions.c.number.desc()).limit(1))
        with self.engine.connect() as conn:
            length = conn.scalar(query)
            return None if length is None else int(length)

    def source_summaries(self, now: datetime) -> list[dict[str, Any]]:
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
            return [dict(r._mapping) for r in conn.execute(query)]

    def recent_errors(self, limit: int = 10) -> list[dict[str, Any]]:
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
            rows = [dict(r._mapping) for r in conn.execute(feed_query)]
            rows += [dict(r._mapping) for r in conn.execute(query)]
        return rows


def default_worker_id() -> str:
    """host-pid: unique among the processes sharing a store."""
    return f"{socket.gethostname()}-{os.getpid()}"


def _due_article(row: Any) -> DueArticle:
    return DueArticle(row.id, row.source_id, row.url, row.check_interval, row.first_seen_at,
                      row.last_changed_at, row.version_count, row.content_hash, row.etag,
                      row.last_modified, row.error_count)
