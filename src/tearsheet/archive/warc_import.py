"""The WARC import: article histories rebuilt from web archives (WARC files, CDX indexes).

Captures are located first (:mod:`~tearsheet.archive.warc_locate`: file, offset, length,
time), sorted by capture time, then read and extracted in the tracker's extraction pool
(:mod:`~tearsheet.archive.import_jobs`: a worker reads the record itself, so no body ever
reaches this process) and offered, oldest first, to :class:`Importer`, which applies the
tracker's rules with the tracker's functions: the same extraction and refusals
(:func:`~tearsheet.extract.extraction.extract_capture`), the same verdict
(:func:`~tearsheet.diff.fingerprint.judge`; for a body that shrank by half, the *next*
capture of the article plays the tracker's second fetch), the same change summary and
trace keys (in the pool too), the same version (:meth:`NewVersion.of`) and the same
batched write (:meth:`~tearsheet.store.checks.Checks.record_group`).

Versions are committed in batches of :data:`BATCH`: their WARC records are copied into the
archive and fsynced once, then the batch is one transaction (if it fails, its versions are
written again one by one, so a bad one fails alone). A killed import leaves whole versions
only; run again, it skips what is stored and completes the rest. Memory holds the list of
capture locations, the captures read ahead (their extractions, not their pages) and one
batch, whatever the size of the files or the bodies.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tearsheet.archive.import_jobs import Read, extracted, parts_all, read_all
from tearsheet.archive.import_report import Damage, Report
from tearsheet.archive.warc import Archive, Capture, Unreadable
from tearsheet.archive.warc_locate import Located, locate_warc
from tearsheet.config import Settings
from tearsheet.diff.fingerprint import Verdict, confirms, fingerprint, judge
from tearsheet.diff.summary import ChangeSummary
from tearsheet.errors import ExtractionError, WarcImportError
from tearsheet.extract.extraction import Extraction
from tearsheet.store.database import describe_failure
from tearsheet.store.records import (
    CheckRecord,
    DueArticle,
    ImportTarget,
    NewVersion,
    Outcome,
    WarcPointer,
)
from tearsheet.store.store import Store
from tearsheet.tracker.extraction_pool import ExtractionPool
from tearsheet.urls import canonicalize

__all__ = ["BATCH", "Damage", "Importer", "Located", "Report", "import_warc", "locate_warc",
           "offer_located"]

log = logging.getLogger(__name__)
Keep = Callable[[Archive], WarcPointer]  # archives a capture, once it makes a version
Parts = tuple[ChangeSummary | None, tuple[int, ...]]  # a version's summary and trace keys
BATCH = 64  # versions committed together: one transaction, one fsync of the archive
BATCH_CHARS = 8_000_000  # ... or fewer, once their texts add up to this many characters
AHEAD = 8  # captures read and extracted ahead of the one judged, per worker process
READ_JOB = 4  # captures read and extracted by one job of the pool (one round trip)
PARTS_JOB = 16  # versions whose summaries and keys one job of the pool computes
IN_FLIGHT = 2  # batches handed to the writer thread and not yet committed, at most
KNOWN = 4096  # articles whose state is kept between their captures (fewer lookups)
LAST_CHARS = 8_000_000  # ... and whose last version, while their texts add up to fewer


@dataclass(frozen=True)
class _Held:
    """A capture whose body shrank by more than half, waiting for the next to confirm it."""

    read: Read
    extraction: Extraction
    digest: str
    proof: Keep | None
    full: str  # its full fingerprint (the version's hash)


@dataclass(frozen=True)
class _Pending:
    """A version judged new, waiting for its batch's commit."""

    target: ImportTarget  # the article as it was before this version
    read: Read
    extraction: Extraction
    content_hash: str
    previous: dict[str, Any] | None
    proof: Keep | None


class Importer:
    """Offers captures, oldest first, to the store as the tracker would have seen them.

    ``pool``: the extraction pool that computes each new version's summary and trace keys
    (None: this thread); :func:`offer_located` gives it the one it extracts with.
    ``batch``: versions per commit (1: each version alone, as a tracker check).

    Versions judged new wait in a batch; full, it is committed on a writer thread while
    this one judges on (two batches in flight at most). Meanwhile the articles they belong
    to are judged against what the store will hold once they are committed: their state
    and last version are kept here, as the store would give them back."""

    def __init__(self, settings: Settings, store: Store, *, source: str | None = None,
                 archive: Archive | None = None, batch: int = BATCH,
                 pool: ExtractionPool | None = None) -> None:
        self.settings = settings
        self.store = store
        # An import can be run again (it skips what is stored), so its commits need not
        # wait for the disk: a tenth of the time, on the machine of bench/backfill.py.
        store.relax_durability()
        self.source = source
        self.archive = archive
        self.batch = max(batch, 1)
        self.pool = pool
        self.report = Report()
        self._source_ids: dict[str, int] = {}
        self._held: dict[int, _Held] = {}
        self._configured = {s.name: s for s in settings.sources}
        self._pending: list[_Pending] = []
        self._pending_chars = 0
        self._ids: OrderedDict[tuple[str, str], int] = OrderedDict()  # URLs -> article
        self._known: dict[int, ImportTarget] = {}  # article -> its state
        # article -> its last version (committed or not), least recently used first
        self._last: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._last_chars = 0
        self._waiting: Counter[int] = Counter()  # article -> versions not committed
        self._failed: set[int] = set()  # articles a version of which could not be stored
        self._writer: ThreadPoolExecutor | None = None
        self._entries: list[_Entry] = []  # articles and aliases to enter, next batch
        self._creating: dict[str, int] = {}  # URL -> own number, until entered
        self._real: dict[int, int] = {}  # own number -> the article's (the writer's)
        self._own = 0  # the last own number given
        self._committing: deque[tuple[list[_Pending], list[_Entry],
                                      Future[list[int | Exception | None]]]] = deque()

    def overrides(self, url: str) -> tuple[str | None, tuple[str, ...]]:
        """The configured source's selectors for a capture of ``url`` (body, drops)."""
        found = self._configured.get(self.source or _site(url))
        return (found.body_selector, tuple(found.drop_selectors)) if found else (None, ())

    def offer(self, capture: Capture, proof: Keep | None = None) -> None:
        """Extract and judge one capture held in memory (``proof`` archives it, called
        only if it makes a version)."""
        self.judge(extracted(capture, *self.overrides(capture.url), self.settings.limits),
                   proof)

    def judge(self, read: Read, proof: Keep | None = None) -> None:
        """Judge one extracted capture, in capture order."""
        self._settle(block=False)
        if read.status == 304:  # kept by archive.keep = "all": the page had not changed
            self.report.unchanged += 1
            return None
        if not 200 <= read.status < 300:
            return self.report.skip("http_status", f"{read.url}: HTTP {read.status}")
        if read.refusal is not None or read.extraction is None:
            reason, message = read.refusal or ("not_article", read.url)
            return self.report.skip(reason, message)
        extraction = read.extraction
        name = self.source or _site(read.url)
        alias = canonicalize(read.url)
        article = self._target(name, extraction.canonical_url or alias, alias, read.date)
        digest = full = fingerprint(extraction)
        previous = None  # the last version, read once when it changed
        if article.version_count and digest != article.content_hash:  # see fingerprint's doc
            previous = self._previous(article)
            digest = fingerprint(extraction, standfirst=previous is None
                                 or previous["standfirst"] is not None)
        held = self._held.pop(article.id, None)
        if held is not None:
            if confirms(digest, held.digest) or digest == article.content_hash:
                if confirms(digest, held.digest):  # the held capture is the version
                    self._store(article, held.read, held.extraction, held.proof, previous,
                                held.full)
                else:
                    self._unconfirmed(held)
                self.report.unchanged += 1
                return None
            self._unconfirmed(held)
        last = article.last_changed_at
        if last is not None and read.date <= last:
            return self.report.skip(
                "before_stored_history",
                f"{read.url}: captured {read.date:%Y-%m-%d %H:%M:%S}, not after the "
                "article's latest stored version")
        verdict = judge(digest, len(extraction.text), article.content_hash,
                        len(previous["text"]) if previous is not None else None)
        if verdict is Verdict.UNCHANGED:
            self.report.unchanged += 1
        elif verdict is Verdict.CONFIRM_SHRINK:
            self._held[article.id] = _Held(read, extraction, digest, proof, full)
        else:
            self._store(article, read, extraction, proof, previous, full)
        return None

    def finish(self) -> Report:
        """Settle the shrunk captures no later capture confirmed, commit the last batch;
        the final report."""
        for held in self._held.values():
            self._unconfirmed(held)
        self._held.clear()
        self.flush()
        self._settle(block=True)
        self.close()
        return self.report

    def flush(self) -> None:
        """Hand the versions judged so far to the writer thread, which copies their records
        into the archive (one fsync), waits for their summaries and keys (started in the
        pool here, :data:`PARTS_JOB` versions a job) and commits them in one transaction
        (one by one if it fails)."""
        pending, self._pending, self._pending_chars = self._pending, [], 0
        entries, self._entries = self._entries, []
        if not pending and not entries:
            return
        while len(self._committing) >= IN_FLIGHT:
            self._settle_one()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="import-writer")
        parts = [self._parts(pending[start:start + PARTS_JOB])
                 for start in range(0, len(pending), PARTS_JOB)]
        self._committing.append((pending, entries,
                                 self._writer.submit(self._commit, pending, entries, parts)))

    def _parts(self, pending: list[_Pending]) -> Future[list[Parts]]:
        """The summaries and trace keys of versions, computed in the pool (None: here)."""
        versions = [(item.previous, item.extraction) for item in pending]
        if self.pool is not None:
            return self.pool.submit(parts_all, versions)
        done: Future[list[Parts]] = Future()
        done.set_result(parts_all(versions))
        return done

    def close(self) -> None:
        """Stop the writer thread (after :meth:`finish`, or to abandon an import)."""
        if self._writer is not None:
            self._writer.shutdown(wait=True, cancel_futures=True)
            self._writer = None

    def _settle(self, *, block: bool) -> None:
        """Count what the committed batches stored (all of them, with ``block``)."""
        while self._committing and (block or self._committing[0][2].done()):
            self._settle_one()

    def _settle_one(self) -> None:
        pending, entries, commit = self._committing.popleft()
        results = commit.result()
        for entry in entries:  # entered: read from the store from now on
            if self._creating.get(entry.url) == entry.article:
                del self._creating[entry.url]
        for item, result in zip(pending, results, strict=True):
            article = item.target.id
            self._waiting[article] -= 1
            if not self._waiting[article]:
                del self._waiting[article]
            if isinstance(result, int):
                self.report.imported += 1
                continue
            # Not stored: what this import thought the article holds is wrong; read it
            # again (its later versions judged meanwhile are refused by the store).
            self._known.pop(article, None)
            self._forget_last(article)
            if isinstance(result, Exception):
                self._failed.add(article)
                self.report.skip("store_failed", f"{item.read.url}: not stored "
                                 f"({describe_failure(result)}); import again to retry it")
            elif article in self._failed:
                self.report.skip("store_failed", f"{item.read.url}: not stored (an earlier "
                                 "version of the article was not); import again to retry it")
            else:  # stored meanwhile (by another import): never twice
                self.report.unchanged += 1

    def _commit(self, pending: list[_Pending], entries: list[_Entry],
                parts: list[Future[list[Parts]]]) -> list[int | Exception | None]:
        """On the writer thread: the new articles and aliases entered, then a batch
        archived and recorded."""
        for entry in entries:
            found = self.store.article_for_import(
                entry.source_id, entry.url, entry.seen_at,
                self.settings.schedule.first_interval, alias=entry.alias)
            if entry.article < 0:
                self._real[entry.article] = found.id
        where = [self._keep(item) for item in pending]
        if any(w is not None for w in where) and self.archive is not None:
            try:
                self.archive.sync()
            except OSError as exc:  # the tracker's rule: keep the versions, say so loudly
                log.error("could not write the imported records to disk in %s (%s); the "
                          "versions are stored without their raw captures",
                          self.archive.directory, exc)
                where = [None] * len(pending)
        made: list[Parts] = []
        for start, job in zip(range(0, len(pending), PARTS_JOB), parts, strict=True):
            try:
                made += job.result()
            except BrokenProcessPool:  # a worker died under it: made here instead
                made += parts_all([(item.previous, item.extraction)
                                   for item in pending[start:start + PARTS_JOB]])
        records = [self._record(item, pointer, *made_parts) for item, pointer, made_parts
                   in zip(pending, where, made, strict=True)]
        return self.store.record_group(records)

    def _store(self, article: ImportTarget, read: Read, extraction: Extraction,
               proof: Keep | None, previous: dict[str, Any] | None, full: str) -> None:
        """Queue a new version for the batch (its summary and keys are started with the
        batch). The article's state and last version are from now on what the store will
        hold."""
        if previous is None and article.version_count:
            previous = self._previous(article)
        version = NewVersion.of(extraction, read.url, None, None, content_hash=full)
        self._known[article.id] = dataclasses.replace(
            article, content_hash=version.content_hash, version_count=article.version_count + 1,
            last_changed_at=read.date, due=dataclasses.replace(
                article.due, content_hash=version.content_hash, error_count=0,
                version_count=article.version_count + 1, last_changed_at=read.date))
        self._remember_last(article.id, _as_row(version))
        self._waiting[article.id] += 1
        self._pending.append(_Pending(article, read, extraction, full, previous, proof))
        self._pending_chars += len(extraction.text)
        if len(self._pending) >= self.batch or self._pending_chars >= BATCH_CHARS:
            self.flush()

    def _previous(self, article: ImportTarget) -> dict[str, Any] | None:
        """The article's last version: as this import stored it or read it last (kept for
        the :data:`KNOWN` articles used last, up to :data:`LAST_CHARS` of text), else read
        from the store."""
        found = self._last.get(article.id)
        if found is not None:
            self._last.move_to_end(article.id)
            return found
        found = self.store.version(self._real.get(article.id, article.id),
                                   article.version_count)
        if found is not None:
            self._remember_last(article.id, found)
        return found

    def _remember_last(self, article: int, row: dict[str, Any]) -> None:
        self._forget_last(article)
        self._last[article] = row
        self._last_chars += len(row["text"])
        # The least recent go first, never one not committed; the scan stops at the first
        # that may stay (no copy of the whole order on each call).
        chars, count, going = self._last_chars, len(self._last), []
        for old, held in self._last.items():
            if chars <= LAST_CHARS and count <= KNOWN:
                break
            if old not in self._waiting:
                going.append(old)
                chars, count = chars - len(held["text"]), count - 1
        for old in going:
            self._forget_last(old)

    def _forget_last(self, article: int) -> None:
        row = self._last.pop(article, None)
        if row is not None:
            self._last_chars -= len(row["text"])

    def _keep(self, item: _Pending) -> WarcPointer | None:
        """Archive a version's capture (not yet fsynced); None if it is not kept."""
        if item.proof is None or self.archive is None \
                or not self.archive.wanted(new_version=True):
            return None
        try:
            return item.proof(self.archive)
        except OSError as exc:  # the tracker's rule: keep the version, say so loudly
            log.error("could not archive %s in %s (%s); the version is stored without "
                      "its raw capture", item.read.url, self.archive.directory, exc)
            return None

    def _record(self, item: _Pending, where: WarcPointer | None,
                summary: ChangeSummary | None, keys: tuple[int, ...]) -> CheckRecord:
        article = item.target
        due = article.due
        if due.id < 0:  # entered by this thread just before
            due = dataclasses.replace(due, id=self._real[due.id])
        return CheckRecord(
            due, checked_at=item.read.date, outcome=Outcome.NEW_VERSION,
            next_check_at=article.next_check_at, check_interval=article.check_interval,
            http_status=item.read.status, etag=article.etag,
            last_modified=article.last_modified,
            version=NewVersion.of(item.extraction, item.read.url, summary, where,
                                  trace_keys=keys, content_hash=item.content_hash))

    def _target(self, name: str, url: str, alias: str, seen_at: datetime) -> ImportTarget:
        """The article at ``url``: as this import left it, else read from the store. An
        unknown one (or a new alias) is entered by the writer thread with the next batch,
        so this thread never waits for a commit: until then it goes by a number of its
        own (negative), which the writer maps to the article's."""
        key = (url, alias)
        article_id = self._ids.get(key, self._creating.get(url))
        known = self._known.get(article_id) if article_id is not None else None
        if known is None:
            found = self.store.find_for_import(url)
            if found is None:
                self._own -= 1
                article_id = self._creating[url] = self._own
                known = _unknown(article_id, self._source_id(name, seen_at), url, seen_at,
                                 self.settings.schedule.first_interval)
            else:
                known = found
            self._known[known.id] = known
        if key not in self._ids:
            if alias != url or known.id < 0:
                self._entries.append(_Entry(known.id, self._source_id(name, seen_at), url,
                                            seen_at, alias))
            self._ids[key] = known.id
        self._ids.move_to_end(key)
        for _ in range(len(self._ids) - KNOWN):  # forget the least recent, never one
            old_key, old = self._ids.popitem(last=False)  # with versions not committed
            if old in self._waiting or old in self._creating.values():
                self._ids[old_key] = old
            else:
                self._known.pop(old, None)
                self._real.pop(old, None)
                self._forget_last(old)
        return known

    def _unconfirmed(self, held: _Held) -> None:
        self.report.skip("unconfirmed_shrink",
                         f"{held.read.url}: the body shrank by more than half and the next "
                         "capture did not confirm it [unconfirmed_shrink]")

    def _source_id(self, name: str, seen_at: datetime) -> int:
        if name not in self._source_ids:
            self._source_ids[name] = self.store.ensure_source(name, seen_at)
        return self._source_ids[name]


@dataclass(frozen=True)
class _Entry:
    """An article to enter (``article`` < 0: new) or an alias to add, by the writer."""

    article: int
    source_id: int
    url: str
    seen_at: datetime
    alias: str


def _unknown(article_id: int, source_id: int, url: str, seen_at: datetime,
             interval: float) -> ImportTarget:
    """A new article as :meth:`Store.article_for_import` will enter it."""
    return ImportTarget(article_id, None, 0, None, None, interval, None, None, DueArticle(
        article_id, source_id, url, interval, seen_at, None, 0, None, None, None, 0))


def _as_row(version: NewVersion) -> dict[str, Any]:
    """A version to be committed, as :meth:`Store.version` will read it back."""
    published = version.published_at
    return {"text": version.text, "title": version.title, "byline": version.byline,
            "published_at": published.astimezone(UTC) if published else None,
            "language": version.language, "standfirst": version.standfirst,
            "content_hash": version.content_hash}


def _site(url: str) -> str:
    """The default source of an imported capture: its host, without ``www.``."""
    host = (urlsplit(url).hostname or "unknown").lower()
    return host.removeprefix("www.")[:100]


def import_warc(importer: Importer, paths: Iterable[Path], *,
                progress: Callable[[int], None] | None = None,
                total: Callable[[int], None] | None = None) -> Report:
    """``tearsheet import warc``: every capture of the files, oldest first."""
    for path in paths:
        if not Path(path).is_file():
            raise WarcImportError(f"{path}: no such file")
    return offer_located(importer, locate_warc(paths, importer.report),
                         progress=progress, total=total)


def offer_located(importer: Importer, located: list[Located], *,
                  progress: Callable[[int], None] | None = None,
                  total: Callable[[int], None] | None = None) -> Report:
    """Read, extract and offer each located capture, in order (WARC files and CDX indexes
    alike); the final report.

    Reading and extraction run in the tracker's extraction pool (``fetch.extract_processes``
    worker processes; 0: one thread), :data:`READ_JOB` captures a job, :data:`AHEAD`
    captures per worker ahead of the one being judged, while this thread judges and stores
    in capture order. A job still running after ``fetch.extract_timeout`` is stopped and
    its captures read again one by one, so that only a capture that takes that long alone
    is skipped (``too_slow``): an archive from elsewhere is as hostile as the web."""
    if total is not None:
        total(len(located))
    step = progress or (lambda _: None)
    settings = importer.settings
    pool = importer.pool
    own = pool is None
    if pool is None:
        pool = importer.pool = ExtractionPool(settings.fetch.extract_processes,
                                              time_limit=settings.fetch.extract_timeout)
        pool.start()
    window: deque[tuple[list[Located], Future[list[Read | Unreadable]]]] = deque()
    ahead = max(AHEAD * max(pool.processes, 1) // READ_JOB, 1)  # jobs
    try:
        for start in range(0, len(located), READ_JOB):
            items = located[start:start + READ_JOB]
            window.append((items, _submit(importer, pool, items)))
            while len(window) > ahead:
                _take(importer, pool, *window.popleft(), step)
        while window:
            _take(importer, pool, *window.popleft(), step)
        return importer.finish()
    finally:
        importer.close()
        if own:
            importer.pool = None
            pool.close()


def _submit(importer: Importer, pool: ExtractionPool,
            items: list[Located]) -> Future[list[Read | Unreadable]]:
    settings = importer.settings
    return pool.submit(read_all, [(item.path, item.offset, item.length, item.url,
                                   *importer.overrides(item.url)) for item in items],
                       settings.fetch.max_bytes, settings.limits)


def _take(importer: Importer, pool: ExtractionPool, items: list[Located],
          job: Future[list[Read | Unreadable]], step: Callable[[int], None]) -> None:
    results: list[Read | Unreadable | ExtractionError | None]
    try:
        results = [*pool.wait(job)]
    except (BrokenProcessPool, ExtractionError):  # a worker died, or the job ran too long:
        # each again on its own, so that only the capture at fault is lost
        results = [_alone(importer, pool, item) for item in items]
    for item, got in zip(items, results, strict=True):
        _offer(importer, item, got)
        step(1)


def _alone(importer: Importer, pool: ExtractionPool,
           item: Located) -> Read | Unreadable | ExtractionError | None:
    """One capture read in a job of its own: None if its worker died under it, the
    pool's error if it ran past the time limit (the pool is replaced after either)."""
    try:
        return pool.wait(_submit(importer, pool, [item]))[0]
    except BrokenProcessPool:
        return None
    except ExtractionError as exc:
        return exc


def _offer(importer: Importer, item: Located,
           got: Read | Unreadable | ExtractionError | None) -> None:
    if got is None:
        return importer.report.skip("worker_died", f"{item.url}: the extraction worker died "
                                    "(a hostile page?); import again to retry it")
    if isinstance(got, ExtractionError):
        return importer.report.skip(got.reason or "too_slow", f"{item.url}: {got}")
    if isinstance(got, Unreadable):
        return importer.report.damage(got.reason, item.path, item.offset, str(got))
    return importer.judge(got, functools.partial(_copy, item.path, item.offset, item.length))


def _copy(path: Path, offset: int, length: int, archive: Archive) -> WarcPointer:
    return archive.copy_from(path, offset, length)
