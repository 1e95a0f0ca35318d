"""Article metadata: headline, authors, dates, language, in a fixed order of trust.

JSON-LD first (publishers fill it most carefully: search engines read it), then OpenGraph
and other ``<meta>`` tags, then the page itself (``<time>``, a byline element, ``<h1>``,
``<title>``). Each field is taken from the first source that has a usable value, so a
broken or partial JSON-LD block only loses the fields it lacks. The publication date is
checked against htmldate's (:mod:`tearsheet.extract.dates`); dates come out timezone-aware
in the offset the page gives (UTC when it gives none: never moved to another day); authors
are kept in order, without duplicates, up to ``limits.authors``.

A page is hostile input: every loop here is linear in the page and bounded by
:class:`~tearsheet.config.LimitSettings` (authors, JSON-LD size and depth, ``<meta>`` sizes).
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import lxml.html
from lxml import etree

from tearsheet.config import DEFAULT_LIMITS, LimitSettings
from tearsheet.extract.blocks import clean
from tearsheet.extract.bylines import AUTHOR_SPLIT, author_link, credit_line, is_organisation
from tearsheet.extract.dates import parse_date, published_date
from tearsheet.extract.guards import guarded, guarded_all
from tearsheet.extract.headline import h1s, headline
from tearsheet.extract.script import fold
from tearsheet.urls import host_of

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
    "liveblogposting", "report", "webpage", "socialmediaposting", "scholarlyarticle",
}
_TITLE_META = ("og:title", "twitter:title", "parsely-title", "dc.title", "dc:title",
               "headline")
_DESCRIPTION_META = ("og:description", "twitter:description", "description",
                     "dc.description")
# Dublin Core's creator first: a field a publisher fills on purpose, where a theme's
# "author" meta often names the site or a placeholder (Readability reads it first too).
_AUTHOR_META = ("dc:creator", "dc.creator", "dcterms.creator", "author", "article:author",
                "byl", "parsely-author", "sailthru.author", "citation_author",
                "article:author_name", "og:article:author", "cxenseparse:author",
                "twitter:creator:name", "twitter:data1", "twitter:data2")
# Yoast's "twitter:label1" = "Written by" beside "twitter:data1" = the name: a data value is
# an author only under such a label (others say "Est. reading time", "2 minutes").
_WRITTEN_BY = re.compile(r"^\s*(?:written by|author|by|verfasst von|geschrieben von|autor|"
                         r"escrito por|écrit par|auteur|scritto da|autore|door)\s*:?\s*$",
                         re.IGNORECASE)
_PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished",
                   "pubdate", "publishdate", "publish-date", "dc.date.issued",
                   "sailthru.date", "parsely-pub-date")
# A plain "date" names no event (often the last change): trusted after the markup that
# says "published".
_DATE_META = ("dc.date", "date")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified",
                  "last-modified", "dc.date.modified", "lastmod")
_BY = re.compile(r"^\s*(?:(?:(?:written |posted |text |artikel )?(?:by|par|von|por|di|door|de)"
                 r"|auteur|autor|author|text|texte|redaktion)\s*:|(?:written |posted |text "
                 r"|artikel )?(?:by|par|von|por|di|door)\s"
                 # a label whose colon a normaliser dropped ("Author Julia Hitz")
                 r"|(?:author|autor|autorin|auteur|autrice|autore)\s(?=\w))\s*",
                 re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_NAME_WORD = re.compile(r"[^\W\d_]{2}")  # an avatar's initials ("J J") name no one
_DOMAIN = re.compile(r"\w\.(?:com|net|org|at|de|ch|fr|es|it|pl|uk|co|io|info)\b", re.IGNORECASE)
# A form's or a widget's label where a byline was looked for ("Follow", "Posted", the
# comment form's "Name"), with what a form adds ("Name (required)", "Name *").
_LABEL = re.compile(r"^\W*(?:follow|posted|username|user name|name|e-?mail|website|stand|"
                    r"share|author|autor|auteur|by|von|par|comments?)\W*"
                    r"(?:\((?:required|erforderlich|obligatoire|requerido)\))?\W*$",
                    re.IGNORECASE)
# A comment's header ("Ana Ruiz says:", WordPress's), where a byline class was looked for.
_SAYS = re.compile(r"\s(?:says|said|sagt|schreibt|meint|dit|dice|scrive)\s*:?\s*$", re.IGNORECASE)
_COPYRIGHT = re.compile(r"©|\(c\)|\bcopyright\b|\brights reserved\b", re.IGNORECASE)
_ORGANIZATIONS = {"organization", "newsmediaorganization", "corporation", "website"}
# Where a byline goes on to its date or reading time: "Ana Ruiz, May 1, 2024", "Ana Ruiz |
# 01.05.2024", "Bo Li Updated 3 hours ago", "Ana Ruiz · 5 min read". Names hold no digits.
_MONTHS = ("jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|"
           "juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|"
           "octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
           "septiembre|octubre|noviembre|diciembre")
_DATELIKE = (r"(?<!\w)(?:\d{1,4}[./-]\d{1,2}|\d{1,2}\.?\s+(?:" + _MONTHS + r")|(?:" + _MONTHS
             + r")[^\W\d]*\.?\s+\d|\d{1,2}:\d\d|\d+\s*(?:min|mins|minutes?|hours?|hrs?|days?)"
             r"\b|(?:19|20)\d\d\b)")
_DATE_TAIL = re.compile(
    r"\s*[|·•,]?\s*(?:" + _DATELIKE + r"|\b(?:last updated|updated|published|posted|"
    r"aktualisiert|veröffentlicht|stand|publié|mis à jour|actualizado|publicado|aggiornato|"
    r"pubblicato)\W+(?:on\W+|am\W+|le\W+|el\W+|il\W+)?" + _DATELIKE + r").*$",
    re.IGNORECASE | re.DOTALL)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


_H1S = 8
"""Distinct ``<h1>`` texts the headline is chosen among: a template repeats its menu's
heading ("Sections", twice) before the story's; the same text twice is one source, not
two that agree. (Bounded: a page of a thousand ``<h1>`` s is weighed in pairs.)"""


BYLINE_SOURCES = ("json-ld", "meta", "markup", "credit", "site")
"""Where a byline is read, in the order they are tried: a JSON-LD article's authors, the
author ``<meta>`` tags, elements marked as the author or byline (rel, itemprop, class, id),
a credit line of the page's text ("By …", "Autor: …") or a link to an author's page, and
the site's own name where nothing names anyone. The fast path's key (extract/recheck.py)
reads credit lines again on every check only when the byline may come from them."""


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    byline: str | None = None
    byline_from: str | None = None  # where the byline was read: see BYLINE_SOURCES
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    free: bool | None = None  # JSON-LD isAccessibleForFree, when the page says
    headings: tuple[str, ...] = ()  # the <h1> texts: never part of the body
    page_title: str | None = None  # the <title> as it is, site name and all
    kinds: frozenset[str] = frozenset()  # the schema.org types of its JSON-LD, lower-cased
    description: str | None = None  # the summary the page gives search engines and sharing
    declared_body: str | None = None  # the JSON-LD article's articleBody, as it is


def read_metadata(tree: lxml.html.HtmlElement, url: str | None = None,
                  limits: LimitSettings = DEFAULT_LIMITS) -> Metadata:
    """Everything but the body, from a parsed page (not modified)."""
    every = list(_json_ld(tree, limits))  # parsed once: the articles and the page's types
    items = [item for item in every if _is_article(item)]
    metas = _meta_tags(tree, limits.attribute_chars)
    cap = limits.authors
    h1 = h1s(tree)
    headings = tuple(h.whole for h in h1)

    # The document's <title>, not an inline icon's (<svg><title>Arrow</title>).
    page_title = _first(clean(_text(t)) for t in tree.iter("title")
                        if not any(a.tag == "svg" for a in t.iterancestors()))
    title = headline([
        _first(h.text for h in h1 if h.marked),
        _first(_str(i.get("headline")) or _str(i.get("name")) for i in items),
        *(metas.get(k) for k in _TITLE_META)], list(dict.fromkeys(h.text for h in h1))[:_H1S],
        page_title,
        sites=[metas.get("og:site_name"), *(_publisher(i) for i in items)],
        host=host_of(url) if url else None)

    # The site's names are no authors: a source that names only the site gives way to the next.
    site = {fold(n) for n in (metas.get("og:site_name"), metas.get("application-name"),
                               *(_publisher(i) for i in items)) if n}

    # ... but where no one else is named, the site is the byline ("Mac & i").
    named_site: list[str] = []

    def people(names: list[str]) -> list[str]:
        # A source that names an organisation among its authors names no one reliably.
        if any(is_organisation(a) for a in names):
            return []
        if not named_site:
            named_site.extend(a for a in names if fold(a) in site)
        return [a for a in names if fold(a) not in site and not _DOMAIN.search(a)]

    authors: list[str] = []
    nodes = _nodes(every)
    for item in items:
        authors = people(_author_names(item.get("author"), cap, nodes)
                         or _author_names(item.get("creator"), cap, nodes))
        if authors:
            break
    byline_from = "json-ld" if authors else None

    def meta_authors() -> list[str]:
        for key in _AUTHOR_META:
            if key.startswith("twitter:data") and not _WRITTEN_BY.match(
                    metas.get(key.replace("data", "label")) or ""):
                continue
            values = [v for v in metas.get_all(key) if not _is_url(v)]
            named_site.extend(v for v in values[:1] if not named_site and fold(v) in site)
            # The site's name whole, before a split makes two "authors" of "Jobs & Hire".
            found = people(_split_authors([v for v in values if fold(v) not in site], cap))
            if found:
                return found
        return []

    if not authors:
        authors = meta_authors()
        byline_from = "meta" if authors else None
    elif any(k in metas.values for k in _AUTHOR_META):
        # JSON-LD that names the first of the authors the metas list names them all.
        listed = meta_authors()
        known = {fold(a) for a in authors}
        if len(listed) > len(authors) and known <= {fold(a) for a in listed} and all(
                " " in a for a in listed if fold(a) not in known):  # names, not initials
            authors, byline_from = listed, "meta"
    if not authors:
        authors = _split_authors(_byline_elements(tree), cap)
        byline_from = "markup" if authors else None
    if not authors:
        authors = _split_authors([v for v in _visible_byline(tree) if not _SAYS.search(v)], cap)
        authors = [] if any(is_organisation(a) for a in authors) else authors
        byline_from = "markup" if authors else None
    if not authors:
        authors = _split_authors([credit_line(tree) or author_link(tree) or ""], cap)
        byline_from = "credit" if authors else None
        if not authors:
            authors, byline_from = named_site[:1], "site" if named_site else None
    elif len(authors) == 1 and " " not in authors[0]:
        # A first name alone ("Todd") where the credit line gives it whole ("Todd Bates").
        credited = _split_authors([credit_line(tree) or ""], cap)
        if credited and fold(credited[0]).startswith(fold(authors[0]) + " "):
            authors, byline_from = credited, "credit"

    marked_published, marked_modified = _marked_dates(tree)
    published = published_date(tree, url, [
        *(i.get("datePublished") for i in items), *(metas.get(k) for k in _PUBLISHED_META),
        *marked_published, *(metas.get(k) for k in _DATE_META)])
    modified = _first(parse_date(i.get("dateModified")) for i in items) \
        or _first(parse_date(metas.get(k)) for k in _MODIFIED_META) \
        or _first(parse_date(v) for v in marked_modified)

    language = _first(_language(_str(i.get("inLanguage"))) for i in items) \
        or _language(tree.get("lang") or tree.get("xml:lang")) \
        or _language(metas.get("content-language")) \
        or _language(metas.get("og:locale"))

    free = None
    for item in items:
        if item.get("isAccessibleForFree") is not None:
            free = str(item["isAccessibleForFree"]).strip().lower() not in ("false", "0", "no")
            break
    return Metadata(
        title=clean(title) or None, byline=", ".join(authors) or None,
        byline_from=byline_from,
        published_at=published, modified_at=modified, language=language, free=free,
        headings=headings, page_title=page_title, kinds=_types(every),
        description=clean(_first(metas.get(k) for k in _DESCRIPTION_META)
                          or _first(_str(i.get("description")) for i in items)) or None,
        declared_body=_article_body(items),
    )


def json_ld_body(tree: lxml.html.HtmlElement,
                 limits: LimitSettings = DEFAULT_LIMITS) -> str | None:
    """The ``articleBody`` a page declares in JSON-LD, if any (benchmarked as a candidate)."""
    return _article_body(_json_ld_articles(tree, limits))


def _article_body(items: Iterable[dict[str, Any]]) -> str | None:
    for item in items:
        body = item.get("articleBody")
        if isinstance(body, str) and body.strip():
            return body
    return None


class _Metas:
    """``<meta>`` tags by lower-cased name/property/itemprop/http-equiv, in page order."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}

    def add(self, key: str, value: str) -> None:
        if key and value.strip():
            self.values.setdefault(key, []).append(value.strip())

    def get(self, key: str) -> str | None:
        found = self.values.get(key)
        return found[0] if found else None

    def get_all(self, key: str) -> list[str]:
        return self.values.get(key, [])


def _meta_tags(tree: lxml.html.HtmlElement, max_chars: int) -> _Metas:
    metas = _Metas()
    for element in tree.iter("meta"):
        content = element.get("content") or ""
        if len(content) > max_chars:
            continue  # no headline, name or date is that long: padding or an attack
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            # RDFa lets one attribute name several properties: "og:title dc:title".
            for key in (element.get(attribute) or "").lower().split()[:4]:
                metas.add(key, content)
    return metas


# JSON-LD wrapped as XHTML character data ("<![CDATA[ … ]]>", often behind "//"): the
# wrapper is not JSON, and two thirds of the JSON-LD pages of one corpus carry it.
_CDATA = re.compile(r"^\s*(?://\s*|/\*\s*)?<!\[CDATA\[|(?://\s*|/\*\s*)?\]\]>(?:\s*\*/)?\s*$")


def _json_ld(tree: lxml.html.HtmlElement, limits: LimitSettings) -> Iterator[dict[str, Any]]:
    """Every object of the page's JSON-LD, nested ones too (down to ``limits.nesting``)."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = script.text_content() or "null"
        if len(text) > limits.json_ld_bytes:
            continue  # larger than any article's metadata: skipped, not parsed
        try:
            data = json.loads(_CDATA.sub("", text) or "null", strict=False)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            continue  # broken JSON-LD is common: the other sources remain
        yield from _walk_ld(data, limits.nesting)


def _json_ld_articles(tree: lxml.html.HtmlElement,
                      limits: LimitSettings) -> Iterator[dict[str, Any]]:
    yield from (item for item in _json_ld(tree, limits) if _is_article(item))


def _types(items: list[dict[str, Any]]) -> frozenset[str]:
    """The schema.org types of JSON-LD objects, lower-cased."""
    found: set[str] = set()
    for item in items:
        kinds = item.get("@type")
        found.update(k.lower() for k in (kinds if isinstance(kinds, list) else [kinds])
                     if isinstance(k, str))
    return frozenset(found)


def _walk_ld(data: Any, levels: int) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-LD document, down to ``levels`` deep (hostile nesting)."""
    if levels <= 0:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item, levels - 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), list | dict):
                yield from _walk_ld(data[key], levels - 1)


def _is_article(item: dict[str, Any]) -> bool:
    kinds = item.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(n, str) and n.lower() in _ARTICLE_TYPES for n in names) and (
        "headline" in item or "articleBody" in item or "datePublished" in item
    )


def _nodes(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The page's JSON-LD objects by ``@id``: an ``@graph`` names its author by reference
    (``"author": {"@id": "…#/schema/person/…"}``, Yoast's and others' default), the
    person's name is in another node of the graph."""
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        key = item.get("@id")
        if isinstance(key, str) and len(item) > 1:
            found.setdefault(key, item)
    return found


def _author_names(value: Any, cap: int,
                  nodes: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Names of JSON-LD authors: people, not the organisation that publishes them; a
    reference to another node (``{"@id": …}``) is read as that node."""
    items = value if isinstance(value, list) else [value]
    if nodes:
        items = [nodes.get(item["@id"], item)
                 if isinstance(item, dict) and isinstance(item.get("@id"), str)
                 and "name" not in item else item for item in items]
    names = [name for name in (item.get("name") if isinstance(item, dict) else item
                               for item in items
                               if not (isinstance(item, dict) and _is_organization(item)))
             if isinstance(name, str) and not _is_url(name)]
    return _split_authors(names, cap)


def _is_organization(item: dict[str, Any]) -> bool:
    kinds = item.get("@type")
    return any(isinstance(k, str) and k.lower() in _ORGANIZATIONS
               for k in (kinds if isinstance(kinds, list) else [kinds]))


def _publisher(item: dict[str, Any]) -> str | None:
    publisher = item.get("publisher")
    name = publisher.get("name") if isinstance(publisher, dict) else None
    return name if isinstance(name, str) else None


def _visible_byline(tree: lxml.html.HtmlElement) -> list[str]:
    """The byline a reader sees, as trafilatura finds it (author and byline classes and
    attributes, in its order of trust): for pages that mark their author up nowhere else."""
    from trafilatura.metadata import extract_author

    found = _byline_in_place(tree)
    if found is _UNDECIDED:
        found = extract_author(tree)
    return [found] if isinstance(found, str) and found else []


_UNDECIDED = object()


def _byline_in_place(tree: lxml.html.HtmlElement) -> object:
    """What ``trafilatura.metadata.extract_author`` finds, without its copy of the page.

    It copies the page, prunes what cannot hold the byline (comments, sidebars, dates,
    figures) and takes the first candidate of its expressions whose text is a name's
    length; the copy and the prune are half its cost. Here the candidates are read on
    the page itself: one inside what the prune removes is passed over, and one whose own
    text the prune would cut leaves the answer :data:`_UNDECIDED` (then trafilatura's own
    reading decides). Same answers: tests/extract/test_bylines.py compares them.
    """
    paths = _byline_paths()
    if paths is None:
        return _UNDECIDED
    expressions, pruned_with, pruned_within, trim, normalize = paths
    for expression in expressions:
        for element in cast(list[Any], expression(tree)):
            if any(a is not tree for a in cast(list[Any], pruned_with(element))):
                continue
            if pruned_within(element):
                return _UNDECIDED
            content = trim(" ".join(element.itertext()))
            if content and 2 < len(content) < _BYLINE_CHARS and not _LABEL.match(content):
                return normalize(None, content)
    return None


_BYLINE_CHARS = 120  # extract_author's length limit


def _one_step(path: str) -> bool:
    """The XPath is a single step with predicates (no union, nothing after them)."""
    depth, quote = 0, ""
    for n, char in enumerate(path):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and n >= len(".//*") and not char.isspace():
            return False
    return depth == 0 and not quote


@functools.cache
def _byline_paths() -> tuple[Any, ...] | None:
    """trafilatura's byline expressions, and its prune's as tests of an element's
    ancestors and descendants (None if an upgrade changed their shape); their regular
    expressions guarded (:mod:`.guards`)."""
    try:
        from trafilatura.json_metadata import normalize_authors
        from trafilatura.utils import trim
        from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS, REGEXP_NS
    except ImportError:
        return None
    if len(AUTHOR_DISCARD_XPATHS) != 2 or \
            " ".join(AUTHOR_DISCARD_XPATHS[1].path.split()) != "//time|//figure":
        return None
    discard = AUTHOR_DISCARD_XPATHS[0].path.strip()
    if not discard.startswith(".//*[") or not _one_step(discard):
        return None
    test = guarded(AUTHOR_DISCARD_XPATHS[0], unions=False).path.strip()[len(".//*"):]
    spaces = {"re": REGEXP_NS}
    # The prune removes every match below the root, and then every <time> and <figure>.
    pruned_with = etree.XPath(f"ancestor-or-self::*{test}|ancestor-or-self::time"
                              "|ancestor-or-self::figure", namespaces=spaces)
    pruned_within = etree.XPath(f"descendant::*{test}|descendant::time|descendant::figure",
                                namespaces=spaces)
    return tuple(guarded_all(tuple(AUTHOR_XPATHS))), pruned_with, pruned_within, trim, \
        normalize_authors


def _split_authors(values: list[str], cap: int) -> list[str]:
    """Names from byline strings, in order, without duplicates, at most ``cap`` of them;
    a date, a time or a reading time after a name is not part of it.

    Linear: a dict keeps the names seen (a page may list thousands), and reading stops at
    the cap."""
    names: dict[str, None] = {}
    for value in values:
        # Entities left escaped in metadata ("Redacci&oacute;n") read before the split on ";".
        value = html.unescape(value) if "&" in value else value
        for part in AUTHOR_SPLIT.split(_DATE_TAIL.sub("", _BY.sub("", clean(value)))):
            part = _DATE_TAIL.sub("", _BY.sub("", part)).strip(" .,:;-–—|·•")
            if part and len(part) <= 80 and _NAME_WORD.search(part) \
                    and not _COPYRIGHT.search(part) and not _LABEL.match(part) \
                    and not part.startswith("@"):  # a social handle names no one
                names[part] = None
                if len(names) >= cap:
                    return list(names)
    return list(names)


# Attributes found, then their elements (``//@a[…]/..``): libxml2 walks attribute nodes
# without a predicate per element, where ``//*[@a='v']`` makes one for every element of
# the page (a third to a fifth of the cost; the same elements, in page order).
_DATED = etree.XPath("//@itemprop[.='datePublished' or .='dateModified']/.."
                     "|//time[@pubdate]")


def _marked_dates(tree: lxml.html.HtmlElement) -> tuple[list[str], list[str]]:
    """The ``content`` and ``datetime`` of elements marked ``itemprop="datePublished"``
    (and ``<time pubdate>``'s ``datetime``), then of ``dateModified``: in page order, as
    the XPath union of each would give them, from one pass over the page instead of five."""
    published: list[str] = []
    modified: list[str] = []
    for element in cast(list[Any], _DATED(tree)):
        prop = element.get("itemprop")
        pubdate = element.tag == "time" and element.get("pubdate") is not None
        for name, value in element.items():
            if name in ("content", "datetime"):
                if prop == "datePublished" or (pubdate and name == "datetime"):
                    published.append(value)
                if prop == "dateModified":
                    modified.append(value)
    return published, modified


_MARKED_AUTHORS = etree.XPath(
    "//@rel[.='author']/..|//@itemprop[.='author']/..//@itemprop[.='name']/.."
    "|//@itemprop[.='author']/parent::*[not(.//@itemprop[.='name'])]")
# "byline", or a prefixed one ("pb-byline", "article_byline"): not "byline-date".
_BYLINE_CLASS = etree.XPath("//@class[contains(., 'byline')]/parent::*"
                            "[contains(concat(' ', normalize-space(@class), ' '), ' byline ') or "
                            "contains(concat(normalize-space(@class), ' '), '-byline ') or "
                            "contains(concat(normalize-space(@class), ' '), '_byline ')]")


def _byline_elements(tree: lxml.html.HtmlElement) -> list[str]:
    """Author links or names marked up as such (all of them), else the first byline."""
    marked = cast(list[Any], _MARKED_AUTHORS(tree))
    texts = [t for t in (clean(_text(e)) for e in marked[:10]) if t and len(t) <= 80]
    if texts:
        return texts
    for element in cast(list[Any], _BYLINE_CLASS(tree))[:1]:
        text = clean(_text(element))
        if text and len(text) <= 120:
            return [text]
    return []


def _language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().replace("_", "-")
    return value if _LANGUAGE.match(value) else None


def _first(values: Iterator[Any] | Any) -> Any:
    for value in values:
        if value:
            return value
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _is_url(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://", "www."))


def _text(element: Any) -> str:
    return "".join(str(t) for t in element.itertext())
