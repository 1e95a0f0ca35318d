"""Raw responses as WARC records (ISO 28500): the proof behind each version.

The tracker archives the response of each fetch that ``archive.keep`` wants
(:meth:`Archive.wanted`) as a ``response`` record (status line, headers and body as
received, with its payload and block digests) and a ``request`` record naming it, into
gzip-compressed WARC files (one gzip member per record, so each record can be read alone)
that rotate at ``archive.file_size``. The tracker's store writer writes them
(:meth:`Archive.capture_group`), never the event loop: the captures of a group of checks
are written and flushed to disk (fsync) together, before the group's commit, so a stored
pointer never dangles.

A write that fails (disk full, folder removed) is logged as an error and the version is
stored without its capture: losing the proof is bad, losing the version is worse — the
page may change again before the next check, and then that version is gone for good.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
import socket
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from tearsheet import __version__
from tearsheet.config import ArchiveSettings, Settings
from tearsheet.errors import ArchiveError, DamagedRecordError
from tearsheet.fetch.fetcher import Response
from tearsheet.store.records import WarcPointer

log = logging.getLogger(__name__)

WARC_MEDIA_TYPE = "application/warc"
COPY_BLOCK = 1 << 20  # bytes of a record copied at a time
RENDERED_TYPE = "text/html; charset=utf-8; rendered=chromium"
"""Content type of a ``conversion`` record holding a browser's rendered DOM."""
GZIP_LEVEL = 6
"""zlib's default. warcio gzips each record at 9, which on a page sent without
compression (a 36 KB page: 0.50 ms) costs half again as much as 6 (0.33 ms) for a
record 1 % smaller; a payload the server compressed costs the same at any level."""


def data_dir(settings: Settings) -> Path:
    """Where tearsheet keeps its files: beside the SQLite database, else the user's data
    directory (``$XDG_DATA_HOME/tearsheet``, by default ``~/.local/share/tearsheet``)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).expanduser().resolve().parent
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "tearsheet"


def default_dir(settings: Settings) -> Path:
    """``archive.dir``, else ``warc/`` in the :func:`data_dir`."""
    if settings.archive.dir is not None:
        return settings.archive.dir.expanduser()
    return data_dir(settings) / "warc"


class Archive:
    """Writes captures into rotating WARC files in ``directory``."""

    def __init__(self, settings: ArchiveSettings, directory: Path, *,
                 digests: bool = False) -> None:
        self.settings = settings
        self.directory = directory
        # Give each record's SHA-256 (WarcPointer.digest), for the store to queue it for a
        # trusted timestamp: on when a timestamping authority is configured.
        self.digests = digests
        self.failures = 0  # writes that failed since start (the versions were kept)
        self._current: Path | None = None
        self._serial = 0
        self._lock = threading.Lock()
        self._unsynced: set[Path] = set()  # written by copy_from, not yet fsynced

    @classmethod
    def from_settings(cls, settings: Settings) -> Archive:
        return cls(settings.archive, default_dir(settings),
                   digests=settings.proof.tsa_url is not None)

    def wanted(self, *, new_version: bool) -> bool:
        """Is this fetch kept? ``new_version``: it made a version (or is the first one)."""
        keep = self.settings.keep
        return keep == "all" or (keep == "versions" and new_version)

    def capture_group(self, responses: Sequence[Response]) -> list[WarcPointer | None]:
        """Archive ``responses`` (those :meth:`wanted`) on the calling thread: each written,
        then each file touched synced once (:meth:`write_group`), so that the versions
        pointing at them can be committed next. Where each went; None for one that could
        not be written, logged as an error and counted (its version is stored without it).
        Never raises: the tracker's store writer calls it for each group of checks, before
        the group's commit (one sync for the group's captures, as one for its rows)."""
        try:
            results = self.write_group(list(responses))
        except Exception as exc:  # a bug: the versions are stored all the same
            results = [exc] * len(responses)
        pointers: list[WarcPointer | None] = []
        for response, result in zip(responses, results, strict=True):
            if isinstance(result, Exception):
                self.failures += 1
                log.error("could not archive the response of %s in %s (%s); the version is "
                          "stored without its raw capture", response.url, self.directory,
                          result)
                pointers.append(None)
            else:
                pointers.append(result)
        return pointers

    def write_group(self, responses: list[Response]) -> list[WarcPointer | Exception]:
        """Write several captures, then fsync each file touched once; per capture, its
        place or the error that kept it out."""
        results: list[WarcPointer | Exception] = []
        for response in responses:
            try:
                results.append(self.write(response, sync=False))
            except (OSError, ArchiveError, ValueError) as exc:
                results.append(exc)
        for name in {r.file for r in results if isinstance(r, WarcPointer)}:
            try:
                with open(self.directory / name, "rb") as fh:
                    os.fsync(fh.fileno())
            except OSError as exc:
                results = [exc if isinstance(r, WarcPointer) and r.file == name else r
                           for r in results]
        return results

    def write(self, response: Response, *, sync: bool = True) -> WarcPointer:
        """Append the response and request records (synchronously); the response's place.
        ``sync``: fsync before returning (:meth:`write_group` syncs once for many).

        A page rendered by the browser gets a third record: a ``conversion`` of the
        response (``WARC-Refers-To`` it), holding the DOM that was extracted, as
        :data:`RENDERED_TYPE`; the response record stays what the server sent."""
        exchange = response.exchange
        if exchange is None:
            raise ArchiveError(f"{response.url}: no raw exchange to archive")
        with self._lock:
            path = self._file()
            with open(path, "a+b") as fh:
                offset = fh.seek(0, os.SEEK_END)
                writer = _Writer(fh, warc_version="1.1")
                if offset == 0:
                    writer.write_record(writer.create_warcinfo_record(path.name, {
                        "software": f"tearsheet/{__version__}", "format": "WARC File Format 1.1",
                        "hostname": socket.gethostname()}))
                    offset = fh.tell()
                date = datetime_to_iso_date(response.fetched_at.astimezone(UTC)
                                            .replace(tzinfo=None), use_micros=True)
                http = StatusAndHeaders(f"{response.status} {exchange.reason}".strip(),
                                        list(exchange.response_headers),
                                        protocol=exchange.http_version)
                record = writer.create_warc_record(
                    response.url, "response", payload=io.BytesIO(exchange.body),
                    length=len(exchange.body), http_headers=http,
                    warc_headers_dict={"WARC-Date": date})
                writer.write_record(record)
                end = fh.tell()
                request = StatusAndHeaders(
                    f"{exchange.request_method} {exchange.request_target} {exchange.http_version}",
                    list(exchange.request_headers), is_http_request=True)
                writer.write_record(writer.create_warc_record(
                    response.url, "request", payload=io.BytesIO(b""), length=0,
                    http_headers=request, warc_headers_dict={
                        "WARC-Date": date,
                        "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")}))
                if response.rendered is not None:  # what the browser made of it
                    writer.write_record(writer.create_warc_record(
                        response.url, "conversion", payload=io.BytesIO(response.rendered),
                        length=len(response.rendered), warc_content_type=RENDERED_TYPE,
                        warc_headers_dict={
                            "WARC-Date": date,
                            "WARC-Refers-To": record.rec_headers.get_header("WARC-Record-ID"),
                            "WARC-Refers-To-Target-URI": response.url,
                            "WARC-Refers-To-Date": date}))
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
                digest = None
                if self.digests:  # read back from the page cache: what is on disk
                    fh.seek(offset)
                    digest = "sha256:" + hashlib.sha256(fh.read(end - offset)).hexdigest()
        return WarcPointer(path.name, offset, end - offset, digest)

    def copy(self, record: bytes) -> WarcPointer:
        """Append a record read from another WARC file (an import's proof), gzipped on its
        own if it was not, so it can be read alone like the tracker's."""
        if not record.startswith(b"\x1f\x8b"):
            record = gzip.compress(record, mtime=0)
        with self._lock:
            path = self._file()
            with open(path, "ab") as fh:
                offset = fh.tell()
                fh.write(record)
                fh.flush()
                os.fsync(fh.fileno())
        digest = "sha256:" + hashlib.sha256(record).hexdigest() if self.digests else None
        return WarcPointer(path.name, offset, len(record), digest)

    def copy_from(self, source: Path, offset: int, length: int) -> WarcPointer:
        """Append the record at ``offset`` of the WARC file ``source`` (an import's proof), a
        block at a time (flat memory whatever its size), gzipped on its own if it was not.
        Not on disk until :meth:`sync`: an import syncs once per batch, before its commit."""
        hasher = hashlib.sha256() if self.digests else None
        with open(source, "rb") as src, self._lock:
            src.seek(offset)
            gzipped = src.read(2) == b"\x1f\x8b"
            packer = None if gzipped else zlib.compressobj(9, zlib.DEFLATED, 31)
            src.seek(offset)
            path = self._file()
            with open(path, "ab") as out:
                start = out.tell()
                left = length
                while left > 0 or packer is not None:
                    block = src.read(min(COPY_BLOCK, left)) if left > 0 else b""
                    if left > 0 and not block:
                        raise OSError(f"{source} ends inside the record at offset {offset}")
                    left -= len(block)
                    data = packer.compress(block) if packer is not None else block
                    if left <= 0 and packer is not None:
                        data += packer.flush()
                        packer = None
                    out.write(data)
                    if hasher is not None:
                        hasher.update(data)
                end = out.tell()
            self._unsynced.add(path)
        digest = "sha256:" + hasher.hexdigest() if hasher is not None else None
        return WarcPointer(path.name, start, end - start, digest)

    def sync(self) -> None:
        """fsync the files :meth:`copy_from` appended to (once each)."""
        with self._lock:
            files, self._unsynced = self._unsynced, set()
        for path in files:
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())

    def _file(self) -> Path:
        """The file to append to: the current one, or a new one once it is full."""
        if self._current is not None and self._current.exists() \
                and self._current.stat().st_size < self.settings.file_size:
            return self._current
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self._current = self.directory / (
            f"tearsheet-{stamp}-{self._serial:05d}-{socket.gethostname()}-{os.getpid()}.warc.gz")
        return self._current


# --- reading back ----------------------------------------------------------------------


@dataclass(frozen=True)
class Capture:
    """One archived response, read back: what the web UI renders and the import reads."""

    url: str
    date: datetime
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # decoded (chunking and Content-Encoding undone), capped

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in (self.header("content-type") or "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip().strip("\"'"):
                return value.strip().strip("\"'").lower()
        return None


def record_path(directory: Path, ref: WarcPointer) -> Path:
    """The file of ``ref`` inside ``directory``; a name that leaves it is refused."""
    path = (directory / ref.file).resolve()
    if path.parent != directory.resolve():
        raise ArchiveError(f"{ref.file!r} is not a file of the archive folder {directory}")
    return path


def raw_record(directory: Path, ref: WarcPointer) -> bytes:
    """The record's bytes as stored (one gzip member): a valid WARC file by itself."""
    path = record_path(directory, ref)
    try:
        with open(path, "rb") as fh:
            fh.seek(ref.offset)
            data = fh.read(ref.length)
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc}") from None
    if len(data) != ref.length:
        raise ArchiveError(f"{path} is shorter than the record it should hold")
    return data


@dataclass(frozen=True)
class Unreadable:
    """Why a response record was not read back: ``reason`` is the import report's key."""

    reason: str  # bad_record | truncated_record | bad_digest
    message: str

    def __str__(self) -> str:
        return self.message


def read_capture(directory: Path, ref: WarcPointer, max_bytes: int) -> Capture:
    """The archived response of a version, parsed and decoded (at most ``max_bytes``);
    :class:`DamagedRecordError` if the record is there but cannot be read."""
    data = raw_record(directory, ref)
    try:
        for capture in iter_captures(io.BytesIO(data), max_bytes):
            if isinstance(capture, Capture):
                return capture
            raise DamagedRecordError(f"{ref.file} at offset {ref.offset}: {capture}")
    except WARC_ERRORS as exc:
        raise DamagedRecordError(f"{ref.file} at offset {ref.offset}: not a readable WARC "
                                 f"record ({exc})") from None
    raise DamagedRecordError(f"{ref.file} at offset {ref.offset}: no response record there")


class _Writer(WARCWriter):  # type: ignore[misc]  # warcio is untyped
    """warcio's writer, each record gzipped as its own member as warcio does, but at
    :data:`GZIP_LEVEL` (warcio's level is fixed at 9). The record is made by a plain
    warcio writer (its public API) into a buffer, then compressed here."""

    def __init__(self, out: IO[bytes], **kwargs: Any) -> None:
        super().__init__(out, gzip=False, **kwargs)
        self._buffer = io.BytesIO()
        self._plain = WARCWriter(self._buffer, gzip=False, **kwargs)

    def write_record(self, record: Any, params: Any = None) -> None:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._plain.write_record(record)
        packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: a gzip member
        with self._buffer.getbuffer() as plain:
            self.out.write(packer.compress(plain) + packer.flush())


class QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]  # warcio is untyped
    """warcio's reader, without its warnings written straight to stderr: a damaged record
    is reported by the import's summary instead, with its file and offset."""

    INC_RECORD = ""


# What warcio raises on a damaged file or record.
WARC_ERRORS = (ArchiveLoadFailed, EOFError, ValueError, zlib.error, OSError, AttributeError,
                IndexError, KeyError, TypeError)


def iter_captures(stream: IO[bytes], max_bytes: int) -> Iterator[Capture | Unreadable]:
    """Every ``response`` record of a WARC stream as a Capture, or why it was skipped.

    Digests are checked; a body larger than ``max_bytes`` once decoded is refused, as the
    fetcher would (a gzip bomb in an archive is no better than one on the web).
    """
    records = QuietArchiveIterator(stream, check_digests=True)
    for record in records:
        if record.rec_type != "response":
            continue
        if record.http_headers is None and target_uri(record):
            continue  # a response of another protocol (Heritrix's dns: records)
        yield _capture(record, max_bytes)


def target_uri(record: Any) -> str:
    """The record's WARC-Target-URI ("" if none); WARC 1.0's grammar put it in angle
    brackets, and some writers still do."""
    return str(record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")


def record_problem(record: Any) -> str | None:
    """What makes a response record unusable before its payload is read (None: nothing):
    no target URI, no date, no valid Content-Length."""
    headers = record.rec_headers
    if not target_uri(record):
        return "no WARC-Target-URI"
    if warc_date(headers.get_header("WARC-Date") or "") is None:
        return "no valid WARC-Date"
    length = (headers.get_header("Content-Length") or "").strip()
    if not length.isdigit():
        return f"no valid Content-Length ({length[:40]!r})"
    return None


def _capture(record: Any, max_bytes: int) -> Capture | Unreadable:
    uri = target_uri(record)
    problem = record_problem(record)
    if problem is not None:
        return Unreadable("bad_record", f"{uri or 'a response record'}: {problem}")
    try:
        body = record.content_stream().read(max_bytes + 1)
        while record.raw_stream.read(65536):  # to the end, so the digests are checked
            pass
    except WARC_ERRORS as exc:
        return Unreadable("bad_record", f"{uri}: unreadable record ({exc})")
    if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended inside the record
        return Unreadable("truncated_record", f"{uri}: truncated record "
                          f"({record.raw_stream.limit} bytes missing)")
    if record.digest_checker.passed is False:
        return Unreadable("bad_digest", f"{uri}: bad digest "
                          f"({'; '.join(record.digest_checker.problems)})")
    if len(body) > max_bytes:
        return Unreadable("bad_record",
                          f"{uri}: body is larger than fetch.max_bytes ({max_bytes} bytes)")
    if record.http_headers is None:
        return Unreadable("bad_record", f"{uri}: no HTTP response in the record")
    status = record.http_headers.get_statuscode()
    date = warc_date(record.rec_headers.get_header("WARC-Date") or "")
    assert date is not None  # record_problem checked it
    return Capture(uri, date, int(status) if str(status).isdigit() else 0,
                   list(record.http_headers.headers), body)


def warc_date(value: str) -> datetime | None:
    """A WARC-Date (ISO 8601, any precision) as an aware UTC datetime; None if invalid."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
