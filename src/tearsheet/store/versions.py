"""The store's versions: read one, the last one's length, all of them streamed for an
export (:class:`Versions`, a part of :class:`tearsheet.store.store.Store`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, func, select, update

from tearsheet.diff.summary import ChangeSummary
from tearsheet.store.database import stream_rows
from tearsheet.store.schema import articles, sources, versions, zoned


class Versions:
    """Reading versions, and filling in their change summaries."""

    engine: Engine
    worker_id: str

    def iter_versions(
        self, source: str | None = None, *, since: datetime | None = None,
        until: datetime | None = None, by_time: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Every version (of ``source``, captured in [``since``, ``until``)), in article
        then version order — or in capture order with ``by_time`` — streamed (flat memory)."""
        query: Select[Any] = (
            select(sources.c.name.label("source"), articles.c.url, versions.c.number,
                   versions.c.captured_at, versions.c.title, versions.c.standfirst,
                   versions.c.byline,
                   versions.c.published_at, versions.c.modified_at,
                   versions.c.published_offset, versions.c.modified_offset, versions.c.language,
                   versions.c.text, versions.c.url.label("fetched_url"),
                   articles.c.first_seen_at, versions.c.article_id, versions.c.content_hash,
                   versions.c.kinds, versions.c.significance, versions.c.warc_file,
                   versions.c.warc_offset, versions.c.warc_length, versions.c.memento_url,
                   versions.c.intents, versions.c.intent_labels, versions.c.silent_correction,
                   versions.c.correction_note, versions.c.extractor)
            .join(articles, versions.c.article_id == articles.c.id)
            .join(sources, articles.c.source_id == sources.c.id)
        )
        query = self.version_filter(query, source, since, until)
        order = (versions.c.captured_at, versions.c.id) if by_time else (
            versions.c.article_id, versions.c.number)
        for row in stream_rows(self.engine, query.order_by(*order)):
            yield zoned(row)

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

    def version(self, article_id: int, number: int) -> dict[str, Any] | None:
        """One stored version of an article (``number`` counts from 1)."""
        query = select(versions).where(versions.c.article_id == article_id,
                                       versions.c.number == number)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            return zoned(dict(row._mapping)) if row else None

    def standfirst_known(self, article_id: int) -> bool:
        """Whether the article's latest version has its standfirst stored (True with no
        version; False: stored before migration 0014, so the fingerprint is compared
        without it, see :mod:`tearsheet.diff.fingerprint`)."""
        query = (select(versions.c.standfirst)
                 .where(versions.c.article_id == article_id)
                 .order_by(versions.c.number.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            return row is None or row.standfirst is not None

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
