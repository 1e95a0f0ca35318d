"""Discovery: which article URLs a source currently lists.

Pure parsers. The tracker fetches feeds, sitemaps and section pages and hands the bytes
here; nothing in this module touches the network or the database. Every URL returned is
canonicalized (:func:`tearsheet.urls.canonicalize`), so the tracker can compare it with
what it already knows. Input that cannot be read raises
:class:`~tearsheet.errors.DiscoveryError` with a message naming the URL; input that is
merely sloppy (a bozo feed that still lists entries, broken HTML) is read as far as it goes.

The documents are hostile input: each parser reads at most ``limits.items`` entries (feeds,
sitemaps) or ``limits.links`` links (section pages), in time linear in the document. They
are CPU work for a large document (feedparser reads ~3,000 entries a second): the tracker
runs them in its extraction pool, off the event loop.
"""

from __future__ import annotations

import calendar
import contextlib
import gzip
import html
import io
import itertools
import re
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import lxml.html  # type: ignore[import-untyped, unused-ignore]
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from tearsheet.config import DEFAULT_LIMITS, LimitSettings
from tearsheet.errors import DiscoveryError
from tearsheet.extract.encoding import BOMS, XML_ENCODING, decode_html
from tearsheet.urls import canonicalize, parse_html, text_codec

__all__ = [
    "MAX_SITEMAP_BYTES",
    "Discovered",
    "SitemapResult",
    "looks_like_article",
    "parse_date",
    "parse_feed",
    "parse_section_page",
    "parse_sitemap",
]

#: The sitemap protocol's own limit on an uncompressed sitemap; also our gzip-bomb guard.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Discovered:
    """One article URL a source lists, with what the listing says about it."""

    url: str  # canonicalized
    title: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC


@dataclass(frozen=True)
class SitemapResult:
    """A sitemap's articles, and the child sitemaps a sitemap index names (canonicalized)."""

    articles: list[Discovered]
    sitemaps: list[str]


# --------------------------------------------------------------------------- feeds


def parse_feed(body: bytes, feed_url: str, limits: LimitSettings = DEFAULT_LIMITS, *,
               charset: str | None = None) -> list[Discovered]:
    """Read the entries of an RSS (0.9x, 1.0, 2.0) or Atom (0.3, 1.0) feed.

    The link is ``link``, else an ``alternate`` link, else an http(s) ``id`` (RSS feeds
    whose ``guid`` is the permalink). A feed feedparser calls bozo (undefined entity,
    wrong encoding, truncated) is accepted as long as it yields entries: readers see those
    articles, so must we. Raises :class:`DiscoveryError` when the body is not a feed.
    Only the first ``limits.items`` entries are read (feeds list the newest first).
    ``charset``: the one HTTP declared (see :func:`_in_utf8`).
    """
    body = _first_entries(_in_utf8(body, charset), limits.items)
    # A file-like object, never the bytes themselves: feedparser opens a str or bytes
    # argument as a local file name when such a file exists.
    try:
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers={"content-location": feed_url, "content-type": "application/xml"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser crashes on some hostile bytes (encoding="\xff")
        raise DiscoveryError(f"{feed_url}: not XML: {type(exc).__name__}: {exc}") from None
    entries: list[Any] = list(parsed.get("entries") or [])[:limits.items]
    version = str(parsed.get("version") or "")
    if not entries and (parsed.get("bozo") or not version):
        raise DiscoveryError(f"{feed_url}: {_why_not_a_feed(body, parsed.get('bozo_exception'))}")
    found: dict[str, Discovered] = {}
    for entry in entries:
        link = _entry_link(entry)
        if not link:
            continue
        try:
            url = canonicalize(link, feed_url)
        except ValueError:
            continue
        if url not in found:
            found[url] = Discovered(url, _entry_title(entry), _entry_date(entry))
    return list(found.values())


_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_FEED_TRIM_BYTES = 256 * 1024  # larger feeds are trimmed before feedparser reads them
_FEED_DEPTH = 6  # rss > channel > item > media:group > media:content: 5 levels
_FEED_ELEMENTS = 100_000  # elements feedparser reads at most (~3 s)


def _in_utf8(body: bytes, charset: str | None) -> bytes:
    """An XML document (feed, sitemap) whose charset only HTTP names, in UTF-8.

    XML parsers read a document without a byte-order mark or an ``encoding`` declaration
    as UTF-8: a feed in windows-1251 or Shift_JIS that a server labels only in its
    ``Content-Type`` was read as mojibake (feedparser fell back to windows-1252). Such a
    body is decoded with the HTTP charset, but only when it is not UTF-8 already: servers
    often label UTF-8 feeds "ISO-8859-1", and a declaration in the document wins."""
    codec = text_codec(charset) if charset else None
    if codec is None or codec == "utf-8" or codec.startswith(("utf-16", "utf-32")) \
            or body.startswith(tuple(bom for bom, _ in BOMS)) \
            or XML_ENCODING.match(body[:1024]):
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode(codec, errors="replace").encode("utf-8")
    return body


def _first_entries(body: bytes, cap: int) -> bytes:
    """The feed, trimmed to what feedparser should read when it is large.

    feedparser takes ~30 µs an element: an 8 MB feed of 120,000 entries held it for 48 s,
    and a few hundred KB of junk elements for seconds. A feed over
    :data:`_FEED_TRIM_BYTES` or with more than ``cap`` entries (a fast scan counts them)
    is parsed with lxml first (no entities, no network, depth-limited, linear) and handed
    on with at most ``cap`` entries, :data:`_FEED_DEPTH` levels and
    :data:`_FEED_ELEMENTS` elements, in document order. A feed lxml cannot read is handed
    on as it is (feedparser reads some broken XML)."""
    if len(body) <= _FEED_TRIM_BYTES and len(_ENTRY_START.findall(body)) <= cap:
        return body
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.LxmlError, ValueError):
        return body
    if root is None or not isinstance(root.tag, str):
        return body
    entries = 0
    for elements, (element, depth) in enumerate(_walk_depth_first(root), start=1):
        is_entry = _local(element) in ("item", "entry")
        entries += is_entry
        if depth > _FEED_DEPTH or elements > _FEED_ELEMENTS or (is_entry and entries > cap):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


def _walk_depth_first(root: Any) -> Iterator[tuple[Any, int]]:
    """(element, depth) in document order, without recursion; an element removed by the
    caller as it is yielded is not descended into."""
    stack = [iter([root])]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        yield element, len(stack)
        if element.getparent() is not None or element is root:
            stack.append(iter(list(element)))


def _why_not_a_feed(body: bytes, error: object) -> str:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        return "not a feed (the response is empty)"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<body" in head:
        return "not a feed (the server sent an HTML page)"
    if head.startswith((b"{", b"[")):
        return "not a feed (the server sent JSON)"
    if error is not None:
        return f"not XML: {error}"
    return "not a feed (XML, but no RSS or Atom document)"


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        return link.strip()
    for candidate in entry.get("links") or []:
        href = candidate.get("href")
        if candidate.get("rel", "alternate") == "alternate" and isinstance(href, str) and href:
            return href.strip()
    ident = entry.get("id")
    if isinstance(ident, str) and re.match(r"\s*https?://", ident, re.IGNORECASE):
        return ident.strip()
    return None


def _entry_title(entry: Any) -> str | None:
    title = entry.get("title")
    if not isinstance(title, str):
        return None
    detail = entry.get("title_detail") or {}
    if "html" in str(detail.get("type", "")) and ("<" in title or "&" in title):
        title = _html_text(title)
    return _clean_text(_unescaped(title))


_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.IGNORECASE)


def _unescaped(text: str) -> str:
    """Entities left in a plain-text title ("Q&amp;A"): many feeds escape their titles twice,
    and a headline never means the five characters "&amp;"."""
    return html.unescape(text) if _ENTITY.search(text) else text


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _html_text(fragment: str) -> str:
    try:
        return str(lxml.html.fragment_fromstring(fragment, create_parent="div").text_content())
    except (etree.LxmlError, ValueError):
        return fragment


# --------------------------------------------------------------------------- sitemaps


def parse_sitemap(body: bytes, sitemap_url: str, limits: LimitSettings = DEFAULT_LIMITS, *,
                  charset: str | None = None) -> SitemapResult:
    """Read a sitemap (``<urlset>``, with the Google News extension) or a sitemap index.

    Gzipped bodies are inflated (at most :data:`MAX_SITEMAP_BYTES`). Elements are matched
    by local name, since real sitemaps get their namespaces wrong. The parser never
    resolves entities nor touches the network (no XXE); a ``<loc>`` that depends on an
    entity is skipped. An article's date is ``news:publication_date``, else ``lastmod``.
    Only the first ``limits.items`` entries (or child sitemaps) are read. ``charset``: the
    one HTTP declared (see :func:`_in_utf8`).
    """
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body, sitemap_url)
    body = _in_utf8(body, charset)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, load_dtd=False,
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.LxmlError, ValueError) as exc:
        raise DiscoveryError(f"{sitemap_url}: not XML: {exc}") from None
    if root is None or not isinstance(root.tag, str):
        raise DiscoveryError(f"{sitemap_url}: not XML (no document element)")
    kind = _local(root)
    if kind == "sitemapindex":
        children = _unique(
            url for sitemap in itertools.islice(_children(root, "sitemap"), limits.items)
            if (url := _url(_child_text(sitemap, "loc"), sitemap_url))
        )
        return SitemapResult(articles=[], sitemaps=children)
    if kind != "urlset":
        what = "an HTML page" if kind == "html" else f"<{kind}>"
        raise DiscoveryError(
            f"{sitemap_url}: not a sitemap (expected <urlset> or <sitemapindex>, got {what})"
        )
    found: dict[str, Discovered] = {}
    for entry in itertools.islice(_children(root, "url"), limits.items):
        url = _url(_child_text(entry, "loc"), sitemap_url)
        if not url or url in found:
            continue
        news = next(_children(entry, "news"), None)
        title = _clean_text(_unescaped(_child_text(news, "title") or "")) \
            if news is not None else None
        date = parse_date(_child_text(news, "publication_date")) if news is not None else None
        found[url] = Discovered(url, title, date or parse_date(_child_text(entry, "lastmod")))
    return SitemapResult(articles=list(found.values()), sitemaps=[])


def _gunzip(body: bytes, sitemap_url: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            data = stream.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DiscoveryError(f"{sitemap_url}: broken gzip data: {exc}") from None
    if len(data) > MAX_SITEMAP_BYTES:
        raise DiscoveryError(
            f"{sitemap_url}: the sitemap inflates to more than {MAX_SITEMAP_BYTES} bytes"
        )
    return data


def _local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    # "{namespace}name", or "prefix:name" when a sloppy sitemap never declared the prefix.
    return tag.rpartition("}")[2].rpartition(":")[2]


def _children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if _local(child) == name)


def _child_text(element: Any, name: str) -> str | None:
    child = next(_children(element, name), None)
    if child is None:
        return None
    if any(node.tag is etree.Entity for node in child):
        return None  # an unexpanded entity: the value is not what the document claims
    # Through bytes: the recovering parser turns a reference to a surrogate ("&#xd800;")
    # into bytes that are not UTF-8, and reading them as text raised UnicodeDecodeError.
    return bytes(etree.tostring(child, method="text", encoding="utf-8", with_tail=False)
                 ).decode("utf-8", "replace")


def _url(value: str | None, base: str) -> str | None:
    if not value or not value.strip():
        return None
    try:
        return canonicalize(value, base)
    except ValueError:
        return None


def _unique(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(urls))


# --------------------------------------------------------------------------- section pages


def parse_section_page(body: bytes, page_url: str, article_pattern: str,
                       limits: LimitSettings = DEFAULT_LIMITS, *,
                       charset: str | None = None) -> list[Discovered]:
    """Read the article links of a section (front, topic) page.

    Links are resolved against ``<base href>`` or ``page_url``, canonicalized, and kept
    when they are on the page's host (``www.`` ignored) and either match
    ``article_pattern`` (``re.search`` on the canonical URL) or, when the pattern is
    empty, :func:`looks_like_article`. The title is the link text (else its ``title``
    attribute, else an image's ``alt``); a URL linked twice keeps its first place and
    the first non-empty title. Only the first ``limits.links`` links are read.
    """
    try:
        pattern = re.compile(article_pattern) if article_pattern else None
    except re.error as exc:
        raise DiscoveryError(
            f"{page_url}: bad article_pattern {article_pattern!r}: {exc}"
        ) from None
    # Decoded as an article page is (extract.encoding): BOM, the HTTP ``charset``, then
    # <meta charset>, then detection; the links' titles are the page's words.
    root = parse_html(decode_html(body, charset))
    if root is None:
        raise DiscoveryError(f"{page_url}: not an HTML page (empty or unreadable)")
    base = page_url
    for element in root.iter("base"):
        href = element.get("href")
        if href and href.strip():
            with contextlib.suppress(ValueError):  # e.g. "http://[broken"
                base = urljoin(page_url, str(href).strip())
            break
    page_host = _bare_host(page_url)
    # url -> (title, whether it is link text); dict order is first appearance.
    titles: dict[str, tuple[str | None, bool]] = {}
    for anchor in itertools.islice(root.iter("a"), limits.links):
        href = anchor.get("href")
        url = _url(str(href), base) if href else None
        if not url or _bare_host(url) != page_host:
            continue
        if not (pattern.search(url) if pattern else looks_like_article(url)):
            continue
        if url in titles and titles[url][1]:
            continue
        text = _clean_text(str(anchor.text_content()))
        if text:
            titles[url] = (text, True)
        elif titles.get(url, (None, False))[0] is None:
            titles[url] = (_anchor_fallback_title(anchor), False)
    return [Discovered(url, title) for url, (title, _) in titles.items()]


# Words are letters or digits in any script ("café-owners-protest" is a slug too).
_SLUG = re.compile(r"^[^\W_]+(?:-[^\W_]+){2,}(?:\.[a-z0-9]+)?$", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d{4,}")


def looks_like_article(url: str) -> bool:
    """Guess whether ``url`` is an article, for sources that give no ``article_pattern``.

    At least two path segments, one of which is a hyphenated slug of three or more words
    (``/world/storm-hits-coast``) or holds a number of four or more digits (``/2024/05/x``,
    ``/news/article-123456``). Section and tag pages (``/world``, ``/world/us-news``)
    fail it; an outlet whose URLs do not fit should set ``article_pattern``.
    """
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    if len(segments) < 2:
        return False
    return any(_SLUG.match(s) or _LONG_NUMBER.search(s) for s in segments)


def _anchor_fallback_title(anchor: Any) -> str | None:
    title = _clean_text(str(anchor.get("title") or ""))
    if title:
        return title
    for image in anchor.iter("img"):
        alt = _clean_text(str(image.get("alt") or ""))
        if alt:
            return alt
    return None


def _bare_host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


# --------------------------------------------------------------------------- shared


def parse_date(value: str | None) -> datetime | None:
    """Parse a W3C/ISO 8601 or RFC 822 date to an aware UTC datetime; ``None`` if bad.

    A date without a time is midnight UTC; a time without a zone is taken as UTC.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text)  # W3C "YYYY" and "YYYY-MM"
        try:
            if match:
                parsed = datetime(int(match.group(1)), int(match.group(2) or 1), 1)
            else:
                parsed = parsedate_to_datetime(text)
        except (ValueError, TypeError, IndexError, OverflowError):
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _clean_text(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned or None
