"""A copy to trace, as people bring one: pasted text, a saved page, or a fetched one (pure).

HTML goes through the tracker's own extraction (:func:`tearsheet.extract.extraction.
extract`), so a saved page is read as its article would be; plain text is paragraphs
separated by blank lines — or by single line breaks when it has no blank line at all, as
text pasted into a form often has.
"""

from __future__ import annotations

import re

from tearsheet.diff.align import Document
from tearsheet.errors import ExtractionError
from tearsheet.extract.encoding import decode_html, xml_safe
from tearsheet.extract.extraction import extract

_HTML = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<article|<div|<p[\s>])",
                   re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n\s*\n")


def looks_like_html(data: bytes) -> bool:
    return bool(_HTML.match(data[:2048].lstrip(b"\xef\xbb\xbf")))


def copy_document(data: bytes | str, url: str | None = None,
                  charset: str | None = None) -> Document:
    """The copy's paragraphs (and headline, language when a page names them). Text that
    XML could not hold (a lone surrogate, a control character) is dropped first: the
    trace hashes and compares what is left."""
    if isinstance(data, str):
        data = xml_safe(data)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if looks_like_html(raw):
        try:
            found = extract(raw, url, charset)
        except ExtractionError as exc:
            raise ExtractionError(f"no article text in this page: {exc}",
                                  reason=exc.reason) from None
        return Document.from_extraction(found)
    # Decoded as a page is (a charset the caller was given may be a hostile server's).
    text = data if isinstance(data, str) else decode_html(data, charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile(r"\n")
    return Document(tuple(p.strip() for p in separator.split(text) if p.strip()))
