"""Hostile documents: each parser reads a bounded part of them and ends in a result or a
clear TearsheetError, never a traceback (RecursionError, ValueError) or minutes of CPU.
Here discovery (feeds, sitemaps, section pages) and the configuration; the extractor's
share is extract/test_hostile_inputs.py.

The alarm in ``bounded`` is a hang guard (the unbounded parsers took minutes), not a
timing assertion: what is asserted is the bound on what was read.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tearsheet.config import LimitSettings, load_settings
from tearsheet.discover import parse_feed, parse_section_page, parse_sitemap
from tearsheet.errors import ConfigError, DiscoveryError
from tests.support.hang import hang_guard


@pytest.fixture(autouse=True)
def bounded() -> Iterator[None]:
    with hang_guard():
        yield


# --- discovery ----------------------------------------------------------------------------


def rss(count: int) -> bytes:
    items = "".join(f"<item><title>Story {i}</title>"
                    f"<link>https://ex.com/news/story-number-{i}</link></item>"
                    for i in range(count))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}'
            "</channel></rss>").encode()


def test_a_feed_of_120000_items_is_read_up_to_the_cap_in_order() -> None:
    found = parse_feed(rss(120_000), "https://ex.com/rss")
    assert len(found) == LimitSettings().items
    assert [d.url for d in found[:2]] == ["https://ex.com/news/story-number-0",
                                          "https://ex.com/news/story-number-1"]
    few = parse_feed(rss(50), "https://ex.com/rss", LimitSettings(items=7))
    assert [d.title for d in few] == [f"Story {i}" for i in range(7)]


def test_an_atom_feed_over_the_cap_is_trimmed_too() -> None:
    entries = "".join(f'<entry><title>S{i}</title><id>urn:{i}</id>'
                      f'<link href="https://ex.com/news/story-number-{i}"/></entry>'
                      for i in range(40))
    atom = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>{entries}</feed>'
    found = parse_feed(atom.encode(), "https://ex.com/atom", LimitSettings(items=5))
    assert [d.title for d in found] == ["S0", "S1", "S2", "S3", "S4"]


@pytest.mark.parametrize("junk", [
    b"<x>" * 100_000 + b"</x>" * 100_000,  # nesting
    b"<x/>" * 300_000,  # a flat sea of elements
    b"<item><link>https://ex.com/a/b-c-d</link>" + b"<y>" * 50_000 + b"</item>",
])
def test_a_feed_of_junk_elements_is_bounded(junk: bytes) -> None:
    body = b'<rss version="2.0"><channel><title>t</title>' + junk + b"</channel></rss>"
    try:
        found = parse_feed(body, "https://ex.com/rss")
    except DiscoveryError:
        return
    assert len(found) <= 1


def test_a_section_page_of_250000_links_is_read_up_to_the_cap() -> None:
    links = "".join(f'<a href="/news/story-number-{i}">Story {i}</a>' for i in range(250_000))
    body = f"<html><body>{links}</body></html>".encode()
    found = parse_section_page(body, "https://ex.com/", "")
    assert len(found) == LimitSettings().links
    assert found[0].title == "Story 0"
    assert len(parse_section_page(body, "https://ex.com/", "", LimitSettings(links=3))) == 3


def test_a_sitemap_and_an_index_are_read_up_to_the_cap() -> None:
    urls = "".join(f"<url><loc>https://ex.com/news/story-{i}</loc></url>" for i in range(100))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    assert len(parse_sitemap(body.encode(), "https://ex.com/s.xml",
                             LimitSettings(items=10)).articles) == 10
    maps = "".join(f"<sitemap><loc>https://ex.com/s{i}.xml</loc></sitemap>" for i in range(100))
    index = f"<sitemapindex>{maps}</sitemapindex>".encode()
    assert len(parse_sitemap(index, "https://ex.com/i.xml",
                             LimitSettings(items=4)).sitemaps) == 4


def test_a_reference_to_a_surrogate_costs_one_title_not_the_sitemap() -> None:
    """lxml's recovering parser keeps "&#xd800;" as bytes that are not UTF-8: reading
    them as text raised UnicodeDecodeError and the sitemap was lost."""
    body = (b'<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            b"<url><loc>https://ex.com/news/a&#xd800;</loc></url>"
            b"<url><loc>https://ex.com/news/b</loc><news:news><news:title>Bad &#xd800; "
            b"title</news:title><news:publication_date>2024-05-01&#xdfff;</news:publication_date>"
            b"</news:news></url></urlset>")
    found = parse_sitemap(body, "https://ex.com/s.xml").articles
    assert [a.url.rsplit("/", 1)[1][:1] for a in found] == ["a", "b"]
    assert found[1].title is not None and "title" in found[1].title


def test_deeply_nested_sitemaps_and_section_pages_end_cleanly() -> None:
    deep = b"<urlset>" + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</urlset>"
    with contextlib.suppress(DiscoveryError):
        assert parse_sitemap(deep, "https://ex.com/s.xml").articles == []
    html = b"<html><body>" + b"<div>" * 100_000 + b'<a href="/a/b-c-d/1234">x</a>'
    assert len(parse_section_page(html, "https://ex.com/", "")) <= 1


def test_discovery_documents_are_parsed_off_the_event_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tracker hands the feed to its discovery thread: the event loop's thread never
    parses it."""
    from tearsheet.fetch.fetcher import Response
    from tearsheet.store.records import DueFeed
    from tearsheet.store.store import Store
    from tearsheet.tracker import discovery
    from tearsheet.tracker import tracker as tracker_module

    threads: list[int] = []
    real = discovery.parse_feed

    def recording(*args: object, **options: object) -> object:
        threads.append(threading.get_ident())
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(discovery, "parse_feed", recording)
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             fetch={"extract_processes": 0}, limits={"items": 2})
    import httpx

    feed = DueFeed(id=1, source_id=1, kind="feed", url="https://ex.com/rss", etag=None,
                   last_modified=None, error_count=0, article_pattern="")

    async def go(body: bytes) -> list[str]:
        response = Response("https://ex.com/rss", "https://ex.com/rss", 200, httpx.Headers(),
                            body, None, ())  # type: ignore[arg-type]
        store = Store.open(settings.database_url)
        try:
            async with tracker_module.assemble(settings, store, None) as tracker:  # type: ignore[arg-type]
                found = await tracker._links(feed, response)
        finally:
            store.close()
        return [d.url for d in found]

    loop_thread = threading.get_ident()
    first_two = ["https://ex.com/news/story-number-0", "https://ex.com/news/story-number-1"]
    for feed_body in (rss(2_000), rss(10)):
        threads.clear()
        assert asyncio.run(go(feed_body)) == first_two
        assert threads and loop_thread not in threads


# --- configuration ------------------------------------------------------------------------


def test_a_deeply_nested_config_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "tearsheet.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_settings(path)


def test_a_deeply_nested_environment_value_is_a_config_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEARSHEET_SOURCES", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigError):
        load_settings(None)


def test_limits_are_settings_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "tearsheet.toml"
    path.write_text('[limits]\nauthors = 5\njson_ld_bytes = "1MB"\n')
    limits = load_settings(path).limits
    assert (limits.authors, limits.json_ld_bytes, limits.items) == (5, 1_000_000, 5_000)
    path.write_text("[limits]\nauthors = 0\n")
    with pytest.raises(ConfigError, match=r"limits\.authors"):
        load_settings(path)
