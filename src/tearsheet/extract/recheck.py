"""The fast path of a check: an unchanged page recognised without extracting it again.

A news article is checked dozens of times and changes a handful of times, so almost every
check finds the page it saw last time, in new chrome. After a full extraction,
:func:`decision_key` remembers what that extraction's result could depend on, as one
digest and where to find it again; on the next fetch :func:`unchanged` recomputes the
digest from a cheap parse (lxml's C parser and a few XPath queries, no trafilatura, no
Python walk of the whole page) and says "unchanged" only when every part is found again
and equal. Anything else — a part missing, moved, doubled, or different — means a full
extraction, whose fingerprint stays the judge of a new version. When in doubt, extract.

The key does not know how the extractor chooses the body or the metadata (that changes
as it is tuned); it covers, generously, every place a headline, byline or body can come
from:

- the *container* (:mod:`.container`): the smallest element whose shown text holds every
  extracted paragraph (a script's text does not count: a JSON-LD ``articleBody`` repeats
  the article), found again by its chain of tags, classes and ids from the root (it must
  be unique), serialised
  whole — tags, attributes, text — except what is page noise by construction: where a
  link leads (only whether it leads to a page is kept, which extraction reads),
  ``src``, ``data-*`` and similar attributes, digits and hex runs in ids and classes,
  script and style contents, and the text of links that contributed no words to the
  result and stand in a line of links (a "Read more" teaser that rotates);
- its surroundings: the tags, classes, ids and non-link text (numbers and hex runs
  masked) of every sibling of the container, and the amount of non-link text of every
  sibling of its parent (a new note, section or standfirst beside the body changes them,
  and so does a line beside it that extraction left out as furniture and would read once
  edited);
- the number of paragraphs of the element trafilatura read the body from, when it holds
  more than the container (``<article>`` around the text's own ``<div>``: a paragraph added
  anywhere in it may join the body), with its lines the body's edge rules cut by their
  words (furniture, a contact heading: edited, they may join it), and the paragraphs
  and non-link words of each element it read elsewhere first (a menu or a teaser that
  gave too little: what it gave stays in the body, and a paragraph added there joins it);
- every source of metadata: ``<title>``, each ``<meta>`` (but CSRF tokens and nonces),
  JSON-LD blocks, ``<link rel=canonical>``, the ``lang`` attribute, every ``<h1>``;
- every byline candidate (author, byline, writer, contributor… in a class, id, ``rel``,
  ``itemprop``, ``name``, ``data-testid`` or ``data-component``; ``<address>`` and
  ``<author>``: whatever extraction's byline expressions can read), every line that opens
  as a credit line does ("By", "Von", "Autor:", "Posted on…": extract/bylines.py reads a
  byline there) with the line after it and every link into an author's pages (unless the
  byline was read from markup above: ``credits``), and every correction-note candidate (a
  text that says correction, clarification, editor's note, an earlier version…), wherever
  it is;
- that the page ends as a whole page does, its closing tag followed by nothing but
  comments (a cache's signature, new on every request): a truncated capture is always
  extracted.

A short body (under ``refusals.SHORT_WORDS``, 200 words) is where the refusal checks look
for walls and error pages: in the body, the headings and the JSON-LD (all covered above),
and whether the page holds a password field anywhere, which such a key covers too.

Any body can be outweighed by the page's other text: extraction asks the density reading
of the whole page for a second opinion when the body is under a share of the page's
visible text (``density.ASK_BELOW_SHARE``), and takes it when it finds much more (a
comment section grown three times the story's length, far from its container, made a
long story's full extraction the comments, and the fast path of key version 7 did not
see it). So a body read from trafilatura's container gets a digest only when it was read
without that second opinion, and its key holds the most visible characters its page may
then show (``visible``): a page showing more (text added anywhere, a menu grown) is
extracted in full, where the second opinion may now be asked. A short body read
elsewhere gets none.

A body read from the whole page (trafilatura's loose paragraphs, the density reading:
``Extraction.body_from``), which a paragraph added anywhere can join, has the whole
``<body>`` for its container, every link's text in it covered: only what is noise in
any element (where links lead, digits in classes, scripts' contents, relative times)
may change. It is long, or it gets no digest (the refusal checks weigh a short one
against the whole page's visible text).

No digest is made for a stub (under :data:`MIN_WORDS`): the refusal checks read the whole
page's visible text then, and extraction looks for the article in the page's scripts.
Such a page is known again only by its very bytes (:mod:`.fast_path`). The key is
versioned: a key of another version never matches, so a change here costs one full
extraction per article, never a missed edit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from lxml import etree

from tearsheet.extract.container import (
    OPAQUE,
    VOLATILE,
    chain,
    find,
    locate,
    mask,
    matching,
    signature,
    spaceless,
    text_of,
)
from tearsheet.extract.density import visible_at_most
from tearsheet.extract.encoding import parseable
from tearsheet.extract.extraction import XML_DECLARATION
from tearsheet.extract.markup import goes_nowhere
from tearsheet.extract.page_scans import credits, ends_whole, notes
from tearsheet.extract.reader import Region
from tearsheet.extract.refusals import SHORT_WORDS, TINY_WORDS, has_password_field
from tearsheet.extract.script import count_words
from tearsheet.extract.tree_scans import byline_candidates, cut_lines, metadata_sources

KEY_VERSION = 8
"""Bumped whenever what the key covers changes: older keys then never match."""
MIN_WORDS = TINY_WORDS
"""Bodies shorter than this get no digest: the refusal checks read the whole page's text
for them (``refusals.TINY_WORDS``)."""
MAX_PARAGRAPHS = 2_000
"""Bodies of more paragraphs get no key: placing them in the page costs a search of the
page's text each (a body of 20,000 took half a minute; of 2,000, half a second); the
corpora's longest has a few hundred. Such a page is extracted in full on every check."""

_PARSER = etree.HTMLParser(  # type: ignore[call-arg]  # the stubs lack default_doctype
    collect_ids=False, remove_comments=True, remove_pis=True, default_doctype=False)
_UTF8_PARSER = etree.HTMLParser(  # type: ignore[call-arg]
    collect_ids=False, remove_comments=True, remove_pis=True, default_doctype=False,
    encoding="utf-8")
_SKIPPED_ATTRIBUTES = frozenset({"src", "srcset", "nonce", "ping", "integrity",
                                 "sizes", "loading", "decoding", "fetchpriority",
                                 "datetime"})
_VOLATILE_META = re.compile(r"csrf|xsrf|nonce|token|request-?id|session", re.IGNORECASE)
# "Updated 5 minutes ago", "12:03": beside a byline, page noise (never part of a name).
_UNITS = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|m|s|days?)"
_AGO = r"\d+\s*" + _UNITS + r"\s+ago\b"
_RELATIVE_TIME = re.compile(_AGO + r"|\b\d{1,2}:\d{2}(?::\d{2})?\b", re.IGNORECASE)
_TIME_ONLY = re.compile(r"\s*+(?:(?:last\s++)?(?:updated|published|posted)\s*+:?\s*+)?"
                        r"\d++\s*+" + _UNITS + r"\s++ago\b\s*+", re.IGNORECASE)
r"""A text that is a relative time and nothing else ("Updated 5 minutes ago"): chrome
wherever it is (a body keeping it would change on every request, with or without this).
Tried on every text of the container on every check, so its runs of spaces and digits
are possessive (``\s*+``): what follows each never starts with what it took, so giving
some back never makes a match (the same texts match as with ``\s*``,
tests/extract/test_recheck_serialise.py), but trying to, on each indented text, made this test a
quarter of the container's serialisation on the corpora's real pages."""
# Where a link's line ends, and the share of its text in links that makes it a line of
# links ("Read more: <a>…</a>" is; "Follow us on <a>Facebook</a>, <a>X</a> and …" is not).
_BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd",
                         "dt", "td", "th", "figcaption", "div", "section", "aside", "nav"})
_LINK_LINE = 0.5
# The body sources (body.BODY_SOURCES) that read the whole page: trafilatura's loose
# paragraphs (a <p> added anywhere may join the body) and the density reading. Their key's
# container is the whole <body>, every link's text included.
_WHOLE_PAGE = frozenset({"loose", "density"})
# The byline sources (metadata.BYLINE_SOURCES) whose every input the digest covers.
_MARKED_SOURCES = frozenset({"json-ld", "meta", "markup"})
_PARAGRAPHS = etree.XPath("count(.//p|.//li|.//h2|.//h3|.//blockquote|.//table)")
_REGION_PARAGRAPHS = etree.XPath("count(.//p|.//blockquote)")
_NON_LINK_TEXT = etree.XPath(".//text()[not(ancestor::a)][not(ancestor::script)]"
                             "[not(ancestor::style)]", smart_strings=False)


@dataclass(frozen=True)
class DecisionKey:
    """Where the container is (``locator``), which of its links are noise (``masked``,
    their positions among its ``<a>`` elements), the digest of all parts, what a check
    that matches records (the body's length), whether the parts include the page's
    credit lines (``credits``: when no markup the key covers names the byline), and how
    many levels above the container is the element trafilatura read the body from
    (``region``: 0 for the container itself, or none known), where the other elements
    it read are (``others``: for each apart from the container, its locator and its place
    among the elements that have it), whether extraction rewrote the page before its
    parse (``rewritten``: characters XML cannot hold dropped, the text recomposed; then
    each check rewrites it so too, :func:`.encoding.parseable`),
    for a body read from trafilatura's container, the most visible characters its page
    may hold (``visible``; 0 for a body read elsewhere: see the module docstring), whether
    the body is short (``short``: then the digest covers the page's password fields too),
    and the capture the key was made
    from (``capture``: see :func:`.fast_path.capture_digest`; the same bytes again are the
    same page). A page no digest can cover has a key of its capture alone (no locator, an
    empty ``digest``)."""

    locator: tuple[str, ...]
    masked: tuple[int, ...]
    digest: str
    body_length: int
    credits: bool = True
    region: int = 0
    others: tuple[tuple[int, tuple[str, ...]], ...] = ()
    rewritten: bool = False
    visible: int = 0
    short: bool = False
    capture: str = ""

    def dumps(self) -> str:
        """The key as stored (a compact JSON string, on the article's row)."""
        return json.dumps([KEY_VERSION, list(self.locator), list(self.masked), self.digest,
                           self.body_length, self.credits, self.region,
                           [[n, list(o)] for n, o in self.others], self.rewritten,
                           self.visible, self.short, self.capture],
                          ensure_ascii=False,
                          separators=(",", ":"))

    @classmethod
    def loads(cls, stored: str | None) -> DecisionKey | None:
        """The stored key; None for no key, a malformed one or another version's."""
        if not stored:
            return None
        try:
            version, *fields = json.loads(stored)
            if version != KEY_VERSION:
                return None
            # A key stored before ``capture`` was kept has no such field (no shortcut).
            locator, masked, digest, length, credits, region, others, rewritten, visible, \
                short, *capture = fields
            if len(capture) > 1:
                return None
            return cls(tuple(str(s) for s in locator), tuple(int(n) for n in masked),
                       str(digest), int(length), bool(credits), int(region),
                       tuple((int(n), tuple(str(s) for s in o)) for n, o in others),
                       bool(rewritten), int(visible), bool(short),
                       str(capture[0]) if capture else "")
        except (ValueError, TypeError):
            return None


def parse(text: str) -> etree._Element | None:
    """A cheap tree of the decoded page (lxml's own elements, comments dropped)."""
    return _document(text)[0]


def _document(text: str) -> tuple[etree._Element | None, bytes]:
    """The cheap tree of the decoded page, and the page in UTF-8 (the note scan reads it).

    lxml parses UTF-8 bytes faster than a ``str`` of wide characters (0.139 -> 0.123 ms a
    page) and the encoding, made once, serves both; a page with a lone surrogate (not
    UTF-8) is parsed from the ``str`` as before."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
        source: str | bytes | None = None
    else:
        source = raw
    try:
        if source is None or XML_DECLARATION.match(text):  # lxml refuses one in a str
            return etree.fromstring(XML_DECLARATION.sub("", text), _PARSER), raw
        return etree.fromstring(source, _UTF8_PARSER), raw
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None, raw


def decision_key(text: str, paragraphs: Sequence[str], *, title: str | None = None,
                 byline: str | None = None, byline_from: str | None = None,
                 body_from: str | None = None, regions: Sequence[Region] = (),
                 tree: etree._Element | None = None, rewritten: bool = False,
                 body_words: int | None = None, most_visible: int = 0,
                 ) -> DecisionKey | None:
    """The key of a page whose full extraction gave ``paragraphs`` (and ``title`` and
    ``byline``, read from ``byline_from``: see metadata.BYLINE_SOURCES; the body read from
    ``body_from``: see body.BODY_SOURCES, trafilatura taking it from the elements
    ``regions``), or None when the page cannot have one (a stub; a short body read
    elsewhere than trafilatura's container, or one read there with the density reading
    asked, long or short; a paragraph not found in the page, a container that is not
    unique, a page cut short). ``tree``: the page as extraction parsed it, untouched
    (its parser has this module's options: the same tree, so the same key), else it is
    parsed here;
    ``rewritten``: extraction parsed ``text`` rewritten (:func:`.encoding.parseable`);
    ``body_words``: the words of the body alone (the standfirst apart), as the refusal
    checks count them (by default, those of ``paragraphs``); ``most_visible``: the most
    visible characters the page could hold for extraction to read its body as it did
    (``extraction.Parsed.most_visible``; 0: none known, and a body read from
    trafilatura's container gets no digest)."""
    if body_words is None:
        body_words = counted_words(paragraphs)
    short = body_words < SHORT_WORDS
    held = body_from == "container"  # its page held to the visible text that kept it
    whole = body_from in _WHOLE_PAGE  # read from the whole page: all of it is covered
    if body_words < MIN_WORDS or not ends_whole(text) or len(paragraphs) > MAX_PARAGRAPHS \
            or (short and not held) or (held and most_visible <= 0):
        return None  # trafilatura's container only if read without a second opinion
    if rewritten:
        text = parseable(text)
    if tree is None:
        tree, raw = _document(text)
    else:
        raw = text.encode("utf-8", "surrogatepass")
    body = None if tree is None else tree.find("body")
    if tree is None or body is None or (held and not visible_at_most(tree, most_visible)):
        return None
    container = find(body, [spaceless(p) for p in paragraphs])
    if container is None:
        return None
    if whole:
        container = body
    locator = tuple(signature(e) for e in chain(container))
    if locate(tree, locator) is not container:
        return None
    result = spaceless(" ".join([title or "", byline or "", *paragraphs]))
    # A body read from the whole page may take in any line of it: no link's text is noise.
    masked = () if whole else _masked(container, result)
    credits = _credits_may_name(byline, byline_from)
    if (read := _read_from(tree, container, regions)) is None:
        return None
    region, others = read
    digest = _digest(raw, tree, container, set(masked), credits, region,
                     [element for *_, element in others], _fields(text) if short else None)
    return DecisionKey(locator, masked, digest, len("\n\n".join(paragraphs)), credits,
                       region, tuple((n, other) for n, other, _ in others), rewritten,
                       most_visible if held else 0, short)


def counted_words(paragraphs: Sequence[str]) -> int:
    """The words of ``paragraphs`` as the refusal checks and extraction count them, the
    fewer of the two (unspaced scripts by characters; whitespace-separated words)."""
    counted = spaced = 0
    for paragraph in paragraphs:
        words = len(paragraph.split())
        spaced += words
        counted += words if paragraph.isascii() else count_words(paragraph)
    return min(counted, spaced)


def _fields(text: str) -> str:
    """What the refusal checks read of a short body's whole page beyond what the digest
    covers: whether it holds a password field, on the page as extraction reads it."""
    return "password" if has_password_field(parseable(text)) else "none"


def _read_from(tree: etree._Element, container: etree._Element, regions: Sequence[Region],
               ) -> tuple[int, list[tuple[int, tuple[str, ...], etree._Element]]] | None:
    """Where the elements trafilatura read the body from are, beside the container: how
    many levels above it is the highest that holds it (0: none does), and the others, apart
    from it (for each: its place among the elements of its locator, the locator, itself).
    None when one of those cannot be found again (no key).

    Each is known by its tag, class and id and its depth in trafilatura's copy of the page:
    the element alike nearest that depth (trafilatura strips some wrappers, a ``<form>``
    around a whole page, say, which moves the depth), the first of those (its expressions
    take the first) that is not empty, with the empty ones before it: trafilatura prunes
    empty elements from its copy (vogelwarte.ch's empty search box before its language
    menu, alike), and one that fills is read first. One that holds the container
    holds more than it: a paragraph added anywhere in it may join the body. One apart from
    it was read first and gave too little (a menu, a teaser), but what it gave stays in
    trafilatura's reading: a paragraph added there joins the body too (found by inserting
    one at random places of the corpora's pages). One inside the container is covered by
    its serialisation."""
    ancestry = chain(container)
    above = 0
    others: list[tuple[int, tuple[str, ...], etree._Element]] = []
    for depth, tag, classes, ident in regions:
        levels = [n for n, element in enumerate(ancestry)
                  if (element.tag, element.get("class"), element.get("id")) ==
                  (tag, classes, ident)]
        if levels:
            if holding := [n for n in levels if n < len(ancestry) - 1]:
                nearest = min(holding, key=lambda n: abs(n - depth))
                above = max(above, len(ancestry) - 1 - nearest)
            continue
        alike = [e for e in tree.iter(tag)
                 if e.get("class") == classes and e.get("id") == ident]
        if not alike:
            return None
        away = [abs(sum(1 for _ in e.iterancestors()) - depth) for e in alike]
        for element in [e for e, off in zip(alike, away, strict=True) if off == min(away)]:
            if element is container or container in element.iterancestors():
                break  # in the container
            locator = tuple(signature(e) for e in chain(element))
            others.append((matching(tree, locator).index(element), locator, element))
            if len(element) or (element.text or "").strip():
                break  # the first that is not empty: trafilatura prunes empty elements
    return above, others


def _masked(container: etree._Element, result: str) -> tuple[int, ...]:
    """The positions, among the container's links, of those whose text is page noise: it
    gave the result no words, and its block is a line of links ("Read more: <a>…</a>", a
    teaser that rotates). A link in a block of words ("Follow us on <a>Facebook</a>, …")
    is not: extraction left that line out by its words, links' included, and an edit of
    them could make it the article's (found by mutating the corpora's pages)."""
    shares: dict[etree._Element, bool] = {}
    masked = []
    for n, link in enumerate(container.iter("a")):
        folded = spaceless(text_of(link))
        if not folded or folded in result:
            continue
        block = next((e for e in link.iterancestors() if e.tag in _BLOCK_TAGS or e is container),
                     container)
        if block not in shares:
            linked = sum(len(spaceless(text_of(a))) for a in block.iter("a"))
            shares[block] = linked >= _LINK_LINE * len(spaceless(text_of(block)))
        if shares[block]:
            masked.append(n)
    return tuple(masked)


def unchanged(text: str, key: DecisionKey) -> bool:
    """True only when every part of ``key`` is found in the page again and is the same."""
    if not ends_whole(text):
        return False
    tree, raw = _document(parseable(text) if key.rewritten else text)
    if tree is None or (key.visible and not visible_at_most(tree, key.visible)):
        return False
    container = locate(tree, key.locator)
    if container is None:
        return False
    others = []
    for place, locator in key.others:
        alike = matching(tree, locator)
        if place >= len(alike):
            return False
        others.append(alike[place])
    return _digest(raw, tree, container, set(key.masked), key.credits, key.region,
                   others, _fields(text) if key.short else None) == key.digest


def _credits_may_name(byline: str | None, byline_from: str | None) -> bool:
    """Whether the page's credit lines and author links must be read on every check: unless
    extraction read the byline from markup the digest covers (JSON-LD, author ``<meta>``
    tags, byline candidates) and it is full names. Markup comes first when extraction looks
    for authors, so while it is unchanged a credit line is not read (and a site's rotating
    "By …" teasers are no reason to extract a page again); a first name alone is completed
    from the credit line ("Todd" to "Todd Bates"), and a page without a byline, or with the
    site's name, takes one from a credit line that appears. What extraction said, not a
    guess at it: a guess missed edits of credit lines the key thought unread."""
    authors = [a.strip() for a in (byline or "").split(",") if a.strip()]
    return byline_from not in _MARKED_SOURCES or not authors or \
        any(len(a.split()) < 2 for a in authors)


def _digest(raw: bytes, tree: etree._Element, container: etree._Element, masked: set[int],
            with_credits: bool = True, region: int = 0,
            others: Sequence[etree._Element] = (), fields: str | None = None) -> str:
    """The key's digest: every part the module docstring names, hashed at once (and a
    short body's page's :func:`_fields`)."""
    sources, candidates = metadata_sources(tree), byline_candidates(tree)
    # Every part, each followed by a NUL, hashed at once (one encode, not one per part).
    parts: list[str] = []

    def put(*more: str) -> None:
        parts.extend(more)

    put("container")
    _serialise(container, masked, parts)
    put("around")
    # Beside the container, its text (a source line or a note the extraction left out is
    # taken in once its words change); a level up, the amount of text.
    for level, ancestor in enumerate([container, *container.iterancestors()][:2]):
        parent = ancestor.getparent()
        if parent is None:
            break
        for sibling in parent.iterchildren(tag=etree.Element):
            if sibling is ancestor:
                put("(here)")
            elif level == 0:
                put(signature(sibling), _beside(sibling), str(_count(sibling)))
            else:  # where menus, footers and sidebars are: chrome that rotates
                put(signature(sibling), str(_words(sibling)), "")
    # The element trafilatura read the body from, when it holds more than the container: a
    # paragraph added anywhere in it may join the body (the number of its paragraphs).
    put("region")
    if region:
        read = chain(container)[-1 - region]
        put(str(region), str(_count_of(_REGION_PARAGRAPHS, read)), *cut_lines(read, container))
    put("others")
    for other in others:
        put(str(_count_of(_REGION_PARAGRAPHS, other)), _beside(other))
    put("metadata", str(tree.get("lang") or ""), str(tree.get("xml:lang") or ""))
    for element in sources:
        tag = element.tag
        if tag == "meta":
            name = " ".join(str(element.get(a) or "") for a in
                            ("name", "property", "itemprop", "http-equiv", "charset"))
            if not _VOLATILE_META.search(name):
                put("meta", name, str(element.get("content") or ""))
        elif tag == "link":
            put("link", str(element.get("href") or ""))
        else:
            put(str(tag), text_of(element))
    put("bylines")
    for element in candidates:
        put(signature(element), _RELATIVE_TIME.sub("#", text_of(element)))
    # From <body on: the head's notes and credits are in its metadata, hashed whole.
    raw = raw[max(0, raw.find(b"<body")):]
    lowered = raw.lower()  # ASCII only: positions stay those of ``raw``
    put("corrections")
    for note in notes(raw, lowered):
        put(note)
    put("credits")
    for credit in credits(raw, lowered) if with_credits else ():
        put(credit)
    if fields is not None:
        put("fields", fields)
    parts.append("")
    return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=20).hexdigest()


def _serialise(container: etree._Element, masked: set[int], parts: list[str]) -> None:
    """Every tag, attribute and text of the container, but the noise (module docstring),
    appended to ``parts``. Called for every element of the body on every check: written
    for speed (lxml's own walk of the tree, bound methods, no sort or generator for an
    element without attributes; a Python recursion cost an eighth more on real pages)."""
    append, extend = parts.append, parts.extend
    time_only = _TIME_ONLY.fullmatch
    skipped = _SKIPPED_ATTRIBUTES
    links = -1
    hidden: etree._Element | None = None  # the masked link being walked: no text in it
    walker = etree.iterwalk(container, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if tag == "a":
                links += 1
                if hidden is None and links in masked:
                    hidden = element
            append("<" + tag)
            items = element.items()
            if len(items) == 1:  # the commonest case (a class): no sort, no generator
                name, value = items[0]
                if name not in skipped and not name.startswith("data-"):
                    append(f"{name}={_value(name, value)}")
            elif items:
                extend(f"{n}={v}" for n, v in sorted(
                    (name, _value(name, value)) for name, value in items
                    if name not in skipped and not name.startswith("data-")))
            append(">")
            if tag in OPAQUE:
                walker.skip_subtree()  # its end comes next: "</>", then its tail
            elif hidden is None and (text := element.text):
                append("(time)" if time_only(text) else text)
            continue
        if event == "end":  # (a comment or an instruction has no other: only its tail)
            append("</>")
        if element is hidden:
            hidden = None  # the link's own tail is its parent's text
        if hidden is None and element is not container and (tail := element.tail):
            append("(time)" if time_only(tail) else tail)


def _value(name: str, value: str) -> str:
    """An attribute's value as the container's digest holds it: ids and classes with their
    digits and hex runs masked; of a link's address, only what extraction reads of it,
    whether it leads to a page (a link that goes nowhere, ``#`` or a script's, is a control
    whose blocks are the page's text: ``markup.control_links``), not where."""
    if name in ("id", "class"):
        return mask(value)
    if name == "href":
        return "nowhere" if goes_nowhere(value) else "page"
    return value


def _non_link_words(element: etree._Element) -> list[str]:
    result = _NON_LINK_TEXT(element)
    return " ".join(cast(list[str], result)).split() if isinstance(result, list) else []


def _words(element: etree._Element) -> int:
    """The amount of text outside links, as a rough bucket: noise keeps its bucket."""
    return len(_non_link_words(element)).bit_length()


def _beside(element: etree._Element) -> str:
    """The text outside links of an element beside the container, its numbers and hex
    runs masked: a counter ("31 comments"), a relative time or a request id is chrome; its
    words, were they to change, could make it the article's to extraction (a source line
    no longer read as one)."""
    return VOLATILE.sub("#", " ".join(_non_link_words(element)))


def _count(element: etree._Element) -> int:
    """Paragraph-like descendants (a new paragraph beside the body changes this)."""
    return _count_of(_PARAGRAPHS, element)


def _count_of(expression: etree.XPath, element: etree._Element) -> int:
    result = expression(element)
    return int(result) if isinstance(result, float) else 0
