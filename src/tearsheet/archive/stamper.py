"""The stamper: queued capture digests → one RFC 3161 token per batch, as its own task.

It runs beside the tracker in ``tearsheet run`` (when ``proof.tsa_url`` is set) and alone
as ``tearsheet stamp``. Each step claims up to ``proof.timestamp_batch`` pending captures,
stamps their manifest once (see :mod:`tearsheet.archive.timestamps`) and keeps the token;
a failed request leaves them due again after a backoff. Between steps it waits
``proof.timestamp_interval``, so the captures of that interval share one request: the time
a token proves is at most that much (plus the backoff after a failure) after the capture.

:meth:`Stamper.backlog` stamps the captures stored before a TSA was configured: their
record digests are read from the WARC files, queued and stamped batch by batch (their
tokens prove only that they existed by the time of stamping).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tearsheet.archive import timestamps
from tearsheet.archive.warc import raw_record
from tearsheet.config import Settings
from tearsheet.errors import ArchiveError, TimestampError
from tearsheet.store.proofs import Proofs
from tearsheet.store.records import WarcPointer
from tearsheet.store.store import Store

log = logging.getLogger("tearsheet.stamper")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Backlog:
    """What :meth:`Stamper.backlog` did: captures queued, stamped (theirs and any other
    due), and those whose record could not be read."""

    queued: int = 0
    stamped: int = 0
    unreadable: list[str] = field(default_factory=list)
    interrupted: bool = False  # a request failed: the rest of the backlog was not queued


class Stamper:
    def __init__(self, settings: Settings, store: Store, *,
                 client: timestamps.Client | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.config = settings.proof
        if self.config.tsa_url is None and client is None:
            raise TimestampError("no timestamping authority configured (set proof.tsa_url)")
        self.client = client or timestamps.Client(str(self.config.tsa_url),
                                                  timeout=self.config.timestamp_timeout)
        self.proofs = Proofs(store)
        self.clock = clock
        self.stamped = self.failed_batches = 0

    async def step(self) -> int:
        """Stamp one batch of due captures; how many were stamped (0: none due, or the
        request failed and they wait for their retry)."""
        now = self.clock()
        lease = now + timedelta(seconds=self.config.timestamp_timeout * 2 + 30)
        claimed = await asyncio.to_thread(self.proofs.claim_stamps, now, lease,
                                          self.config.timestamp_batch)
        if not claimed:
            return 0
        ids = [version_id for version_id, _ in claimed]
        manifest = timestamps.manifest(digest for _, digest in claimed)
        try:
            token, stamp = await self.client.stamp(timestamps.sha256(manifest))
        except TimestampError as exc:
            self.failed_batches += 1
            log.warning("timestamping %d captures failed (%s); they are retried", len(ids), exc)
            await asyncio.to_thread(self.proofs.record_failure, ids, str(exc), self.clock(),
                                    retries=self.config.timestamp_retries,
                                    backoff=self.config.timestamp_backoff)
            return 0
        await asyncio.to_thread(self.proofs.record_batch, ids, self.client.url, manifest,
                                token, stamp.time)
        self.stamped += len(ids)
        return len(ids)

    async def drain(self) -> int:
        """Stamp every due capture now (``tearsheet stamp``, a ``run --once``)."""
        total = 0
        while stamped := await self.step():
            total += stamped
        return total

    async def backlog(self, archive_dir: Path, *, source: str | None = None,
                      since: datetime | None = None,
                      advance: Callable[[int], None] = lambda n: None) -> Backlog:
        """Queue and stamp the raw captures never queued (stored before ``proof.tsa_url``
        was set), of ``source`` and captured since ``since``, ``timestamp_batch`` at a time:
        each batch is queued, then stamped with whatever else is due."""
        report = Backlog()
        after = 0
        while rows := await asyncio.to_thread(self.proofs.unqueued, source, since, after,
                                              self.config.timestamp_batch):
            after = rows[-1][0]
            digests = []
            for version_id, file, offset, length in rows:
                try:
                    record = await asyncio.to_thread(
                        raw_record, archive_dir, WarcPointer(file, offset, length))
                except ArchiveError as exc:
                    report.unreadable.append(f"version id {version_id}: {exc}")
                    continue
                digests.append((version_id, "sha256:" + hashlib.sha256(record).hexdigest()))
            await asyncio.to_thread(self.proofs.queue_stamps, digests, self.clock())
            report.queued += len(digests)
            failed = self.failed_batches
            report.stamped += await self.drain()
            advance(len(rows))
            if self.failed_batches > failed:  # the TSA fails: the queued wait for retries
                report.interrupted = True
                break
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Step every ``proof.timestamp_interval`` until ``stop``; a bug is logged, never
        fatal to the tracker beside it."""
        while not stop.is_set():
            try:
                while await self.step() == self.config.timestamp_batch:
                    pass  # a full batch: more may be waiting
            except Exception:
                log.exception("the stamper crashed; it tries again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.timestamp_interval)
