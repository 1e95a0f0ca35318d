"""The article's container in a page, for the fast path (:mod:`.recheck`): the smallest
element whose shown text holds every paragraph an extraction kept, and how it is found
again on the next fetch of the page.

It is found by text, not by the extractor's reasoning: each paragraph, folded
(:func:`spaceless`), is looked for from ``<body>`` down, and the deepest elements holding
them have one common ancestor. It is found again by its *locator*: the signatures (tag,
class, id; digits and hex runs masked, as pages renumber them on every load) of its chain
from the root, which must name one element only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import cast

from lxml import etree

__all__ = ["OPAQUE", "VOLATILE", "chain", "find", "locate", "mask", "matching",
           "signature", "spaceless", "text_of"]

OPAQUE = frozenset({"script", "style", "template"})
"""Elements whose text no reader sees."""
VOLATILE = re.compile(r"[0-9a-f]{6,}|\d+", re.IGNORECASE)
"""Digits and hex runs: request ids and counters a page renumbers on every load."""
_MIN_ANCHOR = 40
"""Folded characters a paragraph needs to place the container (shorter ones may repeat)."""
_SHOWN_TEXT = etree.XPath(".//text()[not(ancestor::script)][not(ancestor::style)]"
                          "[not(ancestor::template)]", smart_strings=False)


def spaceless(text: str) -> str:
    """A comparison form that survives re-spacing: every whitespace character removed."""
    return "".join(text.split())


def text_of(element: etree._Element) -> str:
    """The element's text, its descendants' included (as ``text_content()``, without an
    XPath a call)."""
    return str(etree.tostring(element, method="text", encoding=str, with_tail=False))


def find(body: etree._Element, paragraphs: list[str]) -> etree._Element | None:
    """The smallest element of ``body`` holding every paragraph (each :func:`spaceless`), or
    None: one is missing, or is only in a script's text."""
    folded: dict[etree._Element, str] = {}

    def folded_text(element: etree._Element) -> str:
        if element not in folded:
            folded[element] = spaceless(text_of(element))
        return folded[element]

    spans: dict[etree._Element, _Spans | None] = {}

    def holding(node: etree._Element, paragraph: str) -> etree._Element | None:
        """The first child of ``node`` (not opaque) whose folded text holds ``paragraph``."""
        if node not in spans:
            spans[node] = _spans(node, folded_text)
        placed = spans[node]
        if placed is not None:
            return placed.first_holding(folded_text(node), paragraph)
        for child in node.iterchildren(tag=etree.Element):
            if child.tag not in OPAQUE and paragraph in folded_text(child):
                return child
        return None

    def deepest(start: etree._Element, paragraph: str) -> etree._Element | None:
        if paragraph not in folded_text(start):
            return None
        node = start
        while (child := holding(node, paragraph)) is not None:
            node = child
        return node

    anchors = [p for p in paragraphs if len(p) >= _MIN_ANCHOR] or [p for p in paragraphs if p]
    container: etree._Element | None = None
    for paragraph in anchors:
        found = deepest(body, paragraph)
        if found is None:
            return None
        container = found if container is None else _common(container, found)
    if container is None:
        return None
    for paragraph in paragraphs:  # the short ones: inside, or the container grows
        if paragraph and paragraph not in folded_text(container):
            found = deepest(body, paragraph)
            if found is None:
                return None
            container = _common(container, found)
    # Every paragraph in what the container shows: a script's text is not serialised (a
    # JSON-LD articleBody or a state blob repeats the article), so a container found by it
    # would leave the shown paragraphs out of the digest, and their edits unseen.
    shown = spaceless("".join(cast(list[str], _SHOWN_TEXT(container))))
    if any(paragraph not in shown for paragraph in paragraphs):
        return None
    return container


_MANY_CHILDREN = 16
"""Children from which a node's children are found by position, not tried one by one."""


class _Spans:
    """Where each child's folded text lies in its parent's (the parent's text and the
    children's tails between them): the child holding a paragraph is then found by one
    search of the parent's text, not one per child (a body of 20,000 paragraphs took two
    minutes to place, one search per paragraph and child)."""

    def __init__(self, starts: list[int], ends: list[int],
                 children: list[etree._Element | None]) -> None:
        self.starts, self.ends, self.children = starts, ends, children

    def first_holding(self, text: str, paragraph: str) -> etree._Element | None:
        """The first child holding ``paragraph`` whole: the one of the first occurrence
        that lies inside a child (one across two children, in a tail or in an opaque
        child is passed over), as trying the children in order would find it."""
        at = text.find(paragraph)
        while at >= 0:
            n = bisect_right(self.starts, at) - 1
            if n >= 0 and at + len(paragraph) <= self.ends[n] and self.children[n] is not None:
                return self.children[n]
            at = text.find(paragraph, at + 1)
        return None


def _spans(node: etree._Element, folded_text: Callable[[etree._Element], str]) -> _Spans | None:
    """The spans of ``node``'s children, or None for a node of few children (tried one by
    one) or one whose children's texts do not make up its own (never seen; then too)."""
    if len(node) < _MANY_CHILDREN:
        return None
    starts: list[int] = []
    ends: list[int] = []
    children: list[etree._Element | None] = []
    pieces = [spaceless(node.text or "")]
    at = len(pieces[0])
    for child in node:
        own = folded_text(child) if isinstance(child.tag, str) else ""
        starts.append(at)
        at += len(own)
        ends.append(at)
        children.append(child if isinstance(child.tag, str) and child.tag not in OPAQUE
                        else None)
        tail = spaceless(child.tail or "")
        pieces += (own, tail)
        at += len(tail)
    return _Spans(starts, ends, children) if "".join(pieces) == folded_text(node) else None


def _common(a: etree._Element, b: etree._Element) -> etree._Element:
    above = set(chain(a))
    for element in reversed(chain(b)):
        if element in above:
            return element
    return a.getroottree().getroot()


def chain(element: etree._Element) -> list[etree._Element]:
    """The element and its ancestors, from the root down."""
    found = [element, *element.iterancestors()]
    found.reverse()
    return found


@lru_cache(maxsize=16_384)
def mask(value: str) -> str:
    """A class or id with its :data:`VOLATILE` runs as ``#``. Cached: a page repeats its
    classes and a site its template's, and the fast path masks every class and id of the
    container and around it on every check (a regular expression's call each: a fifth
    of the container's serialisation on the corpora's real pages)."""
    return VOLATILE.sub("#", value)


def signature(element: etree._Element) -> str:
    """Tag, class and id, with digits and hex runs (per-request ids) masked."""
    return "{}.{}#{}".format(element.tag, mask(element.get("class") or ""),
                             mask(element.get("id") or ""))


def locate(tree: etree._Element, locator: Sequence[str]) -> etree._Element | None:
    """The one element whose chain has these signatures (None: none, or several)."""
    found = matching(tree, locator)
    return found[0] if len(found) == 1 else None


def matching(tree: etree._Element, locator: Sequence[str]) -> list[etree._Element]:
    """Every element whose chain has these signatures, in the page's order."""
    if not locator:
        return []
    tag, _, rest = locator[-1].partition(".")
    # Masking leaves what comes before the first masked run as it was: an element whose
    # class does not begin so is no candidate (no signature made for most of them). The
    # id is known only when no "#" but the one between them is in the signature.
    classes, _, ident = rest.partition("#")
    if "#" in ident:
        ident = ""
    found = []
    for element in tree.iter(tag):
        if not str(element.get("class") or "").startswith(classes) or \
                not str(element.get("id") or "").startswith(ident):
            continue
        if signature(element) == locator[-1] and \
                [signature(e) for e in chain(element)] == list(locator):
            found.append(element)
    return found
