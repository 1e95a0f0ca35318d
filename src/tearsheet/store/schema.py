"""The database schema, as SQLAlchemy Core tables (the same on SQLite and PostgreSQL).

Alembic migrations in :mod:`tearsheet.store.migrations` create and evolve it; this module is
the reference they are written against.

- ``sources``: the news sources of the configuration.
- ``feeds``: each feed, sitemap or section page of a source, with its polling state.
- ``articles``: one row per article (canonical URL), with its check schedule.
  ``next_check_at`` is NULL once retired; the partial index over it makes "what is due"
  an index range scan whatever the number of articles.
- ``aliases``: other URLs of an article (feed URLs that redirect or name a canonical).
- ``versions``: every distinct version of an article, numbered 1..n, with where its raw
  response is archived (a WARC record).
- ``change_counts``: changes per source and day, kept as versions are stored (statistics).
- ``checks``: the log of every check, including failures (which never make versions).
- ``timestamp_batches``, ``capture_stamps``: trusted timestamps of the raw captures.
- ``hosts``: per-host politeness shared by every worker (see :mod:`tearsheet.store.hosts`).
- ``social_posts``: cards posted to Mastodon and Bluesky, one thread per article and
  account (see :mod:`tearsheet.notify.posting`).
- ``wayback_saves``: versions asked of the Internet Archive's Save Page Now, and their
  mementos (see :mod:`tearsheet.notify.saving`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def offset_minutes(moment: datetime | None) -> int | None:
    """The UTC offset a page gave a date, in minutes east of UTC (None: no date)."""
    offset = moment.utcoffset() if moment is not None else None
    return None if offset is None else int(offset.total_seconds() // 60)


def in_offset(moment: datetime | None, minutes: int | None) -> datetime | None:
    """A stored (UTC) date in the offset its page gave it: a page's "March 1, 23:30
    -05:00" is shown on March 1, not on March 2 in UTC. ``None`` (stored before migration
    0017, or out of range): UTC, as before."""
    if moment is None or minutes is None or not -1440 < minutes < 1440:
        return moment
    return moment.astimezone(timezone(timedelta(minutes=minutes)))


_ZONED = (("published_at", "published_offset"), ("modified_at", "modified_offset"))


def zoned(row: dict[str, Any]) -> dict[str, Any]:
    """A row read from ``articles`` or ``versions`` with its dates in their own offsets
    (where the row carries the offset columns); changed in place and returned."""
    for moment, offset in _ZONED:
        if offset in row and row.get(moment) is not None:
            row[moment] = in_offset(row[moment], row[offset])
    return row


# BIGINT primary keys on PostgreSQL, INTEGER (the rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")
MAX_ID = 2**63 - 1
"""The largest id either holds: web routes refuse larger ones (400) before a query."""

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sources = Table(
    "sources", metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    # "config" (tearsheet.toml) or "api" (added through the API; migration 0005).
    Column("origin", String(16), nullable=False, server_default="config"),
    Column("removed_at", UTCDateTime),  # removed through the API: no longer discovered
    # Health (migration 0007): "extraction broken since …", set once per breakage.
    Column("broken_since", UTCDateTime),
    Column("broken_reason", Text),
)

feeds = Table(
    "feeds", metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", Id, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # feed | sitemap | section
    Column("url", Text, nullable=False),
    Column("article_pattern", Text, nullable=False, server_default=""),
    Column("active", Integer, nullable=False, server_default="1"),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_poll_at", UTCDateTime),
    Column("last_polled_at", UTCDateTime),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("leased_until", UTCDateTime),  # a worker is polling it now
    Column("leased_by", String(100)),  # that worker's id
    UniqueConstraint("source_id", "kind", "url"),
)

articles = Table(
    "articles", metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", Id, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),  # headline of the latest version (or from the feed until then)
    Column("published_at", UTCDateTime),  # as the page says
    Column("first_seen_at", UTCDateTime, nullable=False),  # by us
    Column("last_seen_at", UTCDateTime, nullable=False),  # last listed by a feed or sitemap
    Column("last_checked_at", UTCDateTime),
    Column("last_changed_at", UTCDateTime),
    Column("next_check_at", UTCDateTime),  # NULL: retired
    Column("check_interval", Float, nullable=False),
    Column("leased_until", UTCDateTime),  # a runner is checking it now
    Column("version_count", Integer, nullable=False, server_default="0"),
    Column("content_hash", String(64)),  # fingerprint of the latest version
    Column("etag", Text),
    Column("last_modified", Text),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("leased_by", String(100)),  # the worker that claimed it last
    # Hidden by an administrator: left out of the web UI, feeds and API lists (0005).
    Column("hidden", Boolean, nullable=False, server_default=false()),
    # NULL: live; unpublished, paywalled or blocked since its last event (0012).
    Column("status", String(20)),
    # What the last full extraction depended on (tearsheet.extract.recheck), for the fast
    # path of the next check; NULL: extract in full (0015).
    Column("decision_key", Text),
    # Seconds from first sight to the second version, set when it is stored (0016): the
    # statistics page's median reads this index instead of a million versions.
    Column("first_change_seconds", Float),
    Column("published_offset", Integer),  # minutes east of UTC of published_at (0017)
    Index(
        "ix_articles_due", "next_check_at",
        sqlite_where=text("next_check_at IS NOT NULL"),
        postgresql_where=text("next_check_at IS NOT NULL"),
    ),
    Index("ix_articles_source_id", "source_id"),
    Index(
        "ix_articles_leased", "leased_until",
        sqlite_where=text("leased_until IS NOT NULL"),
        postgresql_where=text("leased_until IS NOT NULL"),
    ),
)

# The pages that read every article (0016): a source's articles, most recently changed
# first (keyset pages walk this index backwards); a source's last change; the most edited
# articles; the median time to a first change (the middle rows of each source).
Index("ix_articles_source_id_moment", articles.c.source_id,
      func.coalesce(articles.c.last_changed_at, articles.c.first_seen_at), articles.c.id)
Index("ix_articles_source_id_last_changed_at", articles.c.source_id, articles.c.last_changed_at)
Index("ix_articles_version_count", articles.c.version_count, articles.c.id)
Index("ix_articles_source_id_first_change_seconds", articles.c.source_id,
      articles.c.first_change_seconds,
      sqlite_where=text("first_change_seconds IS NOT NULL"),
      postgresql_where=text("first_change_seconds IS NOT NULL"))

aliases = Table(
    "aliases", metadata,
    Column("url", Text, primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
)

versions = Table(
    "versions", metadata,
    Column("id", Id, primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("captured_at", UTCDateTime, nullable=False),
    Column("url", Text, nullable=False),  # the URL actually fetched (after redirects)
    Column("title", Text),
    Column("byline", Text),
    Column("published_at", UTCDateTime),
    Column("modified_at", UTCDateTime),
    Column("language", String(35)),
    Column("text", Text, nullable=False),
    # The dek above the body (migration 0014): "" when the page has none, NULL when stored
    # before it was read (the fingerprint then compares without it).
    Column("standfirst", Text),
    Column("content_hash", String(64), nullable=False),
    # The change from the previous version (NULL for version 1): see tearsheet.diff.changes.
    Column("kinds", Text),  # ",headline_changed,update," — commas around each, for LIKE
    Column("significance", Float),
    Column("boring", Boolean),
    Column("words_added", Integer),
    Column("words_removed", Integer),
    # What it means (migration 0008; NULL: stored before, read again by
    # store.summaries.fill_missing_summaries): see tearsheet.diff.intents.
    Column("intents", Text),  # ",fact,style," — dominant first
    Column("intent_labels", Text),  # ",figure,typo,"
    Column("silent_correction", Boolean),
    Column("correction_note", Text),
    # The raw response this version was read from, as a WARC record (migration 0004;
    # NULL when not captured): the file (relative to archive.dir), offset and length.
    Column("warc_file", Text),
    Column("warc_offset", BigInteger),
    Column("warc_length", BigInteger),
    # The Wayback Machine's copy of the page, saved for this version (migration 0007).
    Column("memento_url", Text),
    # The UTC offsets the page gave its dates, in minutes east of UTC (migration 0017;
    # NULL: stored before it, shown in UTC): see :func:`zoned`.
    Column("published_offset", Integer),
    Column("modified_offset", Integer),
    # The revision of the extractor that read it (migration 0018; NULL: stored before, by
    # an older one): see tearsheet.extract.revision and tearsheet.tracker.reread.
    Column("extractor", String(32)),
    UniqueConstraint("article_id", "number"),
    Index("ix_versions_captured_at", "captured_at"),
)

# Changes (versions after the first) per source and UTC day, counted as they are stored
# (0016): the statistics page reads 30 rows per source instead of every version.
change_counts = Table(
    "change_counts", metadata,
    Column("source_id", Id, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("changes", Integer, nullable=False),
)

# What happened to an article that is not a new version (0012): unpublished, moved,
# paywalled, blocked, returned (see tearsheet.tracker.events).
article_events = Table(
    "article_events", metadata,
    Column("id", Id, primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("http_status", Integer),
    Column("detail", Text),  # the new address, where it was redirected, why
    Index("ix_article_events_article_id_at", "article_id", "at"),
    Index("ix_article_events_at", "at"),
)

# Headlines a page serves in alternation (0013): each variant of an article's A/B test,
# the fingerprint of the page with it, and how often a check saw it (see
# tearsheet.diff.headlines); the flips are not versions.
headline_tests = Table(
    "headline_tests", metadata,
    Column("id", Id, primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("headline", Text),
    Column("content_hash", String(64), nullable=False),
    Column("seen", Integer, nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("article_id", "content_hash"),
)

checks = Table(
    "checks", metadata,
    Column("id", Id, primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # new_version | unchanged | failed
    Column("http_status", Integer),
    Column("error", Text),
    Column("elapsed_ms", Integer),
    # Migration 0007: the article's source (a source's health is one index range), why a
    # failed check failed (blocked, needs_browser, too_short, held…), the body's length.
    Column("source_id", Id),
    Column("reason", String(32)),
    Column("body_length", Integer),
    Index("ix_checks_article_id_checked_at", "article_id", "checked_at"),
    Index("ix_checks_checked_at", "checked_at"),
    Index("ix_checks_source_id_checked_at", "source_id", "checked_at"),
)

# Notifications (migration 0005): one row per (rule, version) to deliver, or per flood
# summary (kind "summary", version_id NULL, ``items`` versions folded into it).
# status: pending | held (flood, waiting to be summarised) | summarized | sent | failed.
notify_outbox = Table(
    "notify_outbox", metadata,
    Column("id", Id, primary_key=True),
    Column("rule", String(100), nullable=False),
    Column("version_id", Id, ForeignKey("versions.id", ondelete="CASCADE")),
    Column("source_id", Id),
    Column("kind", String(16), nullable=False),  # change | summary
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    Column("summary_id", Id),
    Column("items", Integer, nullable=False, server_default="1"),
    UniqueConstraint("rule", "version_id"),
    Index("ix_notify_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_notify_outbox_rule_source_id_created_at", "rule", "source_id", "created_at"),
)

notify_state = Table(
    "notify_state", metadata,
    Column("name", String(100), primary_key=True),  # e.g. "cursor": the last version seen
    Column("value", BigInteger, nullable=False),
)


social_posts = Table(
    "social_posts", metadata,
    Column("id", Id, primary_key=True),
    Column("account", String(100), nullable=False),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("version_id", Id, ForeignKey("versions.id", ondelete="SET NULL")),
    Column("delivery_id", Id, nullable=False),  # the notify_outbox row that made it
    Column("state", String(16), nullable=False),  # sending | sent
    Column("post_id", Text),  # Mastodon: the status id; Bluesky: the at:// URI
    Column("post_cid", Text),  # Bluesky: the record's CID (reply references need it)
    Column("url", Text),  # the post's web page
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("account", "delivery_id"),
    Index("ix_social_posts_account_article_id", "account", "article_id"),
)

wayback_saves = Table(
    "wayback_saves", metadata,
    Column("version_id", Id, ForeignKey("versions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("url", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | saved | failed
    Column("job_id", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("saved_at", UTCDateTime),
    Index("ix_wayback_saves_status_next_attempt_at", "status", "next_attempt_at"),
)


# Trusted timestamps (migration 0009). A batch: the digests of the captures stamped
# together (``manifest``, one ``sha256:…`` per line, sorted) and the TSA's RFC 3161 token
# over the manifest's SHA-256. ``capture_stamps``: one row per captured version to stamp,
# queued with the version; status pending | stamped | failed.
timestamp_batches = Table(
    "timestamp_batches", metadata,
    Column("id", Id, primary_key=True),
    Column("tsa_url", Text, nullable=False),
    Column("manifest", LargeBinary, nullable=False),
    Column("token", LargeBinary, nullable=False),
    Column("stamped_at", UTCDateTime, nullable=False),  # the token's time (genTime)
)

capture_stamps = Table(
    "capture_stamps", metadata,
    Column("version_id", Id, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("digest", String(80), nullable=False),  # sha256:… of the WARC record
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime),  # also the lease of a claimed row
    Column("last_error", Text),
    Column("batch_id", Id, ForeignKey("timestamp_batches.id", ondelete="SET NULL")),
    Index("ix_capture_stamps_status_next_attempt_at", "status", "next_attempt_at"),
)


hosts = Table(
    "hosts", metadata,
    Column("name", Text, primary_key=True),  # host:port
    # The earliest start of the next request to the host, whichever worker makes it.
    Column("next_allowed_at", UTCDateTime, nullable=False),
)


SEARCH_TABLE = "versions_fts"
"""The SQLite full-text index of versions (migration 0002), kept in step by triggers."""

SEARCH_INDEX = "versions_fts_gin"
"""The PostgreSQL full-text index of versions (migration 0002): a GIN index over
:data:`SEARCH_VECTOR`. ``simple`` (no stemming, no stop words), like SQLite's unicode61:
the sources are in many languages."""

SEARCH_VECTOR = "to_tsvector('simple', coalesce({v}title, '') || ' ' || {v}text)"
"""Format with ``v=""`` (the index) or ``v="alias."`` (a query: PostgreSQL matches it to the
index expression whatever the alias)."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's comparisons: the search index (an FTS5 table and its shadow tables, or
    a GIN index) is created by hand in its migration, not described by this metadata."""
    return not (type_ in ("table", "index") and name is not None
                and name.startswith(SEARCH_TABLE))


# The trace index (migration 0010): each MinHash key of an article's versions, once per
# article, with the first version that had it (see tearsheet.store.tracing).
trace_keys = Table(
    "trace_keys", metadata,
    Column("key", BigInteger, primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, nullable=False),
    Index("ix_trace_keys_article_id", "article_id"),
    sqlite_with_rowid=False,
)

trace_state = Table(
    "trace_state", metadata,
    Column("name", String(100), primary_key=True),  # "backlog": versions not indexed yet
    Column("value", BigInteger, nullable=False),
)
