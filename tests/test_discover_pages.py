"""Discovery from sitemaps and section pages, on realistic documents written here (no
network, no fixtures on disk)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tearsheet import discover
from tearsheet.discover import (
    Discovered,
    SitemapResult,
    looks_like_article,
    parse_section_page,
    parse_sitemap,
)
from tearsheet.errors import DiscoveryError


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]



# --------------------------------------------------------------------------- sitemaps

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://www.example.com/business/2024/05/06/markets-rally</loc>
    <lastmod>2024-05-06T13:00:00+00:00</lastmod>
    <news:news>
      <news:publication>
        <news:name>Example Times</news:name>
        <news:language>en</news:language>
      </news:publication>
      <news:publication_date>2024-05-06T10:30:00-04:00</news:publication_date>
      <news:title>Markets rally  on
        rate hopes</news:title>
    </news:news>
    <image:image><image:loc>https://img.example.com/m.jpg</image:loc></image:image>
  </url>
  <url>
    <loc> https://www.example.com/world/quake-strikes?utm_source=sitemap </loc>
    <lastmod>2024-05-05</lastmod>
  </url>
  <url>
    <loc>https://www.example.com/world/quake-strikes</loc>
  </url>
  <url>
    <loc>https://www.example.com/culture/review</loc>
    <lastmod>yesterday</lastmod>
    <news:news><news:title>Review: a play</news:title></news:news>
  </url>
  <url><loc>mailto:desk@example.com</loc></url>
  <url><lastmod>2024-05-05</lastmod></url>
</urlset>
"""

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap>
    <loc>https://www.example.com/sitemaps/news.xml</loc>
    <lastmod>2024-05-06T12:00:00Z</lastmod>
  </sitemap>
  <sitemap><loc>/sitemaps/2024-05.xml.gz</loc></sitemap>
  <sitemap><loc>https://WWW.example.com/sitemaps/news.xml#dup</loc></sitemap>
</sitemapindex>
"""

PLAIN_SITEMAP = b"""<urlset><url><loc>https://ex.com/a/story-one</loc>
<lastmod>2024-05-06</lastmod></url></urlset>"""

UNDECLARED_PREFIX_SITEMAP = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://ex.com/a/story-three</loc><news:news>
<news:publication_date>2024-05-06T10:00:00Z</news:publication_date>
<news:title>Story three</news:title></news:news></url></urlset>"""

WRONG_NAMESPACE_SITEMAP = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"><url>
<loc>https://ex.com/a/story-two</loc></url></urlset>"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(NEWS_SITEMAP, SitemapResult(articles=[
            Discovered("https://www.example.com/business/2024/05/06/markets-rally",
                       "Markets rally on rate hopes", utc(2024, 5, 6, 14, 30)),
            Discovered("https://www.example.com/world/quake-strikes", None, utc(2024, 5, 5)),
            Discovered("https://www.example.com/culture/review", "Review: a play"),
        ], sitemaps=[]), id="urlset-news"),
        pytest.param(SITEMAP_INDEX, SitemapResult(articles=[], sitemaps=[
            "https://www.example.com/sitemaps/news.xml",
            "https://www.example.com/sitemaps/2024-05.xml.gz",
        ]), id="sitemapindex"),
        pytest.param(gzip.compress(NEWS_SITEMAP), SitemapResult(articles=[
            Discovered("https://www.example.com/business/2024/05/06/markets-rally",
                       "Markets rally on rate hopes", utc(2024, 5, 6, 14, 30)),
            Discovered("https://www.example.com/world/quake-strikes", None, utc(2024, 5, 5)),
            Discovered("https://www.example.com/culture/review", "Review: a play"),
        ], sitemaps=[]), id="gzipped"),
        pytest.param(PLAIN_SITEMAP, SitemapResult(articles=[
            Discovered("https://ex.com/a/story-one", None, utc(2024, 5, 6)),
        ], sitemaps=[]), id="no-namespace"),
        pytest.param(WRONG_NAMESPACE_SITEMAP, SitemapResult(articles=[
            Discovered("https://ex.com/a/story-two"),
        ], sitemaps=[]), id="old-namespace"),
        pytest.param(UNDECLARED_PREFIX_SITEMAP, SitemapResult(articles=[
            Discovered("https://ex.com/a/story-three", "Story three", utc(2024, 5, 6, 10)),
        ], sitemaps=[]), id="undeclared-news-prefix"),
        pytest.param(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                     b'sitemap/0.9"></urlset>', SitemapResult([], []), id="empty-urlset"),
    ],
)
def test_parse_sitemap(body: bytes, expected: SitemapResult) -> None:
    assert parse_sitemap(body, "https://www.example.com/sitemap.xml") == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"", "not XML", id="empty"),
        pytest.param(b"\x00\x01binary\xff", "not XML", id="binary"),
        pytest.param(b"<html><body><h1>404</h1></body></html>", "not a sitemap", id="html"),
        pytest.param(b"<rss version='2.0'><channel/></rss>", "not a sitemap", id="a-feed"),
        pytest.param(b"\x1f\x8b\x08\x00garbage", "broken gzip", id="broken-gzip"),
        pytest.param(gzip.compress(b"")[:-4], "broken gzip", id="truncated-gzip"),
    ],
)
def test_parse_sitemap_refuses(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=f"^https://ex.com/s.xml: {message}"):
        parse_sitemap(body, "https://ex.com/s.xml")


def test_gzip_bomb_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discover, "MAX_SITEMAP_BYTES", 10_000)
    bomb = gzip.compress(b"<urlset>" + b" " * 50_000 + b"</urlset>")
    assert len(bomb) < 1_000
    with pytest.raises(DiscoveryError, match="inflates to more than 10000 bytes"):
        parse_sitemap(bomb, "https://ex.com/s.xml.gz")


def _xxe_documents(secret_file: Path) -> list[bytes]:
    secret = secret_file.as_uri().encode()
    return [
        b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://ex.com/a/&xxe;</loc></url>
  <url><loc>https://ex.com/a/safe-story</loc></url>
</urlset>""",
        b"""<?xml version="1.0"?>
<!DOCTYPE sitemapindex [<!ENTITY xxe SYSTEM \"""" + secret + b"""">]>
<sitemapindex><sitemap><loc>https://ex.com/&xxe;</loc></sitemap></sitemapindex>""",
        b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY % ext SYSTEM \"""" + secret + b"""">%ext;]>
<urlset><url><loc>https://ex.com/a/b</loc><news:news xmlns:news="n">
<news:title>&xxe;</news:title></news:news></url></urlset>""",
        b"""<?xml version="1.0"?>
<!DOCTYPE urlset SYSTEM \"""" + secret + b"""">
<urlset><url><loc>https://ex.com/a/c</loc></url></urlset>""",
        b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>
<urlset><url><loc>https://ex.com/&d;</loc></url></urlset>""",
    ]


@pytest.mark.parametrize("index", range(5))
def test_sitemap_never_expands_entities(index: int, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("root:x:0:0:TOP-SECRET-MARKER\n")
    body = _xxe_documents(secret_file)[index]
    for payload in (body, gzip.compress(body)):
        try:
            result = parse_sitemap(payload, "https://ex.com/sitemap.xml")
        except DiscoveryError as exc:
            output = str(exc)
        else:
            output = repr(result)
            assert all(d.url.startswith("https://ex.com/a/") for d in result.articles)
        assert "root:" not in output
        assert "TOP-SECRET" not in output
        assert "aaaaaaaaaaaaaaaa" not in output


# --------------------------------------------------------------------------- section pages

SECTION_PAGE = b"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>World | Example News</title>
</head>
<body>
  <nav>
    <a href="/">Home</a> <a href="/world/">World</a> <a href="/world/us-news">US</a>
    <a href="https://www.example.com/about">About</a>
  </nav>
  <main>
    <article>
      <a href="/world/2024/05/06/flood-waters-rise?utm_source=home">
        <img src="f.jpg" alt="Flood"></a>
      <h2><a href="/world/2024/05/06/flood-waters-rise">Flood waters
        rise  in the&nbsp;north</a></h2>
    </article>
    <article><h2><a href="https://www.example.com/world/leaders-meet-in-geneva">
      Leaders meet in Geneva</a></h2></article>
    <article><h2><a href="//example.com/world/article-123456">Numbered story</a></h2></article>
    <article><h2><a href="https://rival.example.org/world/2024/05/06/their-scoop">
      Rival scoop</a></h2></article>
    <a href="mailto:tips@example.com">Tips</a>
    <a href="javascript:void(0)">Menu</a>
    <a href="#top">Top</a>
    <a>No href</a>
    <a href="/world/caf\xc3\xa9-owners-protest-new-rules">Caf\xc3\xa9 owners protest</a>
  </main>
  <div><p>unclosed <b>tags <a href="/world/2024/05/05/late-story">Late story</a>
</body>
"""

BASE_PAGE = b"""<html><head><base href="https://www.example.com/archive/"></head><body>
<a href="2024/story-one">One</a>
<a href="../world/story-two-here">Two</a>
<a href="/world/story-three-here">Three</a>
</body></html>"""

LATIN1_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    '</head><body><a href="/sport/2024/f\u00fatbol-final">F\u00fatbol: la final</a>'
    "</body></html>"
).encode("latin-1")


@pytest.mark.parametrize(
    ("body", "page_url", "pattern", "expected"),
    [
        pytest.param(SECTION_PAGE, "https://www.example.com/world/", r"/world/\d{4}/", [
            Discovered("https://www.example.com/world/2024/05/06/flood-waters-rise",
                       "Flood waters rise in the north"),
            Discovered("https://www.example.com/world/2024/05/05/late-story", "Late story"),
        ], id="pattern"),
        pytest.param(SECTION_PAGE, "https://www.example.com/world/", "", [
            Discovered("https://www.example.com/world/2024/05/06/flood-waters-rise",
                       "Flood waters rise in the north"),
            Discovered("https://www.example.com/world/leaders-meet-in-geneva",
                       "Leaders meet in Geneva"),
            Discovered("https://example.com/world/article-123456", "Numbered story"),
            Discovered("https://www.example.com/world/caf%C3%A9-owners-protest-new-rules",
                       "Caf\u00e9 owners protest"),
            Discovered("https://www.example.com/world/2024/05/05/late-story", "Late story"),
        ], id="default-heuristic"),
        pytest.param(SECTION_PAGE, "https://example.com/world/", "geneva", [
            Discovered("https://www.example.com/world/leaders-meet-in-geneva",
                       "Leaders meet in Geneva"),
        ], id="bare-host-page-keeps-www-links"),
        pytest.param(BASE_PAGE, "https://www.example.com/x/y", r"story", [
            Discovered("https://www.example.com/archive/2024/story-one", "One"),
            Discovered("https://www.example.com/world/story-two-here", "Two"),
            Discovered("https://www.example.com/world/story-three-here", "Three"),
        ], id="base-href"),
        pytest.param(LATIN1_PAGE, "https://ex.com/sport/", "", [
            Discovered("https://ex.com/sport/2024/f%C3%BAtbol-final", "F\u00fatbol: la final"),
        ], id="latin-1"),
        pytest.param(
            b'<base href="http://[broken"><a href="/world/2024/x">x</a>'
            b'<a href="http://[::1/a/b-c-d">bad</a><a href="https://ex.com:99999/a/b-c-d">bad</a>',
            "https://ex.com/", "", [Discovered("https://ex.com/world/2024/x", "x")],
            id="malformed-urls-skipped",
        ),
        pytest.param(b"<html><body><p>No links at all</p></body></html>",
                     "https://ex.com/", "", [], id="no-links"),
    ],
)
def test_parse_section_page(
    body: bytes, page_url: str, pattern: str, expected: list[Discovered]
) -> None:
    assert parse_section_page(body, page_url, pattern) == expected


@pytest.mark.parametrize(
    ("body", "pattern", "message"),
    [
        pytest.param(b"", "", "not an HTML page", id="empty"),
        pytest.param(b"<a href='/x'>x</a>", "([", "bad article_pattern", id="bad-pattern"),
    ],
)
def test_parse_section_page_refuses(body: bytes, pattern: str, message: str) -> None:
    with pytest.raises(DiscoveryError, match=message):
        parse_section_page(body, "https://ex.com/", pattern)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ex.com/world/2024/05/06/flood", True),
        ("https://ex.com/world/storm-hits-coast", True),
        ("https://ex.com/news/article-123456", True),
        ("https://ex.com/a/12345.html", True),
        ("https://ex.com/storm-hits-coast", False),  # one segment: could be a landing page
        ("https://ex.com/world/", False),
        ("https://ex.com/world/us-news", False),
        ("https://ex.com/tag/politics", False),
        ("https://ex.com/", False),
    ],
)
def test_looks_like_article(url: str, expected: bool) -> None:
    assert looks_like_article(url) is expected


# --------------------------------------------------------------- charsets HTTP names

JAPANESE_TITLE = "日銀、政策金利を据え置き"


def test_a_section_page_whose_charset_only_http_names_is_read_in_it() -> None:
    """The link titles are the page's words: decoded as an article page is (BOM, the HTTP
    charset, <meta charset>, detection), not guessed as UTF-8 then windows-1252."""
    page = ("<html><body><ul><li><a href='/news/2024/05/boj-holds-rates'>"
            f"{JAPANESE_TITLE}</a></li></ul></body></html>").encode("shift_jis")
    found = parse_section_page(page, "https://ex.jp/news/", "", charset="shift_jis")
    assert [(d.url, d.title) for d in found] == [
        ("https://ex.jp/news/2024/05/boj-holds-rates", JAPANESE_TITLE)]


def test_a_section_page_declaring_utf16_in_a_meta_is_read_as_utf8() -> None:
    """A <meta charset="utf-16"> is spelled in ASCII bytes, so the page is not UTF-16
    (browsers read it as UTF-8); read as UTF-16 its bytes were CJK-looking garbage."""
    page = ('<html><head><meta charset="utf-16"></head><body>'
            "<a href='/world/2024/05/06/quake-strikes'>Séisme au large</a></body></html>")
    found = parse_section_page(page.encode(), "https://ex.com/", "")
    assert [d.title for d in found] == ["Séisme au large"]


def test_a_news_sitemap_whose_charset_only_http_names_is_read_in_it() -> None:
    body = ("<urlset xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'><url>"
            "<loc>https://ex.jp/news/2024/05/boj</loc><news:news>"
            f"<news:title>{JAPANESE_TITLE}</news:title></news:news></url></urlset>")
    found = parse_sitemap(body.encode("euc-jp"), "https://ex.jp/sitemap.xml",
                          charset="EUC-JP").articles
    assert [d.title for d in found] == [JAPANESE_TITLE]
    gzipped = gzip.compress(body.encode("euc-jp"))  # the charset is the inflated body's
    assert parse_sitemap(gzipped, "https://ex.jp/s.xml.gz", charset="euc-jp"
                         ).articles[0].title == JAPANESE_TITLE
