"""The WARC import: article histories rebuilt from web archives (WARC files, CDX indexes).

Captures are gathered first (only where each one is: file, offset, length, time), sorted
by capture time, then read one by one and offered to :class:`Importer`, which applies the
tracker's rules with the tracker's functions: the same extraction and bad-capture
judgements (:func:`~tearsheet.extract.extraction.extract`), the same fingerprint dedup
(:func:`~tearsheet.diff.fingerprint.fingerprint`), the same shrink confirmation
(:func:`~tearsheet.diff.fingerprint.shrank`: here the *next* capture of the article plays the
tracker's second fetch), the same change summary, and the same store write
(:meth:`~tearsheet.store.store.Store.record_check`). Memory holds the list of capture
locations, not the captures.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from tearsheet.archive.warc import (
    WARC_ERRORS,
    Archive,
    Capture,
    QuietArchiveIterator,
    Unreadable,
    iter_captures,
    record_problem,
    target_uri,
    warc_date,
)
from tearsheet.config import Settings
from tearsheet.diff.align import Document
from tearsheet.diff.changes import summarize
from tearsheet.diff.fingerprint import Verdict, confirms, fingerprint, judge
from tearsheet.errors import ExtractionError, WarcImportError
from tearsheet.extract.extraction import Extraction, extract_capture
from tearsheet.store.records import CheckRecord, ImportTarget, NewVersion, Outcome, WarcPointer
from tearsheet.store.store import Store
from tearsheet.tracker.extraction_pool import process_pool
from tearsheet.urls import canonicalize

log = logging.getLogger(__name__)
Keep = Callable[[Archive], WarcPointer]  # archives a capture, once it makes a version
MAX_PROBLEMS = 50  # messages kept for the summary; the counts are complete
MAX_DAMAGED = 1000  # damaged places kept (file and offset); the count is complete
# Reasons that mean "damaged", not "read and judged": an import that found nothing but
# these read nothing.
DAMAGE = frozenset({"damaged_record", "bad_record", "truncated_record", "bad_digest",
                    "truncated_file", "unreadable_file"})


@dataclass(frozen=True)
class Damage:
    """Where a damaged record (or the damaged rest of a file) starts, and what is wrong."""

    file: str
    offset: int
    message: str


@dataclass
class Report:
    """What an import did: versions stored, captures unchanged, skipped ones by reason,
    and where the damaged records are."""

    imported: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    damaged: list[Damage] = field(default_factory=list)

    def skip(self, reason: str, message: str | None = None) -> None:
        self.skipped[reason] += 1
        if message and len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def damage(self, reason: str, path: Path | str, offset: int, message: str) -> None:
        """A damaged record at ``offset`` of ``path``: skipped, counted, its place kept."""
        self.skip(reason, f"{path} at offset {offset}: {message}")
        if len(self.damaged) < MAX_DAMAGED:
            self.damaged.append(Damage(str(path), offset, message))

    @property
    def captures(self) -> int:
        return self.imported + self.unchanged + sum(self.skipped.values())

    @property
    def readable(self) -> int:
        """Captures read and judged (imported, unchanged, or skipped for what they hold)."""
        return self.captures - sum(n for r, n in self.skipped.items() if r in DAMAGE)

    def as_json(self) -> dict[str, Any]:
        return {"imported": self.imported, "unchanged": self.unchanged,
                "skipped": dict(sorted(self.skipped.items())),
                "damaged": [{"file": d.file, "offset": d.offset, "problem": d.message}
                            for d in self.damaged],
                "damaged_count": sum(n for r, n in self.skipped.items() if r in DAMAGE),
                "problems": self.problems}


@dataclass(frozen=True, slots=True)
class Located:
    """Where one capture is, and when it was made (what sorting needs)."""

    date: datetime
    order: int
    url: str
    path: Path
    offset: int
    length: int


@dataclass(frozen=True)
class _Held:
    """A capture whose body shrank by more than half, waiting for the next to confirm it."""

    capture: Capture
    extraction: Extraction
    digest: str
    proof: Keep | None


class Importer:
    """Offers captures, oldest first, to the store as the tracker would have seen them."""

    def __init__(self, settings: Settings, store: Store, *, source: str | None = None,
                 archive: Archive | None = None) -> None:
        self.settings = settings
        self.store = store
        # An import can be run again (it skips what is stored), so its commits need not
        # wait for the disk: a tenth of the time, on the machine of bench/backfill.py.
        store.relax_durability()
        self.source = source
        self.archive = archive
        self.report = Report()
        self._source_ids: dict[str, int] = {}
        self._held: dict[int, _Held] = {}
        self._configured = {s.name: s for s in settings.sources}

    def extraction(self, capture: Capture) -> functools.partial[Extraction]:
        """The extraction of ``capture`` as a picklable job (for a worker process)."""
        overrides = self._configured.get(self.source or _site(capture.url))
        return functools.partial(
            extract_capture, capture.body, capture.url, capture.charset, capture.content_type,
            body_selector=overrides.body_selector if overrides else None,
            drop_selectors=overrides.drop_selectors if overrides else (),
            limits=self.settings.limits)

    def offer(self, capture: Capture, proof: Keep | None = None,
              extracted: Future[Extraction] | None = None) -> None:
        """Judge one capture; ``proof`` archives it (called only if it makes a version);
        ``extracted``: its extraction, already under way in a worker process."""
        if capture.status == 304:  # kept by archive.keep = "all": the page had not changed
            self.report.unchanged += 1
            return None
        if not 200 <= capture.status < 300:
            return self.report.skip("http_status", f"{capture.url}: HTTP {capture.status}")
        name = self.source or _site(capture.url)
        try:
            extraction = (extracted.result() if extracted is not None
                          else self.extraction(capture)())
        except ExtractionError as exc:
            return self.report.skip(exc.reason, str(exc))
        except BrokenProcessPool:
            return self.report.skip("worker_died", f"{capture.url}: the extraction worker "
                                    "died (a hostile page?); import again to retry it")
        canonical = extraction.canonical_url or canonicalize(capture.url)
        article = self.store.article_for_import(
            self._source_id(name, capture.date), canonical, capture.date,
            self.settings.schedule.first_interval, alias=canonicalize(capture.url))
        digest = fingerprint(extraction)
        if article.version_count and digest != article.content_hash:  # see fingerprint's doc
            digest = fingerprint(extraction,
                                 standfirst=self.store.standfirst_known(article.id))
        held = self._held.pop(article.id, None)
        if held is not None:
            if confirms(digest, held.digest) or digest == article.content_hash:
                if confirms(digest, held.digest):  # the held capture is the version
                    self._store(article, held.capture, held.extraction, held.proof)
                else:
                    self._unconfirmed(held)
                self.report.unchanged += 1
                return None
            self._unconfirmed(held)
        last = article.last_changed_at
        if last is not None and capture.date <= last:
            return self.report.skip(
                "before_stored_history",
                f"{capture.url}: captured {capture.date:%Y-%m-%d %H:%M:%S}, not after the "
                "article's latest stored version")
        verdict = judge(digest, len(extraction.text), article.content_hash,
                        self.store.last_text_length(article.id)
                        if article.version_count and digest != article.content_hash
                        else None)
        if verdict is Verdict.UNCHANGED:
            self.report.unchanged += 1
        elif verdict is Verdict.CONFIRM_SHRINK:
            self._held[article.id] = _Held(capture, extraction, digest, proof)
        else:
            self._store(article, capture, extraction, proof)
        return None

    def finish(self) -> Report:
        """Settle the shrunk captures no later capture confirmed; the final report."""
        for held in self._held.values():
            self._unconfirmed(held)
        self._held.clear()
        return self.report

    def _unconfirmed(self, held: _Held) -> None:
        self.report.skip("unconfirmed_shrink",
                         f"{held.capture.url}: the body shrank by more than half and the next "
                         "capture did not confirm it [unconfirmed_shrink]")

    def _source_id(self, name: str, seen_at: datetime) -> int:
        if name not in self._source_ids:
            self._source_ids[name] = self.store.ensure_source(name, seen_at)
        return self._source_ids[name]

    def _store(self, article: ImportTarget, capture: Capture, extraction: Extraction,
               proof: Keep | None) -> None:
        summary = None
        if article.version_count:
            previous = self.store.version(article.id, article.version_count)
            if previous is not None:
                summary = summarize(Document.from_version(previous),
                                    Document.from_extraction(extraction))
        where = None
        if proof is not None and self.archive is not None \
                and self.archive.wanted(new_version=True):
            try:
                where = proof(self.archive)
            except OSError as exc:  # the tracker's rule: keep the version, say so loudly
                log.error("could not archive %s in %s (%s); the version is stored without "
                          "its raw capture", capture.url, self.archive.directory, exc)
        due = self.store.claim_article(article.id, None)
        self.store.record_check(CheckRecord(
            due, checked_at=capture.date, outcome=Outcome.NEW_VERSION,
            next_check_at=article.next_check_at, check_interval=article.check_interval,
            http_status=capture.status, etag=article.etag,
            last_modified=article.last_modified,
            version=NewVersion.of(extraction, capture.url, summary, where)))
        self.report.imported += 1


def _site(url: str) -> str:
    """The default source of an imported capture: its host, without ``www.``."""
    host = (urlsplit(url).hostname or "unknown").lower()
    return host.removeprefix("www.")[:100]


# --- WARC files --------------------------------------------------------------------------


def locate_warc(paths: Iterable[Path], report: Report) -> list[Located]:
    """Every response record of the files, by capture time. A damaged record is reported
    with its offset and skipped; reading goes on at the next record the file holds."""
    found: list[Located] = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                found += _locate(path, fh, report, len(found))
        except OSError as exc:
            report.damage("unreadable_file", path, 0, exc.strerror or str(exc))
    found.sort(key=lambda item: (item.date, item.order))
    return found


def _locate(path: Path, fh: IO[bytes], report: Report, start: int) -> list[Located]:
    """The file's response records, from its start and again after each damaged place."""
    found: list[Located] = []
    size = os.fstat(fh.fileno()).st_size
    position: int | None = 0
    while position is not None and position < size:
        fh.seek(position)
        end, error = _scan(path, fh, report, found, start, size)
        fh.seek(end)
        head = fh.read(64)
        end += len(head) - len(head.lstrip(b"\r\n"))  # the blank lines between records
        if error is None and not head.strip(b"\r\n"):
            break  # a clean end
        # Damage at ``end``: a record warcio cannot parse, or bytes after the last
        # complete record (a gzip member cut short ends warcio's iteration silently).
        what = f"unreadable record ({error})" if error else "a truncated or damaged record"
        position = _next_record_start(fh, end + 1, size)
        skipped = (position if position is not None else size) - end
        report.damage("damaged_record", path, end, f"{what}; {skipped} bytes skipped")
    return found


def _scan(path: Path, fh: IO[bytes], report: Report, found: list[Located],
          start: int, size: int) -> tuple[int, Exception | None]:
    """Read records from ``fh``'s position until the end or the first damage; where the
    last complete record ends, and the error that stopped the reading (None: the end)."""
    records = QuietArchiveIterator(fh)
    end = fh.tell()
    try:
        for record in records:
            kind = record.rec_type
            length_header = (record.rec_headers.get_header("Content-Length") or "").strip()
            if not length_header.isdigit():  # the record's extent is unknown: resynchronise
                return end, ValueError(f"no valid Content-Length ({length_header[:40]!r})")
            if not records.reader.decompressor and int(length_header) > size - end:
                return end, ValueError(f"Content-Length {length_header} runs past the end "
                                       "of the file")
            problem = record_problem(record) if kind == "response" else None
            records.read_to_end(record)
            offset, length = records.get_record_offset(), records.get_record_length()
            end = offset + length
            if kind == "revisit":  # the archive saw the same payload again: unchanged
                report.unchanged += 1
            elif problem is not None:
                uri = target_uri(record) or "a response record"
                report.damage("bad_record", path, offset, f"{uri}: {problem}")
            elif kind == "response" and record.http_headers is not None:
                date = warc_date(record.rec_headers.get_header("WARC-Date") or "")
                assert date is not None  # record_problem checked it
                found.append(Located(date, start + len(found), target_uri(record), path,
                                     offset, length))
    except WARC_ERRORS as exc:
        return end, exc
    return end, None


_RECORD_START = re.compile(rb"(?:^|\n)WARC/1\.[01]\r?\n|\x1f\x8b\x08")
_SEARCH_BLOCK = 1 << 20


def _next_record_start(fh: IO[bytes], position: int, size: int) -> int | None:
    """Where the next record after a damaged place starts: a line ``WARC/1.x``, or a gzip
    member that inflates to one. Read in blocks: memory stays flat on a large file."""
    while position < size:
        fh.seek(position)
        block = fh.read(_SEARCH_BLOCK + 16)
        for match in _RECORD_START.finditer(block):
            at = position + match.start() + (1 if match.group().startswith(b"\n") else 0)
            if not match.group().startswith(b"\x1f") or _inflates_to_warc(fh, at):
                return at
        position += _SEARCH_BLOCK
    return None


def _inflates_to_warc(fh: IO[bytes], at: int) -> bool:
    fh.seek(at)
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(fh.read(4096), 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/")


def read_located(items: Iterable[Located], max_bytes: int, report: Report,
                 ) -> Iterator[tuple[Capture, Keep] | None]:
    """Each located capture read back, with its raw record; a damaged one is reported
    (and yields None, so progress still counts it)."""
    handles: dict[Path, IO[bytes]] = {}
    try:
        for item in items:
            fh = handles.get(item.path)
            if fh is None:
                fh = handles[item.path] = open(item.path, "rb")  # noqa: SIM115
            fh.seek(item.offset)
            raw = fh.read(item.length)
            try:
                got = next(iter_captures(io.BytesIO(raw), max_bytes), None)
            except WARC_ERRORS as exc:
                got = Unreadable("bad_record", f"{item.url}: unreadable record ({exc})")
            if isinstance(got, Capture):
                yield got, functools.partial(_copy, raw)
            else:
                report.damage(got.reason if got else "bad_record", item.path, item.offset,
                              str(got or "no response record"))
                yield None
    finally:
        for fh in handles.values():
            fh.close()


def _copy(raw: bytes, archive: Archive) -> WarcPointer:
    return archive.copy(raw)


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
    """Read each located capture back and offer it, in order (WARC files and CDX
    indexes alike); the final report.

    With ``fetch.extract_processes`` above 1, captures are extracted in worker processes
    (as the tracker's are), up to two per worker ahead of the one being judged, while
    this process judges and stores in capture order: memory holds that window of
    captures, whatever the size of the files."""
    if total is not None:
        total(len(located))
    step = progress or (lambda _: None)
    processes = importer.settings.fetch.extract_processes
    workers = process_pool(processes) if processes > 1 else None
    window: deque[tuple[Capture, Keep, Future[Extraction] | None]] = deque()
    try:
        for found in read_located(located, importer.settings.fetch.max_bytes,
                                  importer.report):
            if found is None:
                step(1)
                continue
            capture, proof = found
            job = None
            if workers is not None and 200 <= capture.status < 300:
                try:
                    job = workers.submit(importer.extraction(capture))
                except BrokenProcessPool:  # a worker died under an earlier page: new ones
                    workers.shutdown(wait=False, cancel_futures=True)
                    workers = process_pool(processes)
                    job = workers.submit(importer.extraction(capture))
            window.append((capture, proof, job))
            while len(window) > 2 * max(processes, 1) or (window and workers is None):
                importer.offer(*window.popleft())
                step(1)
        while window:
            importer.offer(*window.popleft())
            step(1)
    finally:
        if workers is not None:
            workers.shutdown(wait=True, cancel_futures=True)
    return importer.finish()
