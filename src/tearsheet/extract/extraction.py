"""Extraction: an HTML page in, the article out (headline, byline, dates, paragraphs).

A pure function of its input: no network, no database. :func:`extract` is the one entry
point, so the extractor behind it can be swapped or tuned without touching the tracker.
Bytes are decoded by :mod:`tearsheet.extract.encoding` (charset, mojibake repaired or refused);
the body comes from :mod:`tearsheet.extract.body` (trafilatura, then site-independent rules),
the metadata from :mod:`tearsheet.extract.metadata` (JSON-LD, then meta tags, then the page), and
:mod:`tearsheet.extract.refusals` refuses what is not the article (walls, error pages).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import lxml.html
from lxml import etree

from tearsheet.config import DEFAULT_LIMITS, LimitSettings
from tearsheet.errors import ExtractionError
from tearsheet.extract.blocks import clean
from tearsheet.extract.body import body_blocks, standfirst, tidy
from tearsheet.extract.encoding import decode_html, garbled, looks_binary, parseable
from tearsheet.extract.metadata import read_metadata
from tearsheet.extract.reader import Region
from tearsheet.extract.refusals import MIN_WORDS, TINY_WORDS, refuse_if_not_article, visible_text
from tearsheet.extract.script import body_language, count_words
from tearsheet.extract.scripted import article_from_declaration, article_from_state, refuse_shell
from tearsheet.urls import canonical_from_html


@dataclass(frozen=True)
class Extraction:
    """What the tracker stores of one fetch of an article."""

    title: str | None
    byline: str | None
    published_at: datetime | None
    modified_at: datetime | None
    language: str | None
    canonical_url: str | None
    paragraphs: list[str] = field(default_factory=list)
    # The standfirst (dek) shown above the body, when the page's description names it: not
    # part of the body. Not in the fingerprint nor the store yet (issue 14).
    standfirst: str | None = None
    # Where the byline was read (metadata.BYLINE_SOURCES): "json-ld", "meta", "markup",
    # "credit" or "site"; None without a byline. Not in the fingerprint.
    byline_from: str | None = None
    # Where the body was read (body.BODY_SOURCES): "container", "loose", "density",
    # "selector", "json-ld" or "state". Not in the fingerprint.
    body_from: str | None = None

    @property
    def text(self) -> str:
        """The body as stored: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    def as_json(self) -> dict[str, Any]:
        fields = asdict(self)
        data = {"title": fields.pop("title"), "byline": fields.pop("byline"),
                "byline_from": fields.pop("byline_from"), **fields}
        for key in ("published_at", "modified_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


@dataclass
class Parsed:
    """What the fast path's key reads of an extraction beside its result: the page's tree
    as parsed (a copy: extraction consumes its own; a copy costs ~0.07 ms a page, a second
    parse ~0.18), the elements trafilatura read the body from (body.Region), whether the
    page's text was rewritten before it was parsed (characters XML cannot hold dropped,
    :func:`.encoding.xml_safe`; recomposed, :func:`.encoding.composed`), and the
    most visible characters the page could hold for its body to be read as it was
    (``BodyReading.most_visible``; 0: a second opinion was asked, or another reading kept).
    """

    tree: lxml.html.HtmlElement
    regions: tuple[Region, ...] = ()
    rewritten: bool = False
    most_visible: int = 0


def extract(
    html: bytes | str, url: str | None = None, charset: str | None = None, *,
    body_selector: str | None = None, drop_selectors: Sequence[str] = (),
    check_captures: bool = True, limits: LimitSettings = DEFAULT_LIMITS,
    rendered: bool = False, parsed: list[Parsed] | None = None,
) -> Extraction:
    """Extract the article from ``html``.

    ``body_selector`` and ``drop_selectors`` are a source's CSS overrides (see
    :class:`~tearsheet.config.SourceSettings`). Raises :class:`ExtractionError` (with a
    ``reason``) when the page is not the article — empty, a wall, an error page, cut off
    (see :mod:`tearsheet.extract.refusals`): such a fetch is a failed check, never a version.
    ``check_captures=False`` skips those judgements (the benchmark scores bodies alone).
    ``limits`` bound what a hostile page can make the metadata readers do.
    A page with almost no text whose scripts hold the article is read from their state
    blob, or refused as ``needs_browser`` unless it was ``rendered`` by a browser
    (see :mod:`tearsheet.extract.scripted`).
    ``parsed``: a list a :class:`Parsed` of the page is appended to, for a caller that
    reads the page too (the decision key).
    """
    text = decode_html(html, charset) if isinstance(html, bytes) else html
    if not text.strip():
        raise ExtractionError("the page is empty", reason="empty")
    if looks_binary(text):
        raise ExtractionError("not an HTML page: binary data", reason="not_html")
    decoded, text = text, parseable(text)
    tree = parse_page(text)
    seen = Parsed(copy.deepcopy(tree), rewritten=text is not decoded) \
        if parsed is not None else None
    meta = read_metadata(tree, url, limits)
    headlines = [meta.title or "", *meta.headings]
    canonical = canonical_from_html(_head_of(text), url) if url else None
    # The body extractor consumes the tree: everything else is read before.
    blocks, body_from, regions, most_visible = body_blocks(
        tree, body_selector=body_selector, drop_selectors=drop_selectors,
        reparse=lambda: parse_page(text), description=meta.description)
    # Mojibake is repaired by body.clean.
    paragraphs = tidy(blocks, headlines=headlines, summaries=[meta.description])
    dek = standfirst(blocks, headlines=headlines, summaries=[meta.description])
    if garbled("".join(paragraphs)):
        raise ExtractionError("the text is garbled (mojibake) beyond repair",
                              reason="mojibake")
    title, free = meta.title, meta.free
    words = sum(len(p.split()) for p in paragraphs)
    if declared := article_from_declaration(meta.declared_body, paragraphs,
                                            stub=words < TINY_WORDS):
        # "Not free" is said of the markup's text: the declaration holds it whole.
        paragraphs, free, body_from = _cleaned(declared.paragraphs), None, "json-ld"
    elif words < TINY_WORDS and (state := article_from_state(text)) and state.words > words:
        paragraphs, title = _cleaned(state.paragraphs), title or state.title
        body_from = "state"
    if check_captures:
        try:
            refuse_if_not_article(text, paragraphs, free=free, kinds=meta.kinds,
                                  headings=[title, meta.page_title, *meta.headings],
                                  shown=meta.headings)
        except ExtractionError as exc:
            if exc.reason == "too_short" and not rendered:
                refuse_shell(text, len(visible_text(text).split()))
            raise
        if not rendered and sum(count_words(p) for p in paragraphs) < MIN_WORDS:
            # A short report (refusals.reports_headline) on an application shell is the
            # sentence it renders on the server; its scripts draw the rest.
            refuse_shell(text, len(visible_text(text).split()))
    elif not paragraphs:
        raise ExtractionError("no article text found", reason="too_short")
    if parsed is not None and seen is not None:
        # trafilatura's elements are where the body came from only if its reading was kept.
        seen.regions = regions if body_from == "container" else ()
        seen.most_visible = most_visible if body_from == "container" else 0
        parsed.append(seen)
    return Extraction(
        title=title,
        byline=meta.byline,
        byline_from=meta.byline_from,
        published_at=meta.published_at,
        modified_at=meta.modified_at,
        language=body_language(meta.language, " ".join(paragraphs)),
        canonical_url=canonical,
        paragraphs=paragraphs,
        standfirst=dek,
        body_from=body_from,
    )


def _cleaned(paragraphs: Sequence[str]) -> list[str]:
    """Paragraphs a page's data holds, cleaned as the body's blocks are (control characters
    and terminal escapes out, mojibake repaired, NFC): that text is as hostile."""
    return [text for text in (clean(p) for p in paragraphs) if text]


HTML_TYPES = frozenset({"", "text/html", "application/xhtml+xml", "application/xml", "text/xml"})
"""Content types worth extracting (an empty one too: many servers send none)."""

# As trafilatura parses: comments and processing instructions dropped, so that a comment
# inside a paragraph (common in CMS output) does not cut the paragraph short.
_PARSER = lxml.html.HTMLParser(  # type: ignore[call-arg]  # the stubs lack default_doctype
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True)


def _html_classes(classes: object = getattr(
        lxml.html.HtmlElementClassLookup, "_default_element_classes", None),
) -> etree.ElementNamespaceClassLookup | lxml.html.HtmlElementClassLookup:
    """lxml.html's element classes, looked up in C.

    lxml.html picks each element's class by a Python method, called every time lxml makes
    a Python object for an element (~1,200 times a page in extraction: ~6 % of it). A
    namespace lookup gives the same classes (``<form>``, ``<input>``… their own, every
    other element :class:`~lxml.html.HtmlElement`) from a table, in C. The HTML parser
    makes lower-case, namespace-less tags, which is all the Python method looked at.
    The table is lxml.html's own (a private name): should a release drop it, lxml.html's
    Python lookup is used as before, slower and the same."""
    if not isinstance(classes, dict):
        return lxml.html.HtmlElementClassLookup()
    fallback = etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)
    lookup = etree.ElementNamespaceClassLookup(fallback)
    tags = lookup.get_namespace(None)
    for tag, cls in classes.items():
        tags[tag] = cls
    return lookup


_PARSER.set_element_class_lookup(_html_classes())
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
"""An XML declaration opening the page: lxml refuses one in a decoded ``str``."""


def extract_capture(
    body: bytes | str, url: str, charset: str | None, content_type: str, *,
    body_selector: str | None = None, drop_selectors: Sequence[str] = (),
    limits: LimitSettings = DEFAULT_LIMITS, rendered: bool = False,
    parsed: list[Parsed] | None = None,
) -> Extraction:
    """A fetched (or archived) response's article: what the tracker and the WARC import both
    call, so they refuse and extract alike. A non-HTML type is refused (``not_html``); an
    :class:`ExtractionError`'s message names the URL and the reason. ``body`` may be given
    decoded already (:func:`~tearsheet.extract.encoding.decode_html`), by a caller that
    reads the text too."""
    if content_type not in HTML_TYPES:
        raise ExtractionError(f"{url}: not an HTML page ({content_type})", reason="not_html")
    try:
        return extract(body, url, charset, body_selector=body_selector,
                       drop_selectors=drop_selectors, limits=limits, rendered=rendered,
                       parsed=parsed)
    except ExtractionError as exc:
        raise exc.at(url) from None


def parse_page(text: str) -> lxml.html.HtmlElement:
    """The page's tree; :class:`ExtractionError` if it cannot be parsed as HTML."""
    try:
        return lxml.html.document_fromstring(XML_DECLARATION.sub("", text), parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"not an HTML page: {exc}", reason="not_html") from None


def _head_of(text: str) -> str:
    """The page up to ``</head>``: where canonical links live, parsed in a fraction."""
    end = text.find("</head>")
    return text[: end + 7] if 0 <= end < len(text) // 2 + 100_000 else text
