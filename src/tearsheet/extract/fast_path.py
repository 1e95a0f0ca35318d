"""The check of a fetched page: the fast path first, a full extraction when it cannot say.

:func:`check_capture` is what the tracker's extraction pool runs on a fetched page: the
page found unchanged by the article's stored decision key (:mod:`.recheck`) — by its own
bytes when they are those the key was made from (:func:`same_capture`: a hash, no parse),
else by the key's digest (:func:`recheck`: a cheap parse) — or extracted in full, and a
key made for the next check. The fast path never raises: whatever goes wrong there, the
page is extracted in full, which refuses what must be refused.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from typing import Any

from tearsheet.extract.encoding import decode_html
from tearsheet.extract.extraction import HTML_TYPES, Extraction, Parsed, extract_capture
from tearsheet.extract.recheck import DecisionKey, counted_words, decision_key, unchanged

__all__ = ["Checked", "capture_digest", "check_capture", "recheck", "same_capture"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    """A fetched page, judged: its extraction (None when the fast path found it unchanged)
    and the decision key to keep for the next check (None: the fast path is off)."""

    extraction: Extraction | None
    key: str | None
    body_length: int


def check_capture(
    body: bytes, url: str, charset: str | None, content_type: str, *,
    key: str | None = None, make_key: bool = True, **options: Any,
) -> Checked:
    """:func:`~tearsheet.extract.extraction.extract_capture`, unless ``key`` (the article's
    stored decision key) says the page is the one it was made from. ``options`` go to
    ``extract_capture``. The fast path never raises: whatever goes wrong there, the page
    is extracted in full (which refuses what must be refused).

    ``make_key=False`` (the fast path turned off) makes no key for the next check: the
    caller then clears the stored one, which no longer describes the last version."""
    found, text = _recheck(body, url, charset, content_type, key)
    if found is not None:
        return found
    if text is None and make_key and content_type in HTML_TYPES:
        text = decode_html(body, charset)  # once: the extraction and the key read it
    parsed: list[Parsed] = []  # and the page parsed once too
    extraction = extract_capture(body if text is None else text, url, charset, content_type,
                                 parsed=parsed if make_key else None, **options)
    if not make_key:
        return Checked(extraction, None, len(extraction.text))
    if text is None:
        text = decode_html(body, charset)
    # Every text the extraction kept is placed in the container, the standfirst too (it is
    # not part of the fingerprint today; the key does not rely on that).
    kept = [*extraction.paragraphs, *([extraction.standfirst] if extraction.standfirst else [])]
    made = decision_key(text, kept, title=extraction.title, byline=extraction.byline,
                        byline_from=extraction.byline_from, body_from=extraction.body_from,
                        regions=parsed[0].regions if parsed else (),
                        tree=parsed[0].tree if parsed else None,
                        rewritten=parsed[0].rewritten if parsed else False,
                        body_words=counted_words(extraction.paragraphs),
                        most_visible=parsed[0].most_visible if parsed else 0)
    length = len(extraction.text)
    # A page no digest can cover (a short body, a body read from the whole page, a page
    # cut short) is still known when its very bytes come again: a key of its capture alone.
    made = replace(made or DecisionKey((), (), "", 0), body_length=length,
                   capture=capture_digest(body, charset, content_type))
    return Checked(extraction, made.dumps(), length)


def recheck(body: bytes, url: str, charset: str | None, content_type: str,
            key: str) -> Checked | None:
    """The fast path alone: the page found unchanged by its stored decision ``key``, or
    None when it must be extracted (``check_capture`` with ``key=None`` then gives what
    ``check_capture`` with the key would have). Never raises: hostile bytes are left to the
    full extraction. The tracker runs it on its event loop for a small page (see
    ``fetch.inline_check_bytes``), sparing the hand-off to the extraction worker."""
    return _recheck(body, url, charset, content_type, key)[0]


def same_capture(body: bytes, charset: str | None, content_type: str,
                 key: str) -> Checked | None:
    """The page found unchanged because its bytes are those the stored ``key`` was made
    from, or None (then :func:`recheck` or a full extraction judges it). A hash of the
    bytes, no parse: the tracker asks it of pages too large to recheck on its loop."""
    return _same(body, charset, content_type, key, DecisionKey.loads(key))


def capture_digest(body: bytes, charset: str | None, content_type: str) -> str:
    """A capture's identity: its length, a hash of its bytes and of how they are read
    (type, charset): with the article's URL and its source's settings, all extraction
    reads. A page served byte for byte as before (a cached article between edits) is the
    page the key was made from. The hash is made only for a page of the capture's length
    (:func:`_same`): chrome that changed mostly changes the length too."""
    hasher = hashlib.blake2b(f"{content_type}\x00{charset or ''}\x00".encode(
        "utf-8", "surrogatepass"), digest_size=16)
    hasher.update(body)
    return f"{len(body)}:{hasher.hexdigest()}"


def _same(body: bytes, charset: str | None, content_type: str, key: str,
          known: DecisionKey | None) -> Checked | None:
    """Unchanged if ``known`` (``key`` loaded) was made from these very bytes."""
    if known is None or content_type not in HTML_TYPES or not known.capture.startswith(
            f"{len(body)}:") or known.capture != capture_digest(body, charset, content_type):
        return None
    return Checked(None, key, known.body_length)


def _recheck(body: bytes, url: str, charset: str | None, content_type: str,
             key: str | None) -> tuple[Checked | None, str | None]:
    """:func:`recheck`, and the page's text if it was decoded (the extraction reads it)."""
    known = DecisionKey.loads(key)
    if known is None or key is None or content_type not in HTML_TYPES:
        return None, None
    if (same := _same(body, charset, content_type, key, known)) is not None:
        return same, None
    if not known.digest:  # a key of the capture alone: only the same bytes match it
        return None, None
    text: str | None = None
    try:
        text = decode_html(body, charset)
        if unchanged(text, known):
            return Checked(None, key, known.body_length), text
    except Exception:  # hostile bytes: the full extraction judges them
        log.debug("fast path failed on %s; extracting", url, exc_info=True)
    return None, text
