"""The trace index, and tracing a text to the stored versions it was copied from.

Every version's MinHash keys (:func:`tearsheet.diff.trace.index_keys`) are written with
it, in the same transaction (:func:`index_version`), into ``trace_keys``: one row per key
and article, so a new version adds only the keys its article did not have. A trace looks
its copy's keys up (one indexed probe each), takes the articles sharing the most, reads
their versions and lets :func:`tearsheet.diff.trace.trace` decide which version, if any,
the copy came from. Versions stored before the index existed are indexed by
:func:`fill_trace_index` (``tearsheet db upgrade``, and the start of ``tearsheet run``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update

from tearsheet.diff.align import Document
from tearsheet.diff.trace import Candidate, Fit, index_keys, trace, with_language
from tearsheet.store.schema import articles, sources, trace_keys, trace_state, versions

if TYPE_CHECKING:
    from tearsheet.store.store import Store

CANDIDATES = 8
"""Articles sharing the most keys with a copy that are read and aligned."""
MAX_VERSIONS = 400
"""Versions read for one trace at most, the newest first (an article that flip-flopped a
thousand times is traced through its latest versions)."""


@dataclass(frozen=True)
class Match:
    """A stored article a text was copied from, and the version it fits best."""

    article_id: int
    url: str
    source: str
    title: str | None
    version: int
    captured_at: datetime
    latest: int  # the article's latest version
    also: tuple[int, ...]  # other versions the copy fits as well
    fit: Fit

    @property
    def changed_since(self) -> bool:
        """The source has a newer version that the copy does not fit."""
        return self.latest > max((self.version, *self.also))

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url, "article_id": self.article_id, "source": self.source,
            "title": self.title, "version": self.version,
            "captured_at": self.captured_at.isoformat(), "also_fits": list(self.also),
            "latest_version": self.latest, "changed_since": self.changed_since,
            "diff": (f"/articles/{self.article_id}/diff/{self.version}/{self.latest}"
                     if self.changed_since else None),
            **self.fit.as_json(),
        }


# As the driver takes it: ~45 rows a version, which SQLAlchemy bound one dict at a time in
# Python (0.18 -> 0.10 ms a version on SQLite). ON CONFLICT DO NOTHING: SQLite and PostgreSQL.
_INSERT_KEYS = ('INSERT INTO trace_keys ("key", article_id, number) VALUES ({0}, {0}, {0}) '
                "ON CONFLICT DO NOTHING")


def index_version(conn: Connection, article_id: int, number: int,
                  keys: Iterable[int]) -> None:
    """Add a version's keys to its article's (those it already has stay as they are)."""
    rows = [(key, article_id, number) for key in keys]
    if rows:
        marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(_INSERT_KEYS.format(marker), rows)


def candidates(conn: Connection, keys: Sequence[int],
               limit: int = CANDIDATES) -> list[tuple[int, int]]:
    """(article id, keys shared) of the articles sharing the most keys, most first."""
    if not keys:
        return []
    hits = func.count().label("hits")
    query = (select(trace_keys.c.article_id, hits)
             .where(trace_keys.c.key.in_(sorted(set(keys))))
             .group_by(trace_keys.c.article_id)
             .order_by(hits.desc(), trace_keys.c.article_id).limit(limit))
    return [(int(row.article_id), int(row.hits)) for row in conn.execute(query)]


def trace_text(store: Store, copy: Document, limit: int = 5,
               include_hidden: bool = False) -> list[Match]:
    """The stored versions ``copy`` was copied from, best first (empty: none)."""
    copy = with_language(copy)
    keys = index_keys(copy)
    with store.engine.connect() as conn:
        found = [article for article, _ in candidates(conn, keys)]
        if not found:
            return []
        about, rows = read_articles(conn, found, include_hidden)
    captured = {(row.article_id, row.number): row.captured_at for row in rows}
    offered = [Candidate((row.article_id, row.number), row.article_id,
                         Document.from_text(row.text, language=row.language))
               for row in rows]
    matches = []
    for fit in trace(copy, offered)[:limit]:
        article_id, number = _version_key(fit.key)
        article = about[article_id]
        matches.append(Match(
            article_id, article.url, article.source, article.title, number,
            captured[(article_id, number)], article.version_count,
            tuple(sorted(_version_key(key)[1] for key in fit.also)), fit))
    return matches


def read_articles(conn: Connection, ids: Sequence[int], include_hidden: bool = False,
                  ) -> tuple[dict[int, Any], list[Any]]:
    """Articles ``ids`` (url, title, version_count, source; hidden ones left out unless
    ``include_hidden``) by id, and their versions (at most :data:`MAX_VERSIONS`, the
    newest first), for a trace."""
    condition = articles.c.id.in_(ids) & (articles.c.hidden.is_(False) | include_hidden)
    about = {row.id: row for row in conn.execute(
        select(articles.c.id, articles.c.url, articles.c.title, articles.c.version_count,
               sources.c.name.label("source"))
        .join(sources, articles.c.source_id == sources.c.id).where(condition))}
    rows = conn.execute(
        select(versions.c.article_id, versions.c.number, versions.c.text,
               versions.c.language, versions.c.captured_at)
        .where(versions.c.article_id.in_(list(about)))
        .order_by(versions.c.id.desc()).limit(MAX_VERSIONS)).all()
    return about, list(rows)


def _version_key(key: object) -> tuple[int, int]:
    """A candidate's key as :func:`trace_text` made it: (article id, version number)."""
    assert isinstance(key, tuple)
    return int(key[0]), int(key[1])


def backlog(conn: Connection) -> int:
    """The highest version id that may not be indexed yet (0: none)."""
    return int(conn.scalar(select(trace_state.c.value)
                           .where(trace_state.c.name == "backlog")) or 0)


def fill_trace_index(store: Store, batch: int = 500) -> int:
    """Index the versions stored before the trace index, newest first; returns how many.
    Safe to stop and run again: the backlog mark moves with each committed batch."""
    done = 0
    while True:
        with store.engine.begin() as conn:
            below = backlog(conn)
            if below <= 0:
                return done
            rows = conn.execute(
                select(versions.c.id, versions.c.article_id, versions.c.number,
                       versions.c.text, versions.c.language)
                .where(versions.c.id <= below)
                .order_by(versions.c.id.desc()).limit(batch)).all()
            for row in rows:
                index_version(conn, row.article_id, row.number, index_keys(
                    Document.from_text(row.text, language=row.language)))
            mark = rows[-1].id - 1 if len(rows) == batch else 0
            conn.execute(update(trace_state).where(trace_state.c.name == "backlog")
                         .values(value=mark))
            done += len(rows)
