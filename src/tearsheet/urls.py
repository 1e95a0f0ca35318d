"""URL identity: one spelling per article, whatever link led to it.

The same story is linked as ``HTTP://WWW.Example.com:80/a?utm_source=rss#top`` from a feed
and ``https://www.example.com/a`` from a section page; both must land on the same row, or
tearsheet tracks it twice and reports no revisions. :func:`canonicalize` is that identity
and everything else in tearsheet stores URLs only after passing them through it.

:func:`canonical_from_html` reads a page's own ``<link rel="canonical">``, but only when it
names the same site: a hostile page must not be able to claim another outlet's URL.
"""

from __future__ import annotations

import codecs
from string import ascii_letters, digits
from urllib.parse import unquote_plus, urljoin, urlsplit

import idna
import lxml.html  # type: ignore[import-untyped, unused-ignore]
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "TRACKING_PARAMS",
    "canonical_from_html",
    "canonicalize",
    "host_of",
    "parse_html",
    "same_site",
    "text_codec",
]

#: Query parameters that only say how a reader arrived (campaign, click id, referrer), never
#: which article it is. Matched case-insensitively; every ``utm_*`` parameter goes too.
#: Deliberately absent: ``id``, ``p``, ``story``, ``article``, ``page`` and ``cid`` (some
#: CMSs use ``cid`` as the content id), since dropping a content parameter would merge
#: distinct articles into one.
TRACKING_PARAMS: frozenset[str] = frozenset({
    # ad-network click ids
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "li_fat_id", "igshid", "srsltid",
    # mail and marketing automation
    "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "oly_anon_id", "oly_enc_id",
    # analytics
    "_ga", "_gl",
    # publishers' own campaign tags
    "ocid", "cmpid", "cmp", "smid", "smtyp", "partner", "s_cid", "sr_share", "taid", "rss",
    "ito", "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
    "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
    # referrers
    "ref", "ref_src", "ref_url",
})

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset(ascii_letters + digits + "-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PATH_SAFE = frozenset(_UNRESERVED | set(_SUB_DELIMS + ":@/"))
_QUERY_SAFE = frozenset(_PATH_SAFE | set("?"))
_HEX = frozenset("0123456789abcdefABCDEF")
# Prefixes that name the same site as the bare host (desktop, mobile and AMP editions).
_EDITION_PREFIXES = ("www.", "m.", "amp.")
# Second-level labels under which a two-label host is a registry, not a site (co.uk, com.au).
_REGISTRY_LABELS = frozenset({
    "ac", "co", "com", "edu", "gob", "go", "gov", "mil", "ne", "net", "nic", "or", "org",
})


def canonicalize(url: str, base: str | None = None) -> str:
    """Return the one spelling of ``url`` that tearsheet uses as an article's identity.

    Resolves against ``base``; lowercases scheme and host, IDNA-encodes the host; drops
    userinfo, default ports, the fragment and tracking parameters (``utm_*`` and
    :data:`TRACKING_PARAMS`); sorts the remaining parameters (stably, so repeated keys keep
    their order); normalises percent-escapes. The path's case and trailing slash are kept:
    servers may treat them as different pages. Raises :class:`ValueError` for anything but
    an absolute http(s) URL with a host.
    """
    url = url.strip()
    if base is not None:
        url = urljoin(base.strip(), url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"{url!r} is not an http(s) URL")
    host = parts.hostname  # lowercased, userinfo and brackets removed
    if not host:
        raise ValueError(f"{url!r} has no host")
    port = parts.port  # raises ValueError for a port that is not a number in range
    netloc = _encode_host(host)
    if ":" in netloc:  # an IPv6 literal
        netloc = f"[{netloc}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = _remove_dot_segments(_normalize_escapes(parts.path, _PATH_SAFE)) or "/"
    if not path.startswith("/"):
        path = "/" + path
    query = _clean_query(parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def host_of(url: str) -> str:
    """Return the lowercase ``host[:port]`` of ``url`` (default ports dropped), or ``""``.

    The key for per-host politeness limits; never raises.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


def same_site(url: str, other: str) -> bool:
    """Tell whether ``url`` belongs to the site of ``other``.

    True when the hosts are equal once a leading ``www.``, ``m.`` or ``amp.`` is removed,
    or when ``url``'s host is a parent domain of ``other``'s (``example.com`` for
    ``news.example.com``), unless that parent looks like a registry (``co.uk``): without
    the public-suffix list that is the safe reading. Ports are ignored.
    """
    mine, theirs = _site_host(url), _site_host(other)
    if not mine or not theirs:
        return False
    if mine == theirs:
        return True
    return theirs.endswith("." + mine) and _can_be_site(mine)


def canonical_from_html(html: str, page_url: str) -> str | None:
    """Return the page's own canonical URL, canonicalized, when it is on the page's site.

    Reads ``<link rel="canonical">``, else ``<meta property="og:url">``; relative values
    are resolved against ``page_url``. ``None`` when there is none, when it is not http(s),
    when it names another site (see :func:`same_site`) or when the input is not HTML.
    Never raises: the caller falls back to the URL it fetched.
    """
    root = parse_html(html)
    if root is None:
        return None
    candidates: list[str] = []
    for link in root.iter("link"):
        rels = str(link.get("rel") or "").lower().split()
        href = link.get("href")
        if "canonical" in rels and href and href.strip():
            candidates.append(str(href))
            break
    for meta in root.iter("meta"):
        prop = str(meta.get("property") or meta.get("name") or "").strip().lower()
        content = meta.get("content")
        if prop == "og:url" and content and content.strip():
            candidates.append(str(content))
            break
    for candidate in candidates:
        try:
            url = canonicalize(candidate, page_url)
        except ValueError:
            continue
        if same_site(url, page_url):
            return url
    return None


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    """Parse a decoded HTML document, tolerating broken markup.

    ``None`` when there is no document to speak of (empty, or lxml gives up). The caller
    decodes the bytes (``tearsheet.extract.decode_html``: the HTTP charset is the
    caller's to know); handed to libxml2 as UTF-8, whose own guess turns undeclared UTF-8
    into mojibake.
    """
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True)
    try:
        root = lxml.html.document_fromstring(
            text.encode("utf-8", errors="replace"), parser=parser
        )
    except (etree.LxmlError, ValueError, TypeError):
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    return root


def text_codec(label: str) -> str | None:
    """Python's codec for a declared charset, or None: an unknown label, one with a NUL
    (ValueError), or a codec that is no text encoding. A hostile page's or server's
    "charset=base64" or "charset=undefined" names a codec Python has (bytes to bytes, or
    one that refuses everything), and decoding with it raised where the label deserved to
    be ignored."""
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":
        return None
    return str(info.name)


def _encode_host(host: str) -> str:
    host = host.rstrip(".") or host
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        pass
    try:  # IDNA 2003, more lenient (e.g. symbols in labels)
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"{host!r} is not a valid host name: {exc}") from None


def _normalize_escapes(text: str, safe: frozenset[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%" and text[i + 1:i + 2] in _HEX and text[i + 2:i + 3] in _HEX:
            decoded = chr(int(text[i + 1:i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else text[i:i + 3].upper())
            i += 3
            continue
        if char == "%":
            out.append("%25")
        elif char in safe:
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass")))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if len(out) > 1:
                out.pop()
            continue
        out.append(segment)
    if segments[-1] in {".", ".."}:
        out.append("")  # "/a/b/.." is the directory "/a/"
    return "/".join(out)


def _clean_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        name = unquote_plus(key).strip().lower()
        if name.startswith("utm_") or name in TRACKING_PARAMS:
            continue
        key = _normalize_escapes(key, _QUERY_SAFE)
        value = _normalize_escapes(value, _QUERY_SAFE)
        pairs.append((key, f"{key}{sep}{value}"))
    pairs.sort(key=lambda pair: pair[0])  # stable: repeated keys keep their order
    return "&".join(text for _, text in pairs)


def _site_host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
        host = _encode_host(host) if host else ""
    except ValueError:
        return ""
    changed = True
    while changed:
        changed = False
        for prefix in _EDITION_PREFIXES:
            if host.startswith(prefix) and "." in host[len(prefix):]:
                host = host[len(prefix):]
                changed = True
    return host


def _can_be_site(host: str) -> bool:
    labels = host.split(".")
    if len(labels) < 2:
        return False
    return not (len(labels) == 2 and len(labels[1]) == 2 and labels[0] in _REGISTRY_LABELS)
