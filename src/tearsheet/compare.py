"""Compare: has the article really changed since its last stored version?

Versions are compared on a normalised form (Unicode NFC, whitespace folded), while the
stored text keeps what was published. The comparison is a hash of headline, byline and
paragraphs, so deciding "new version or not" costs one string comparison, whatever the
length of the history.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata

from tearsheet.extract import Extraction

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def normalize(text: str | None) -> str:
    """The form versions are compared on: NFC, invisible characters gone, whitespace folded."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def fingerprint(extraction: Extraction) -> str:
    """A hash of what counts as the article: headline, byline and body paragraphs.

    Dates are left out on purpose: a bumped "modified" time with the same words is not a
    new version.
    """
    paragraphs = [p for p in (normalize(p) for p in extraction.paragraphs) if p]
    canonical = json.dumps(
        [normalize(extraction.title), normalize(extraction.byline), paragraphs],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_new_version(extraction: Extraction, last_fingerprint: str | None) -> bool:
    """True when there is no stored version yet or the normalised content differs."""
    return last_fingerprint is None or fingerprint(extraction) != last_fingerprint
