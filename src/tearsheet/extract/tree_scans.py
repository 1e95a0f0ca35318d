"""What the fast path's decision key reads from the parsed page beside its container: the
metadata sources, the byline candidates and the lines cut by their words (extract/recheck.py
says why; the raw page's scans, notes and credit lines, are in extract/page_scans.py).

The first two are found wherever they are on the page, by a handful of XPath queries in C
and scans of strings, never a Python walk of the whole tree: they are read on every check.
The cut lines are looked for in the element trafilatura read the body from, where it holds
more than the container, by a walk of that element (0.17 ms on the real pages that have
one, none on most: docs/performance.md).
"""

from __future__ import annotations

import re

from lxml import etree

from tearsheet.extract.furniture import MAX_WORDS, is_contact_heading, is_furniture
from tearsheet.extract.script import count_words

__all__ = ["BYLINE_WORDS", "byline_candidates", "cut_lines", "metadata_sources"]

BYLINE_WORDS = ("author", "byline", "by-line", "byl", "bbl", "writer", "contributor",
                "reporter", "journalist", "creator", "credit", "submitted", "posted-by",
                "username", "screenname", "channel-name", "zuozhe", "bianji", "xiaobian")
"""Every word of the byline expressions extraction reads (metadata's and trafilatura's
author XPaths: tests/extract/test_recheck.py checks them), and a few more."""

# Byline candidates: every <address> and <author>, and every element with one of these
# attributes holding a byline word (ASCII case folded). The attribute values are gathered
# by one XPath in C (``descendant-or-self::*/@class`` visits elements only, ``//@class``
# every node: the same attributes in the same order, 0.051 -> 0.044 ms a page); a
# per-element XPath predicate with translate() costs eight times as much.
_SOURCES = etree.XPath(
    "descendant-or-self::address|descendant-or-self::author|descendant-or-self::*/@class"
    "|descendant-or-self::*/@id|descendant-or-self::*/@itemprop|descendant-or-self::*/@rel"
    "|descendant-or-self::*/@name|descendant-or-self::*/@data-testid"
    "|descendant-or-self::*/@data-component")
_WORDS = tuple(word.encode() for word in BYLINE_WORDS)
_APART = b"\x00"  # between two values: in no word, and lxml keeps none in a value
_APART_TEXT = _APART.decode()
_METADATA_TAGS = ("title", "meta", "script", "link", "h1")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINE_TAGS = _HEADINGS | {"p", "li", "blockquote", "dt", "dd"}
_SHORT_TEXT = etree.XPath("normalize-space(.)", smart_strings=False)
_MAX_LINE_CHARS = 400  # of a line's text: longer is more than furniture's MAX_WORDS
_DIGITS = re.compile(r"\d+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def metadata_sources(tree: etree._Element) -> list[etree._Element]:
    """Every ``<title>``, ``<meta>``, JSON-LD ``<script>``, canonical ``<link>`` and
    ``<h1>``, in document order."""
    found = []
    for element in tree.iter(*_METADATA_TAGS):
        tag = element.tag
        if tag == "script":
            if "ld+json" not in str(element.get("type") or "").translate(_ASCII_LOWER):
                continue
        elif tag == "link" and \
                "canonical" not in str(element.get("rel") or "").translate(_ASCII_LOWER):
            continue
        found.append(element)
    return found


def byline_candidates(tree: etree._Element) -> list[etree._Element]:
    """Every byline candidate (see :data:`_SOURCES`), once, in document order."""
    result = _SOURCES(tree)
    if not isinstance(result, list):
        return []
    matched = _holding_a_word([item for item in result if isinstance(item, str)])
    found: list[etree._Element] = []
    last = None
    values = -1
    for item in result:
        if isinstance(item, str):  # an attribute's value (lxml's string knows its element)
            values += 1
            if values not in matched:
                continue
            item = item.getparent()  # type: ignore[attr-defined]
        if isinstance(item, etree._Element) and item is not last:
            found.append(item)
            last = item
    return found


def _holding_a_word(values: list[str]) -> set[int]:
    """The positions of the values holding a byline word, ASCII case folded.

    The values are joined, encoded and lower-cased once (``bytes.lower`` folds ASCII only,
    as the words want) and each word found by ``bytes.find``: on a real news page's ~500
    values, 0.8 ms with a regular expression per value (or over the joined values), 0.1 ms
    so. After a find, the search goes on from the next value: a page holding a word in
    every value costs one find a value, never a scan of the rest for each. A find's value
    is the count of separators before it, counted once over the page for all the finds
    (no list of every value's end: on the corpora's real pages 0.19 -> 0.11 ms).
    """
    if not values:
        return set()
    joined = _APART_TEXT.join(values).encode("utf-8", "replace").lower()
    hits = []
    for word in _WORDS:
        at = joined.find(word)
        while at >= 0:
            hits.append(at)
            end = joined.find(_APART, at)
            if end < 0:
                break
            at = joined.find(word, end + 1)
    hits.sort()
    matched, value, counted = set(), 0, 0
    for at in hits:
        value += joined.count(_APART, counted, at)
        counted = at
        matched.add(value)
    return matched


def cut_lines(region: etree._Element, container: etree._Element) -> list[str]:
    """The lines of ``region`` outside ``container`` that the body's edge rules judge by
    their words, in document order, digits masked: page furniture ("Share this article",
    "Anzeige") and a press release's contact heading ("Ansprechpartner"), which ends the
    body with what follows it, wherever they are; and every heading above the container
    (the headline's own heading, told apart from the body by being the headline, and a
    section's ``<h1>`` above it). trafilatura read them with the body; an edit of their
    words can make them, and what follows, the article's (found by editing words of the
    corpora's pages), while a line that is the article's is in the container already.
    Elements of a line's length only (400 characters: a longer one is never furniture, nor
    a heading), their text read by an XPath in C."""
    found: list[str] = []
    above = True  # until the container is passed

    def walk(element: etree._Element) -> None:
        nonlocal above
        for child in element.iterchildren(tag=etree.Element):
            if child is container:
                above = False
                continue
            if child.tag in _LINE_TAGS:
                text = str(_SHORT_TEXT(child))
                if text and len(text) <= _MAX_LINE_CHARS:
                    words = count_words(text)
                    if (above and child.tag in _HEADINGS) or (words <= MAX_WORDS and (
                            is_furniture(text, words) or is_contact_heading(text, words))):
                        found.append(_DIGITS.sub("#", text))
                        continue
            walk(child)

    walk(region)
    return found
