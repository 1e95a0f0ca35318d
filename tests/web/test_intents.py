"""What a change means, where people see it: the front page's intent and silence filters,
the diff page's labels with their sentences, the note, the feeds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import feedparser
import pytest

from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.served import HOSTILE, START, budget_story, record, serve_store

SILENT = ("Ferry toll", "The ferry carried 214 passengers when it ran aground on Sunday.\n\n"
          "The harbour master said an inquiry would start on Tuesday.")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def fill(store: Store) -> None:
        budget_story(store)  # a figure corrected with a note, then a hedge: not silent
        record(store, "other-paper", "https://other.example/ferry",
               [SILENT, (SILENT[0], SILENT[1].replace("214", "241") + f" {HOSTILE}")],
               start=START + timedelta(days=2))  # the figure changed, no note: silent

    with serve_store(tmp_path_factory.mktemp("intents"), fill) as base:
        yield base


def get(site: str, path: str) -> str:
    response = webclient.get(site + path)
    assert response.status_code == 200, response.text[:500]
    return response.text


@pytest.mark.parametrize(("query", "titles"), [
    ("", {"Budget passes", "Ferry toll"}),
    ("?intent=fact", {"Budget passes", "Ferry toll"}),
    ("?intent=narrative", {"Budget passes"}),
    ("?intent=figure", {"Budget passes", "Ferry toll"}),
    ("?intent=correction", {"Budget passes"}),
    ("?silent=true", {"Ferry toll"}),
    ("?intent=style&silent=true", set()),
    ("?intent=", {"Budget passes", "Ferry toll"}),  # the menu's "any"
])
def test_front_page_filters_by_intent_and_silence(site: str, query: str,
                                                  titles: set[str]) -> None:
    html = get(site, "/" + query)
    found = {t for t in ("Budget passes", "Ferry toll") if f">{t}" in html}
    assert found == titles
    if "intent=narrative" in query:
        assert '<option value="narrative" selected>narrative' in html


def test_front_page_shows_intents_the_silent_badge_and_the_note(site: str) -> None:
    html = get(site, "/")
    assert '<span class="intent fact">fact</span>' in html
    assert html.count('<span class="silent"') == 1  # only the ferry's change
    assert '<div class="note">Correction: An earlier version' in html


def test_diff_page_names_the_sentences_behind_each_label(site: str) -> None:
    ferry = get(site, "/articles/2/diff/1/2")
    assert "What it means" in ferry and '<span class="silent">silent correction</span>' in ferry
    assert "figure:" in ferry and "<q>The ferry carried 241 passengers" in ferry
    assert HOSTILE not in ferry  # the evidence is escaped like the rest
    budget = get(site, "/articles/1/diff/1/2")
    assert '<span class="silent">' not in budget
    assert "New note (correction): Correction: An earlier version" in budget


@pytest.mark.parametrize(("path", "count"), [
    ("/feed.atom?silent=true", 1), ("/feed.atom?intent=narrative", 1),
    ("/feed.atom?intent=fact", 2), ("/sources/other-paper/feed.rss?silent=false", 0),
])
def test_feeds_filter_by_intent_and_silence(site: str, path: str, count: int) -> None:
    parsed = feedparser.parse(get(site, path))
    assert len(parsed.entries) == count
    if "silent=true" in path:
        assert "silent correction" in parsed.entries[0].summary


def test_report_page_charts_and_json(site: str) -> None:
    html = get(site, "/report")
    assert '<img src="/report/intents.svg"' in html and "Silent corrections" in html
    assert '<a href="/?source=other-paper&amp;silent=true">1</a>' in html
    for chart in ("/report/intents.svg", "/report/corrections.svg?source=daily-example"):
        response = webclient.get(site + chart)
        assert response.headers["content-type"] == "image/svg+xml"
        assert b"<script" not in response.content and b"<svg" in response.content
    data = webclient.get(site + "/api/v1/report").json()
    rows = {row["source"]: row for row in data["sources"]}
    assert (rows["daily-example"]["versions"], rows["daily-example"]["silent_corrections"],
            rows["daily-example"]["fact_changes_with_note"]) == (3, 0, 1)
    assert (rows["other-paper"]["changed_articles"], rows["other-paper"]["silent_corrections"]
            ) == (1, 1)
    assert HOSTILE not in html
    only = webclient.get(site + "/api/v1/report", params={"source": "other-paper"}).json()
    assert [row["source"] for row in only["sources"]] == ["other-paper"]
    assert webclient.get(site + "/api/v1/report", params={"since": "2100-01-01"}).json()[
        "sources"] == []
    assert webclient.get(site + "/report", params={"source": "nobody"}).status_code == 404
    for bad in ("soon", "0001-01-01T00:00+01:00"):  # the second is before year 1 in UTC
        assert webclient.get(site + "/api/v1/report", params={"since": bad}).status_code == 400
    assert webclient.get(site + "/report", params={"since": "soon"}).status_code == 400
