"""Properties of discovery, robots.txt, URLs and configuration on hostile input: a result within the
limits, or the module's own error — never another exception."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tearsheet.config import LimitSettings, load_settings, parse_duration, parse_size
from tearsheet.discover import parse_feed, parse_section_page, parse_sitemap
from tearsheet.errors import ConfigError, DiscoveryError
from tearsheet.fetch.fetcher import ROBOTS_MAX_BYTES, ROBOTS_TOKEN, parse_robots
from tearsheet.urls import canonicalize
from tests.support.fuzz import BOUNDED, hostile

LIMITS = LimitSettings(items=5, links=5)
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' + b"".join(
    b"<item><title>S%d</title><link>https://ex.com/news/a-story-%d</link>"
    b"<pubDate>Mon, 05 Jan 2026 06:00:00 GMT</pubDate></item>" % (n, n) for n in range(8))
    + b"</channel></rss>")
SITEMAP = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + b"".join(
               b"<url><loc>https://ex.com/news/a-story-%d</loc><news:news><news:title>T"
               b"</news:title></news:news></url>" % n for n in range(8)) + b"</urlset>")
SECTION = (b"<html><head><base href='/news/'></head><body>" + b"".join(
    b'<a href="a-long-story-%d">Story %d</a>' % (n, n) for n in range(8)) + b"</body></html>")

ROBOTS = (b"User-agent: *\nDisallow: /private/\nAllow: /private/ok$\nDisallow: /*.pdf$\n"
          b"Crawl-delay: 2\nSitemap: https://ex.com/sitemap.xml\n\nUser-agent: tearsheet\n"
          b"Disallow: /news/*/draft*\nRequest-rate: 1/5\n")


def canonical(url: str) -> bool:
    return url.startswith(("http://", "https://")) and canonicalize(url) == url


@BOUNDED
@given(body=hostile(FEED))
def test_feeds(body: bytes) -> None:
    try:
        found = parse_feed(body, "https://ex.com/rss", LIMITS)
    except DiscoveryError as exc:
        assert "https://ex.com/rss" in str(exc)
        return
    assert len(found) <= LIMITS.items and all(canonical(d.url) for d in found)


@BOUNDED
@given(body=hostile(SITEMAP))
def test_sitemaps(body: bytes) -> None:
    try:
        found = parse_sitemap(body, "https://ex.com/sitemap.xml", LIMITS)
    except DiscoveryError:
        return
    assert len(found.articles) <= LIMITS.items and len(found.sitemaps) <= LIMITS.items
    assert all(canonical(d.url) for d in found.articles)


@BOUNDED
@given(body=hostile(SECTION), pattern=st.sampled_from(["", "story", "[", "(a+)+$"]))
def test_section_pages(body: bytes, pattern: str) -> None:
    try:
        found = parse_section_page(body, "https://ex.com/", pattern, LIMITS)
    except DiscoveryError:
        return
    assert len(found) <= LIMITS.links and all(canonical(d.url) for d in found)


@BOUNDED
@given(body=hostile(ROBOTS), path=st.text(max_size=200))
def test_robots_txt(body: bytes, path: str) -> None:
    """Any robots.txt reads as rules that answer yes or no (the fetcher's own reading,
    which never raises: a robots.txt is read with undecodable bytes replaced)."""
    robots = parse_robots(body)
    assert robots.can_fetch("https://ex.com/" + path, ROBOTS_TOKEN) in (True, False)


def test_robots_txt_rules_hold_and_the_largest_one_reads() -> None:
    robots = parse_robots(ROBOTS)
    assert not robots.can_fetch("https://ex.com/news/2026/draft-1", ROBOTS_TOKEN)
    assert robots.can_fetch("https://ex.com/private/x", ROBOTS_TOKEN)  # its own group
    assert not robots.can_fetch("https://ex.com/private/x", "otherbot")
    rule = b"Disallow: /" + b"*a" * 40 + b"b$\n"  # wildcards: no backtracking blow-up
    largest = b"User-agent: *\n" + rule * (ROBOTS_MAX_BYTES // len(rule))
    assert parse_robots(largest).can_fetch("https://ex.com/" + "a" * 2000, ROBOTS_TOKEN)


@BOUNDED
@given(url=st.text(max_size=200), base=st.sampled_from([None, "https://ex.com/a/"]))
def test_canonical_urls_are_stable(url: str, base: str | None) -> None:
    try:
        once = canonicalize(url, base)
    except ValueError:
        return
    assert canonicalize(once) == once


@BOUNDED
@given(value=st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.booleans()))
def test_durations_and_sizes(value: object) -> None:
    for parse in (parse_duration, parse_size):
        try:
            result = parse(value)
        except ValueError:
            continue
        assert result >= 0


@BOUNDED
@given(text=st.one_of(st.text(max_size=300), st.sampled_from([
    "[fetch]\ntimeout = '5s'\n", "[[sources]]\nname = 'x'\nfeeds = ['https://ex.com/f']\n",
    "limits = {authors = -1}\n", "x = " + "[" * 5000 + "]" * 5000 + "\n"])))
def test_configuration_files(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = Path(tmp_path_factory.mktemp("config")) / "tearsheet.toml"
    try:
        path.write_text(text, encoding="utf-8")
    except UnicodeEncodeError:
        return
    try:
        load_settings(path)
    except ConfigError as exc:
        assert str(path) in str(exc) or "environment" in str(exc)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - must not escape
        raise AssertionError(exc) from None
