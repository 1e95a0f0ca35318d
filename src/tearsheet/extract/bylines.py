"""The byline a reader sees as a line of text: "By Ana Ruiz", "Von Jan Koch und Eva Roth,
NDR", "Text: Bo Li", "Posted on May 1, 2024 by Ana Ruiz | 5 min read".

Many pages mark their author up nowhere (no JSON-LD, no ``<meta>``, no author class) but
print a credit line. A line here is the text between two block boundaries, as a reader
sees it, each element's text a word apart (a page's style, not its markup, often puts the
space between "By" and the name); a credit line is a by-word or an author label ("By",
"Von", "Par", "Autor:"), then names, then perhaps a date, a role or a source after a
separator. The names must read as names (capitalised words, name particles between
them, no digits), so "Von Montag bis Freitag" or "By clicking Submit" are no credits; a
lone by-word or label ("Autor:") takes the next line as its names. The first credit line
of the page is its byline: the article's comes before its comments'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import lxml.html
from lxml import etree

from tearsheet.extract.script import unaccented

__all__ = ["AUTHOR_PATHS", "AUTHOR_SPLIT", "CREDIT_WORDS", "author_link", "credit_line",
           "is_organisation"]

AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.IGNORECASE)
_MAX_LINES = 3000  # lines read, at most (a page is hostile; bylines come early)
_MAX_CHARS = 160  # a credit line is short: a longer one is prose that starts with "By"
# Block boundaries: the text between two of them is one line.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul"})
# What a reader does not see as the page's text, and menus and forms (no credit there).
_SKIP = frozenset({"script", "style", "noscript", "template", "select", "option", "textarea",
                   "button", "svg", "iframe", "nav", "form", "head", "title"})
_BY_WORDS = ("by", "von", "par", "por", "door", "di", "av", "af", "przez")
_LABELS = ("author", "authors", "autor", "autorin", "autoren", "auteur", "auteurs", "autore",
           "autores", "text", "texte", "redaktion", "reporter", "written by", "words")
# What may lead up to a by-word: "Ein Artikel von", "Text von", "Posted on May 1, 2024 by".
_LEADS = ("artikel", "beitrag", "article", "text", "texte", "interview", "written", "posted",
          "published", "geschrieben", "verfasst", "erstellt", "bericht", "reported", "publié",
          "écrit", "escrito", "publicado", "scritto")
_BY_WORD = "(?:" + "|".join(_BY_WORDS) + ")"
_LABEL = "(?:" + "|".join(_LABELS) + ")"
_LEAD = (r"(?:(?:ein|eine|a|an|un|une)\s+)?(?:" + "|".join(_LEADS) + r")"
         r"(?:\s+(?:on|am|le|el|il)\s+[^|]{1,40}?)?")
CREDIT_WORDS = tuple(sorted({w.split()[0] for w in (*_BY_WORDS, *_LABELS, *_LEADS)}))
"""Every word a credit line can open with (after a date, or "a"/"ein"): the fast path's
decision key (extract/recheck.py) covers each line of the page that does."""
AUTHOR_PATHS = (r"(?:authors?|autor(?:en|in)?|auteurs?|autori?|journalists?|staff|"
                r"redakteur(?:e|in)?|mitarbeiter|people)")
"""The path segment of a link into a site's authors' pages ("/autoren/ana-ruiz/")."""
# A date may come first: "05.02.2020 - Redaktion: Ana Ruiz".
_CREDIT = re.compile(rf"^\W{{0,3}}(?:\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}\s*[-–—|·•]\s*)?"
                     rf"(?:(?:{_LEAD}\s+)?{_BY_WORD}\b\s*:?|{_LABEL}\s*:)\s*(.*)$",
                     re.IGNORECASE)
# Where the names end: a separator before a date, a role, a source or a photo credit.
_END = re.compile(r"\s*(?:[|·•(/\d]|\s[-–—]\s|$)")
_PARTICLES = frozenset({"al", "bin", "d'", "da", "das", "de", "del", "della", "den", "der",
                        "las", "los",
                        "di", "do", "dos", "du", "ibn", "la", "le", "st.", "ten", "ter",
                        "van", "von", "zu", "zum"})
_LEGAL_FORMS = frozenset({"e.v.", "ev.", "e.v", "gmbh", "ggmbh", "mbh", "ag", "kg", "inc",
                          "inc.", "ltd", "ltd.", "llc", "plc", "corp.", "s.a.", "s.l.", "e.g."})
# Lower-case articles and prepositions that join an organisation's or a title's words.
_JOINERS = frozenset({"der", "den", "dem", "des", "die", "für", "fuer", "über", "zur", "im",
                      "of", "for", "the", "on", "at", "in", "pour", "sur", "per", "para"})
_LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# A link into the site's authors' pages: a path segment naming them, then the author's.
_AUTHOR_LINKS = etree.XPath(
    f"//body//a[@href][re:test(@href, '/{AUTHOR_PATHS}/[^/?#]+/?(?:[?#]|$)', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"})
_MAX_LINKS = 50
_VAN = frozenset({"van", "von", "vom", "Van", "Von"})
_NAME_WORD = re.compile(r"^(?:[^\W\d_][.'’]?){1,2}(?:[^\W\d_]|[.'’-])*$")


def credit_line(tree: lxml.html.HtmlElement) -> str | None:
    """The names of the page's first credit line, as it gives them, or None."""
    waiting = False  # the previous line was a lone by-word or label
    for line in _lines(tree):
        match = _CREDIT.match(line) if len(line) <= _MAX_CHARS else None
        rest = match.group(1) if match else line if waiting and len(line) <= _MAX_CHARS \
            else None
        waiting = bool(match) and not rest
        names = _names(rest) if rest else None
        if names:
            return names
    return None


def author_link(tree: lxml.html.HtmlElement) -> str | None:
    """The first link to an author's page ("/autoren/ana-ruiz/", "/staff/ana-ruiz") whose
    text is a name its path holds too: CMSs link the byline to the author's archive
    ("Alle Artikel" to "/author/ana-ruiz/" is a link, not a name)."""
    for link in cast(list[Any], _AUTHOR_LINKS(tree))[:_MAX_LINKS]:
        text = " ".join("".join(link.itertext()).split())
        if not text or len(text) > 60 or _names(text) != text:
            continue
        path = unaccented(str(link.get("href")))
        if any(len(w) > 1 and w in path for w in unaccented(text).split()):
            return text
    return None


def is_organisation(name: str) -> bool:
    """Whether an author field's name is an organisation's or a title, not a person's: a
    legal form ("e.V.", "GmbH", "Inc."), or capitalised words joined by an article or a
    preposition that no name holds ("Bund der Verbraucher", "Magazin für Kunst"; "von
    der Leyen" is a name). All lower case is a user name ("uriebe"), and stays."""
    words = _LETTERS.findall(name)
    if any(w.casefold() in _LEGAL_FORMS for w in name.split()):
        return True
    return any(w[0].isupper() for w in words) and any(
        w in _JOINERS and not (w in ("der", "den") and words[n - 1] in _VAN)
        for n, w in enumerate(words) if n)


def _names(text: str) -> str | None:
    """``text`` up to its first separator, if that reads as a list of names: the first
    of at least two words."""
    end = _END.search(text)
    text = text[:end.start()] if end else text
    words = text.split()
    while words and words[-1].islower():  # "Ana Ruiz le 7 mai": the date's "le", cut
        words.pop()
    parts = [p for p in AUTHOR_SPLIT.split(" ".join(words)) if p]
    if not parts or len(parts[0].split()) < 2 or not all(_is_name(p) for p in parts):
        return None
    return ", ".join(parts)


def _is_name(part: str) -> bool:
    """Capitalised words and name particles; German's "der" and "den" only after "von" or
    "van" (else "Haus der Kunst" would be a name)."""
    words = part.split()
    return 0 < len(words) <= 5 and words[0][0].isupper() and all(
        (w.casefold() in _PARTICLES and (w not in ("der", "den") or words[n - 1] in _VAN))
        or (w[0].isupper() and _NAME_WORD.match(w)) for n, w in enumerate(words))


def _lines(tree: lxml.html.HtmlElement) -> Iterator[str]:
    """The page's visible text, line by line, in order (at most ``_MAX_LINES``)."""
    body = next(iter(cast(list[Any], tree.xpath("//body"))), tree)
    buffer: list[str] = []
    count = 0
    walker = etree.iterwalk(body, events=("start", "end", "comment"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "comment":
            buffer.append(element.tail or "")
            continue
        if tag in _BLOCKS or tag in _SKIP:
            line = " ".join(" ".join(buffer).split())
            buffer.clear()
            if line:
                count += 1
                if count > _MAX_LINES:
                    return
                yield line
        if event == "start":
            if tag in _SKIP:
                walker.skip_subtree()
            else:
                buffer.append(element.text or "")
        elif element is not body:
            buffer.append(element.tail or "")
    line = " ".join(" ".join(buffer).split())
    if line:
        yield line
