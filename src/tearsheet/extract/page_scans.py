"""What the fast path's decision key reads from the raw page, without a tree: correction
notes and credit lines (extract/recheck.py; the why of each is there), and whether the
page ends as a whole page does.

The notes and credit lines are found by cheap scans of the page's bytes from ``<body``
on, lower-cased once by the caller (``bytes.lower`` folds ASCII only, so positions stay
those of the raw page), and each is kept from its opening to the end of its block: what
a note or a byline written as a line of text can change.
"""

from __future__ import annotations

import re

from tearsheet.extract.bylines import AUTHOR_PATHS, CREDIT_WORDS

__all__ = ["CORRECTIONS", "credits", "ends_whole", "notes"]

CORRECTIONS = tuple(word.encode() for word in (
    "correction", "clarification", "erratum", "errata", "retraction", "editor's note",
    "editor\u2019s note", "editors' note", "earlier version", "was updated",
    "been updated", "was amended", "been amended", "was corrected", "been corrected",
    "update:", "note:"))
"""Words of a correction note, searched in the lower-cased raw page (``bytes.find`` is
far cheaper than a regular expression or an XPath over every text node)."""
_ANCHORS = (b"correct", b"clarification", b"errat", b"retraction", b"note",
            b"earlier version", b"update", b"amended")
_ANCHORED = tuple(
    (anchor, tuple((word, word.find(anchor)) for word in CORRECTIONS
                   if next(a for a in _ANCHORS if a in word) == anchor))
    for anchor in _ANCHORS)
"""The correction words by the rarer piece each holds (8 scans of the page instead of 17),
with its offset in the word: every occurrence of a word is found at its anchor's."""
_BLOCK_END = re.compile(rb"</(?:p|div|aside|section|li|article|footer|blockquote)\b",
                        re.IGNORECASE)
_NOTE_CHARS = 2000
_END_OF_PAGE = re.compile(r"</(?:html|body)\s*>\s*$", re.IGNORECASE)
_TRAILING_COMMENTS = 64  # after the page's end, at most (a page is whole only so)


def _credit_words() -> bytes:
    """The credit words as the lower-cased raw page writes them (``bytes.lower`` folds
    ASCII only: an accented capital is spelled out too), grouped by their first byte (the
    regular expression then tries a handful at each line's start, not all of them)."""
    spelled = {v.encode().lower() for w in CREDIT_WORDS for v in (w, w.capitalize())}
    groups: dict[bytes, list[bytes]] = {}
    for word in sorted(spelled, key=len, reverse=True):
        groups.setdefault(word[:1], []).append(re.escape(word[1:]))
    return b"|".join(re.escape(first) + b"(?:" + b"|".join(rest) + b")"
                     for first, rest in groups.items())


# A line opening with a credit word, in the lower-cased page: after a tag's ">", what a
# line may start with before it (spaces, entities, punctuation, a date), then the word.
# Generous: credit_line reads far fewer of these; whatever it could read is among them.
# Whitespace runs of any length (an indented template puts a newline and a dozen spaces
# between a tag and "By") count as one of those eight. They are taken whole (``\s*+``,
# possessive): what follows a run never starts with a space, so giving part of it back
# can make no match, and trying to, at every ">" of an indented page, cost five times
# the scan (1.59 -> 0.31 ms a real page on average, the same matches on all 620).
_CREDIT_OPENING = re.compile(
    rb">\s*+(?:(?:[^\w<\s]|&[#a-z0-9]{1,8};)\s*+){0,8}"
    rb"(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}[^\w<]{0,8})?"
    rb"(?:(?:ein|eine|a|an|un|une)\s++)?(?:" + _credit_words() + rb")(?![a-z0-9_])")
# Tags, spaces and punctuation up to the next word (linear: a tag opens with "<", which
# the first branch never takes; an unclosed tag runs to the end of the span).
_TO_WORDS = re.compile(rb"(?:[^<\w]|<[^>]*>?)*")
# An author's page in a link's address ("/autoren/ana-ruiz"), wherever it is written.
_AUTHOR_PATH = re.compile(rb"/" + AUTHOR_PATHS.encode() + rb"/[^/?#\"'\s>]")
_CREDIT_CHARS = 2000  # of a credit line and the line after it, tags included, at most


def notes(raw: bytes, lowered: bytes) -> list[str]:
    """Each correction-note candidate of the raw page's body (UTF-8; ``lowered``: the same,
    ASCII lower-cased): from its word to the end of its block (at most
    :data:`_NOTE_CHARS`), wherever it is (in the container or not)."""
    found: dict[int, str] = {}
    after: dict[bytes, int] = {}  # a word's next occurrence counts from here (no overlaps)
    for anchor, words in _ANCHORED:
        at = lowered.find(anchor)
        while at >= 0:
            for word, offset in words:
                start = at - offset
                if start >= after.get(word, 0) and lowered.startswith(word, start):
                    after[word] = start + len(word)
                    end = _BLOCK_END.search(raw, start + len(word), start + _NOTE_CHARS)
                    found[start] = raw[start: end.start() if end else start + _NOTE_CHARS
                                       ].decode("utf-8", "replace")
            at = lowered.find(anchor, at + 1)
    return [found[start] for start in sorted(found)]


def credits(raw: bytes, lowered: bytes) -> list[str]:
    """Each line of the raw page's body (as :func:`notes` reads it) that opens with a
    credit word, to the end of the block after it (a lone "Autor:" takes its names from
    the next line), and each address of an author's page with the rest of its link: where
    extract/bylines.py may read a byline that no markup names."""
    found = []
    for match in _CREDIT_OPENING.finditer(lowered):
        limit = match.start() + _CREDIT_CHARS
        # From the first word after the credit word: a lone "By" or "Autor:" takes its
        # names from the next line, however many tags and blank lines lie between.
        end = _TO_WORDS.match(lowered, match.end(), limit).end()  # type: ignore[union-attr]
        for _ in range(2):
            block = _BLOCK_END.search(raw, end, limit)
            end = block.end() if block else limit
        found.append(raw[match.start():end].decode("utf-8", "replace"))
    for match in _AUTHOR_PATH.finditer(lowered):  # to the link's end: its text with it
        close = lowered.find(b"</a>", match.end(), match.start() + _CREDIT_CHARS)
        found.append(raw[match.start():close if close >= 0 else match.start() + _CREDIT_CHARS]
                     .decode("utf-8", "replace"))
    return found


def ends_whole(text: str) -> bool:
    """The page ends as a whole page does (a capture cut off in transit never matches):
    with its closing ``</body>`` or ``</html>``, then nothing but whitespace and comments.

    Servers and caches sign a page after its end ("<!-- Cached page generated 28-01-22
    10:06 -->", W3 Total Cache's and WP Super Cache's notes, render timings, an archive's
    playback log: 83 of the corpora's 620 pages), and what they write changes on every
    request; extraction never reads a comment. A capture cut inside such a comment does not
    end with one, and stays incomplete; so does anything else after the page's end."""
    end = len(text)
    for _ in range(_TRAILING_COMMENTS):
        start = max(0, end - 4096)
        tail = text[start:end].rstrip()
        if _END_OF_PAGE.search(tail):
            return True
        closing = start + len(tail) - 3  # where the last comment's "-->" must be
        if not tail.endswith("-->"):
            return False
        opening = text.rfind("<!--", 0, closing)
        # A comment ends at the first "-->" after its opening: that must be this one.
        if opening < 0 or text.find("-->", opening + 4) != closing:
            return False
        end = opening
    return False
