"""Where the captures of WARC files are: each response record's time, file, offset and
length (about a hundred bytes each), found by one pass over the files that reads no body
into memory. A damaged record is reported with its offset and skipped; reading goes on at
the next record the file holds."""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from tearsheet.archive.import_report import Report
from tearsheet.archive.warc import (
    WARC_ERRORS,
    QuietArchiveIterator,
    record_problem,
    target_uri,
    warc_date,
)


@dataclass(frozen=True, slots=True)
class Located:
    """Where one capture is, and when it was made (what sorting needs)."""

    date: datetime
    order: int
    url: str
    path: Path
    offset: int
    length: int


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
