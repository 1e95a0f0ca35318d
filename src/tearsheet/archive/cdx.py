"""CDX indexes: the captures a web archive holds, and where to get each one.

Reads the classic space-separated CDX (with its `` CDX N b a m s k …`` header, or the
common 11-, 9- and 7-field layouts without one: the last is what the Wayback Machine's CDX
server answers) and CDXJ (``urlkey timestamp {json}``, pywb). The captures are then read
from WARC files in a local folder (by filename, offset and length) or fetched from a
Wayback-style endpoint as ``<endpoint>/web/<timestamp>id_/<url>`` (the capture as archived,
without the archive's rewriting), through the polite fetcher.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tearsheet.archive.warc import Archive, Capture
from tearsheet.archive.warc_import import Importer, Located, Report, offer_located
from tearsheet.errors import FetchError, WarcImportError
from tearsheet.fetch.fetcher import Fetcher, Response
from tearsheet.store.records import WarcPointer

# Field letters of the CDX header (the Internet Archive's CDX legend).
_FIELDS = {"N": "urlkey", "b": "timestamp", "a": "url", "m": "mime", "s": "status",
           "k": "digest", "S": "length", "V": "offset", "g": "filename"}
_LAYOUTS = {11: "N b a m s k r M S V g", 10: "N b a m s k r M V g", 9: "N b a m s k r V g",
            7: "N b a m s k S"}
_WAYBACK_STAMP = re.compile(r"/web/(\d{14})id_/")
WINDOW = 8  # captures fetched at once from an endpoint (the fetcher keeps it polite)


@dataclass(frozen=True)
class Entry:
    """One line of a CDX index."""

    timestamp: datetime
    url: str
    mime: str
    status: str
    stamp: str  # the 14-digit timestamp as written
    filename: str | None = None
    offset: int | None = None
    length: int | None = None


def parse_stamp(stamp: str) -> datetime:
    """``20260105063000`` (any prefix of it, as archives write) → aware UTC datetime."""
    digits = (stamp + "00000101000000"[len(stamp):])[:14]
    return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def parse_cdx(lines: Iterable[str], name: str = "index") -> Iterator[Entry]:
    """Every entry of a CDX or CDXJ index; a line that cannot be read raises WarcImportError."""
    layout: list[str] | None = None
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("CDX ") and number == 1:
            layout = line.split()[1:]
            continue
        try:
            yield _entry(line, layout)
        except (ValueError, KeyError, IndexError) as exc:
            raise WarcImportError(f"{name}, line {number}: not a CDX entry ({exc})") from None


def _entry(line: str, layout: list[str] | None) -> Entry:
    if "{" in line and line.rstrip().endswith("}"):  # CDXJ
        key_stamp, _, blob = line.partition("{")
        stamp = key_stamp.split()[1]
        data = json.loads("{" + blob)
        return Entry(parse_stamp(stamp), str(data["url"]), str(data.get("mime", "")),
                     str(data.get("status", "")), stamp, data.get("filename"),
                     _int(data.get("offset")), _int(data.get("length")))
    parts = line.split()
    letters = layout or _LAYOUTS.get(len(parts), "").split()
    if len(letters) != len(parts):
        raise ValueError(f"{len(parts)} fields, and no CDX header to name them")
    fields = {_FIELDS[letter]: value for letter, value in zip(letters, parts, strict=True)
              if letter in _FIELDS}
    return Entry(parse_stamp(fields["timestamp"]), fields["url"], fields.get("mime", ""),
                 fields.get("status", ""), fields["timestamp"], fields.get("filename"),
                 _int(fields.get("offset")), _int(fields.get("length")))


def _int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "-") and str(value).isdigit() else None


def read_index(path: Path) -> list[Entry]:
    try:
        with open(path, encoding="utf-8") as fh:
            entries = list(parse_cdx(fh, str(path)))
    except OSError as exc:
        raise WarcImportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise WarcImportError(f"{path}: not a text CDX index") from None
    entries.sort(key=lambda e: e.timestamp)
    return entries


def wanted(entry: Entry, report: Report) -> bool:
    """Entries worth reading: a 200 (revisits are unchanged by definition)."""
    if entry.mime == "warc/revisit" or entry.status == "-":
        report.unchanged += 1
        return False
    if entry.status and entry.status != "200":
        report.skip("http_status", f"{entry.url}: HTTP {entry.status} in the index")
        return False
    return True


def import_from_directory(importer: Importer, entries: list[Entry], folder: Path, *,
                          progress: Callable[[int], None] | None = None,
                          total: Callable[[int], None] | None = None) -> Report:
    """The captures of ``entries`` read from the WARC files in ``folder``."""
    report = importer.report
    located = []
    for order, entry in enumerate(entries):
        if not wanted(entry, report):
            continue
        if not entry.filename or entry.offset is None or entry.length is None:
            report.skip("bad_index", f"{entry.url}: the index names no file, offset, length")
            continue
        path = (folder / entry.filename).resolve()
        if path.parent != folder.resolve() or not path.is_file():
            report.skip("missing_file", f"{entry.url}: {entry.filename} is not in {folder}")
            continue
        located.append(Located(entry.timestamp, order, entry.url, path, entry.offset,
                               entry.length))
    return offer_located(importer, located, progress=progress, total=total)


async def import_from_endpoint(importer: Importer, entries: list[Entry], endpoint: str, *,
                               progress: Callable[[int], None] | None = None,
                               total: Callable[[int], None] | None = None) -> Report:
    """The captures of ``entries`` fetched from a Wayback-style ``endpoint``, oldest first
    (a few at a time, offered in order). Each fetched capture is archived like a tracker
    fetch, under the URL it was fetched from."""
    report = importer.report
    todo = [entry for entry in entries if wanted(entry, report)]
    if total is not None:
        total(len(todo))
    base = endpoint.rstrip("/")
    async with Fetcher(importer.settings.fetch) as fetcher:
        for start in range(0, len(todo), WINDOW):
            window = todo[start:start + WINDOW]
            answers = await asyncio.gather(
                *(fetcher.fetch(f"{base}/web/{entry.stamp}id_/{entry.url}") for entry in window),
                return_exceptions=True)
            for entry, answer in zip(window, answers, strict=True):
                if isinstance(answer, FetchError):
                    report.skip("fetch_failed", str(answer))
                elif isinstance(answer, BaseException):
                    raise answer
                else:
                    found = _WAYBACK_STAMP.search(answer.url)  # the archive may redirect
                    when = parse_stamp(found.group(1)) if found else entry.timestamp
                    importer.offer(Capture(entry.url, when, answer.status,
                                           list(answer.headers.multi_items()), answer.body),
                                   functools.partial(_write, answer))
                if progress is not None:
                    progress(1)
    return importer.finish()


def _write(response: Response, archive: Archive) -> WarcPointer:
    return archive.write(response)
