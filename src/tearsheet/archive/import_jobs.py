"""The WARC import's CPU work, as jobs for the tracker's extraction pool: a capture read
from its file and extracted (:func:`read_and_extract`; a version's, by the tracker:
:func:`read_version`), and a new version's change summary
and trace keys (:func:`version_parts`); each also for several at once (:func:`read_all`,
:func:`parts_all`): a job's round trip through the pool (its queues, their threads, the
wake-ups) costs the importing process a fraction of a millisecond, paid per job.

Why the worker reads the record itself: the importing process then never holds a body
(nor inflates, parses or digests one); a job is a file name and two numbers, and what comes
back is the extraction, without the page. Each worker reads at most ``fetch.max_bytes`` of
a body, as the fetcher would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from warcio.limitreader import LimitReader

from tearsheet.archive.warc import (
    WARC_ERRORS,
    Capture,
    Unreadable,
    iter_captures,
    record_path,
)
from tearsheet.config import LimitSettings
from tearsheet.diff.align import Document
from tearsheet.diff.changes import summarize
from tearsheet.diff.summary import ChangeSummary
from tearsheet.diff.trace import index_keys
from tearsheet.errors import ArchiveError, ExtractionError
from tearsheet.extract.extraction import Extraction, extract_capture
from tearsheet.store.records import WarcPointer


@dataclass(frozen=True)
class Read:
    """A capture as the import judges it: its extraction, or why it has none. No body."""

    url: str
    date: datetime
    status: int
    extraction: Extraction | None = None  # None: not a 2xx page, or refused
    refusal: tuple[str, str] | None = None  # (reason, message) of its ExtractionError


def extracted(capture: Capture, body_selector: str | None, drop_selectors: Sequence[str],
              limits: LimitSettings) -> Read:
    """``capture`` judged as the tracker would: a 2xx page is extracted
    (:func:`~tearsheet.extract.extraction.extract_capture`), anything else is not."""
    if not 200 <= capture.status < 300:
        return Read(capture.url, capture.date, capture.status)
    try:
        extraction = extract_capture(capture.body, capture.url, capture.charset,
                                     capture.content_type, body_selector=body_selector,
                                     drop_selectors=drop_selectors, limits=limits)
    except ExtractionError as exc:
        return Read(capture.url, capture.date, capture.status,
                    refusal=(str(exc.reason), str(exc)))
    return Read(capture.url, capture.date, capture.status, extraction)


def read_and_extract(path: Path, offset: int, length: int, url: str, max_bytes: int,
                     body_selector: str | None, drop_selectors: Sequence[str],
                     limits: LimitSettings) -> Read | Unreadable:
    """The response record of ``url`` at ``offset`` of ``path``, read (its body capped at
    ``max_bytes``) and extracted; :class:`Unreadable` if it is damaged."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            got = next(iter_captures(LimitReader(fh, length), max_bytes), None)
    except WARC_ERRORS as exc:
        return Unreadable("bad_record", f"{url}: unreadable record ({exc})")
    if not isinstance(got, Capture):
        return got or Unreadable("bad_record", f"{url}: no response record")
    return extracted(got, body_selector, drop_selectors, limits)


def read_version(directory: Path, ref: WarcPointer, url: str, max_bytes: int,
                 body_selector: str | None, drop_selectors: Sequence[str],
                 limits: LimitSettings) -> Read | Unreadable:
    """A stored version's capture (``ref``, in the archive's ``directory``), read and
    extracted again by this extractor (:mod:`tearsheet.tracker.reread`): as
    :func:`read_and_extract`, its file found (and checked) by the worker too."""
    try:
        path = record_path(directory, ref)
    except (ArchiveError, OSError) as exc:
        return Unreadable("bad_record", f"{url}: {exc}")
    return read_and_extract(path, ref.offset, ref.length, url, max_bytes, body_selector,
                            drop_selectors, limits)


def read_all(jobs: Sequence[tuple[Path, int, int, str, str | None, Sequence[str]]],
             max_bytes: int, limits: LimitSettings) -> list[Read | Unreadable]:
    """:func:`read_and_extract` of each (path, offset, length, url, body selector, drop
    selectors), in order."""
    return [read_and_extract(path, offset, length, url, max_bytes, body, drops, limits)
            for path, offset, length, url, body, drops in jobs]


def parts_all(versions: Sequence[tuple[dict[str, Any] | None, Extraction]],
              ) -> list[tuple[ChangeSummary | None, tuple[int, ...]]]:
    """:func:`version_parts` of each (previous, extraction), in order."""
    return [version_parts(previous, extraction) for previous, extraction in versions]


def version_parts(previous: dict[str, Any] | None, extraction: Extraction,
                  ) -> tuple[ChangeSummary | None, tuple[int, ...]]:
    """A new version's change summary (from ``previous``, the stored version before it;
    None for a first version) and its keys for the trace index, as the tracker makes them."""
    document = Document.from_extraction(extraction)
    summary = (summarize(Document.from_version(previous), document)
               if previous is not None else None)
    return summary, index_keys(document)
