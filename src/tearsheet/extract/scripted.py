"""Pages whose article is drawn by JavaScript: read it from the page's state, or say so.

A site built as a JavaScript application often serves an empty shell (``<div id="root">``)
and the article in a JSON blob its scripts render from (Next.js ``__NEXT_DATA__``, a
``window.__INITIAL_STATE__ = {...}`` assignment, an ``application/json`` script). Plain
HTTP then sees almost no text: stored, that would be a phantom deletion; refused as
``too_short``, the user would never learn why. So, for a page whose visible text is tiny:

- :func:`article_from_declaration` takes the ``articleBody`` the page declares in JSON-LD
  (where a paywalled site gives search engines the whole text, its markup a teaser), and
  :func:`article_from_state` the article body in such a blob (the longest run of prose: an
  HTML string, a plain text, or a list of paragraph blocks); extraction uses it, without
  a browser;
- else :func:`needs_browser` says whether the page is an application shell (an empty app
  root, a state blob, scripts that outweigh the text), and the check is refused as
  ``needs_browser``: the source's status then says to set ``render = "browser"``.

Pure functions: no network.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree

from tearsheet.errors import ExtractionError, Refusal

MIN_STATE_WORDS = 40
"""A blob's text shorter than this is not taken for the article."""

_SCRIPT_OPEN = re.compile(r"<script\b", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.IGNORECASE)
_STATE_ASSIGNMENT = re.compile(
    r"(?:window|self|globalThis)\s*\.\s*(__[A-Za-z0-9_]+__|[A-Za-z_$][\w$]*(?:State|Data|"
    r"Content|Context|Props))\s*=\s*(?=[\[{])")
_JSON_TYPES = re.compile(r"""type\s*=\s*["']?application/(?:json|ld\+json)""", re.IGNORECASE)
_LD_JSON = re.compile(r"""type\s*=\s*["']?application/ld\+json""", re.IGNORECASE)
_APP_ROOT = re.compile(
    r"""<(div|main|section|app-root)\b[^<>]*?\bid\s*=\s*["']?(root|app|__next|__nuxt|"""
    r"""___gatsby|svelte|main-app|app-root|application|react-root)["'\s>][^<>]*>\s*"""
    r"""(?:<!--(?:[^-]|-(?!->)){0,2000}-->\s*)?</\1\s*>""", re.IGNORECASE)
"""(A tag's attributes are read up to the next ``<`` or ``>``: a page of thousands of
unclosed tags is scanned once, not once from each tag.)"""
_NOSCRIPT_JS = re.compile(r"<noscript\b[^<>]*>[^<]{0,300}\b(?:enable|turn on|requires?)\s+"
                          r"javascript", re.IGNORECASE)
_TAGS = re.compile(r"<[a-zA-Z/!][^<>]*>")
_BODY_KEYS = ("articlebody", "body", "bodyhtml", "content", "contenthtml", "html", "text",
              "story", "storybody", "articletext", "paragraphs", "blocks", "elements",
              "richtext", "description", "value", "children")
_TITLE_KEYS = ("headline", "title", "name")
_BLOCK_TEXT_KEYS = ("text", "content", "html", "value", "body", "children")
_SENTENCE = re.compile(r"[.!?。！？…]")
_CUT_SHORT = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_LONGER = 3  # times the stub's words, at least, that a declared body holds
_RESCUED = 2  # paragraphs, at most, of trafilatura's rescue of a declared body


@dataclass(frozen=True)
class StateArticle:
    """The article as a page's JavaScript state holds it."""

    paragraphs: list[str]
    title: str | None

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def state_blobs(page: str) -> Iterator[Any]:
    """The JSON values in the page's scripts (JSON-LD excluded: metadata reads it)."""
    for attributes, code in _scripts(page):
        code = code.strip()
        if not code or _LD_JSON.search(attributes):
            continue
        if _JSON_TYPES.search(attributes) or "__NEXT_DATA__" in attributes:
            value = _loads(code)
            if value is not None:
                yield value
            continue
        for assignment in _STATE_ASSIGNMENT.finditer(code):
            value = _raw_decode(code, assignment.end())
            if value is not None:
                yield value


def article_from_state(page: str) -> StateArticle | None:
    """The longest prose a state blob holds, if it is long enough to be the article."""
    best: StateArticle | None = None
    for blob in state_blobs(page):
        for candidate in _candidates(blob, None, 0):
            if best is None or candidate.words > best.words:
                best = candidate
    return best if best is not None and best.words >= MIN_STATE_WORDS else None


def article_from_declaration(body: str | None, shown: Sequence[str], *,
                             stub: bool) -> StateArticle | None:
    """The article as the page declares it in JSON-LD (``articleBody``), where the markup
    shows a ``stub``: a paywalled site that serves search engines' "flexible sampling"
    (the whole text in JSON-LD, a teaser in the markup for scripts to fill), or a page
    its scripts draw. Taken when it is prose, long enough, not cut short ("…" at its end:
    a teaser too) and several times the stub's length (the stub's own words need not
    open it: they are often the wall's). Also when the body ``shown`` is that text
    already (trafilatura's rescue of a short body reads it, run together): it is then
    given its paragraphs."""
    if not body or (not stub and len(shown) > _RESCUED):
        return None  # a body read from the markup, paragraph by paragraph: not parsed
    paragraphs = _paragraphs(html.unescape(body))
    article = StateArticle(paragraphs, None)
    if article.words < MIN_STATE_WORDS or _CUT_SHORT.search(paragraphs[-1]):
        return None
    whole = " ".join(" ".join(paragraphs).casefold().split())
    if " ".join(" ".join(shown).casefold().split()) == whole:
        return article
    if not stub or article.words < _LONGER * sum(len(p.split()) for p in shown):
        return None  # (a declared teaser is no longer than the markup's)
    return article


def refuse_shell(page: str, visible_words: int) -> None:
    """Raise ``needs_browser`` for an application shell (see :func:`needs_browser`)."""
    if needs_browser(page, visible_words):
        raise ExtractionError(
            "the article is drawn by JavaScript and is not in the page's HTML: set "
            "render = \"browser\" for this source", reason=Refusal.NEEDS_BROWSER)


def needs_browser(page: str, visible_words: int) -> bool:
    """Is this an application shell whose article only exists once its scripts ran?"""
    if visible_words >= MIN_STATE_WORDS:
        return False
    if _APP_ROOT.search(page) or _NOSCRIPT_JS.search(page):
        return True
    scripts = 0
    for attributes, code in _scripts(page):
        if "__NEXT_DATA__" in attributes or _STATE_ASSIGNMENT.search(code):
            return True
        scripts += len(code)
    return scripts > 5000


def _scripts(page: str) -> Iterator[tuple[str, str]]:
    """Each ``<script>`` element's attributes and code, in one pass over the page.

    A regular expression from every ``<script`` to its ``>`` and ``</script>`` scanned the
    rest of the page again for each one left open: a page of 10,000 unclosed tags took
    a quarter of a minute. Here each search starts where the last one ended."""
    at = 0
    while (opening := _SCRIPT_OPEN.search(page, at)) is not None:
        start = page.find(">", opening.end())
        if start < 0:
            return
        closing = _SCRIPT_CLOSE.search(page, start + 1)
        if closing is None:
            return
        yield page[opening.end():start], page[start + 1:closing.start()]
        at = closing.end()


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _raw_decode(text: str, start: int) -> Any:
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except (ValueError, RecursionError):
        return None


def _candidates(value: Any, title: str | None, depth: int) -> Iterator[StateArticle]:
    """Every run of prose in a JSON value, with the nearest headline above it."""
    if depth > 40:
        return
    if isinstance(value, dict):
        title = _title_of(value) or title
        for key, item in value.items():
            if isinstance(item, str) and str(key).lower().replace("_", "") in _BODY_KEYS:
                paragraphs = _paragraphs(item)
                if paragraphs:
                    yield StateArticle(paragraphs, title)
            elif isinstance(item, dict | list):
                yield from _candidates(item, title, depth + 1)
    elif isinstance(value, list):
        blocks = [text for text in (_block_text(item) for item in value) if text]
        if len(blocks) >= 2:
            paragraphs = [p for block in blocks for p in _paragraphs(block)]
            if paragraphs:
                yield StateArticle(paragraphs, title)
        for item in value:
            if isinstance(item, dict | list):
                yield from _candidates(item, title, depth + 1)


def _title_of(value: dict[str, Any]) -> str | None:
    for key in _TITLE_KEYS:
        found = value.get(key)
        if isinstance(found, str) and 0 < len(found) <= 300 and "<" not in found:
            return " ".join(found.split())
    return None


def _block_text(item: Any) -> str | None:
    """A paragraph block's text: a string, or a dict holding one (``{"type": "p",
    "text": ...}``), or a dict of text runs (``{"children": [{"text": ...}]}``)."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in _BLOCK_TEXT_KEYS:
            found = item.get(key)
            if isinstance(found, str) and found.strip():
                return found
            if isinstance(found, list) and found and all(
                    isinstance(run, dict) and isinstance(run.get("text"), str) for run in found):
                return "".join(run["text"] for run in found)
    return None


def _paragraphs(text: str) -> list[str]:
    """Prose paragraphs of an HTML or plain string; none if it does not read as prose."""
    if _TAGS.search(text):
        try:
            tree = lxml.html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            return []
        etree.strip_elements(tree, "script", "style", "figure", "figcaption", "aside",
                             with_tail=False)
        blocks = tree.xpath(".//p|.//h2|.//h3|.//li|.//blockquote")
        parts = [" ".join(b.text_content().split()) for b in blocks] if blocks else [
            " ".join(tree.text_content().split())]
    else:
        parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text)]
    parts = [p for p in parts if p]
    words = sum(len(p.split()) for p in parts)
    # Prose has sentences: a list of tags or ids is long, but not the article.
    if not parts or len(_SENTENCE.findall(" ".join(parts))) < max(1, words // 60):
        return []
    return parts
