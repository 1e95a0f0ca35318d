"""The headline: the one the page's own sources agree on, less the site's name.

A page names its headline several times (JSON-LD, OpenGraph, Twitter, parse.ly and Dublin
Core metas, the ``<h1>`` s, the ``<title>``), and each may add the site's or the section's
name after a separator ("Headline | Site", "Site: Headline"), or name the site alone (a
logo's ``<h1>``, a section's). The principles, in order:

- **A name the page gives its site is no headline**: ``og:site_name``, ``application-name``,
  the publisher in JSON-LD, and what a title holds beside a part another source gives as
  its headline ("Mozilla - Wikipedia" beside the ``<h1>`` "Mozilla": "Wikipedia" is the
  site's). So is a candidate that spells the host's name ("Zoll" on www.zoll.de, "Anwalt
  Niemeyer" on anwaltniemeyer.de: a logo's ``<h1>``, a home ``<title>``), unless every
  candidate does. A candidate that is one of these names is dropped; a part of a
  candidate that is one is cut off.
- **A part another source gives whole is the headline**: "EMACSPEAK: Meta-Programming In
  Emacs" beside an ``<h1>`` "Meta-Programming In Emacs" is that ``<h1>`` and a site name;
  so is "Chronik: Headline" beside the ``<h1>`` "Headline" (a kicker after a colon).
- **Most agreement wins**: each candidate is backed by the others that agree with it (most
  of the shorter one's words in the longer); ties go to the declared sources (JSON-LD and
  metas), then to the ``<title>``, then to the ``<h1>`` s: an ``<h1>`` backed by nothing
  is as likely a section's heading ("Information and Resources") as the headline, while
  the ``<title>`` names the document.
- **The headline readers see**: an ``<h1>`` the winner pads ("Headline Rezept | Site",
  "Kicker Headline") is the headline; the padding is for search and sharing. A kicker the
  ``<h1>`` holds in an element of its own (``class="dachzeile"``) is no part of it.
- **A slug is no headline**: a candidate written as an address's last part, lower-case
  words joined by hyphens or underscores and no space ("adac-kindersitztest-herbst-2018"
  as ``og:title``), is the name the publishing system files the page under.
- Entities left escaped in metadata ("&#8211;", "&#039;") are read as the characters.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import lxml.html

from tearsheet.extract.blocks import clean
from tearsheet.extract.script import fold

__all__ = ["H1", "h1s", "headline"]

# Separators between a headline and a site or section name: with space on both sides,
# or as Chinese and Japanese sites write them, a full-width bar, or an underscore or a
# hyphen between two characters of those scripts ("标题_科技_腾讯网", "标题！-新华网"),
# where no space is written. Several in a row are one ("Site // » Headline").
_SEPARATOR = r"(?:[|–—·•:»›\-]|//|::)"
_SEPARATORS = re.compile(
    rf"(\s+{_SEPARATOR}(?:\s+{_SEPARATOR})*\s+|\s*｜\s*"
    r"|(?<=[^\x00-\u2fff])[_\-－](?=[^\x00-\u2fff]))")
# Also a colon written after a word ("Chronik: Headline", "Headline: Die Erklärung"):
# a kicker or a tail when another source gives the rest whole, but too often the
# headline's own ("Minister: We will act") to cut a title that nothing backs.
_RUN_SEPARATORS = re.compile(_SEPARATORS.pattern[:-1] + r"|(?<=\w)[:：]\s+)")
_WORDS = re.compile(r"\w+")
# The class of a kicker over a headline, in the languages news is written in (Dachzeile
# and Spitzmarke, surtitre, antetítulo, occhiello), as a word of the class attribute.
_KICKER = re.compile(r"(?:^|[\s_-])(?:kicker|dachzeile|spitzmarke|overline|topline|roofline|"
                     r"eyebrow|super-?title|super-?headline|surtitre|antetitulo|occhiello|"
                     r"pre-?title)(?:$|[\s_-])", re.IGNORECASE)
_SLUG = re.compile(r"[^\W_A-Z]+(?:[-_][^\W_A-Z]+){2,}")  # (three words at least)
_MAX_PARTS = 12  # of a title read as "Headline | Section | Site"
_CACHED_CHARS = 400  # a title's splits are cached up to this length
_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum refuses
_PORT = re.compile(r":\d+$")  # of a host as urls.host_of gives it ("example.com:8080")


def headline(declared: Sequence[str | None], headings: Sequence[str], title: str | None,
             sites: Iterable[str | None] = (), host: str | None = None) -> str | None:
    """The headline of a page: ``declared`` are its JSON-LD and meta titles in order of
    trust, ``headings`` its ``<h1>`` texts, ``title`` its ``<title>``, ``sites`` the names
    it gives itself (``og:site_name``…), ``host`` its URL's host name."""
    given = [c for c in (_unescaped(d) for d in declared) if c and not _slug(c)]
    title = _unescaped(title)
    if title and _slug(title):
        title = None
    names = {fold(s) for s in sites if s}
    everything = [*given, *headings, *([title] if title else [])]
    names |= _host_names(everything, host)
    folded = {fold(d) for d in given}
    logos: set[str] = set()
    folds = [fold(c) for c in everything]
    for candidate in everything:
        runs = _runs(candidate)
        if not runs:
            continue
        first = _parts(candidate, _RUN_SEPARATORS)[0]
        for other, key in zip(everything, folds, strict=True):
            if other is candidate or key in names or key not in runs:
                continue
            rest = runs[key]
            if candidate is title and other in headings and key not in folded \
                    and first in rest and len(rest[0].split()) >= 2:
                logos.add(key)  # "Headline | Site" beside the site's <h1>
            else:  # a part another source gives whole: the rest names the site
                left = {fold(p) for p in rest}
                own = {fold(p) for p in _parts(other, _RUN_SEPARATORS)}
                # (not the headline's own parts, where the title repeats it whole)
                names.update(left - own if own <= left else left)
    names.update(logos)
    named = [c for c in (_without_site(c, names) for c in given) if c]
    h1s = [h for h in headings if fold(h) not in names]
    page = _without_site(title, names) if title else ""
    if len(_parts(page)) > 1 and not _backed(page, [*named, *h1s]):
        page = _title_headline(page)
    named += h1s
    if page:
        named.append(page)
    if not named:
        return None
    keys = [_key(c) for c in named]
    support = [sum(_agree(k, other) for j, other in enumerate(keys) if j != n)
               for n, k in enumerate(keys)]
    if page and not any(support):
        # Nothing agrees: the <title> names the document; a lone <h1> may be a section's.
        return _first_of(named[:-1 - len(h1s)]) or page
    best = max(range(len(named)), key=lambda n: (support[n], -n))
    return _visible(named[best], h1s)


def _slug(text: str) -> bool:
    """Lower-case words joined by hyphens or underscores, no space: an address's part."""
    return _SLUG.fullmatch(text) is not None and text != text.upper()


def _host_names(candidates: Sequence[str], host: str | None) -> set[str]:
    """The candidates, and parts of them, that spell the site's host name ("Zoll" on
    www.zoll.de, "Anwalt Niemeyer" on anwaltniemeyer.de, "example.com"): a site's logo or
    name, no headline. Nothing where that would leave no candidate whole."""
    spellings = _host_spellings(host)
    if not spellings:
        return set()
    found = {fold(part) for candidate in candidates
             for part in _parts(candidate, _RUN_SEPARATORS) if _letters(part) in spellings}
    if all(fold(c) in found for c in candidates):
        return set()
    return found


def _host_spellings(host: str | None) -> set[str]:
    """How a site writes its host's name: the name with and without its suffix, and the
    whole host ("zoll", "zollde", "wwwzollde" for www.zoll.de), of four letters or more."""
    labels = [label for label in _PORT.sub("", host or "").casefold().split(".") if label]
    if len(labels) < 2:
        return set()
    whole = labels[1:] if labels[0] == "www" else labels
    name = whole[-2] if len(whole[-2]) > 3 or len(whole) < 3 else whole[-3]
    forms = {_letters(name), _letters("".join(whole)), _letters("".join(labels)),
             _letters(name + whole[-1])}
    return {f for f in forms if len(f) >= 4}


def _letters(text: str) -> str:
    """``text`` case-folded, of its letters and digits only (as ``str.isalnum`` has them:
    a regular expression's word characters less the underscore, the same set)."""
    return _NOT_ALNUM.sub("", text.casefold())


def _visible(chosen: str, h1s: Sequence[str]) -> str:
    """The ``<h1>`` that ``chosen`` pads ("Headline Rezept | Site", "Kicker Headline",
    "Headline (update)"): the headline as readers see it. It must open or close the
    chosen title, or be one of its parts, and have three words (a section's name has
    fewer)."""
    key = fold(chosen)
    parts = {fold(p) for p in _parts(chosen, _RUN_SEPARATORS)}
    for h1 in h1s:
        own = fold(h1)
        if own != key and len(h1.split()) >= 3 and (
                (key.startswith(own) and not key[len(own)].isalnum())
                or (key.endswith(own) and not key[-len(own) - 1].isalnum()) or own in parts):
            return h1
    return chosen


@dataclass(frozen=True)
class H1:
    """An ``<h1>`` as the headline rules read it."""

    whole: str  # all its text (what the body's edges compare against)
    text: str  # less a kicker it holds in an element of its own
    marked: bool  # the page's microdata declares it the headline (itemprop="headline")


def h1s(tree: lxml.html.HtmlElement) -> list[H1]:
    """The page's ``<h1>`` s with text, read in one pass.

    A kicker held in an element of its own (``<h1><span class="dachzeile">Interne
    Unterlagen</span><span class="headline">Daten gehackt</span></h1>``) is a label over
    the headline, not part of it. ``itemprop="headline"`` is a declaration on the headline
    readers see."""
    found = []
    for h1 in tree.iter("h1"):
        whole = clean("".join(str(t) for t in h1.itertext()))
        if not whole:
            continue
        text = ""
        if any(_is_kicker(e) for e in h1.iterdescendants()):
            bare = copy.deepcopy(h1)
            for kicker in [e for e in bare.iterdescendants() if _is_kicker(e)]:
                kicker.drop_tree()
            text = clean(bare.text_content())
        marked = "headline" in str(h1.get("itemprop") or "").casefold().split()
        found.append(H1(whole, text or whole, marked))
    return found


def _is_kicker(element: lxml.html.HtmlElement) -> bool:
    return isinstance(element.tag, str) and bool(_KICKER.search(str(element.get("class") or "")))


def _first_of(candidates: Sequence[str]) -> str | None:
    return candidates[0] if candidates else None


def _unescaped(text: str | None) -> str | None:
    """The text cleaned, its escaped entities read ("&#8211;" → "–")."""
    if not text:
        return None
    return clean(html.unescape(text) if "&" in text else text) or None


def _parts(text: str, separators: re.Pattern[str] = _SEPARATORS) -> list[str]:
    return list(_pieces(text, separators)[::2])


def _pieces(text: str, separators: re.Pattern[str]) -> tuple[str, ...]:
    """``text`` split at ``separators``, the separators kept between the parts. Cached
    (titles of a headline's length): the rules split each candidate again and again, a
    site's name on every page, and the splits' look-arounds make each one ~6 µs."""
    if len(text) > _CACHED_CHARS:  # a hostile page's 100 KB <h1> is not kept
        return tuple(separators.split(text))
    return _cached_pieces(text, separators)


@functools.lru_cache(maxsize=4096)
def _cached_pieces(text: str, separators: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(separators.split(text))



def _runs(text: str) -> dict[str, list[str]]:
    """The runs of parts at either end of a title ("A | B | C": "A", "A | B", "C",
    "B | C"), folded, each with the parts left beside it."""
    pieces = _pieces(text, _RUN_SEPARATORS)
    parts = list(pieces[::2])
    runs: dict[str, list[str]] = {}
    if len(parts) > _MAX_PARTS:
        return runs  # no "Headline | Site": and a hostile page's thousands would be quadratic
    for n in range(1, len(parts)):
        runs[fold("".join(pieces[:2 * n - 1]))] = parts[n:]
        runs[fold("".join(pieces[2 * n:]))] = parts[:n]
    return runs


def _without_site(candidate: str, names: set[str]) -> str:
    """The candidate less the parts that are the site's names (none if it is one)."""
    if fold(candidate) in names:
        return ""
    pieces = list(_pieces(candidate, _RUN_SEPARATORS))  # parts, separators between
    while len(pieces) > 1 and fold(pieces[-1]) in names:
        del pieces[-2:]
    while len(pieces) > 1 and fold(pieces[0]) in names:
        del pieces[:2]
    return "".join(pieces)


def _backed(candidate: str, others: Sequence[str]) -> bool:
    return any(fold(candidate) == fold(o) for o in others)


def _title_headline(title: str) -> str:
    """"Headline | The Daily Example" → "Headline": the first part, unless it is one word
    (then the site name probably comes first, and the longest part is the headline)."""
    parts = _parts(title)
    return parts[0] if len(parts[0].split()) >= 2 else max(parts, key=len)


def _key(title: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(title.casefold()))


def _agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two titles agree when most words of the shorter are in the longer."""
    if not a or not b:
        return False
    return len(a & b) >= 0.7 * min(len(a), len(b))
