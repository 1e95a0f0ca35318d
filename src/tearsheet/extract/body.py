"""The article body: trafilatura finds it, site-independent rules clean its edges.

Chosen by measurement (``bench/extraction.py``, numbers in ``docs/extraction.md``):
trafilatura's fast path with tables finds the body of most news pages, but keeps what sits
at the body's edges — the headline and standfirst above it, newsletter boxes and "most
read" link lists below it, "Read more: <link>" lines inside it. Those edges are exactly
what changes from one request to the next, so every rule here is about them: a block is
dropped for what it *is* (the headline or standfirst above the body, a line made of a link, a
call to subscribe), never for where it sits on one particular site.

A source may instead name its body with a CSS selector, and elements to drop; then the
selector wins and the generic rules still clean the result.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple, cast

import lxml.html
from lxml import etree

from tearsheet.errors import ExtractionError
from tearsheet.extract import density, furniture, lede, markup, reader
from tearsheet.extract.blocks import (
    LABEL_WORDS,
    SENTENCE_END,
    SENTENCE_WORDS,
    Block,
    clean,
    html_blocks,
    trafilatura_blocks,
)
from tearsheet.extract.markup import remove
from tearsheet.extract.reader import Region
from tearsheet.extract.script import fold, word_key

_URL = re.compile(r"^(?:https?://|www\.)\S+$")
_ELSEWHERE = ("nav", "aside", "footer", "menu")  # deleted by trafilatura before it reads

_LIST_ITEMS = 3
_MAX_LABELS = 2  # a kicker and a date line, say: more is the body's own start
_LINK_LINE_MAX_WORDS = 40
_OPENING = 16  # characters of a link's text that say a block may begin with it
_FULL_STOPS = re.compile(r"[.!?。！？]")
_WORDS_A_STOP = 40  # prose has a full stop every 40 words or fewer; a menu has none
_RUN_LINK_CHARS = 3  # shorter link texts ("|", "»", "1") are found anywhere
_RUN_SHARE = 0.7  # of a long block's text in the page's links: a menu (a story that
# names many of the page's headlines inside its sentences has half as much)


class BodyReading(NamedTuple):
    """The raw body blocks, where they were read (one of :data:`BODY_SOURCES`), the
    elements trafilatura read from (:data:`Region`), whichever reading was kept, and, when
    trafilatura's reading was kept without a second opinion, the most visible characters
    the page could hold and still not be asked for one (``density.most_visible``; 0
    otherwise)."""

    blocks: list[Block]
    read: str
    regions: tuple[Region, ...] = ()
    most_visible: int = 0


BODY_SOURCES = ("container", "loose", "density", "selector", "json-ld", "state")
"""Where a body was read (``Extraction.body_from``): the element trafilatura's patterns
found it in; paragraphs trafilatura read wherever they were on the page, finding no such
element; readability's density reading of the whole page; the source's ``body_selector``;
the ``articleBody`` the page declares in JSON-LD; a script's state (:mod:`.scripted`).
A body read from "loose" paragraphs or by "density" depends on the whole page."""


def body_blocks(
    tree: lxml.html.HtmlElement, *, body_selector: str | None = None,
    drop_selectors: Sequence[str] = (),
    reparse: Callable[[], lxml.html.HtmlElement] | None = None,
    description: str | None = None,
) -> BodyReading:
    """The raw body blocks of ``tree`` (which this consumes: it is modified in place), where
    they were read and from which elements (:class:`BodyReading`).

    ``reparse`` gives a fresh tree of the same page: with it, a body that covers little of
    the page gets a second opinion (:mod:`.density`).
    """
    _drop(tree, drop_selectors)
    if body_selector:
        found = _select(tree, body_selector)
        if not found:
            raise ExtractionError(
                f"the source's body_selector {body_selector!r} matches nothing on this page "
                "(did the site change its layout?)", reason="selector")
        blocks: list[Block] = []
        for element in found:
            blocks += html_blocks(element)
        return BodyReading(blocks, "selector")
    visible = density.visible_chars(tree)
    visible -= markup.hidden_elements(tree, visible)
    # Link texts are read before trafilatura consumes the tree. Asking trafilatura to keep
    # links instead changes which body it picks (and not for the better: measured).
    # (A link's text by tostring, as text_content() gives it: ~160 links a page, 0.24 ->
    # 0.15 ms; text_content evaluates an XPath for each. A link without children, most of
    # them, is its own .text: 0.15 -> 0.10 ms.)
    anchors, own = _link_texts(tree)
    paragraphs = _page_paragraphs(tree)
    repeats = markup.repeated_paragraphs(tree)
    markup.linear_math(tree)
    markup.inline_linked_cells(tree)
    markup.anonymous_paragraphs(tree)
    markup.stray_captions(tree)
    markup.control_links(tree)
    markup.bare_text(tree)
    markup.embedded_posts(tree)
    ledes = lede.find(tree, description)
    read_by = reader.read(tree)
    blocks = [] if read_by.body is None else list(trafilatura_blocks(read_by.body))
    blocks = markup.restore_repeats(blocks, repeats)
    openings: dict[str, list[str]] = {}  # every link of a prefix: a set has no order
    for key in own:
        if len(key) >= _OPENING:
            openings.setdefault(key[:_OPENING], []).append(key)
    blocks = [_with_links(b, anchors, own, openings)
              for b in _recover_sections(blocks, paragraphs)]
    read = "loose" if read_by.recovered else "container"
    wants = density.wants_second_opinion(blocks, visible)
    most = 0 if wants or read_by.recovered or reparse is None else density.most_visible(blocks)
    if reparse is not None and (wants or read_by.recovered):
        second = reparse()
        _drop(second, drop_selectors)
        markup.linear_math(second)  # the formulas, for this reading too
        markup.stray_captions(second)
        markup.control_links(second)
        markup.bare_text(second)
        # (read before the density reading consumes this tree; trafilatura's is gone)
        between = _between_paragraphs(second) if read_by.recovered else []
        chosen = density.better_of(blocks, density.density_blocks(second),
                                   covered=not wants)
        if chosen is not blocks:
            blocks, read = chosen, "density"
        elif between:
            blocks = _with_sections(blocks, between)
    if (placed := lede.place(ledes, [b.text for b in blocks])) is not None:
        blocks.insert(placed[0], Block("p", clean(placed[1].text)))
    return BodyReading(blocks, read, read_by.regions, most)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LISTS = frozenset({"ul", "ol"})
_SKIPPED = frozenset({"hr", "br", "img", "figure", "picture", "script", "style", "noscript"})


class _Between(NamedTuple):
    """A ``<p>`` of the page (its folded text), the paragraph before it in its parent (its
    folded text), and the section headings and lists standing between the two."""

    key: str
    before: str
    blocks: list[Block]


def _between_paragraphs(tree: lxml.html.HtmlElement) -> list[_Between]:
    """In page order, each ``<p>`` that section headings or lists part from the paragraph
    before it in the same parent (:class:`_Between`): what trafilatura's reading of loose
    paragraphs (no container found) leaves out, as it looks for paragraphs only. Elements
    without text (a rule, an image) part nothing; any other element ends the search."""
    found = []
    for p in tree.iter("p"):
        parting: list[lxml.html.HtmlElement] = []
        for sibling in p.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str) or sibling.tag in _SKIPPED or \
                    not (text := fold(sibling.text_content())):
                continue
            if sibling.tag == "p" and parting:
                found.append(_Between(fold(p.text_content()), text,
                                      [b for e in reversed(parting) for b in _blocks_of(e)]))
            if sibling.tag not in _HEADINGS and sibling.tag not in _LISTS:
                break
            parting.append(sibling)
    return found


def _blocks_of(element: lxml.html.HtmlElement) -> list[Block]:
    """A heading's block, or a list's items (their text, but a picture's caption: not the
    article's, here as everywhere)."""
    if element.tag in _HEADINGS:
        return [Block("head", clean(element.text_content()))]
    items = (clean(" ".join(cast(list[str], _ITEM_TEXT(li)))) for li in element.iter("li"))
    return [Block("item", text) for text in items if text]


_ITEM_TEXT = etree.XPath(
    ".//text()[not(ancestor::figure or ancestor::figcaption or ancestor::script "
    "or ancestor::style)]", smart_strings=False)


def _with_sections(blocks: list[Block], between: list[_Between]) -> list[Block]:
    """Loose paragraphs with the headings and lists that stood between two of them on
    the page (:func:`_between_paragraphs`), where both were kept, one after the other."""
    places: dict[str, list[int]] = {}  # a paragraph's places among them, in page order
    for n, part in enumerate(between):
        places.setdefault(part.key, []).append(n)
    result: list[Block] = []
    at = 0
    for block in blocks:
        found = places.get(fold(block.text), ())
        # (the first place not before the last one taken: a search, not a scan, since a
        # hostile page can have thousands of them)
        match = bisect.bisect_left(found, at)
        if result and match < len(found) and \
                between[found[match]].before == fold(result[-1].text):
            result += between[found[match]].blocks
            at = found[match] + 1
        result.append(block)
    return result


def _drop(tree: lxml.html.HtmlElement, selectors: Sequence[str]) -> None:
    for selector in selectors:
        for element in _select(tree, selector):
            remove(element)


class _Paragraph(NamedTuple):
    """A ``<p>`` of the page in a classed container, for :func:`_recover_sections`: the
    container's tag and class, the container, its grandparent and the next ancestor up
    (each numbered), the text, its lines (cut at its ``<br>`` s: trafilatura's blocks are
    lines; none for a paragraph without any), and the two wrappers' tags and classes."""

    name: str
    container: int
    grandparent: int
    text: str
    lines: tuple[str, ...]
    outer: int
    wrappers: str


_Sister = tuple[str, int, int, str]
"""A paragraph as :func:`_sisters` groups it: a name, its container, the ancestor sisters
share, its text."""


def _page_paragraphs(tree: lxml.html.HtmlElement) -> list[_Paragraph]:
    """Each ``<p>`` of the page in a classed container (:class:`_Paragraph`)."""
    found = []
    ids: dict[Any, int] = {}
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is not None and parent.get("class"):
            text = " ".join(p.text_content().split())
            if text:
                lines = tuple(" ".join(line.split()) for line in _broken(p).split("\n")
                              ) if p.find(".//br") is not None else ()
                container = ids.setdefault(parent, len(ids))
                # Sister sections share a parent, or a grandparent when each sits in
                # its own wrapper (a grid row with an ad rail, say), or the next one up
                # when each sits in two wrappers alike (a CMS's text modules).
                wrapper = parent.getparent()
                above = wrapper.getparent() if wrapper is not None and wrapper.getparent() \
                    is not None else wrapper
                grandparent = ids.setdefault(above, len(ids))
                outer = above.getparent() if above is not None else None
                wrappers = "" if outer is None or wrapper is None else \
                    f"{wrapper.tag}.{wrapper.get('class')} {above.tag}.{above.get('class')}"
                found.append(_Paragraph(f"{parent.tag}.{parent.get('class')}", container,
                                        grandparent, text, lines,
                                        ids.setdefault(outer, len(ids)), wrappers))
    return found


def _broken(element: lxml.html.HtmlElement) -> str:
    """The element's text, a newline for each ``<br>``."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "br" else _broken(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _recover_sections(blocks: list[Block], paragraphs: list[_Paragraph]) -> list[Block]:
    """Add the body's sister sections that trafilatura left out.

    Some sites cut the body into several sibling containers of the same class, with ads
    or embeds between them; trafilatura keeps the first. The container holding what it
    kept names the body; the paragraphs of its sisters (same class, same grandparent, nothing
    of them kept) go back in page order. A paragraph cut by ``<br>`` s is kept when its
    lines are (trafilatura reads each line as a block): it was read twice otherwise.
    When no sister is found so, containers one level further apart count, if their two
    wrappers have the same tags and classes (a CMS's text modules, an image module
    between each): the stricter match stands for the third paragraph kept.
    """
    kept = {fold(b.text): n for n, b in enumerate(blocks)}
    for paragraph in paragraphs:
        if paragraph.lines and fold(paragraph.text) not in kept:
            found = [kept[key] for line in paragraph.lines if (key := fold(line)) in kept]
            if found:
                kept[fold(paragraph.text)] = found[-1]
    near = [(p.name, p.container, p.grandparent, p.text) for p in paragraphs]
    recovered = _sisters(blocks, kept, near, 3)
    if recovered is not blocks:
        return recovered
    far = [(f"{p.name} {p.wrappers}", p.container, p.outer, p.text)
           for p in paragraphs if p.wrappers]
    return _sisters(blocks, kept, far, 2)


def _sisters(blocks: list[Block], kept: dict[str, int], paragraphs: list[_Sister],
             least: int) -> list[Block]:
    """``blocks`` with the sisters of the container holding the most kept paragraphs (at
    least ``least``); the same ``blocks`` when none is added."""
    counts: dict[tuple[str, int, int], int] = {}
    for name, container, parent, text in paragraphs:
        if fold(text) in kept:
            counts[name, container, parent] = counts.get((name, container, parent), 0) + 1
    if not counts:
        return blocks
    (body, main, parent_of_main), matched = max(counts.items(), key=lambda item: item[1])
    if matched < least:
        return blocks
    touched = {container for _, container, _ in counts}
    missing: dict[int, list[Block]] = {}
    position = -1
    added = 0
    for name, container, parent, text in paragraphs:
        key = fold(text)
        if key in kept:
            position = kept[key] if container == main else position
        elif name == body and parent == parent_of_main and container not in touched:
            missing.setdefault(position, []).append(Block("p", text))
            added += len(text.split())
    if added < 50:
        return blocks
    result = missing.get(-1, [])
    for n, block in enumerate(blocks):
        result = [*result, block, *missing.get(n, [])]
    return result


def _with_links(block: Block, anchors: set[str], own: set[str],
                openings: dict[str, list[str]]) -> Block:
    """The block, with its link share when it is (a label and) one of the page's links
    (``own``: not of its navigation, see :func:`_link_texts`), and whether an item begins
    with one (a teaser: a linked headline, its blurb beside); or when it runs many of the
    page's links together (``anchors``: a menu is made of the navigation's)."""
    if block.words > _LINK_LINE_MAX_WORDS and \
            len(_FULL_STOPS.findall(block.text)) * _WORDS_A_STOP > block.words:
        return block  # prose: its links are words of its sentences
    key = fold(block.text)
    if block.words > _LINK_LINE_MAX_WORDS:
        # A menu flattened into one block ("E-Paper Abo Kontakt Startseite Heidelberg …"):
        # the page's links, one after another, with hardly a full stop between them.
        linked = sum(len(a) for a in anchors if len(a) >= _RUN_LINK_CHARS and a in key)
        share = min(1.0, linked / max(1, len(key)))
        return replace(block, link_share=share) if share >= _RUN_SHARE else block
    candidates = [key]
    label, colon, rest = block.text.partition(":")
    if colon and len(label) < 40:
        candidates.append(fold(rest))
    for candidate in candidates:
        if candidate and candidate in own:
            return replace(block, link_share=len(candidate) / max(1, len(key)))
    if block.kind == "item" and any(key.startswith(link)
                                    for link in openings.get(key[:_OPENING], ())):
        return replace(block, opens_link=True)
    return block


def _link_texts(tree: lxml.html.HtmlElement) -> tuple[set[str], set[str]]:
    """The folded texts of the page's links, which a block made of one is furniture by;
    and of those outside its navigation (below).

    Links only: an ``<a name>`` or ``<a id>`` without ``href`` is a place to jump to, not
    a link (a podcast transcript's questions, a FAQ's entries are such targets). Nor is a
    sentence in a link that goes nowhere (``javascript:…``, ``#``): that is a control
    that opens a note or a pop-up on the text itself, as an annotated story does ("Mr.
    Nippers," said I, …); a control's label ("Kommentieren", "Show more") is still a link.
    A link of the page's navigation, sidebars or footer (``<nav>``, ``<aside>``,
    ``<footer>``, ``<menu>``, which trafilatura deletes before it reads) is no line of
    the body: a heading of the article that shares its text ("Features" beside a menu's
    "Features") is the article's, and was read as a line of links until the menu
    changed — a new version for a menu's edit. Its text still counts in a run of the
    page's links (a menu written again outside ``<nav>``, flattened into one block).
    """
    texts, own = set(), set()
    elsewhere = {a for element in tree.iter(*_ELSEWHERE) for a in element.iter("a")}
    for a in tree.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        text = (a.text or "") if not len(a) else \
            etree.tostring(a, method="text", encoding=str, with_tail=False)
        if markup.goes_nowhere(href) and not is_label(Block("p", " ".join(text.split()))):
            continue
        if key := fold(text):
            texts.add(key)
            if a not in elsewhere:
                own.add(key)
    return texts, own


def _select(tree: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    try:
        return list(tree.cssselect(selector))
    except Exception as exc:  # cssselect raises its own SelectorError family
        raise ExtractionError(f"bad CSS selector {selector!r}: {exc}",
                              reason="selector") from None


def tidy(blocks: list[Block], *, headlines: Iterable[str] = (),
         summaries: Iterable[str | None] = ()) -> list[str]:
    """The paragraphs of the body, once its edges are cleaned (see the module docstring).

    ``headlines`` are the page's headline and ``<h1>`` texts, ``summaries`` its
    description: above the first paragraph, a block that is the headline, or a heading
    that is the standfirst (it agrees with the page's description), is not the article.
    So are up to two labels (a kicker, a tag, a date line: page furniture that changes
    between loads) above a body that is more than labels (a page whose text is a short
    line or two keeps them). Other headings there are the body's own (a first section's
    title, an ``<h1>`` that shares no word with the headline) and stay, and so does a
    first paragraph that agrees with the description (pages often describe themselves by
    their lede): measured on the three corpora (docs/extraction.md).
    """
    keys = [word_key(h) for h in headlines]
    own = _own_headings(keys)
    heads = {k for k in keys if k} - own
    headline = next((k for k in keys if k), "")
    deks = [word_key(s) for s in summaries if s]
    prose = _prose_lists(blocks)
    kept = [b for b in _above_recirculation(blocks) if not _is_furniture(b, prose)]
    at = _headline_at(kept, headline)
    # The labels above the headline, cut with the teaser, count as the labels they are.
    labels, tags = min(_MAX_LABELS, sum(is_label(b) for b in kept[:at])), False
    kept = kept[at:]
    if at == 0 and headline:
        kept = _without_headline_under_dek(kept, headline)
    while kept and (word_key(kept[0].text) in heads or (
            kept[0].kind == "head" and any(_agrees(word_key(kept[0].text), d) for d in deks))
            or ((labels < _MAX_LABELS or (tags and _is_tag(kept[0])))
                and is_label(kept[0]) and any(not is_label(b) for b in kept[1:])
                and not _starts_list(kept)
                and not _heads_list(kept)
                and not (kept[0].kind == "head" and word_key(kept[0].text) in own))):
        # A row of one-word tags that opens the labels counts as one, however long.
        if word_key(kept[0].text) not in heads and is_label(kept[0]):
            in_row = tags and _is_tag(kept[0])
            labels += not in_row
            tags = _is_tag(kept[0]) and (in_row or labels == 1)
        kept = kept[1:]
    kept = _before_contacts(kept)
    # Below the last paragraph: newsletter boxes, headings of link lists, link lists, teasers
    # of other stories (an item that opens with a link: a headline and its blurb). A
    # body that would lose more than a third of its words this way is a list of links
    # itself (a deals page, a link roundup): left whole.
    end = len(kept)
    while end and (kept[end - 1].kind == "head" or kept[end - 1].link_share >= 0.5
                   or kept[end - 1].opens_link):
        end -= 1
    total = sum(b.words for b in kept)
    if sum(b.words for b in kept[end:]) <= total / 3:
        kept = kept[:end]
    return [b.text for b in kept]


def _without_headline_under_dek(blocks: list[Block], headline: str) -> list[Block]:
    """The blocks without the headline's heading when a dek set above it comes first (it
    is the headline told again, as at the top; looked for where the headline stands under
    a dek and the labels around it, not further down, where a heading is the body's)."""
    return [b for n, b in enumerate(blocks)
            if not (0 < n <= _MAX_LABELS + 1 and b.kind == "head" and word_key(b.text) == headline)]


def _own_headings(keys: list[str]) -> set[str]:
    """Of the word keys of the page's headline and ``<h1>`` s (the headline first), the
    ``<h1>`` s that share no word with the headline: the article's own headings ("Lorem"
    above a page whose headline is "RTL Test"), not the headline told again. Readability
    keeps them too; trafilatura-eval's annotations want them. None without a headline."""
    first, *others = keys or [""]
    words = set(first.split())
    return {h for h in others if h and words and not words & set(h.split())}


def _headline_at(blocks: list[Block], headline: str) -> int:
    """Where the body begins at the headline's heading: when what is above it holds a
    heading of its own (a teaser of another story, its title and blurb, that the body's
    container holds above the story's headline), else 0. A paragraph alone up there (a
    lede or a dek set above the title) stays; so does more than a third of the words."""
    at = next((n for n, b in enumerate(blocks)
               if b.kind == "head" and word_key(b.text) == headline), 0) if headline else 0
    above = blocks[:at]
    if not any(b.kind == "head" for b in above) or \
            sum(b.words for b in above) > sum(b.words for b in blocks) / 3:
        return 0
    return at


def _above_recirculation(blocks: list[Block]) -> list[Block]:
    """The blocks above a recirculation heading below the body ("You Might Also Like",
    "Related Videos", "Comments": a heading that is page furniture, after the last
    paragraph of a sentence's length): the widgets it introduces (a slideshow's buttons
    and captions, a comment loader) are no more the article than it is. Left whole when
    that would remove more than a third of the words."""
    last = max((n for n, b in enumerate(blocks)
                if b.kind == "p" and b.words >= SENTENCE_WORDS), default=len(blocks))
    cut = next((n for n in range(last + 1, len(blocks))
                if blocks[n].kind == "head" and _is_furniture(blocks[n])), len(blocks))
    if sum(b.words for b in blocks[cut:]) > sum(b.words for b in blocks) / 3:
        return blocks
    return blocks[:cut]


def standfirst(blocks: list[Block], *, headlines: Iterable[str] = (),
               summaries: Iterable[str | None] = ()) -> str | None:
    """The standfirst above the body: the heading there that agrees with the page's
    description (the one :func:`tidy` leaves out of the body), else None."""
    heads = {word_key(h) for h in headlines if h}
    deks = [word_key(s) for s in summaries if s]
    for block in blocks[:4]:
        key = word_key(block.text)
        if block.kind == "head" and any(_agrees(key, d) for d in deks):
            return block.text
        if key not in heads and block.kind != "head" and not is_label(block):
            return None  # the body has begun
    return None


def _agrees(text: str, summary: str) -> bool:
    """The block is the summary: the same words, or one cut short of the other ("…")."""
    if not text or not summary:
        return False
    shorter, longer = sorted((text, summary), key=len)
    return len(shorter) >= 0.6 * len(longer) and longer.startswith(shorter)


def _before_contacts(blocks: list[Block]) -> list[Block]:
    """The body without a press release's contact section: from its heading on ("Presse-
    kontakt", "Media contact"), when it stands in the body's last third, nothing is the
    article's (names, telephones, "all press releases of …")."""
    total = sum(b.words for b in blocks)
    seen = 0
    for n, block in enumerate(blocks):
        if 3 * seen >= 2 * total and furniture.is_contact_heading(block.text, block.words):
            return blocks[:n]
        seen += block.words
    return blocks


def _starts_list(blocks: list[Block]) -> bool:
    """The first block is the first of a list's items, three or more: a list of things
    the article names (ingredients, tools), not labels (a date and a section, say). So
    is the first of three lines of one paragraph cut by ``<br>`` s (a list written so)."""
    first = blocks[:_LIST_ITEMS]
    return len(first) == _LIST_ITEMS and (all(b.kind == "item" for b in first) or (
        first[0].lines_of != 0 and all(b.lines_of == first[0].lines_of for b in first)))


def _heads_list(blocks: list[Block]) -> bool:
    """The first block is a heading over a list that the body opens with ("Highlights",
    then its items): a section's title, not a kicker."""
    return bool(blocks) and blocks[0].kind == "head" and _starts_list(blocks[1:])


def _is_tag(block: Block) -> bool:
    """One word that is not a sentence nor a heading (a section's title): a tag."""
    return block.words == 1 and block.kind != "head" and not SENTENCE_END.search(block.text)


def is_label(block: Block) -> bool:
    """A few words that are not a sentence: a kicker, a tag, a section name, a date."""
    return block.words <= LABEL_WORDS or (
        block.words < SENTENCE_WORDS and not SENTENCE_END.search(block.text))


def _prose_lists(blocks: list[Block]) -> frozenset[int]:
    """The lists most of whose items are not links: a link in one is an item like the
    others ("Here's our year in review!"), not a recirculation line."""
    items: dict[int, list[Block]] = {}
    for block in blocks:
        if block.group:
            items.setdefault(block.group, []).append(block)
    return frozenset(group for group, found in items.items()
            if 2 * sum(_is_link_line(b) for b in found) < len(found))


def _is_link_line(block: Block) -> bool:
    return block.link_share >= 0.8 and block.words <= _LINK_LINE_MAX_WORDS


def _is_furniture(block: Block, prose: frozenset[int] = frozenset()) -> bool:
    if _is_link_line(block) and block.group not in prose \
            and block.kind in ("p", "item") and not _URL.match(block.text):
        return True  # "Read more: <a>Other story</a>", a recirculation item
    return furniture.is_furniture(block.text, block.words, linked=block.link_share >= 0.6)
