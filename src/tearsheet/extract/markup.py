"""What a page's markup says the body holds, where trafilatura alone loses it.

Each function reads or repairs the parsed page around trafilatura (:mod:`.body`), for a
kind of markup, never a site: paragraphs the page itself repeats (trafilatura takes a
repeat for its own artifact), formulas in MathML (it keeps only TeX), a table cell's
link (it drops a paragraph made of one), a paragraph's anchor name (it takes "Nav" in
"NavzzU" for a menu's), an embedded post's wrapper (it takes "social-media-embed" for a
share bar), text the page hides from its readers (it keeps the ``hidden`` attribute's),
a caption outside a table, a script's link around paragraphs and text written straight
into ``<body>`` (it reads neither as the browser shows them).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import lxml.html
from lxml import etree

from tearsheet.extract import density
from tearsheet.extract.script import fold

if TYPE_CHECKING:  # body imports this module
    from tearsheet.extract.blocks import Block

BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "dd", "dt",
    "figcaption", "div", "section", "article", "table", "ul", "ol", "header", "footer",
    "aside", "main", "td", "th"})
"""Elements that start a block of their own (a paragraph, an item, a row…)."""


def remove(element: lxml.html.HtmlElement) -> None:
    """Remove ``element``, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:  # keep the text that follows the element
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# The attributes, then their elements (as metadata's ``_DATED``): below <body>, not it.
_HIDDEN = etree.XPath("//body//*/@hidden/..|//body//*/@aria-hidden[.='true']/..")
MOST_OF_PAGE = 0.5
"""A hidden element holding more than this share of the page's visible text is kept."""


def hidden_elements(tree: lxml.html.HtmlElement, shown: int) -> int:
    """Remove what the page hides from every reader, as Readability does; return the
    characters removed (of ``shown``, the page's visible text).

    Hidden: an element with the ``hidden`` attribute (a pop-up's text, a template a
    script fills in; but not ``hidden="until-found"``, a collapsed section the browser's
    find opens) or marked ``aria-hidden="true"`` (decoration kept from screen readers: an
    icon's glyph, a letter a drop cap repeats). trafilatura removes ``display: none`` and
    ``aria-hidden`` blocks, but not the ``hidden`` attribute, nor an inline element inside
    a paragraph it keeps. An element holding most of the page's text stays
    (:data:`MOST_OF_PAGE`): a page that reveals its article by script, or marks it
    ``aria-hidden`` while a dialog is open, still has its article.
    """
    removed = 0
    gone: set[lxml.html.HtmlElement] = set()
    for element in cast(list[lxml.html.HtmlElement], _HIDDEN(tree)):
        if str(element.get("hidden") or "").strip().lower() == "until-found" or \
                any(ancestor in gone for ancestor in element.iterancestors()):
            continue  # shown, or gone with a hidden element around it (counted there)
        chars = density.text_chars(element)
        if chars <= shown * MOST_OF_PAGE:
            remove(element)
            gone.add(element)
            removed += chars
    return removed


_TEX = "application/x-tex"
_MATHML = "http://www.w3.org/1998/Math/MathML"


def linear_math(tree: lxml.html.HtmlElement) -> None:
    """MathML formulas without a TeX source, as the text of their symbols in reading order.

    trafilatura keeps a formula's TeX annotation (or ``alttext``) and drops any other
    ``<math>`` whole, and with it the formulas of a page whose MathML is all there is
    (MathJax's output, say): "there are two solutions to" and no equation. A display
    formula becomes a paragraph of its own, an inline one a run of text; it takes the
    place of the custom elements (``<mjx-container>``…) a renderer wraps it in.
    """
    for math in list(tree.iter("math", f"{{{_MATHML}}}math")):
        if math.get("alttext") or any(a.get("encoding") == _TEX for a in math.iter(
                "annotation", f"{{{_MATHML}}}annotation")):
            continue
        text = " ".join(" ".join(str(t) for t in math.itertext()).split())
        node = math
        while (parent := node.getparent()) is not None and "-" in str(parent.tag):
            node = parent
        if node.getparent() is None:
            continue
        if math.get("display") == "block":
            formula = etree.Element("p")
            formula.text, formula.tail = text, node.tail
            node.getparent().replace(node, formula)
        else:
            node.tail = f" {text} {node.tail or ''}"
            remove(node)


def anonymous_paragraphs(tree: lxml.html.HtmlElement) -> None:
    """Remove the ``id`` of every ``<p>``: a paragraph's id is an anchor to link to (CMSs
    give each a random one: "NavzzU", "2iTOd5"), while trafilatura drops any element whose
    id holds "nav", "menu", "share", "footer", "related"… as the page's furniture, and
    with it, now and then, a paragraph of the article. What a paragraph says is judged by
    :func:`tidy <tearsheet.extract.body.tidy>` (a share prompt or a copyright line goes
    there)."""
    for p in tree.iter("p"):
        if "id" in p.attrib:
            del p.attrib["id"]


def stray_captions(tree: lxml.html.HtmlElement) -> None:
    """Read a ``<caption>`` outside any table as a paragraph, as a browser shows it.

    HTML's parsing rules ignore a ``<caption>`` tag outside a table, so a browser shows
    its text where it stands, as the text of the paragraph it was written in (slideshow
    templates write each slide's text so: ``<p class="s_des"><caption>…``). libxml2 keeps
    the element instead, and closes the paragraph before it; neither trafilatura nor the
    density reading takes a table's caption out of a table for text, and a slideshow of
    captioned slides read as having none is refused as a gallery without text."""
    for caption in list(tree.iter("caption")):
        if next(caption.iterancestors("table"), None) is None:
            caption.tag = "p"


_NOWHERE = re.compile(r"\s*(?:javascript:|#?\s*$)", re.IGNORECASE)
_NOWHERE_STARTS = frozenset("#jJ \t\n\r\f")  # what such an href begins with: a cheap test


def goes_nowhere(href: str) -> bool:
    """Whether a link's ``href`` leads to no page: a script's (``javascript:…``), ``#``,
    or empty."""
    return (not href or href[0] in _NOWHERE_STARTS) and bool(_NOWHERE.match(href))


_BLOCK_INSIDE = etree.XPath(
    "descendant::*[" + " or ".join(f"self::{tag}" for tag in sorted(BLOCK_TAGS)) + "][1]")


def control_links(tree: lxml.html.HtmlElement) -> None:
    """Unwrap a link that goes to no page (:func:`goes_nowhere`) around whole blocks.

    Such an ``<a>`` is a control a script drives (a slide, a toggle), written around the
    paragraphs it shows; a browser shows them as the page's text, but a reading takes a
    link's blocks for a teaser's, and loses the text between them (it is the link's own).
    Its content stays where it stands, the element goes (a link around a few words of a
    line is left: a line of links is judged as such; an ``<a>`` without an address, broken
    markup or an anchor, is left too)."""
    for link in list(tree.iter("a")):
        href = link.get("href")
        if href is not None and goes_nowhere(href) and _BLOCK_INSIDE(link):
            link.drop_tag()


PHRASING = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "font",
    "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "tt", "u", "var", "wbr"})
"""Elements that stand inside a line of text (HTML's phrasing content, the common ones)."""
_WORD = re.compile(r"\w")


def bare_text(tree: lxml.html.HtmlElement) -> None:
    """Read text written straight into ``<body>`` as paragraphs, as a browser shows it.

    A page with no markup around its words (``<body>Text<br>more text</body>``: hand-made
    pages, old archives, a plain notice) has them as the body's own text and the tails of
    its children; trafilatura and the density reading read elements, and found nothing.
    Each run of such text, with the inline elements inside it (links, emphasis, line
    breaks), is wrapped in a ``<p>`` where it stands. A run without text of its own (links
    alone, a menu written into ``<body>``) is left as it is."""
    body = tree.find("body")
    if body is None:
        return
    # (the block child the run follows, None at the body's start; its text; its inline
    # elements, each with the text after it)
    runs: list[tuple[Any, str | None, list[Any]]] = []
    after, text, inline = None, body.text, []
    for child in body:
        if not isinstance(child.tag, str) or child.tag in PHRASING:
            inline.append(child)
        else:
            runs.append((after, text, inline))
            after, text, inline = child, child.tail, []
    runs.append((after, text, inline))
    for after, text, inline in runs:
        if not _WORD.search(text or "") and not any(_WORD.search(e.tail or "") for e in inline):
            continue  # blank, or a zero-width space between two blocks
        paragraph = lxml.html.Element("p")
        paragraph.text = text
        if after is None:
            body.text = None
            body.insert(0, paragraph)
        else:
            after.tail = None
            after.addnext(paragraph)
        paragraph.extend(inline)  # moved, each with its tail


# The classes of an embedded social post's own markup: the post's text and its author, as
# the network's embed code serves them before its script (if any) draws the card.
_POST_CLASSES = frozenset({"twitter-tweet", "bluesky-embed", "mastodon-embed"})
_WRAPPER_DEPTH = 4  # wrappers an embed code or a CMS puts around a post, at most


def embedded_posts(tree: lxml.html.HtmlElement) -> None:
    """An embedded post (``<blockquote class="twitter-tweet">``…) quoted by the article,
    out of the wrappers that hold nothing else.

    A post the article quotes is part of what it says, where it says it, and trafilatura
    keeps one written straight into the text; but CMSs wrap each embed in an element of
    its own (``<figure class="wp-block-embed">``, ``<div class="social-media-embed">``)
    whose class trafilatura takes for a share bar or a widget, and drops the post with
    it. Such a wrapper, holding no text but the post's, is unwrapped; one that holds
    more (a sidebar of posts beside other things) is left to trafilatura's judgement."""
    for post in list(tree.iter("blockquote")):
        if not _POST_CLASSES & set(str(post.get("class") or "").split()):
            continue
        own = _words_of(post)
        for _ in range(_WRAPPER_DEPTH):
            wrapper = post.getparent()
            if wrapper is None or wrapper.tag in ("body", "article", "main") or \
                    _words_of(wrapper) != own:
                break
            wrapper.drop_tag()


def _words_of(element: lxml.html.HtmlElement) -> list[str]:
    """The element's words, outside scripts and styles."""
    return [word for text in element.xpath(
        ".//text()[not(ancestor::script or ancestor::style)]") for word in str(text).split()]


def inline_linked_cells(tree: lxml.html.HtmlElement) -> None:
    """A table cell's paragraph that is a link, read as the cell's text.

    trafilatura removes a paragraph made of a link (a recirculation line, most often),
    also inside a table cell, so a table's first column of names (an app, a team, a
    product, each linking to its page) went missing while its figures stayed. The
    table as a whole is still judged by its links (a table of links is navigation).
    """
    for cell in tree.iter("td", "th"):
        for block in cell.iter("p", "div"):
            if block is not cell and (text := fold(block.text_content())) and \
                    text == " ".join(fold(a.text_content()) for a in block.iter("a")):
                block.tag = "span"


def repeated_paragraphs(tree: lxml.html.HtmlElement) -> dict[str, int]:
    """Texts the page itself repeats in visible sibling paragraphs (``<p>`` s, or
    ``<div>`` s holding text and no blocks), with how many times."""
    siblings: dict[Any, list[lxml.html.HtmlElement]] = {}
    for p in tree.iter("p", "div"):
        if p.tag == "div" and any(child.tag in BLOCK_TAGS for child in p):
            continue
        siblings.setdefault(p.getparent(), []).append(p)
    found: dict[tuple[Any, str], list[lxml.html.HtmlElement]] = {}
    for parent, group in siblings.items():
        if len(group) < 2:
            continue  # a lone one repeats nothing: its text is not read
        for p in group:
            if (key := fold(p.text_content())):
                found.setdefault((parent, key), []).append(p)
    runs: dict[str, int] = {}
    for (_, key), copies in found.items():
        if len(copies) > 1:
            count = sum(not density.hidden(p) for p in copies)
            runs[key] = max(runs.get(key, 0), count)
    return runs


def restore_repeats(blocks: list[Block], repeats: dict[str, int]) -> list[Block]:
    """A paragraph the page repeats in one container, as often in the body.

    trafilatura drops a long paragraph equal to the one before it (an artifact of its own
    overlapping candidates, it says), but a page may repeat one itself: then the body does.
    The missing copies follow the last one kept.
    """
    if not repeats:
        return blocks
    keys = [fold(b.text) for b in blocks]
    last = {key: n for n, key in enumerate(keys)}
    result: list[Block] = []
    for n, (block, key) in enumerate(zip(blocks, keys, strict=True)):
        result.append(block)
        if last[key] == n and key in repeats:
            result += [block] * (repeats[key] - keys.count(key))
    return result
