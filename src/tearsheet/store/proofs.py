"""The database work of proof packages and trusted timestamps.

The timestamp queue is an outbox, as notifications are: a captured version's row is
written in the transaction that stores the version (:func:`queue_stamp`), so no capture is
stamped twice or forgotten across crashes; the stamper claims pending rows by moving their
``next_attempt_at`` past a lease (a process that dies with a claim leaves it due again), and
records a batch's token and manifest, or the failure and the next attempt.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, exists, func, select, update

from tearsheet.store.records import CaptureStamp
from tearsheet.store.schema import (
    articles,
    capture_stamps,
    sources,
    timestamp_batches,
    versions,
    zoned,
)

if TYPE_CHECKING:
    from tearsheet.store.store import Store

CHUNK = 500  # ids per IN (…) list


def queue_stamp(conn: Connection, version_id: int, digest: str, now: datetime) -> None:
    """Queue a version's capture for a timestamp (inside the transaction storing it)."""
    conn.execute(capture_stamps.insert().values(
        version_id=version_id, digest=digest, status="pending", next_attempt_at=now))


class Proofs:
    """Reads and writes of ``tearsheet proof`` and the stamper, on one store."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    # --- packages ----------------------------------------------------------------------

    def versions_of(self, article_id: int) -> Iterator[dict[str, Any]]:
        """The article's versions in order, streamed (a long history in flat memory)."""
        query = (select(versions).where(versions.c.article_id == article_id)
                 .order_by(versions.c.number))
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=20).execute(query)
            for row in result:
                yield zoned(dict(row._mapping))

    @staticmethod
    def _changed(query: Select[Any], source: str | None, since: datetime | None,
                 until: datetime | None) -> Select[Any]:
        v = versions.c
        captured = exists().where(v.article_id == articles.c.id)  # by the article's index
        if since is not None:
            captured = captured.where(v.captured_at >= since)
        if until is not None:
            captured = captured.where(v.captured_at < until)
        query = query.join(sources, articles.c.source_id == sources.c.id).where(captured)
        return query if source is None else query.where(sources.c.name == source)

    def count_changed_articles(self, source: str | None, since: datetime | None,
                               until: datetime | None = None) -> int:
        """How many articles :meth:`changed_articles` gives."""
        with self.engine.connect() as conn:
            return int(conn.execute(self._changed(
                select(func.count()).select_from(articles), source, since, until)).scalar_one())

    def changed_articles(self, source: str | None, since: datetime | None,
                         until: datetime | None = None, *,
                         page: int = 50) -> Iterator[dict[str, Any]]:
        """The articles (id, url, source) with a version captured in [since, until), by id,
        read ``page`` at a time (a bulk export holds one page however many there are; no
        connection stays open while the caller works on each)."""
        query = self._changed(select(articles.c.id, articles.c.url,
                                     sources.c.name.label("source")).select_from(articles),
                              source, since, until).order_by(articles.c.id).limit(page)
        after = 0
        while True:
            with self.engine.connect() as conn:
                rows = [dict(row._mapping)
                        for row in conn.execute(query.where(articles.c.id > after))]
            yield from rows
            if len(rows) < page:
                return
            after = int(rows[-1]["id"])

    def package_state(self, article_id: int) -> tuple[int, int, int, int]:
        """What an article's package depends on: its versions (count, last id) and stamped
        captures (count, last batch). Equal states make equal packages, so one written
        for a state can be served again (a reader's range requests get the same bytes)."""
        v, s = versions.c, capture_stamps.c
        with self.engine.connect() as conn:
            count, last = conn.execute(select(func.count(), func.coalesce(func.max(v.id), 0))
                                       .where(v.article_id == article_id)).one()
            stamped, batch = conn.execute(
                select(func.count(), func.coalesce(func.max(s.batch_id), 0))
                .join(versions, v.id == s.version_id)
                .where(v.article_id == article_id, s.status == "stamped")).one()
        return int(count), int(last), int(stamped), int(batch)

    def stamps_of(self, article_id: int) -> dict[int, CaptureStamp]:
        """The timestamps of the article's versions that have one, by version id."""
        s, b = capture_stamps.c, timestamp_batches.c
        query = (select(s.version_id, s.batch_id, s.digest, b.manifest, b.token, b.tsa_url,
                        b.stamped_at)
                 .join(timestamp_batches, s.batch_id == b.id)
                 .join(versions, versions.c.id == s.version_id)
                 .where(versions.c.article_id == article_id, s.status == "stamped"))
        with self.engine.connect() as conn:
            return {row.version_id: CaptureStamp(
                row.version_id, row.batch_id, row.digest, bytes(row.manifest), bytes(row.token),
                row.tsa_url, row.stamped_at) for row in conn.execute(query)}

    # --- the timestamp queue -----------------------------------------------------------

    def claim_stamps(self, now: datetime, lease_until: datetime,
                     limit: int) -> list[tuple[int, str]]:
        """Take up to ``limit`` due captures (version id, digest), oldest first, leased
        until ``lease_until``; ``SKIP LOCKED``: workers stamping at once take different ones."""
        s = capture_stamps.c
        query = (select(s.version_id, s.digest)
                 .where(s.status == "pending", s.next_attempt_at <= now)
                 .order_by(s.next_attempt_at, s.version_id).limit(limit)
                 .with_for_update(skip_locked=True))
        with self.engine.begin() as conn:
            rows = [(int(r.version_id), str(r.digest)) for r in conn.execute(query)]
            for start in range(0, len(rows), CHUNK):
                ids = [version_id for version_id, _ in rows[start:start + CHUNK]]
                conn.execute(update(capture_stamps).where(s.version_id.in_(ids))
                             .values(next_attempt_at=lease_until, attempts=s.attempts + 1))
        return rows

    def record_batch(self, version_ids: Sequence[int], tsa_url: str, manifest: bytes,
                     token: bytes, stamped_at: datetime) -> int:
        """Keep a batch's token and mark its captures stamped; the batch's id."""
        s = capture_stamps.c
        with self.engine.begin() as conn:
            batch_id = int(conn.execute(timestamp_batches.insert().values(
                tsa_url=tsa_url, manifest=manifest, token=token, stamped_at=stamped_at,
            ).returning(timestamp_batches.c.id)).scalar_one())
            for start in range(0, len(version_ids), CHUNK):
                conn.execute(update(capture_stamps)
                             .where(s.version_id.in_(version_ids[start:start + CHUNK]))
                             .values(status="stamped", batch_id=batch_id, last_error=None,
                                     next_attempt_at=None))
        return batch_id

    def record_failure(self, version_ids: Sequence[int], error: str, now: datetime, *,
                       retries: int, backoff: float) -> None:
        """A batch failed: each capture is due again after a backoff doubling with its
        attempts, or failed once it has had ``retries`` + 1 of them."""
        s = capture_stamps.c
        with self.engine.begin() as conn:
            rows = [row for start in range(0, len(version_ids), CHUNK)
                    for row in conn.execute(select(s.version_id, s.attempts).where(
                        s.version_id.in_(version_ids[start:start + CHUNK])))]
            for row in rows:
                values: dict[str, Any] = {"last_error": error[:2000]}
                if row.attempts > retries:
                    values.update(status="failed", next_attempt_at=None)
                else:
                    values["next_attempt_at"] = now + timedelta(
                        seconds=backoff * 2 ** (row.attempts - 1))
                conn.execute(update(capture_stamps)
                             .where(s.version_id == row.version_id).values(**values))

    # --- the backlog: captures stored before a TSA was configured ------------------------

    @staticmethod
    def _unqueued(query: Select[Any], source: str | None,
                  since: datetime | None) -> Select[Any]:
        v = versions.c
        query = query.where(v.warc_file.is_not(None), ~exists().where(
            capture_stamps.c.version_id == v.id))
        if since is not None:
            query = query.where(v.captured_at >= since)
        if source is not None:
            query = (query.join(articles, articles.c.id == v.article_id)
                     .join(sources, sources.c.id == articles.c.source_id)
                     .where(sources.c.name == source))
        return query

    def count_unqueued(self, source: str | None, since: datetime | None) -> int:
        """How many raw captures (of ``source``, captured since ``since``) have never been
        queued for a timestamp."""
        with self.engine.connect() as conn:
            return int(conn.execute(self._unqueued(
                select(func.count()).select_from(versions), source, since)).scalar_one())

    def unqueued(self, source: str | None, since: datetime | None, after: int,
                 limit: int) -> list[tuple[int, str, int, int]]:
        """The next ``limit`` of them by version id after ``after``: (version id, WARC file,
        offset, length). Paged by id, so a capture that cannot be read is passed over."""
        v = versions.c
        query = self._unqueued(select(v.id, v.warc_file, v.warc_offset, v.warc_length)
                               .select_from(versions), source, since)
        with self.engine.connect() as conn:
            return [(int(r.id), str(r.warc_file), int(r.warc_offset), int(r.warc_length))
                    for r in conn.execute(query.where(v.id > after).order_by(v.id)
                                          .limit(limit))]

    def queue_stamps(self, digests: Sequence[tuple[int, str]], now: datetime) -> None:
        """Queue captures of the backlog (version id, record digest), due now."""
        if digests:
            with self.engine.begin() as conn:
                conn.execute(capture_stamps.insert(), [
                    {"version_id": version_id, "digest": digest, "status": "pending",
                     "next_attempt_at": now} for version_id, digest in digests])

    def stamp_counts(self) -> dict[str, int]:
        """Captures per status (pending, stamped, failed)."""
        s = capture_stamps.c
        with self.engine.connect() as conn:
            return {str(status): int(count) for status, count in conn.execute(
                select(s.status, func.count()).group_by(s.status))}
