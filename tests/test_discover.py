"""Discovery parsers on realistic documents written here (no network, no fixtures on disk)."""

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
    parse_date,
    parse_feed,
    parse_section_page,
    parse_sitemap,
)
from tearsheet.errors import DiscoveryError


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# --------------------------------------------------------------------------- feeds

RSS_091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91">
  <channel>
    <title>Example Gazette</title>
    <link>http://news.example.com/</link>
    <description>Local news</description>
    <language>en-us</language>
    <item>
      <title>Caf\u00e9 on Main Street reopens</title>
      <link>http://news.example.com/2024/05/cafe-reopens.html</link>
      <description>After two years.</description>
    </item>
    <item>
      <title>Council &amp; mayor agree budget</title>
      <link>http://news.example.com/2024/05/budget.html</link>
    </item>
  </channel>
</rss>
""".encode("iso-8859-1")

RSS_10 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://www.example.org/rss">
    <title>Example Times</title>
    <link>https://www.example.org/</link>
    <description>All the news</description>
    <items>
      <rdf:Seq>
        <rdf:li rdf:resource="https://www.example.org/world/flood-warning-issued"/>
        <rdf:li rdf:resource="https://www.example.org/science/new-comet"/>
      </rdf:Seq>
    </items>
  </channel>
  <item rdf:about="https://www.example.org/world/flood-warning-issued">
    <title>Flood warning issued</title>
    <link>https://www.example.org/world/flood-warning-issued</link>
    <dc:date>2024-05-06T08:30:00+02:00</dc:date>
  </item>
  <item rdf:about="https://www.example.org/science/new-comet">
    <title>New comet spotted</title>
    <link>https://www.example.org/science/new-comet</link>
    <dc:date>not a date</dc:date>
  </item>
</rdf:RDF>
"""

RSS_20_GUID = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Example Post</title>
    <link>https://example.net/</link>
    <description>Politics</description>
    <lastBuildDate>Mon, 06 May 2024 12:00:00 GMT</lastBuildDate>
    <item>
      <title><![CDATA[Senate passes <em>the</em> bill]]></title>
      <guid isPermaLink="true">https://example.net/politics/2024/05/06/senate-passes-bill/</guid>
      <pubDate>Mon, 06 May 2024 10:15:00 -0400</pubDate>
    </item>
    <item>
      <title>Opinion: why it matters</title>
      <guid>https://example.net/opinion/why-it-matters?utm_source=rss</guid>
      <pubDate>Mon, 06 May 2024 09:00:00 GMT</pubDate>
    </item>
    <item>
      <title>No usable link</title>
      <guid isPermaLink="false">urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301</guid>
    </item>
  </channel>
</rss>
"""

ATOM_10 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.example.com/news/">
  <title>Example Daily</title>
  <link rel="self" href="https://www.example.com/news/atom.xml"/>
  <id>tag:example.com,2024:news</id>
  <updated>2024-05-06T12:00:00Z</updated>
  <entry>
    <title type="html">Storm &lt;b&gt;hits&lt;/b&gt; coast</title>
    <link rel="enclosure" type="image/jpeg" href="/img/storm.jpg"/>
    <link rel="alternate" type="text/html" href="2024/05/storm-hits-coast"/>
    <id>tag:example.com,2024:1</id>
    <published>2024-05-06T09:00:00+01:00</published>
    <updated>2024-05-06T11:00:00Z</updated>
  </entry>
  <entry xml:base="/sport/">
    <title>Cup final tonight</title>
    <link href="cup-final-tonight"/>
    <id>tag:example.com,2024:2</id>
    <updated>2024-05-06T10:00:00Z</updated>
  </entry>
  <entry>
    <title>Only an id</title>
    <id>https://www.example.com/news/only-an-id#x</id>
  </entry>
</feed>
"""

ATOM_03 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Atom</title>
  <link rel="alternate" type="text/html" href="https://old.example.com/"/>
  <modified>2004-05-06T12:00:00Z</modified>
  <entry>
    <title>Legacy story</title>
    <link rel="alternate" type="text/html" href="https://old.example.com/2004/05/legacy-story"/>
    <id>tag:old.example.com,2004:1</id>
    <issued>2004-05-06T10:00:00Z</issued>
    <modified>2004-05-06T11:00:00Z</modified>
  </entry>
</feed>
"""

RSS_UTM_DUPLICATES = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Dupes</title><link>https://ex.com/</link>
<item><title>First spelling</title>
  <link>https://ex.com/world/big-story?utm_source=rss&amp;utm_medium=feed</link></item>
<item><title>Second spelling</title>
  <link>HTTPS://EX.COM:443/world/big-story?fbclid=abc#comments</link></item>
<item><title>Third spelling</title><link>https://ex.com/world/big-story</link></item>
<item><title>Other</title><link>/world/other-story?id=4&amp;utm_campaign=x</link></item>
</channel></rss>
"""

RSS_TRUNCATED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Cut off</title><link>https://ex.com/</link>
<item><title>Whole item</title><link>https://ex.com/a/whole-item</link>
<pubDate>Tue, 07 May 2024 06:00:00 GMT</pubDate></item>
<item><title>Half an it"""

RSS_UNDEFINED_ENTITY = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Sloppy</title><link>https://ex.com/</link>
<item><title>Prices rise &euro;5&nbsp;more</title><link>https://ex.com/a/prices-rise</link></item>
</channel></rss>
"""

RSS_EMPTY = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Quiet</title><link>https://ex.com/</link>
<description>Nothing yet</description></channel></rss>
"""

ATOM_EMPTY = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet</title><id>x</id>
<updated>2024-05-06T12:00:00Z</updated></feed>
"""


@pytest.mark.parametrize(
    ("body", "feed_url", "expected"),
    [
        pytest.param(RSS_091, "http://news.example.com/rss.xml", [
            Discovered("http://news.example.com/2024/05/cafe-reopens.html",
                       "Caf\u00e9 on Main Street reopens"),
            Discovered("http://news.example.com/2024/05/budget.html",
                       "Council & mayor agree budget"),
        ], id="rss-0.91"),
        pytest.param(RSS_10, "https://www.example.org/rss", [
            Discovered("https://www.example.org/world/flood-warning-issued",
                       "Flood warning issued", utc(2024, 5, 6, 6, 30)),
            Discovered("https://www.example.org/science/new-comet", "New comet spotted"),
        ], id="rss-1.0-rdf"),
        pytest.param(RSS_20_GUID, "https://example.net/feed", [
            Discovered("https://example.net/politics/2024/05/06/senate-passes-bill/",
                       "Senate passes the bill", utc(2024, 5, 6, 14, 15)),
            Discovered("https://example.net/opinion/why-it-matters",
                       "Opinion: why it matters", utc(2024, 5, 6, 9, 0)),
        ], id="rss-2.0-guid-permalink"),
        pytest.param(ATOM_10, "https://www.example.com/news/atom.xml", [
            Discovered("https://www.example.com/news/2024/05/storm-hits-coast",
                       "Storm hits coast", utc(2024, 5, 6, 8, 0)),
            Discovered("https://www.example.com/sport/cup-final-tonight",
                       "Cup final tonight", utc(2024, 5, 6, 10, 0)),
            Discovered("https://www.example.com/news/only-an-id", "Only an id"),
        ], id="atom-1.0-xml-base"),
        pytest.param(ATOM_03, "https://old.example.com/atom.xml", [
            Discovered("https://old.example.com/2004/05/legacy-story", "Legacy story",
                       utc(2004, 5, 6, 10, 0)),
        ], id="atom-0.3"),
        pytest.param(RSS_UTM_DUPLICATES, "https://ex.com/feed.xml", [
            Discovered("https://ex.com/world/big-story", "First spelling"),
            Discovered("https://ex.com/world/other-story?id=4", "Other"),
        ], id="tracking-params-deduped"),
        pytest.param(RSS_TRUNCATED, "https://ex.com/feed.xml", [
            Discovered("https://ex.com/a/whole-item", "Whole item", utc(2024, 5, 7, 6, 0)),
        ], id="truncated-keeps-entries"),
        pytest.param(RSS_UNDEFINED_ENTITY, "https://ex.com/feed.xml", [
            Discovered("https://ex.com/a/prices-rise", "Prices rise \u20ac5 more"),
        ], id="bozo-undefined-entity"),
        pytest.param(RSS_EMPTY, "https://ex.com/feed.xml", [], id="empty-rss"),
        pytest.param(ATOM_EMPTY, "https://ex.com/atom.xml", [], id="empty-atom"),
    ],
)
def test_parse_feed(body: bytes, feed_url: str, expected: list[Discovered]) -> None:
    found = parse_feed(body, feed_url)
    assert found == expected
    for item in found:
        assert item.published_at is None or item.published_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            b"<!DOCTYPE html>\n<html lang='en'><head><title>Example</title></head>"
            b"<body><h1>Welcome</h1><a href='/news/story-one'>Story</a><br></body></html>",
            "not a feed (the server sent an HTML page)", id="html-page",
        ),
        pytest.param(
            b"<html><head><title>Moved</title></head><body><p>See /feed</p></body></html>",
            "not a feed (the server sent an HTML page)", id="well-formed-html",
        ),
        pytest.param(
            b'{"version": "https://jsonfeed.org/version/1.1", "items": '
            b'[{"id": "1", "url": "https://ex.com/a"}]}',
            "not a feed (the server sent JSON)", id="json",
        ),
        pytest.param(b"", "not a feed (the response is empty)", id="empty"),
        pytest.param(b"  \r\n ", "not a feed (the response is empty)", id="whitespace"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not XML:", id="random-bytes"),
        pytest.param(
            b'<?xml version="1.0" encoding="ut\xc3f-8"?><rss version="2.0"><channel>'
            b"<item><link>https://ex.com/a</link></item></channel></rss>",
            "not XML", id="feedparser-crash",
        ),
        pytest.param(
            b'<?xml version="1.0"?><note><to>Tove</to><body>Hi</body></note>',
            "not a feed", id="xml-not-a-feed",
        ),
    ],
)
def test_parse_feed_refuses(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError) as caught:
        parse_feed(body, "https://x.example/feed.xml")
    assert str(caught.value).startswith(f"https://x.example/feed.xml: {message}")


def test_parse_feed_never_opens_a_body_as_a_file_name(tmp_path: Path) -> None:
    local = tmp_path / "local-feed.xml"
    local.write_bytes(RSS_UTM_DUPLICATES)
    with pytest.raises(DiscoveryError, match="not XML"):
        parse_feed(str(local).encode(), "https://x.example/feed.xml")


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


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-06T10:30:00-04:00", utc(2024, 5, 6, 14, 30)),
        ("2024-05-06T10:30:00Z", utc(2024, 5, 6, 10, 30)),
        ("2024-05-06T10:30:00.250+02:00", datetime(2024, 5, 6, 8, 30, 0, 250000, tzinfo=UTC)),
        ("2024-05-06T10:30", utc(2024, 5, 6, 10, 30)),
        ("2024-05-06", utc(2024, 5, 6)),
        ("2024-05", utc(2024, 5, 1)),
        ("2024", utc(2024, 1, 1)),
        ("Mon, 06 May 2024 10:15:00 -0400", utc(2024, 5, 6, 14, 15)),
        ("  2024-05-06T10:30:00Z \n", utc(2024, 5, 6, 10, 30)),
        ("yesterday", None),
        ("2024-13-45", None),
        ("0000-00-00T00:00:00Z", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is UTC


@pytest.mark.parametrize("title", [
    "<title>Q&amp;amp;A: the budget</title>",              # escaped twice in plain text
    '<title type="html">Q&amp;amp;A: the budget</title>',  # escaped HTML, no tag in it
    "<title>Q&amp;A: the budget</title>",                  # escaped once: plain text
])
def test_feed_titles_are_unescaped(title: str) -> None:
    body = (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
            f'<entry>{title}<link href="https://x.example/a"/><id>a</id></entry></feed>')
    assert [d.title for d in parse_feed(body.encode(), "https://x.example/feed.xml")] == \
        ["Q&A: the budget"]
