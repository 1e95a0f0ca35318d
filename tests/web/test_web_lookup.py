"""``/api/v1/lookup`` and the SVG badge: for readers' tools on other sites."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

import pytest

from tests.support import webclient
from tests.support.served import budget_story, serve_store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_store(tmp_path_factory.mktemp("lookup"), budget_story) as base:
        yield base


@pytest.mark.parametrize("url", [
    "https://news.example/2026/budget", "https://NEWS.example/2026/budget#comments",
    "https://news.example/2026/budget?utm_source=mastodon"])
def test_a_tracked_url_is_found_however_spelled(site: str, url: str) -> None:
    for _ in range(2):  # the second answer may come from the page cache: same headers
        response = webclient.get(f"{site}/api/v1/lookup", params={"url": url},
                                 headers={"Origin": "https://elsewhere.example"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        found = response.json()
        assert found["tracked"] is True and found["url"] == "https://news.example/2026/budget"
        assert (found["versions"], found["changes"]) == (3, 2)
        assert found["page"] == f"{site}/articles/1"
        assert found["badge"] == f"{site}/articles/1/badge.svg"


def test_an_untracked_url_says_so(site: str) -> None:
    found = webclient.get(f"{site}/api/v1/lookup",
                          params={"url": "https://news.example/other"}).json()
    assert found == {**found, "tracked": False, "versions": 0, "article_id": None}


@pytest.mark.parametrize(("url", "status"), [("ftp://news.example/a", 400), ("not a url", 400),
                                             ("", 422)])
def test_a_bad_url_is_refused(site: str, url: str, status: int) -> None:
    assert webclient.get(f"{site}/api/v1/lookup", params={"url": url}).status_code == status


def test_the_badge_counts_the_changes(site: str) -> None:
    response = webclient.get(f"{site}/articles/1/badge.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["access-control-allow-origin"] == "*"
    svg = ElementTree.fromstring(response.content)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["tearsheet", "changed 2 times"]
    assert webclient.get(f"{site}/articles/99/badge.svg").status_code == 404
