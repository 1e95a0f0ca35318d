"""The body's blocks: its paragraph-like pieces, read from trafilatura's XML or from HTML.

A block is what the edge rules of :mod:`.body` judge one at a time: a paragraph, a heading,
a list item, a table row, a line of a paragraph cut by ``<br>`` s. Reading them right is
about where text parts: a line break, a cell, a paragraph boundary parts words; a layout
table's cell holds paragraphs, not a row of data.
"""

from __future__ import annotations

import copy
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import lxml.html
from lxml import etree

from tearsheet.extract.encoding import repair_mojibake
from tearsheet.extract.markup import BLOCK_TAGS
from tearsheet.extract.script import FULL_STOPS, count_words

__all__ = ["LABEL_WORDS", "SENTENCE_END", "SENTENCE_WORDS", "Block", "clean", "html_blocks",
           "trafilatura_blocks"]

# Terminal escape sequences whole (so "\x1b[31m" leaves nothing behind), then any other
# control character: text from the web ends up in terminals and JSON.
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LABEL_WORDS = 3
"""A block of this many words or fewer is a label, never a sentence."""
SENTENCE_WORDS = 12
SENTENCE_END = re.compile(rf"[.!?…:;\"”’»)\]{FULL_STOPS}]$")


@dataclass(frozen=True)
class Block:
    """One paragraph-like piece of the body, with what the rules need to judge it."""

    kind: str  # p, head, item, row, quote, code
    text: str
    link_share: float = 0.0  # share of the characters that are link text
    opens_link: bool = False  # it begins with one of the page's links (a teaser's headline)
    group: int = 0  # the list an item belongs to (1, 2…), 0 for none
    lines_of: int = 0  # the <br>-broken paragraph a line belongs to, 0 for none

    @functools.cached_property
    def words(self) -> int:  # asked again and again by the edge rules: counted once
        return count_words(self.text)


def clean(value: str | None) -> str:
    """Mojibake repaired, control characters (terminal escapes, NULs) removed, whitespace
    folded, in Unicode's composed form (NFC). The repair comes first: double-encoded text
    holds C1 controls it needs. NFC because canonically equivalent text is the same text
    (it renders alike): a quote searched for in what is stored is found whether the CMS
    wrote "é" as "e" and a combining accent, or Bengali's "য়" precomposed. Versions were
    compared in NFC already (:func:`tearsheet.diff.fingerprint.normalize`)."""
    if not value:
        return ""
    return unicodedata.normalize("NFC", " ".join(_CONTROL.sub("", repair_mojibake(value)).split()))


def trafilatura_blocks(body: etree._Element) -> Iterable[Block]:
    """The blocks of trafilatura's body, and the bare text between them.

    Text a page sets loose in the body's container (a blurb after a ``<div>``, in no
    ``<p>``) is kept by trafilatura as the tail of the block before it. Where it reads as a
    sentence, or once the body has begun is as long as one (a sentence a formula or a
    widget cuts short), it is a paragraph like the others; otherwise it is the page's
    furniture (a date line, a row of ``<span>`` labels under the headline).
    """
    group = 0
    begun = False
    for element in body:
        tag = element.tag
        if tag == "list":
            group += 1
            for item in element.iter("item"):
                yield from (replace(b, group=group) for b in _lines("item", item))
        elif tag == "table":
            for row in element.iter("row"):
                if _table_of(row) is not element:
                    continue  # a nested table's: read with the cell that holds it
                cells = [cell for cell in row.iter("cell") if cell.getparent() is row]
                if any(sum(child.tag in _CELL_BLOCKS for child in cell) > 1 for cell in cells):
                    # A layout table: a cell holds paragraphs (an old template's article
                    # in a <td>), read as paragraphs, not run together as one row. (A
                    # datum may sit in a <p> of its own: one is not a layout.)
                    for cell in cells:
                        yield from _cell_blocks(cell)
                    continue
                text = " ".join(c for c in (clean(_parted(cell)) for cell in cells) if c)
                if text:
                    yield Block("row", text)
        elif tag in ("p", "head", "quote", "code"):
            yield from _lines(str(tag), element)
        begun = begun or tag == "p"
        loose = Block("p", clean((element.tail or "").replace("\n", " ")))
        if loose.words > LABEL_WORDS and (SENTENCE_END.search(loose.text) or (
                begun and loose.words >= SENTENCE_WORDS)):
            yield loose


_CELL_BLOCKS = frozenset({"p", "head", "list", "quote", "code", "table"})
"""What in a table cell (one of trafilatura's) makes it a layout cell, not a datum."""


def _cell_blocks(cell: etree._Element) -> Iterable[Block]:
    """A layout cell's blocks, in order: each block element's, as a body's, and each run
    of loose text between them (inline elements, lines cut at ``<br>``) a paragraph."""
    run = etree.Element("p")
    run.text = cell.text
    for child in cell:
        if child.tag in _CELL_BLOCKS:
            yield from _lines("p", run)
            run = etree.Element("p")
            yield from trafilatura_blocks(_wrapped(child))
            run.text = child.tail
        else:
            run.append(copy.copy(child))
    yield from _lines("p", run)


def _parted(cell: etree._Element) -> str:
    """A cell's text, its lines and paragraphs parted by a space ("Phone<br>Fax": trafilatura
    makes a <br> in a cell a <p>), not run together."""
    parts: list[str] = []
    for event, node in etree.iterwalk(cell, events=("start", "end")):
        if node.tag in _CELL_BLOCKS or node.tag in ("lb", "item"):
            parts.append(" ")
        if event == "start":
            parts.append(node.text or "")
        elif node is not cell:
            parts.append(node.tail or "")
    return "".join(parts).replace("\n", " ")


def _table_of(row: etree._Element) -> etree._Element | None:
    return next(row.iterancestors("table"), None)


def _wrapped(element: etree._Element) -> etree._Element:
    """``element`` (a copy, tail left out) as the one child of a body."""
    body = etree.Element("body")
    body.append(copy.copy(element))
    body[0].tail = None
    return body


def _text(element: etree._Element) -> str:
    return "".join(str(t) for t in element.itertext())


def _own_text(element: etree._Element, skip: str) -> Iterator[str]:
    """The element's text, less that of its descendants tagged ``skip``."""
    yield element.text or ""
    for child in element:
        if child.tag != skip:
            yield from _own_text(child, skip)
        yield child.tail or ""


_PARAGRAPHS = itertools.count(1)  # ids of <br>-broken paragraphs (Block.lines_of)
_BREAK = "\u2029"  # a paragraph separator: what <lb/> stands for until the text is split


def _lines(kind: str, element: etree._Element) -> Iterable[Block]:
    """A block per line: trafilatura marks the line breaks of a paragraph with <lb/>.

    Newlines in the text itself are the source's line wrapping, not breaks (except in code).
    """
    broken = 0
    for lb in element.iter("lb"):
        lb.tail = _BREAK + (lb.tail or "")
        broken = broken or next(_PARAGRAPHS)
    # An item's own text: a list nested in it is read as items of their own.
    text = "".join(_own_text(element, "list")) if kind == "item" else _text(element)
    if kind != "code":
        text = text.replace("\n", " ")
    for line in text.replace(_BREAK, "\n").split("\n"):
        if cleaned := clean(line):
            yield Block(kind, cleaned, lines_of=broken)


_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "button", "form",
              "select", "textarea", "input", "nav"}
_KIND = {"li": "item", "tr": "row", "blockquote": "quote", "pre": "code", "h1": "head",
         "h2": "head", "h3": "head", "h4": "head", "h5": "head", "h6": "head"}


def html_blocks(root: lxml.html.HtmlElement) -> list[Block]:
    """Blocks of an HTML element: one per block element's own run of text.

    Used for a source's ``body_selector``: link text is measured as it is read.
    """
    blocks: list[Block] = []
    parts: list[str] = []
    linked = [0]
    kinds = ["p"]

    def flush() -> None:
        text = clean("".join(parts))
        if text:
            share = min(1.0, linked[0] / max(1, len("".join(parts).strip())))
            blocks.append(Block(kinds[-1], text, share))
        parts.clear()
        linked[0] = 0

    def walk(node: lxml.html.HtmlElement, in_link: bool) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP_TAGS or not tag:
            return
        block = tag in BLOCK_TAGS
        if block or tag == "br":
            flush()
        if block:
            kinds.append(_KIND.get(tag, "p"))
        in_link = in_link or (tag == "a" and node.get("href") is not None)
        if node.text:
            parts.append(node.text)
            linked[0] += len(node.text.strip()) if in_link else 0
        for child in node:
            walk(child, in_link)
            if child.tail:
                parts.append(child.tail)
                linked[0] += len(child.tail.strip()) if in_link else 0
        if block:
            flush()
            kinds.pop()

    walk(root, False)
    flush()
    return blocks
