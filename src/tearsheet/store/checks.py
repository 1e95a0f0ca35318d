"""The store's one write that matters: a check recorded with its version and the article's
next check, in one transaction (:class:`Checks`, a part of
:class:`tearsheet.store.store.Store`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select, update

from tearsheet.diff.align import Document
from tearsheet.diff.trace import index_keys
from tearsheet.store import proofs
from tearsheet.store.database import STORE_ERRORS, describe_failure, dialect_insert
from tearsheet.store.records import CheckRecord, HeadlineFlip, Outcome
from tearsheet.store.schema import (
    article_events,
    articles,
    change_counts,
    checks,
    headline_tests,
    offset_minutes,
    versions,
)
from tearsheet.store.tracing import index_version

log = logging.getLogger(__name__)


class Checks:
    """Recording checks, alone or in a group commit."""

    engine: Engine
    worker_id: str

    def headline_seen(self, article_id: int, digest: str) -> bool:
        """Whether the article's page was served with this fingerprint before: a stored
        version's, or a headline test's variant."""
        with self.engine.connect() as conn:
            return conn.scalar(select(versions.c.id).where(
                versions.c.article_id == article_id, versions.c.content_hash == digest)
                .limit(1)) is not None or conn.scalar(select(headline_tests.c.id).where(
                    headline_tests.c.article_id == article_id,
                    headline_tests.c.content_hash == digest)) is not None

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
        commit). All or none are stored; each returns its version number (or None).

        The group's statements are batched: one read of the articles' rows (none for
        checks without a version: the update checks the lease), one insert of
        all check rows, one update per kind of article change (executemany), each
        statement built once (SQLAlchemy's compile cache), so a check costs the writer a
        few rows, not a few statements (see docs/performance.md). A group in which one
        article comes twice is written one check at a time, each seeing the last."""
        numbers: list[int | None] = [None] * len(records)
        # Article rows are locked in id order, as add_articles updates them: two
        # workers' transactions then never wait for each other in a cycle (deadlock).
        order = sorted(range(len(records)), key=lambda i: records[i].article.id)
        distinct = len({r.article.id for r in records}) == len(records)
        if distinct and all(r.version is None and r.headline_flip is None for r in records):
            # Nothing stored needs the rows' read but the lease: its check is folded into
            # the update's WHERE. A row not updated (lease lost, article merged) rolls the
            # group back, written again below with the read, which says why.
            with self.engine.connect() as conn:
                if self._write_group(conn, [records[i] for i in order], read=False) is not None:
                    conn.commit()
                    return numbers
                conn.rollback()
        with self.engine.begin() as conn:
            for part in ([order] if distinct else [[i] for i in order]):
                written = self._write_group(conn, [records[i] for i in part])
                assert written is not None  # never None with the read
                for index, number in zip(part, written, strict=True):
                    numbers[index] = number
        return numbers

    def record_group(self, records: Sequence[CheckRecord]) -> list[int | Exception | None]:
        """Record checks in one transaction (:meth:`record_checks`); if that fails, write
        them again one by one, so a bad record fails alone and the others are stored.
        Per record: its version number (or None), or the exception that kept it out.

        The one batched write of the tracker's writer and of the WARC import."""
        try:
            return list(self.record_checks(records))
        except Exception as exc:
            if len(records) == 1:
                return [exc]
            store_failed = isinstance(exc, STORE_ERRORS)  # the tracker's outage says it once
            log.warning("a group of %d checks failed to commit (%s); writing them one by one",
                        len(records), describe_failure(exc), exc_info=not store_failed)
        results: list[int | Exception | None] = []
        for record in records:
            try:
                results.append(self.record_checks([record])[0])
            except Exception as exc:
                results.append(exc)
        return results

    def _write_group(self, conn: Connection, records: list[CheckRecord],
                     read: bool = True) -> list[int | None] | None:
        """Checks of distinct articles, in article id order, in the open transaction.

        ``read=False`` (checks without a version or headline flip): the rows are not read
        and locked first; the update checks the lease and locks them, in id order as one
        statement. None: a row was not updated, or the group needs more than one update
        statement (rows locked out of id order); the caller rolls back (nothing of the
        group then kept) and writes it again with the read."""
        found = None if not read else {row.id: row for row in conn.execute(
            _CURRENT, {"ids": [r.article.id for r in records]})}
        numbers: list[int | None] = []
        check_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        updates: dict[tuple[bool, tuple[str, ...]], list[dict[str, Any]]] = {}
        for record in records:
            written = self._write_check(
                conn, record, None if found is None else found.get(record.article.id), read)
            numbers.append(None if written is None else written[0])
            if written is None:
                continue
            values = written[1]
            check_rows.append({
                "article_id": record.article.id, "checked_at": record.checked_at,
                "outcome": values.pop("outcome"), "http_status": record.http_status,
                "error": record.error, "elapsed_ms": record.elapsed_ms,
                "source_id": record.article.source_id, "reason": record.reason,
                "body_length": record.body_length})
            if record.event is not None:  # beside the check, never a version
                event_rows.append({
                    "article_id": record.article.id, "kind": record.event.kind,
                    "at": record.checked_at, "http_status": record.http_status,
                    "detail": record.event.detail})
            failed = record.outcome == Outcome.FAILED
            updates.setdefault((failed, tuple(sorted(values))), []).append(
                {**values, "article_key": record.article.id})
        if found is None:
            if len(updates) != 1:
                return None
            (failed, _), rows = next(iter(updates.items()))
            for row in rows:
                row["lease_holder"] = self.worker_id
            statement = _UPDATE_FAILED_LEASED if failed else _UPDATE_LEASED
            if conn.execute(statement, rows).rowcount != len(rows):
                return None
            updates = {}
        if check_rows:
            conn.execute(checks.insert(), check_rows)
        if event_rows:
            conn.execute(article_events.insert(), event_rows)
        for (failed, _), rows in updates.items():
            conn.execute(_UPDATE_FAILED if failed else _UPDATE, rows)
        return numbers

    def _write_check(self, conn: Connection, record: CheckRecord, current: Any,
                     read: bool = True) -> tuple[int | None, dict[str, Any]] | None:
        """A check's version (written here) and the values of its article's row and check
        (written by the caller, batched); None: not to be recorded. ``read=False``: no
        row was read (no version, no headline flip); the caller's update checks the lease."""
        article, version, outcome = record.article, record.version, record.outcome
        if read and (current is None or (current.leased_by not in (None, self.worker_id)
                                         and current.leased_until is not None)):
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
        if outcome == Outcome.FAILED:  # error_count + 1: in the statement (_UPDATE_FAILED)
            values.update(last_error=record.error)
        else:
            values.update(error_count=0, last_error=None, etag=record.etag,
                          last_modified=record.last_modified)
        if version is not None:
            number = current.version_count + 1
            version_id = conn.execute(_INSERT_VERSION, {
                "article_id": article.id, "number": number, "captured_at": record.checked_at,
                "url": version.url, "title": version.title, "byline": version.byline,
                "published_at": version.published_at, "modified_at": version.modified_at,
                "published_offset": offset_minutes(version.published_at),
                "modified_offset": offset_minutes(version.modified_at),
                "language": version.language, "text": version.text,
                "content_hash": version.content_hash, "standfirst": version.standfirst,
                "extractor": version.extractor,
                **(version.summary.columns() if version.summary else {}),
                **(version.capture.columns() if version.capture else {}),
            }).scalar_one()
            if version.capture is not None and version.capture.digest is not None:
                proofs.queue_stamp(conn, int(version_id), version.capture.digest,
                                   record.checked_at)
            keys = version.trace_keys
            if keys is None:
                keys = index_keys(Document.from_text(version.text, language=version.language))
            index_version(conn, article.id, number, keys)
            values.update(version_count=number, content_hash=version.content_hash,
                          last_changed_at=record.checked_at, title=version.title)
            if number > 1:
                _count_change(conn, article.source_id, record.checked_at)
            if number == 2:
                values["first_change_seconds"] = \
                    (record.checked_at - article.first_seen_at).total_seconds()
            if version.published_at is not None:
                values["published_at"] = version.published_at
                values["published_offset"] = offset_minutes(version.published_at)
        if record.headline_flip is not None:  # an A/B test's variant seen, not a version
            _seen_headline(conn, article.id, record.headline_flip, record.checked_at)
            values["content_hash"] = record.headline_flip.content_hash
        if record.content_hash is not None and version is None:  # read anew, not edited
            values["content_hash"] = record.content_hash
        if record.decision_key is not None:
            values["decision_key"] = record.decision_key or None
        if record.event is not None:
            values["status"] = record.event.state
        values["outcome"] = outcome  # the check row's (popped by the caller)
        return number, values


# The group's statements, built once (their compiled form is cached by SQLAlchemy).
_CURRENT = (select(articles.c.id, articles.c.leased_by, articles.c.leased_until,
                   articles.c.version_count, articles.c.content_hash)
            .where(articles.c.id.in_(bindparam("ids", expanding=True)))
            .order_by(articles.c.id).with_for_update())
_INSERT_VERSION = versions.insert().returning(versions.c.id)
_UPDATE = update(articles).where(articles.c.id == bindparam("article_key"))
_UPDATE_FAILED = _UPDATE.values(error_count=articles.c.error_count + 1)
# The lease _write_check tests on the row read, in the update's WHERE instead.
_LEASE_HELD = (articles.c.leased_by.is_(None) | articles.c.leased_until.is_(None)
               | (articles.c.leased_by == bindparam("lease_holder")))
_UPDATE_LEASED = _UPDATE.where(_LEASE_HELD)
_UPDATE_FAILED_LEASED = _UPDATE_FAILED.where(_LEASE_HELD)


def _count_change(conn: Connection, source_id: int, at: datetime) -> None:
    """One more change of the source on ``at``'s UTC day (the statistics' counters)."""
    insert = dialect_insert(conn)(change_counts).values(
        source_id=source_id, day=at.astimezone(UTC).date(), changes=1)
    conn.execute(insert.on_conflict_do_update(
        index_elements=["source_id", "day"],
        set_={"changes": change_counts.c.changes + 1}))


def _seen_headline(conn: Connection, article_id: int, flip: HeadlineFlip,
                   at: datetime) -> None:
    """Count the variant seen; a test's first flip also enters the variant the last version
    shows, seen as often as versions showed it."""
    h = headline_tests.c
    for headline, digest, served in ((flip.shown[0], flip.shown[1], False),
                                     (flip.headline, flip.content_hash, True)):
        found = conn.execute(select(h.id).where(h.article_id == article_id,
                                                h.content_hash == digest)).first()
        if found is not None:
            if served:
                conn.execute(update(headline_tests).where(h.id == found.id)
                             .values(seen=h.seen + 1, last_seen_at=at))
            continue
        shown = int(conn.scalar(select(func.count()).select_from(versions).where(
            versions.c.article_id == article_id, versions.c.content_hash == digest)) or 0)
        conn.execute(headline_tests.insert().values(
            article_id=article_id, headline=headline, content_hash=digest,
            seen=shown + (1 if served else 0) or 1, first_seen_at=at, last_seen_at=at))
