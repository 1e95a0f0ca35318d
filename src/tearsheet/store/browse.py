"""Read-only queries for people browsing the store: the web UI (and later feeds and API).

Kept apart from :mod:`tearsheet.store.store`, which owns the writes and the tracker's queries.
Lists use keyset pagination — "the 50 before (time, id)" — which costs the same on page
one and page ten thousand, where OFFSET would scan everything skipped.
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, text, tuple_

from tearsheet.diff.summary import kind_pattern
from tearsheet.store.schema import (
    SEARCH_TABLE,
    SEARCH_VECTOR,
    UTCDateTime,
    aliases,
    article_events,
    articles,
    change_counts,
    checks,
    headline_tests,
    notify_state,
    sources,
    versions,
    zoned,
)
from tearsheet.store.store import Store

CURATION = "curation"  # the notify_state row counting the API's writes (see data_version)

Cursor = tuple[datetime, int]
MARK_START, MARK_END = "\x02", "\x03"
_TERM = re.compile(r"\w+")


def match_query(terms: str) -> str:
    """User words as an FTS5 query: each word quoted (so no character of the input is
    query syntax), all of them required."""
    return " ".join(f'"{word}"' for word in _TERM.findall(terms)[:20])


# The statements of the pages read most, built once: building a SELECT costs twice what
# running it does when it looks rows up by key (~0.15 ms against ~0.08 ms).
_ARTICLE = (select(articles, sources.c.name.label("source"))
            .join(sources, articles.c.source_id == sources.c.id)
            .where(articles.c.id == bindparam("article_id"), articles.c.hidden.is_(False)))
_VERSIONS = (select(versions).where(versions.c.article_id == bindparam("article_id"))
             .order_by(versions.c.number))
_SOME_VERSIONS = _VERSIONS.where(versions.c.number.in_(bindparam("numbers", expanding=True)))
_VISIBLE_VERSION = _SOME_VERSIONS.where(~exists().where(
    articles.c.id == versions.c.article_id, articles.c.hidden.is_(True)))
_HISTORY = (select(*[c for c in versions.c if c.name not in ("text", "content_hash")])
            .where(versions.c.article_id == bindparam("article_id"))
            .order_by(versions.c.number))
_SOURCE_NAMES = select(sources.c.name).order_by(sources.c.name)
_EVENTS = (select(article_events).where(article_events.c.article_id == bindparam("article_id"))
           .order_by(article_events.c.at, article_events.c.id))
_HEADLINE_VARIANTS = (select(headline_tests.c.headline, headline_tests.c.seen)
                      .where(headline_tests.c.article_id == bindparam("article_id"))
                      .order_by(headline_tests.c.first_seen_at, headline_tests.c.id))
_LOOKUP = (select(articles.c.id, articles.c.url, articles.c.title, articles.c.version_count,
                  articles.c.first_seen_at, articles.c.last_changed_at,
                  sources.c.name.label("source"))
           .join(sources, articles.c.source_id == sources.c.id)
           .where(articles.c.hidden.is_(False), or_(
               articles.c.url == bindparam("url"),
               articles.c.id.in_(select(aliases.c.article_id)
                                 .where(aliases.c.url == bindparam("url"))))))

# The latest changes and their filters (bound values: the statement is built once).
_PREVIOUS = versions.alias("previous")
_LATEST = (
    select(versions.c.id, versions.c.article_id, versions.c.number, versions.c.captured_at,
           versions.c.title, versions.c.byline, versions.c.kinds, versions.c.significance,
           versions.c.boring, versions.c.words_added, versions.c.words_removed,
           versions.c.intents, versions.c.intent_labels, versions.c.silent_correction,
           versions.c.correction_note, _PREVIOUS.c.title.label("previous_title"),
           articles.c.url, articles.c.title.label("latest_title"),
           sources.c.name.label("source"))
    .join(articles, versions.c.article_id == articles.c.id)
    .join(sources, articles.c.source_id == sources.c.id)
    .outerjoin(_PREVIOUS, and_(_PREVIOUS.c.article_id == versions.c.article_id,
                               _PREVIOUS.c.number == versions.c.number - 1))
    .where(versions.c.number > 1, articles.c.hidden.is_(False))
    .order_by(versions.c.captured_at.desc(), versions.c.id.desc())
    .limit(bindparam("limit"))
)
_AFTER_CURSOR = tuple_(versions.c.captured_at, versions.c.id) < tuple_(
    bindparam("before_at", type_=UTCDateTime()), bindparam("before_id"))
_OF_ARTICLE = versions.c.article_id == bindparam("article_id")
_MATCHING = versions.c.id.in_(text(
    f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :terms"))  # noqa: S608
_PG_MATCHING = versions.c.id.in_(text(  # the GIN index of migration 0002, as in _pg_search
    f"SELECT m.id FROM versions AS m WHERE {SEARCH_VECTOR.format(v='m.')} "  # noqa: S608
    "@@ websearch_to_tsquery('simple', :terms)"))
# "+ 0" keeps SQLite from walking the source's articles and sorting all their versions
# (a second at 1,000,000 versions): it walks the time index and skips other sources.
_OF_SOURCE = articles.c.source_id + 0 == (
    select(sources.c.id).where(sources.c.name == bindparam("source")).scalar_subquery())
_UNKNOWN = versions.c.significance.is_(None)  # stored before summaries: the caller judges
_OF_KIND = or_(_UNKNOWN, versions.c.kinds.like(bindparam("kind"), escape="/"))
_AT_LEAST = or_(_UNKNOWN, versions.c.significance >= bindparam("min"))
_NOT_BORING = or_(_UNKNOWN, versions.c.boring.is_(False))
# Intents filter strictly: a change not yet read (NULL) is never said to be of an intent.
_OF_INTENT = or_(versions.c.intents.like(bindparam("intent"), escape="/"),
                 versions.c.intent_labels.like(bindparam("intent"), escape="/"))
# A source's articles (its page), newest change first; the order is the index
# ix_articles_source_id_moment (0016), walked backwards from the cursor.
_MOMENT = func.coalesce(articles.c.last_changed_at, articles.c.first_seen_at)
_ARTICLES_OF = (
    select(articles.c.id, articles.c.url, articles.c.title, articles.c.version_count,
           articles.c.first_seen_at, articles.c.last_changed_at, articles.c.next_check_at,
           _MOMENT.label("moment"))
    .where(articles.c.source_id == select(sources.c.id)
           .where(sources.c.name == bindparam("source")).scalar_subquery(),
           articles.c.hidden.is_(False))
    .order_by(_MOMENT.desc(), articles.c.id.desc())
    .limit(bindparam("limit"))
)
# (moment, id) < cursor, spelt so that both databases walk the index from the cursor (a
# row-value comparison over an expression is no index range for SQLite).
_BEFORE_AT = bindparam("before_at", type_=UTCDateTime())
_MOMENT_BEFORE = and_(_MOMENT <= _BEFORE_AT, or_(_MOMENT < _BEFORE_AT,
                                                 articles.c.id < bindparam("before_id")))
_SILENT = versions.c.silent_correction.is_(True)
_NOT_SILENT = versions.c.silent_correction.is_(False)


class Browse:
    """Queries over one store; every method returns plain dicts."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        database = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and database not in (None, "", ":memory:"):
            # PRAGMA data_version counts commits by *other* connections, so it needs one of
            # its own that never writes.
            self._watch = sqlite3.connect(database, check_same_thread=False)
            self._watch.execute("PRAGMA query_only=1")

    def data_version(self) -> object:
        """A value that changes whenever anything is committed to the store (for caches).

        On SQLite, ``PRAGMA data_version`` on a connection of our own: microseconds, no
        table read. Elsewhere, the newest article, version and check (each write of the
        tracker adds at least one of them) and the count of the API's writes (hide, sources;
        :mod:`tearsheet.store.curation`): four index look-ups.
        """
        if self._watch is not None:
            with self._watch_lock:
                return self._watch.execute("PRAGMA data_version").fetchone()[0]
        query = select(select(func.max(articles.c.id)).scalar_subquery(),
                       select(func.max(versions.c.id)).scalar_subquery(),
                       select(func.max(checks.c.id)).scalar_subquery(),
                       select(notify_state.c.value).where(notify_state.c.name == CURATION)
                       .scalar_subquery())
        with self.engine.connect() as conn:
            return tuple(conn.execute(query).one())

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()

    def latest_changes(self, limit: int = 50, before: Cursor | None = None,
                       source: str | None = None, kind: str | None = None,
                       min_significance: float = 0.0,
                       boring: bool = False,
                       article_id: int | None = None,
                       matching: str | None = None, intent: str | None = None,
                       silent: bool | None = None) -> list[dict[str, Any]]:
        """Versions after the first (that is, changes), newest first.

        ``matching``: only versions holding all these words (the search index).
        ``intent``: a coarse intent (``fact``) or a fine label (``figure``);
        ``silent``: only silent corrections (True) or only changes that are not (False).

        Filters use the summary stored with each version; a version stored before
        summaries existed (NULL) passes them, and the caller judges it.
        """
        values: dict[str, Any] = {"limit": limit}
        query = _LATEST
        if before is not None:
            query = query.where(_AFTER_CURSOR)
            values["before_at"], values["before_id"] = before
        if article_id is not None:
            query = query.where(_OF_ARTICLE)
            values["article_id"] = article_id
        if matching is not None:
            if not match_query(matching):
                return []
            postgres = self.engine.dialect.name == "postgresql"
            query = query.where(_PG_MATCHING if postgres else _MATCHING)
            values["terms"] = matching[:1000] if postgres else match_query(matching)
        if source is not None:
            query = query.where(_OF_SOURCE)
            values["source"] = source
        if kind:
            query = query.where(_OF_KIND)
            values["kind"] = kind_pattern(kind)
        if min_significance > 0:
            query = query.where(_AT_LEAST)
            values["min"] = min_significance
        if not boring:
            query = query.where(_NOT_BORING)
        if intent:
            query = query.where(_OF_INTENT)
            values["intent"] = kind_pattern(intent)
        if silent is not None:
            query = query.where(_SILENT if silent else _NOT_SILENT)
        return self._all(query, values)

    def source_names(self) -> list[str]:
        """Just the names (for menus): no aggregate over the articles."""
        with self.engine.connect() as conn:
            return list(conn.scalars(_SOURCE_NAMES))

    def sources(self) -> list[dict[str, Any]]:
        """Each source with its numbers of articles and of changes (versions after the first).

        Per source, counts over its range of two indexes, the sum of its ``change_counts``
        and one index look-up for its last change (0016): no article row is read."""
        a, s = articles.c, sources.c
        of_source = a.source_id == s.id
        query = select(
            s.name,
            select(func.count()).where(of_source).scalar_subquery().label("articles"),
            select(func.coalesce(func.sum(change_counts.c.changes), 0))
            .where(change_counts.c.source_id == s.id).scalar_subquery().label("changes"),
            select(func.count()).where(of_source, a.first_change_seconds.is_not(None))
            .scalar_subquery().label("changed_articles"),
            select(func.max(a.last_changed_at)).where(of_source)
            .scalar_subquery().label("last_changed_at"),
        ).order_by(s.name)
        return self._all(query)

    def articles_of(self, source: str, limit: int = 50,
                    before: Cursor | None = None) -> list[dict[str, Any]]:
        """A source's articles, most recently changed (or first seen) first: a walk of
        ``ix_articles_source_id_moment`` (0016), backwards from the cursor."""
        values: dict[str, Any] = {"source": source, "limit": limit}
        query = _ARTICLES_OF
        if before is not None:
            query = query.where(_MOMENT_BEFORE)
            values["before_at"], values["before_id"] = before
        return self._all(query, values)

    def article(self, article_id: int) -> dict[str, Any] | None:
        rows = self._all(_ARTICLE, {"article_id": article_id})
        return rows[0] if rows else None

    def article_events(self, article_id: int) -> list[dict[str, Any]]:
        """What happened to an article besides its versions (unpublished, moved, …)."""
        return self._all(_EVENTS, {"article_id": article_id})

    def headline_variants(self, article_id: int) -> list[tuple[str | None, int]]:
        """The variants of the article's headline test (headline, times seen), if any."""
        with self.engine.connect() as conn:
            return [(row.headline, int(row.seen))
                    for row in conn.execute(_HEADLINE_VARIANTS, {"article_id": article_id})]

    def versions(self, article_id: int, numbers: tuple[int, ...] | None = None,
                 with_text: bool = True) -> list[dict[str, Any]]:
        """An article's versions (all, or those ``numbers``), oldest first; the history
        list needs no text, and leaving it out saves reading every version's body."""
        if numbers is not None:
            return self._all(_SOME_VERSIONS, {"article_id": article_id, "numbers": numbers})
        return self._all(_VERSIONS if with_text else _HISTORY, {"article_id": article_id})

    def lookup(self, url: str) -> dict[str, Any] | None:
        """The visible article whose canonical URL, or one of whose aliases, is ``url``."""
        rows = self._all(_LOOKUP, {"url": url})
        return rows[0] if rows else None

    def version(self, article_id: int, number: int) -> dict[str, Any] | None:
        """One version, unless its article is hidden (a raw capture's direct link too)."""
        rows = self._all(_VISIBLE_VERSION, {"article_id": article_id, "numbers": (number,)})
        return rows[0] if rows else None

    def search(self, terms: str, limit: int = 50) -> list[dict[str, Any]]:
        """Versions whose headline or text hold every word of ``terms``, best first.

        Every version is indexed, so this finds text that was later removed. The snippet
        marks matches with :data:`MARK_START`/:data:`MARK_END` (control characters no web
        text contains), so the caller can escape it and then add its own markup.
        """
        query = match_query(terms)
        if not query:
            return []
        if self.engine.dialect.name == "postgresql":
            return self._all(_pg_search(terms, limit))
        sql = text(f"""
            SELECT v.id, v.article_id, v.number, v.captured_at, v.title,
                   a.version_count, a.title AS latest_title, s.name AS source,
                   snippet({SEARCH_TABLE}, 1, :start, :end, '…', 24) AS snippet
            FROM {SEARCH_TABLE} AS f
            JOIN versions AS v ON v.id = f.rowid
            JOIN articles AS a ON a.id = v.article_id
            JOIN sources AS s ON s.id = a.source_id
            WHERE {SEARCH_TABLE} MATCH :query AND NOT a.hidden
            ORDER BY f.rank, v.captured_at DESC
            LIMIT :limit""").columns(captured_at=UTCDateTime())  # noqa: S608 - values are bound
        with self.engine.connect() as conn:
            rows = conn.execute(sql, {"query": query, "limit": limit, "start": MARK_START,
                                      "end": MARK_END})
            return [dict(row._mapping) for row in rows]

    def changes_per_day(self, since: datetime) -> list[dict[str, Any]]:
        """(source, day, changes) from ``since``'s UTC day on, for the statistics chart:
        the counters the store keeps as it writes (``change_counts``, 0016), not the
        versions themselves."""
        c = change_counts.c
        query = (select(sources.c.name.label("source"), c.day, c.changes)
                 .join(sources, c.source_id == sources.c.id)
                 .where(c.day >= since.astimezone(UTC).date())
                 .order_by(c.day, sources.c.name))
        return self._all(query)

    def most_edited(self, limit: int = 10) -> list[dict[str, Any]]:
        """The articles with the most versions (ties: the newest first), a walk of
        ``ix_articles_version_count`` from its end."""
        a = articles.c
        query = (select(a.id, a.url, a.title, a.version_count, sources.c.name.label("source"))
                 .join(sources, a.source_id == sources.c.id)
                 .where(a.version_count > 1, a.hidden.is_(False))
                 .order_by(a.version_count.desc(), a.id.desc()).limit(limit))
        return self._all(query)

    def time_to_first_change(self) -> dict[str, float]:
        """Per source, the median seconds from first sight to the first change.

        From ``articles.first_change_seconds`` (set when a second version is stored) and
        its per-source index: a count over the index, then the one or two middle entries
        read at their offset. No version is read; no list of every article comes back."""
        a = articles.c
        seconds = a.first_change_seconds
        counted = select(sources.c.name, sources.c.id, select(func.count()).where(
            a.source_id == sources.c.id, seconds.is_not(None)).scalar_subquery())
        middle = (select(seconds).where(a.source_id == bindparam("source_id"),
                                        seconds.is_not(None))
                  .order_by(seconds).offset(bindparam("skip")).limit(bindparam("take")))
        medians = {}
        with self.engine.connect() as conn:
            for name, source_id, count in conn.execute(counted).all():
                if not count:
                    continue
                values = conn.scalars(middle, {"source_id": source_id, "skip": (count - 1) // 2,
                                               "take": 2 - count % 2}).all()
                medians[name] = statistics.fmean(float(value) for value in values)
        return medians

    def _all(self, query: Any, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [zoned(dict(row._mapping)) for row in conn.execute(query, values)]

    # --- for the JSON API (tearsheet.web.api) ------------------------------------------

    def article_list(self, limit: int, after: int = 0, source: str | None = None,
                     status: str | None = None,
                     changed_since: datetime | None = None) -> list[dict[str, Any]]:
        """Articles in id order after ``after``; ``status`` is ``active`` or ``retired``."""
        a = articles.c
        query = (select(a.id, a.url, a.title, a.version_count, a.first_seen_at,
                        a.last_changed_at, a.next_check_at, a.hidden,
                        sources.c.name.label("source"))
                 .join(sources, a.source_id == sources.c.id)
                 .where(a.id > after, a.hidden.is_(False)).order_by(a.id).limit(limit))
        if source is not None:
            query = query.where(sources.c.name == source)
        if status == "active":
            query = query.where(a.next_check_at.is_not(None))
        elif status == "retired":
            query = query.where(a.next_check_at.is_(None))
        if changed_since is not None:
            query = query.where(a.last_changed_at >= changed_since)
        return self._all(query)

    def source_origins(self) -> dict[str, dict[str, Any]]:
        """Per source name: where it was configured (``config``/``api``), when removed."""
        query = select(sources.c.name, sources.c.origin, sources.c.removed_at)
        return {row["name"]: row for row in self._all(query)}


def _pg_search(terms: str, limit: int) -> Any:
    """The PostgreSQL search: the GIN index of migration 0002 (the WHERE repeats its exact
    expression), ``websearch_to_tsquery`` (never a syntax error: quotes, ``or`` and ``-``
    work as on a search engine), ranked, with a ``ts_headline`` snippet. ts_headline drops
    what looks like an HTML tag, so ``<`` is hidden from it: the snippet is the stored text,
    which the caller escapes."""
    vector = SEARCH_VECTOR.format(v="v.")
    headline_options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, "
                        "FragmentDelimiter=…, MaxWords=24, MinWords=8")
    return text(f"""
        SELECT v.id, v.article_id, v.number, v.captured_at, v.title,
               a.version_count, a.title AS latest_title, s.name AS source,
               replace(ts_headline('simple', replace(v.text, '<', chr(1)), q.query, :options),
                       chr(1), '<') AS snippet
        FROM versions AS v, websearch_to_tsquery('simple', :terms) AS q(query),
             articles AS a, sources AS s
        WHERE {vector} @@ q.query
          AND a.id = v.article_id AND s.id = a.source_id AND NOT a.hidden
        ORDER BY ts_rank({vector}, q.query) DESC, v.captured_at DESC
        LIMIT :limit""").bindparams(  # noqa: S608 - values are bound
        terms=terms[:1000], options=headline_options, limit=limit,
    ).columns(captured_at=UTCDateTime())
