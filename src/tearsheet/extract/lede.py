"""The lede that the body extractor dropped, found again by the page's own description.

trafilatura misses a body's first paragraph on many pages: a lede set apart in a summary
``<div>``, bare text before the first ``<br>`` of a container, a first paragraph marked
up unlike the rest. Pages describe themselves by that lede (their ``og:description`` or
``<meta name=description>`` is it, or its beginning), so the page says which text it is:
the element whose text begins with the description. It goes back in front of the body's
block that follows it on the page, and only when that block follows it closely (in the
same container, or the next one up): a description quoted elsewhere — a teaser of the
same story in a rail, a hidden share text — is not the lede. A lede of two sentences or
more may sit further from the body (in the article's header, a date line and a picture
between them: the next block is then looked for in the 1,500 characters that follow it,
up to six containers up); a one-sentence summary there is a dek, which corpora that leave
the standfirst out of the body leave out too. A heading that agrees with
the description is the standfirst, which the body leaves out (:func:`.body.tidy`); it is
not brought back here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import lxml.html
from lxml import etree

from tearsheet.extract.markup import PHRASING
from tearsheet.extract.script import count_words, fold

MIN_WORDS = 8
"""A description shorter than this says too little to recognise a paragraph by."""
MAX_WORDS = 200
"""A lede longer than this is a section of the page, not a paragraph."""
PREFIX_WORDS = 8
_CANDIDATES = 3
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_AWAY = frozenset({"head", "script", "style", "noscript", "template", "nav", "footer",
                   "aside", "form", "button", "select", "textarea", "figcaption", "a"})
_WORD = re.compile(r"\w+")
_SLACK = 3  # words the retouched description may have lost
_SAME_FIRST = 3
_EDITED_SHARE = 0.85
_FOLLOW_CHARS = 1500  # how far after the lede the body's next block is looked for
_UP = 3  # containers above the lede in which the next block is looked for
_FAR_UP = 6  # and for a lede of two sentences or more, set apart above the body
_LABEL_WORDS = 3
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…。！？])[\"”’»)]*\s+")


@dataclass(frozen=True)
class Lede:
    """A paragraph the description names, and the page's text just after it."""

    text: str
    after: str  # folded text that follows it in its nearby containers
    beyond: str = ""  # and further up, for a lede of two sentences or more


def find(tree: lxml.html.HtmlElement, description: str | None) -> list[Lede]:
    """The elements whose text begins with ``description`` (read before the body is)."""
    summary = _ELLIPSIS.sub("", " ".join((description or "").split()))
    words = summary.split()
    if count_words(summary) < MIN_WORDS or len(words) < 2:
        return []
    prefix = " ".join(words[:PREFIX_WORDS])
    body = tree.find("body")
    if body is None:
        return []
    try:  # text nodes holding its longest first word: a scan in C, not a text per element
        hits = body.xpath(".//text()[contains(., $w)]", w=max(words[:PREFIX_WORDS], key=len))
    except (ValueError, etree.XPathError):  # a string XPath cannot hold
        return []
    found: list[Lede] = []
    seen: set[Any] = set()
    for hit in hits:
        owner = hit.getparent()
        element = owner.getparent() if hit.is_tail and owner is not None else owner
        if element is None or element in seen:
            continue
        seen.add(element)
        if (paragraph := _paragraph(element, prefix, summary)) is not None:
            element, text = paragraph
            beyond = _after(element, text, _FAR_UP, _FOLLOW_CHARS) \
                if _sentences(text) >= 2 else ""
            found.append(Lede(text, _after(element, text, _UP, MIN_WORDS), beyond))
            if len(found) == _CANDIDATES:
                break
    return found


def _after(element: lxml.html.HtmlElement, text: str, up: int, enough: int) -> str:
    """The folded text that follows ``text`` in the containers above ``element``: in the
    first of ``up`` of them where ``enough`` follows (words, or characters when ``up``
    reaches past the lede's close containers)."""
    container = element
    after = ""
    for _ in range(up):
        parent = container.getparent()
        if parent is None:
            break
        container = parent
        whole = " ".join(container.text_content().split())
        start = whole.find(text)
        if start >= 0:
            after = whole[start + len(text):start + len(text) + _FOLLOW_CHARS]
            if (count_words(after) if up <= _UP else len(after)) >= enough:
                break
    return fold(after)


def _sentences(text: str) -> int:
    """How many sentences of three words or more ``text`` holds ("Dr. Ana Ruiz" is one)."""
    return sum(count_words(part) >= _LABEL_WORDS for part in _SENTENCE_BREAK.split(text))


_BREAKS = frozenset({"br", "p", "div", "img", "figure", "table", "ul", "ol", "center",
                     "blockquote", "section", "h1", "h2", "h3", "h4", "h5", "h6", "hr"})


def _runs(element: lxml.html.HtmlElement) -> list[str]:
    """The element's own runs of text, cut at line breaks and block children."""
    runs: list[str] = []
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in _BREAKS:
            runs.append(" ".join("".join(parts).split()))
            parts = []
        elif isinstance(child.tag, str) and child.tag not in _AWAY - {"a"}:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    runs.append(" ".join("".join(parts).split()))
    return [run for run in runs if run]


def _paragraph(element: lxml.html.HtmlElement, prefix: str,
               summary: str) -> tuple[lxml.html.HtmlElement, str] | None:
    """The paragraph around ``element`` and its text, when it is the lede."""
    while element.tag in PHRASING and element.getparent() is not None:
        element = element.getparent()
    if not isinstance(element.tag, str) or element.tag in _HEADINGS or element.tag in _AWAY \
            or any(a.tag in _AWAY for a in element.iterancestors()):
        return None
    text = " ".join(element.text_content().split())
    if not _opens(text, prefix, summary) or count_words(text) > MAX_WORDS:
        # The lede may be a run of bare text, up to a line break, in a bigger container.
        text = next((run for run in _runs(element) if _opens(run, prefix, summary)), "")
    if not text or count_words(text) > MAX_WORDS or not (
            _agrees(fold(text), fold(summary)) or _edited(text, summary)):
        return None
    return element, text


def _opens(text: str, prefix: str, summary: str) -> bool:
    return text.startswith(prefix) or _edited(text, summary)


def _edited(text: str, summary: str) -> bool:
    """The text opens with the description as an editor retouched it: the same first
    words, and nearly all of the description's words in the same order ("West Ham United
    dává…" for the paragraph's "West Ham dává…")."""
    want = _WORD.findall(summary.casefold())
    got = _WORD.findall(text.casefold())[:len(want) + _SLACK]
    if len(want) < MIN_WORDS or got[:_SAME_FIRST] != want[:_SAME_FIRST]:
        return False
    same = sum(b.size for b in SequenceMatcher(None, want, got, autojunk=False)
               .get_matching_blocks())
    return same >= _EDITED_SHARE * len(want)


def _agrees(text: str, summary: str) -> bool:
    """The paragraph is the description, begins with it, or is most of it."""
    shorter, longer = sorted((text, summary), key=len)
    return longer.startswith(shorter) and (
        text.startswith(summary) or len(shorter) >= 0.6 * len(longer))


def place(ledes: list[Lede], texts: list[str]) -> tuple[int, Lede] | None:
    """Where a lede goes among the body's ``texts``: before the first block that follows it
    closely on the page; None when the body holds it already or nothing follows it."""
    for lede in ledes:
        key = fold(lede.text)
        if any(key in fold(t) or (len(t) > 40 and fold(t) in key) for t in texts):
            return None
        for n, text in enumerate(texts[:6]):
            head = fold(text)[:60]
            if len(head) >= 20 and (head in lede.after or head in lede.beyond):
                return n, lede
    return None
