"""Discovery from feeds (RSS, Atom) and their dates, on realistic documents written here
(no network, no fixtures on disk)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser.encodings
import pytest

from tearsheet.discover import (
    Discovered,
    parse_date,
    parse_feed,
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


# A Russian feed a server labels only in its Content-Type: no byte-order mark, no encoding
# declaration (XML then means UTF-8).
RUSSIAN_TITLE = "Новости: Центробанк снизил ставку"
RUSSIAN_FEED = ("<rss version=\"2.0\"><channel><title>Лента</title><item>"
                f"<title>{RUSSIAN_TITLE}</title><link>https://ex.ru/news/stavka</link>"
                "</item></channel></rss>")


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r", "CP1251"])
def test_a_feed_whose_charset_only_http_names_is_read_in_it(
        charset: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever detector is installed: feedparser guesses with chardet when it finds one
    (not a dependency of tearsheet; a guess on a few words is often wrong), else it falls
    back to windows-1252. Without one, the page is read as the header says, not guessed."""
    monkeypatch.setattr(feedparser.encodings, "lazy_chardet_encoding", None)
    body = RUSSIAN_FEED.encode(charset)
    found = parse_feed(body, "https://ex.ru/rss", charset=charset)
    assert [(d.url, d.title) for d in found] == [("https://ex.ru/news/stavka", RUSSIAN_TITLE)]
    # Without the header's word the same bytes were read as something else.
    assert parse_feed(body, "https://ex.ru/rss")[0].title != RUSSIAN_TITLE


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252", "base64", "utf-16"])
def test_a_utf8_feed_is_utf8_whatever_http_says(charset: str) -> None:
    """Servers label UTF-8 feeds "ISO-8859-1" (or worse): valid UTF-8 stays UTF-8."""
    body = RUSSIAN_FEED.encode("utf-8")
    assert parse_feed(body, "https://ex.ru/rss", charset=charset)[0].title == RUSSIAN_TITLE


def test_a_feed_declaring_its_encoding_is_read_in_it_whatever_http_says() -> None:
    body = ('<?xml version="1.0" encoding="koi8-r"?>' + RUSSIAN_FEED).encode("koi8-r")
    assert parse_feed(body, "https://ex.ru/rss", charset="windows-1251")[0].title == \
        RUSSIAN_TITLE
