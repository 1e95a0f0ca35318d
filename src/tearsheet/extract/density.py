"""A second opinion on the body, for pages where trafilatura finds too little.

trafilatura's fast path (:mod:`.body`) reads most pages best, but on some it keeps one
block of a body it did not recognise as one (an essay in bare ``<div>`` s, a page whose
text sits in a table, a body split by a big embed): it then returns a fraction of the
page. Readability's DOM-density scoring (paragraph lengths and commas, added up to their
containers, weighed by link density and class names) reads those pages well and others
worse, so it is asked only when trafilatura's body covers under 30 % of the page's visible
text, and taken only when it finds more than twice as much (measured on the three corpora
by ``bench/extraction.py``; see docs/extraction.md). Agreement decides, never a site.

The scorer is trafilatura's own fork of readability-lxml (installed with trafilatura: no
dependency of its own), given what readability-lxml gives it and the fork leaves out:
hidden elements removed first, and a second, gentler pass when the first finds under
:data:`RETRY_CHARS` (readability-lxml's ``retry_length``).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import lxml.html
from lxml import etree

if TYPE_CHECKING:  # body imports this module
    from tearsheet.extract.blocks import Block

RETRY_CHARS = 250
"""Below this, readability's first pass dropped too much: it runs again keeping every
element whose class merely sounds like page furniture."""
ASK_BELOW_SHARE = 0.3
"""The second opinion is asked when the body is under this share of the visible text. On
the three corpora (620 pages) it was asked of 328 with the bar at half, and taken for 14,
none covering over 23 %: the bar at 30 % asks 147 and takes the same 14 (each ask is a
second parse and a density pass, as long as trafilatura's own)."""
TAKE_ABOVE_RATIO = 2.0
"""…and taken when it holds more than this many times the body's characters."""

COVER_SHARE = 0.9
"""…or, where trafilatura read loose paragraphs, when it holds this share of the body
trafilatura found and more besides."""

LINKS_SHARE = 0.5
"""A block whose text is at least this share of the page's link texts is navigation."""

_WORD = re.compile(r"\w+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_INVISIBLE = ("script", "style", "noscript", "template", "link")


def visible_chars(tree: lxml.html.HtmlElement) -> int:
    """Characters of text a reader could see (whitespace folded), scripts and styles not."""
    root = _text_root(tree)
    return max(0, _folded_chars(_STRING(root)) - _hidden_chars(root))


def visible_at_most(tree: lxml.html.HtmlElement, limit: int) -> bool:
    """``visible_chars(tree) <= limit``, mostly without folding the page's text in Python
    (the fast path asks it of every page it rechecks: extract/recheck.py).

    XPath's ``normalize-space`` folds the same text in C, but only XML's four whitespace
    characters, where ``str.split`` folds Unicode's (a no-break space, a line separator,
    a control character...). Folding fewer characters never gives a shorter text: each
    word ``split`` finds lies within one of XPath's, and two of them in one are kept apart
    by a character XPath kept. So XPath's length, less the scripts' and styles' as
    :func:`visible_chars` counts them, is never below the visible characters: when it is
    within ``limit``, so are they. Otherwise they are counted exactly. (On the corpora's
    keyed real pages the bound decided each, 0.49 -> 0.21 ms a page: docs/performance.md.)"""
    root = _text_root(tree)
    hidden = _hidden_chars(root)
    bound = _XML_FOLDED(root)
    if isinstance(bound, float) and bound >= 0 and max(0.0, bound - hidden) <= limit:
        return True
    return max(0, _folded_chars(_STRING(root)) - hidden) <= limit


def _text_root(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    body = tree.find("body")
    return body if body is not None else tree


def _hidden_chars(root: lxml.html.HtmlElement) -> int:
    """The folded characters of the scripts, styles and templates under ``root``."""
    return sum(_folded_chars(_STRING(e)) for e in root.iter(*_INVISIBLE))


_STRING = etree.XPath("string()", smart_strings=False)
_XML_FOLDED = etree.XPath("string-length(normalize-space(.))")


def text_chars(element: lxml.html.HtmlElement) -> int:
    """Characters of the element's text, whitespace folded (scripts and styles counted)."""
    return _folded_chars(_STRING(element))


def _folded_chars(text: Any) -> int:
    """``len(" ".join(text.split()))``, without building the folded text."""
    words = str(text).split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def hidden(element: lxml.html.HtmlElement) -> bool:
    """The element or one of its ancestors is hidden by its attributes."""
    for node in (element, *element.iterancestors()):
        style = node.get("style")
        if node.get("hidden") is not None or node.get("aria-hidden") == "true" or (
                style is not None and _HIDDEN_STYLE.search(style)):
            return True
    return False


def block_chars(blocks: Sequence[Block]) -> int:
    """The blocks' characters of text, but those of blocks that are mostly links (a menu
    read as a block, a link line): no body to weigh against another reading."""
    return sum(len(b.text) for b in blocks if b.link_share < LINKS_SHARE)


def wants_second_opinion(blocks: Sequence[Block], visible: int) -> bool:
    return block_chars(blocks) < ASK_BELOW_SHARE * visible


def most_visible(blocks: Sequence[Block]) -> int:
    """The most visible characters a page may hold for these blocks to be read without a
    second opinion (:func:`wants_second_opinion` is false for every count up to it): what
    the fast path's key of a short body holds the page to (extract/recheck.py)."""
    chars = block_chars(blocks)
    most = int(chars / ASK_BELOW_SHARE)
    while most > 0 and wants_second_opinion(blocks, most):
        most -= 1  # the float division may land one above
    return most


def better_of(first: list[Block], second: list[Block], *, covered: bool = False) -> list[Block]:
    """The second opinion when it finds far more than the first, else the first.

    With ``covered`` (trafilatura read loose paragraphs: :func:`.reader._watching_recovery`),
    also when it holds nearly all the first found (:data:`COVER_SHARE` of its four-word
    runs) and what it adds is mostly list items that are sentences or section headings
    (each over a block both found): what that reading cannot hold. The two agree on the
    body, and the second kept its lists and headings. A caption, a credit line or a
    product box's labels it adds are no reason to prefer it.
    """
    if block_chars(second) > TAKE_ABOVE_RATIO * block_chars(first):
        return second
    if not covered or block_chars(second) <= block_chars(first):
        return first
    # The first's runs within its blocks, found anywhere in the second's text: where a
    # reader cuts blocks differs (trafilatura reads a table's cell as one row, say).
    mine = _shingles(first)
    if len(mine & _shingles(second, across=True)) < COVER_SHARE * len(mine):
        return first
    from tearsheet.extract.body import is_label

    short = {" ".join(b.text.casefold().split()) for b in first}

    def agreed(block: Block) -> bool:  # the first holds it (a short one as a block)
        if runs := _shingles([block]):
            return len(runs & mine) >= len(runs) / 2
        return " ".join(block.text.casefold().split()) in short

    added = [b for b in second if not agreed(b)]
    # Section headings the first could not hold: each heads a block both readings found.
    heads = [b for b, after in itertools.pairwise(second)
             if b.kind == "head" and not agreed(b) and _shingles([after]) and agreed(after)]
    structure = sum(len(b.text) for b in added if b.kind == "item" and not is_label(b))
    structure += block_chars(heads)
    return second if structure > block_chars(added) / 2 else first


def _shingles(blocks: Sequence[Block], *, across: bool = False) -> set[tuple[str, ...]]:
    """Runs of four words in each block, or ``across`` them (in the reading's order)."""
    texts = [" ".join(b.text for b in blocks)] if across else [b.text for b in blocks]
    found: set[tuple[str, ...]] = set()
    for text in texts:
        words = _WORD.findall(text.casefold())
        found.update(tuple(words[n:n + 4]) for n in range(len(words) - 3))
    return found


def _gentle(document: type[Any]) -> type[Any]:
    """readability-lxml's retry: elements whose class sounds like furniture are kept."""

    class Gentle(document):  # type: ignore[misc]
        __slots__ = ()

        def remove_unlikely_candidates(self) -> None:
            pass

    return Gentle


# The attributes, then their elements (as metadata's ``_DATED``: cheaper than a predicate on
# every element).
_HIDDEN_OR_STYLED = etree.XPath("//@hidden/..|//@aria-hidden[.='true']/..|//@style/..")


def density_blocks(tree: lxml.html.HtmlElement) -> list[Block]:
    """The body as readability's density scoring finds it (``tree`` is modified)."""
    from trafilatura.readability_lxml import Document

    from tearsheet.extract.blocks import html_blocks

    for element in cast(list[Any], _HIDDEN_OR_STYLED(tree)):
        style = element.get("style")
        if (style is None or _HIDDEN_STYLE.search(style)) and element.getparent() is not None \
                and element.tag not in ("html", "body"):
            element.drop_tree()
    etree.strip_elements(tree, *_INVISIBLE, with_tail=False)
    best: list[Block] = []
    for ruthless in (True, False):
        kind = Document if ruthless else _gentle(Document)
        try:
            document = kind(copy.deepcopy(tree) if ruthless else tree, min_text_length=25)
            fragment = document.summary()
            blocks = html_blocks(lxml.html.fragment_fromstring(
                fragment, create_parent="div")) if fragment.strip() else []
        except (etree.LxmlError, ValueError, AssertionError):  # lxml asserts that a summary
            continue  # without a <body> has one (a hostile page's may not)
        if block_chars(blocks) >= RETRY_CHARS:
            return blocks
        best = max(best, blocks, key=block_chars)
    return best
