"""Atom (RFC 4287) and RSS 2.0 documents of changes (pure: entries in, bytes out).

The XML is built as an lxml tree, never by pasting strings: a headline such as
``</title><script>`` is text in an element and comes out escaped, and the HTML diff
excerpt travels as escaped text (``type="html"``), so no article can break the document.
Characters XML cannot carry at all (most control characters) are dropped first.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Entry:
    """One change, ready to syndicate (every string is plain text except ``html``)."""

    id: str
    title: str
    link: str
    updated: datetime
    summary: str
    html: str  # the diff excerpt, already escaped HTML
    author: str | None = None
    category: str | None = None  # the source's name


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    link: str  # the page this feed follows (HTML)
    self_link: str  # the feed itself
    entries: Sequence[Entry]

    @property
    def updated(self) -> datetime:
        return max((entry.updated for entry in self.entries), default=EPOCH)


def entry_id(article_url: str, number: int) -> str:
    """A stable, global id for version ``number`` of the article at ``article_url``: the
    same on every host name the server answers to, and after a database is moved."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{article_url}#version-{number}").urn


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = clean(text)
    return element


def atom(feed: Feed) -> bytes:
    """The feed as an Atom 1.0 document."""
    a = f"{{{ATOM_NS}}}"
    root = etree.Element(f"{a}feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]
    _sub(root, f"{a}id", feed.id)
    _sub(root, f"{a}title", feed.title)
    _sub(root, f"{a}updated", _iso(feed.updated))
    _sub(root, f"{a}link", rel="alternate", type="text/html", href=feed.link)
    _sub(root, f"{a}link", rel="self", type="application/atom+xml", href=feed.self_link)
    _sub(root, f"{a}generator", "tearsheet")
    author = _sub(root, f"{a}author")
    _sub(author, f"{a}name", "tearsheet")
    for item in feed.entries:
        entry = _sub(root, f"{a}entry")
        _sub(entry, f"{a}id", item.id)
        _sub(entry, f"{a}title", item.title, type="text")
        _sub(entry, f"{a}updated", _iso(item.updated))
        _sub(entry, f"{a}link", rel="alternate", type="text/html", href=item.link)
        if item.author:
            _sub(_sub(entry, f"{a}author"), f"{a}name", item.author)
        if item.category:
            _sub(entry, f"{a}category", term=item.category)
        _sub(entry, f"{a}summary", item.summary, type="text")
        _sub(entry, f"{a}content", item.html, type="html")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def rss(feed: Feed) -> bytes:
    """The feed as an RSS 2.0 document (the HTML excerpt as the item's description)."""
    root = etree.Element("rss", version="2.0", nsmap={"atom": ATOM_NS})
    channel = _sub(root, "channel")
    _sub(channel, "title", feed.title)
    _sub(channel, "link", feed.link)
    _sub(channel, "description", feed.title)
    _sub(channel, f"{{{ATOM_NS}}}link", rel="self", type="application/rss+xml",
         href=feed.self_link)
    _sub(channel, "lastBuildDate", format_datetime(feed.updated, usegmt=True))
    _sub(channel, "generator", "tearsheet")
    for item in feed.entries:
        element = _sub(channel, "item")
        _sub(element, "title", item.title)
        _sub(element, "link", item.link)
        _sub(element, "guid", item.id, isPermaLink="false")
        _sub(element, "pubDate", format_datetime(item.updated.astimezone(UTC), usegmt=True))
        if item.category:
            _sub(element, "category", item.category)
        _sub(element, "description", f"<p>{escape(item.summary)}</p>{item.html}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

