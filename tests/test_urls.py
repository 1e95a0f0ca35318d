"""URL identity: every spelling of one article's URL must canonicalize to one string."""

from __future__ import annotations

import pytest

from tearsheet.urls import (
    TRACKING_PARAMS,
    canonical_from_html,
    canonicalize,
    host_of,
    parse_html,
    same_site,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # tracking parameters
        ("https://ex.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://ex.com/a"),
        ("https://ex.com/a?UTM_Source=rss&Utm_Content=1", "https://ex.com/a"),
        ("https://ex.com/a?fbclid=IwAR0&gclid=Cj0&msclkid=9&igshid=1", "https://ex.com/a"),
        ("https://ex.com/a?FBCLID=x&Ocid=y&CMP=twt&smid=tw-share", "https://ex.com/a"),
        ("https://ex.com/a?at_medium=RSS&at_campaign=KARANGA&at_custom3=x", "https://ex.com/a"),
        ("https://ex.com/a?ns_mchannel=rss&ns_source=PublicRSS20-sa&_ga=1.2", "https://ex.com/a"),
        ("https://ex.com/a?ref=hn&ref_src=twsrc%5Etfw&mkt_tok=abc", "https://ex.com/a"),
        ("https://ex.com/a?utm_source=x&id=7", "https://ex.com/a?id=7"),
        # content parameters are identity, never dropped
        ("https://ex.com/article.php?id=123", "https://ex.com/article.php?id=123"),
        ("https://ex.com/?p=5", "https://ex.com/?p=5"),
        ("https://ex.com/s?story=9&page=2&article=x", "https://ex.com/s?article=x&page=2&story=9"),
        ("https://ex.com/s?cid=42", "https://ex.com/s?cid=42"),
        # parameter order, repeated keys, blank values
        ("https://ex.com/a?b=2&a=1&c=3", "https://ex.com/a?a=1&b=2&c=3"),
        ("https://ex.com/a?tag=z&x=1&tag=a", "https://ex.com/a?tag=z&tag=a&x=1"),
        ("https://ex.com/a?b=&a", "https://ex.com/a?a&b="),
        ("https://ex.com/a?&&b=1&&", "https://ex.com/a?b=1"),
        ("https://ex.com/a?", "https://ex.com/a"),
        ("https://ex.com/a?utm_source=x", "https://ex.com/a"),
        # fragment, userinfo, ports, case
        ("https://ex.com/a#comments", "https://ex.com/a"),
        ("https://ex.com/a?x=1#utm_source=y", "https://ex.com/a?x=1"),
        ("https://user:secret@ex.com/a", "https://ex.com/a"),
        ("http://ex.com:80/a", "http://ex.com/a"),
        ("https://ex.com:443/a", "https://ex.com/a"),
        ("http://ex.com:443/a", "http://ex.com:443/a"),
        ("https://ex.com:8443/a", "https://ex.com:8443/a"),
        ("HTTPS://WWW.EXAMPLE.COM/News/Story-One", "https://www.example.com/News/Story-One"),
        ("https://ex.com./a", "https://ex.com/a"),
        # IDN hosts
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://BÜCHER.example/a", "https://xn--bcher-kva.example/a"),
        ("https://xn--bcher-kva.example/a", "https://xn--bcher-kva.example/a"),
        # paths: empty, trailing slash kept, dot segments, escapes
        ("https://ex.com", "https://ex.com/"),
        ("https://ex.com?a=1", "https://ex.com/?a=1"),
        ("https://ex.com/section/", "https://ex.com/section/"),
        ("https://ex.com/a/./b/../c", "https://ex.com/a/c"),
        ("https://ex.com/caf%c3%a9", "https://ex.com/caf%C3%A9"),
        ("https://ex.com/café", "https://ex.com/caf%C3%A9"),
        ("https://ex.com/%7Euser/%41%2D%5F", "https://ex.com/~user/A-_"),
        ("https://ex.com/a%2Fb", "https://ex.com/a%2Fb"),
        ("https://ex.com/a b", "https://ex.com/a%20b"),
        ("https://ex.com/100%", "https://ex.com/100%25"),
        ("https://ex.com/s?q=a%2bb&r=%7e", "https://ex.com/s?q=a%2Bb&r=~"),
        ("  https://ex.com/a\n", "https://ex.com/a"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected
    assert canonicalize(expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/news/story-1", "https://ex.com/section/", "https://ex.com/news/story-1"),
        ("story-2?utm_source=x", "https://ex.com/section/", "https://ex.com/section/story-2"),
        ("../a", "https://ex.com/x/y/z", "https://ex.com/x/a"),
        ("//cdn.ex.com/a", "https://ex.com/", "https://cdn.ex.com/a"),
        ("https://other.org/a", "https://ex.com/", "https://other.org/a"),
        ("#top", "https://ex.com/a?b=1", "https://ex.com/a?b=1"),
    ],
)
def test_canonicalize_relative(url: str, base: str, expected: str) -> None:
    assert canonicalize(url, base) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://ex.com/a",
        "mailto:desk@ex.com",
        "javascript:void(0)",
        "file:///etc/passwd",
        "data:text/html,hi",
        "/relative/without/base",
        "",
        "http:///no-host",
        "https://ex.com:99999/",
        "https://ex.com:port/",
    ],
)
def test_canonicalize_refuses(url: str) -> None:
    with pytest.raises(ValueError):
        canonicalize(url)


def test_tracking_params_keep_content_params() -> None:
    assert {name.lower() for name in TRACKING_PARAMS} == TRACKING_PARAMS
    assert not {"id", "p", "story", "article", "page", "cid", "q"} & TRACKING_PARAMS


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://WWW.Ex.com/a", "www.ex.com"),
        ("https://user@ex.com:8443/a", "ex.com:8443"),
        ("http://ex.com:80/a", "ex.com"),
        ("not a url", ""),
    ],
)
def test_host_of(url: str, expected: str) -> None:
    assert host_of(url) == expected


@pytest.mark.parametrize(
    ("url", "other", "expected"),
    [
        ("https://example.com/a", "https://www.example.com/b", True),
        ("https://www.example.com/a", "https://m.example.com/b", True),
        ("https://example.com/a", "https://amp.example.com/b", True),
        ("https://example.com/a", "https://news.example.com/b", True),
        ("https://example.co.uk/a", "https://www.example.co.uk/b", True),
        ("https://co.uk/a", "https://example.co.uk/b", False),
        ("https://news.example.com/a", "https://example.com/b", False),
        ("https://example.org/a", "https://example.com/b", False),
        ("https://notexample.com/a", "https://example.com/b", False),
        ("https://example.com.evil.net/a", "https://example.com/b", False),
    ],
)
def test_same_site(url: str, other: str, expected: bool) -> None:
    assert same_site(url, other) is expected


def _page(head: str) -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body><p>Text</p></body></html>"


@pytest.mark.parametrize(
    ("html", "page_url", "expected"),
    [
        pytest.param(
            _page('<link rel="canonical" href="/politics/vote-count-2024">'),
            "https://www.ex.com/amp/politics/vote-count-2024",
            "https://www.ex.com/politics/vote-count-2024",
            id="relative-canonical",
        ),
        pytest.param(
            _page('<link rel="canonical" href="https://www.ex.com/a?utm_source=x&id=2#c">'),
            "https://www.ex.com/a?id=2",
            "https://www.ex.com/a?id=2",
            id="canonical-is-canonicalized",
        ),
        pytest.param(
            _page('<meta property="og:url" content="https://ex.com/story-one">'),
            "https://ex.com/story-one?ref=home",
            "https://ex.com/story-one",
            id="og-url-fallback",
        ),
        pytest.param(
            _page('<link rel="canonical" href="https://ex.com/a">'
                  '<meta property="og:url" content="https://ex.com/b">'),
            "https://ex.com/x",
            "https://ex.com/a",
            id="canonical-beats-og-url",
        ),
        pytest.param(
            _page('<link rel="canonical" href="https://example.com/world/story">'),
            "https://www.example.com/world/story",
            "https://example.com/world/story",
            id="bare-host-for-www-page",
        ),
        pytest.param(
            _page('<link rel="canonical" href="https://www.example.com/world/story">'),
            "https://m.example.com/world/story",
            "https://www.example.com/world/story",
            id="www-host-for-mobile-page",
        ),
        pytest.param(
            _page('<link rel="canonical" href="https://rival-news.com/world/story">'),
            "https://example.com/world/story",
            None,
            id="different-site-refused",
        ),
        pytest.param(
            _page('<link rel="canonical" href="https://rival-news.com/s">'
                  '<meta property="og:url" content="https://example.com/s">'),
            "https://example.com/s?x=1",
            "https://example.com/s",
            id="different-site-then-og-url",
        ),
        pytest.param(
            _page('<link rel="canonical" href="javascript:alert(1)">'),
            "https://example.com/s", None, id="not-http",
        ),
        pytest.param(_page("<title>none</title>"), "https://example.com/s", None, id="none"),
        pytest.param("\x00\ufffd\ufffd\x89PNG\r\n\x1a\n\x00\x00", "https://ex.com/", None,
                     id="garbage"),
        pytest.param("", "https://ex.com/", None, id="empty"),
        pytest.param(
            '<html><head><link rel=canonical href="/a/b"><title>broken</head><body><div>',
            "https://ex.com/x", "https://ex.com/a/b", id="broken-html",
        ),
        pytest.param(
            '<html><head><link rel="canonical" href="/caf\u00e9"></head></html>',
            "https://ex.com/x", "https://ex.com/caf%C3%A9", id="str-input",
        ),
    ],
)
def test_canonical_from_html(html: str, page_url: str, expected: str | None) -> None:
    assert canonical_from_html(html, page_url) == expected



def test_parse_html_reads_a_decoded_page_and_gives_none_for_no_document() -> None:
    root = parse_html('<html><body><p class="x">Caf\u00e9 <b>au lait')
    assert root is not None and root.findtext(".//p") == "Caf\u00e9 "
    assert parse_html("") is None
