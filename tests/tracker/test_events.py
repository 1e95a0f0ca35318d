"""Article events: unpublished, moved, paywalled, blocked, returned — told apart by the
rules (pure), then recorded by the tracker against a real local site, never as versions."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from tearsheet.store.browse import Browse
from tearsheet.store.report import outlet_report
from tearsheet.store.store import Store
from tearsheet.tracker import events
from tests.support import webclient
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import Newsroom, Story, export, run_once, write_config
from tests.support.pages import LOREM, article_page

ARTICLE = "https://news.example/world/europe/2026/ferry-runs-aground"


@pytest.mark.parametrize(("final", "section"), [
    ("https://news.example/", True), ("https://www.news.example/world", True),
    ("https://news.example/world/europe/", True), ("https://news.example/us-news", True),
    ("https://news.example/world/europe/2026/ferry-runs-aground-off-gull-point", False),
    ("https://news.example/ferry-runs-aground-off-gull-point", False),
    ("https://other.example/", False), ("https://news.example/2026/story-123", False),
])
def test_sections_and_home_pages_are_told_from_articles(final: str, section: bool) -> None:
    assert events.is_section_of(ARTICLE, final) is section


def test_events_follow_the_state_the_article_is_in() -> None:
    gone = events.after_failure(None, http_status=410, reason=None, has_versions=True)
    assert gone is not None and (gone.kind, gone.state) == ("unpublished", "unpublished")
    assert events.after_failure("unpublished", http_status=404, reason=None,
                                has_versions=True) is None  # still gone: no new event
    assert events.after_failure(None, http_status=503, reason=None, has_versions=True) is None
    paywalled = events.after_failure(None, http_status=200, reason="paywall",
                                     has_versions=True)
    assert paywalled is not None and paywalled.kind == "paywalled"
    assert events.after_failure(None, http_status=200, reason="paywall",
                                has_versions=False) is None  # never readable: not "later"
    blocked = events.after_failure(None, http_status=403, reason=None, has_versions=True)
    assert blocked is not None and blocked.kind == "blocked"
    back = events.after_success("paywalled")
    assert back is not None and (back.kind, back.state) == ("returned", None)
    assert events.after_success(None) is None
    moved = events.after_redirect(None, ARTICLE, ARTICLE + "-off-gull-point", permanent=True)
    assert moved is not None and (moved.kind, moved.detail) == (
        "moved", ARTICLE + "-off-gull-point")
    assert events.after_redirect(None, ARTICLE, ARTICLE + "-2", permanent=False) is None
    assert events.after_redirect("moved", ARTICLE, ARTICLE + "-2", permanent=True) is None
    assert events.after_success("moved") is None
    assert events.after_redirect(None, ARTICLE, ARTICLE + "/", permanent=True) is None
    section = events.after_redirect(None, ARTICLE, "https://news.example/world",
                                    permanent=False)
    assert section is not None and section.kind == "unpublished"


def test_the_tracker_records_events_and_never_a_version(
    server: LocalServer, tmp_path: Path
) -> None:
    room = Newsroom(server)
    server.route("/feed.xml", room.feed)
    for name in ("gone", "sectioned", "moving", "steady"):
        room.publish(f"/news/{name}-story", Story(f"The {name} story", list(LOREM)))
    config = write_config(tmp_path, server, unpublished_interval='"0.3s"')
    run_once(config)
    assert len(export(config, tmp_path)) == 4

    room.stories["/news/gone-story"].status = 410
    server.route("/news/sectioned-story", Reply(status=302, headers={"Location": "/news"}))
    server.route("/news", Reply(body="<html><body><h1>News</h1></body></html>"))
    server.route("/news/moved-story-at-a-new-address",  # not in the feed: only the redirect
                 article_page("The moving story", list(LOREM), byline="Jane Doe"))
    server.route("/news/moving-story", Reply(
        status=301, headers={"Location": "/news/moved-story-at-a-new-address"}))
    run_once(config)
    run_once(config)  # still gone, still redirected: no second event
    room.stories["/news/gone-story"].status = 200  # it comes back
    run_once(config)

    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    try:
        ids = {name: store.article_by_url(server.url(f"/news/{name}-story")) for name in
               ("gone", "sectioned", "moving", "steady")}
        browse = Browse(store)
        kinds = {name: [(e["kind"], e["detail"]) for e in browse.article_events(row["id"])]
                 for name, row in ids.items() if row is not None}
        assert kinds["gone"] == [("unpublished", "HTTP 410"), ("returned", None)]
        assert kinds["sectioned"] == [("unpublished", f"redirected to {server.url('/news')}")]
        assert kinds["moving"] == [("moved", server.url("/news/moved-story-at-a-new-address"))]
        assert kinds["steady"] == []
        moved = ids["moving"]
        assert moved is not None
        assert moved["url"] == server.url("/news/moved-story-at-a-new-address")
        assert ids["sectioned"] is not None and ids["sectioned"]["status"] == "unpublished"
        assert ids["gone"] is not None and ids["gone"]["status"] is None
        browse.close()
        (row,) = outlet_report(store).sources
        assert (row.unpublished, row.versions) == (2, 4)  # the gone and the sectioned
    finally:
        store.close()
    assert len(export(config, tmp_path)) == 4  # events are never versions
    from tearsheet.config import load_settings
    from tearsheet.web import create_app
    from tests.support.served import serve

    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    try:  # the article page tells what happened
        with serve(create_app(load_settings(config), store)) as base:
            gone = ids["gone"]
            assert gone is not None
            html = webclient.get(f"{base}/articles/{gone['id']}").text
            assert "<h2>Events</h2>" in html and "unpublished (HTTP 410)" in html
            assert "back online" in html
            feed = feedparser.parse(webclient.get(f"{base}/articles/{gone['id']}/feed.atom").text)
            titles = [entry.title for entry in feed.entries]
            assert titles[:2] == ["Back online: The gone story",
                                  "Unpublished: The gone story"]  # newest first
            assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    finally:
        store.close()
