"""Atom and RSS feeds of changes, served for real and parsed back with feedparser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import feedparser
import httpx
import pytest
from lxml import etree

from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.served import HOSTILE, START, budget_story, record, serve_store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def fill(store: Store) -> None:
        budget_story(store)
        record(store, "other-paper", "https://other.example/ferry",
               [("Ferry late", "The ferry was late again on Monday morning, said the operator."),
                ("Ferry late", "The ferry was late again on Monday morning, the operator said "
                 "in a statement, and the minister will answer questions in parliament.")],
               start=START + timedelta(days=2))

    with serve_store(tmp_path_factory.mktemp("feeds"), fill) as base:
        yield base


def fetch(site: str, path: str, **headers: str) -> httpx.Response:
    return webclient.get(site + path, headers=headers)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_all_changes_parse_back(site: str, fmt: str) -> None:
    response = fetch(site, f"/feed.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(f"application/{fmt}+xml")
    etree.fromstring(response.content)  # well-formed XML, or this raises
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == ("atom10" if fmt == "atom" else "rss20")
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "Ferry late"  # newest first
    assert len(titles) == 3  # two changes of the budget story, one of the ferry story
    hostile = feed.entries[1]
    assert "<script>" in hostile.title  # the headline is text, kept as the page had it
    assert hostile.link.startswith(site) and hostile.link.endswith("/articles/1/diff/2/3")
    assert "+1/" in hostile.summary or "+1/" in hostile.description


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_entries_carry_an_escaped_diff_excerpt(site: str, fmt: str) -> None:
    feed = feedparser.parse(fetch(site, f"/feed.{fmt}?source=daily-example").content)
    oldest = feed.entries[-1]  # version 1 → 2: the figure and the correction
    html = oldest.content[0].value if fmt == "atom" else oldest.description
    assert "<del>412</del>" in html and "<ins>421</ins>" in html
    assert "<ins>Correction:" in html
    assert "correction appended" in (oldest.summary if fmt == "atom" else html)
    # The hostile text is escaped inside the HTML: no element a reader would run.
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "\x01" not in html


def test_stable_ids_and_updated(site: str) -> None:
    first = feedparser.parse(fetch(site, "/feed.atom").content)
    second = feedparser.parse(fetch(site, "/sources/daily-example/feed.atom").content)
    ids = {entry.link: entry.id for entry in first.entries}
    for entry in second.entries:  # the same change has the same id in every feed
        assert ids[entry.link] == entry.id and entry.id.startswith("urn:uuid:")
    assert len(set(ids.values())) == 3
    assert first.entries[0].updated.startswith("2026-11-22T")
    assert first.feed.updated == first.entries[0].updated


def test_every_version_is_a_new_entry_with_its_own_id_in_both_formats(site: str) -> None:
    """Feed readers show a change once per version: the article's two changes are two
    entries with two ids, and RSS's guid is Atom's id (not a permalink)."""
    atom = feedparser.parse(fetch(site, "/articles/1/feed.atom").content)
    rss = fetch(site, "/articles/1/feed.rss").content
    guids = etree.fromstring(rss).findall("channel/item/guid")
    assert [g.get("isPermaLink") for g in guids] == ["false", "false"]
    assert [g.text for g in guids] == [entry.id for entry in atom.entries]
    assert len({entry.id for entry in atom.entries}) == 2
    assert [entry.link.rsplit("/diff/", 1)[1] for entry in atom.entries] == ["2/3", "1/2"]
    for entry in atom.entries:  # each carries its own change, marked up
        assert "<del>" in entry.content[0].value or "<ins>" in entry.content[0].value


@pytest.mark.parametrize(("path", "count"), [
    ("/feed.atom?kind=correction_appended", 1), ("/feed.atom?min=0.99", 0),
    ("/feed.atom?source=other-paper", 1), ("/sources/other-paper/feed.rss", 1),
    ("/articles/1/feed.atom", 2), ("/articles/2/feed.rss", 1),
    ("/feed.atom?q=minister", 1), ("/feed.atom?q=council+budget", 2),
    ("/feed.atom?q=nothing+matches", 0),
])
def test_feeds_per_source_article_filter_and_search(site: str, path: str, count: int) -> None:
    response = fetch(site, path)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo and len(feed.entries) == count


@pytest.mark.parametrize(("path", "status"), [
    ("/sources/nobody/feed.atom", 404), ("/articles/99/feed.rss", 404), ("/feed.json", 404),
    ("/articles/99999999999999999999/feed.atom", 400), ("/feed.atom?min=2", 400),
])
def test_missing_feeds_and_bad_requests(site: str, path: str, status: int) -> None:
    assert fetch(site, path).status_code == status


def test_conditional_get(site: str) -> None:
    first = fetch(site, "/feed.atom")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert fetch(site, "/feed.atom", **{"If-None-Match": etag}).status_code == 304
    assert fetch(site, "/feed.atom", **{"If-Modified-Since": modified}).status_code == 304
    assert fetch(site, "/feed.atom",
                 **{"If-Modified-Since": "Thu, 19 Nov 2026 08:00:00 GMT"}).status_code == 200
    assert fetch(site, "/feed.atom", **{"If-None-Match": '"other"'}).status_code == 200
    # Another filter, another format: another ETag.
    assert fetch(site, "/feed.rss").headers["etag"] != etag
    assert fetch(site, "/feed.atom?source=other-paper").headers["etag"] != etag


@pytest.mark.parametrize(("page", "feed"), [
    ("/", "/feed.atom"), ("/?source=other-paper&before=x", None),
    ("/sources/daily-example", "/sources/daily-example/feed.atom"),
    ("/articles/1", "/articles/1/feed.atom"), ("/search?q=minister", "/feed.atom?q=minister"),
])
def test_pages_link_their_feeds(site: str, page: str, feed: str | None) -> None:
    response = fetch(site, page.replace("&before=x", ""))
    html = response.text
    expected = feed or "/feed.atom?source=other-paper"
    assert f'<link rel="alternate" type="application/atom+xml" title="Changes (Atom)" ' \
           f'href="{expected.replace("&", "&amp;")}">' in html
    assert f'href="{expected.replace(".atom", ".rss")}" type="application/rss+xml">RSS feed' \
           in html
    assert HOSTILE not in html
