"""The floor of a new version: a check whose extraction is trafilatura's own reading alone.

Why: issue 20 asks a check that stores a new version to cost at most 5× the fetch's CPU.
``checkloop.py --floor`` measures, in the same run, what a tracker costs whose extraction
is nothing but trafilatura as its users call it for a news page (``bare_extraction`` with
its metadata and tables, ``fast``: no fallback extractors), with no rule of tearsheet's, no
decision key for the next check and no trace index keys: the fetch, trafilatura, the
version stored with its WARC record. What tearsheet's own check costs beyond it is its
rules, its key and its trace keys.

The tracker's ``check_capture`` and ``index_keys`` are swapped for these for that pass only
(a bench-only patch put back after it). They live in a module of their own so that the
extraction pool's worker processes (``--extract-processes``) can import them by name.
"""

from __future__ import annotations

from typing import Any

import trafilatura

from tearsheet.diff.align import Document
from tearsheet.extract.dates import parse_date
from tearsheet.extract.encoding import decode_html
from tearsheet.extract.extraction import Extraction
from tearsheet.extract.fast_path import Checked


def trafilatura_alone(body: bytes, url: str, charset: str | None, content_type: str,
                      **options: Any) -> Checked:
    """The page read by trafilatura alone (the tracker's ``check_capture`` arguments; its
    ``options`` are tearsheet's and ignored): no decision key, so no fast path after it."""
    read = trafilatura.bare_extraction(
        decode_html(body, charset), url=url, fast=True, include_comments=False,
        include_tables=True, with_metadata=True)
    if read is None or isinstance(read, dict):  # (a dict only when asked for one)
        extraction = Extraction(None, None, None, None, None, None, [])
    else:
        extraction = Extraction(
            read.title, read.author, parse_date(read.date), None, read.language, read.url,
            [line for line in (read.text or "").split("\n") if line.strip()])
    return Checked(extraction, None, len(extraction.text))


def no_trace_keys(document: Document) -> tuple[int, ...]:
    """No trace index keys (``tracker.index_keys`` for the floor's pass)."""
    return ()

