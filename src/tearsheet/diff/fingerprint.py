"""Judge: has the article really changed since its last stored version?

:func:`judge` is the one decision the tracker and the WARC import share: a fetch is a new
version, unchanged, or a shrink to confirm with a second capture (:func:`confirms`).

Versions are compared on a normalised form (Unicode NFC, whitespace folded, typographic
variants such as curly quotes and dash styles made plain), while the stored text keeps
what was published. The comparison is a hash of headline, byline, paragraphs and
standfirst, so deciding "new version or not" costs one string comparison, whatever the
length of the history.

The standfirst joined the hash after versions had been stored without it (migration 0014):
an empty standfirst leaves the hash as it was, and a check against a version whose
standfirst is unknown (NULL) compares with it left out (``standfirst=False``), so an old
article is not a new version just because its dek is now read. Its next real change
stores the standfirst, and the full hash, from then on.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from enum import StrEnum

from tearsheet.extract.extraction import Extraction

# Typography that carries no meaning: the same sentence typed by a CMS with "smart quotes"
# on and off, or re-flowed with no-break spaces, soft hyphens and dash styles.
_TYPOGRAPHY: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None),  # invisible
    **dict.fromkeys(map(ord, "‘’‚‛′`´"), "'"),
    **dict.fromkeys(map(ord, "“”„‟″«»"), '"'),
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-"),
    ord("…"): "...",
}


def normalize(text: str | None) -> str:
    """The form versions are compared on.

    Unicode NFC; invisible characters (soft hyphens, zero-width spaces) removed; curly
    quotes, primes and guillemets straightened; hyphen and dash variants made ``-``; the
    ellipsis character made three dots; every run of whitespace (no-break spaces
    included) one space. Stored text is never normalised: only compared.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)
    return " ".join(text.split())


def fingerprint(extraction: Extraction, *, standfirst: bool = True) -> str:
    """A hash of what counts as the article: headline, byline, body paragraphs and the
    standfirst (left out with ``standfirst=False``: to compare with a version stored before
    standfirsts were, see the module's docstring).

    Dates are left out on purpose: a bumped "modified" time with the same words is not a
    new version. An empty standfirst adds nothing, so the hash of a page without one is the
    hash it had before the standfirst counted.
    """
    paragraphs = [p for p in (normalize(p) for p in extraction.paragraphs) if p]
    parts: list[object] = [normalize(extraction.title), normalize(extraction.byline), paragraphs]
    dek = normalize(extraction.standfirst) if standfirst else ""
    if dek:
        parts.append(dek)
    canonical = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_new_version(extraction: Extraction, last_fingerprint: str | None) -> bool:
    """True when there is no stored version yet or the normalised content differs."""
    return last_fingerprint is None or fingerprint(extraction) != last_fingerprint


def shrank(text_length: int, last_length: int | None) -> bool:
    """True when a body lost more than half of the last version's text: such a capture is
    stored only once a second one confirms it (a half-rendered page, a CDN stub)."""
    return last_length is not None and text_length * 2 < last_length


class Verdict(StrEnum):
    """What one capture of an article is, against its last stored version."""

    NEW = "new"
    UNCHANGED = "unchanged"
    CONFIRM_SHRINK = "confirm_shrink"  # a new version only if a second capture agrees


def judge(digest: str, text_length: int, last_digest: str | None,
          last_length: int | None) -> Verdict:
    """A capture with fingerprint ``digest`` and a body of ``text_length`` characters,
    against the last version's fingerprint and length (None: no version yet)."""
    if digest == last_digest:
        return Verdict.UNCHANGED
    if shrank(text_length, last_length):
        return Verdict.CONFIRM_SHRINK
    return Verdict.NEW


def confirms(second: str, first: str) -> bool:
    """A second capture confirms a shrunken one when it shows the same text."""
    return second == first
