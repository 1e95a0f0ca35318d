"""The web UI, served by a real server on 127.0.0.1, read over HTTP and in headless Chromium."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tearsheet import __version__
from tearsheet.config import load_settings
from tearsheet.store.store import Store
from tearsheet.web import create_app
from tests.support import webclient
from tests.support.served import (
    HOSTILE,
    START,
    V1,
    V2,
    budget_story,
    launch,
    new_page,
    record,
    serve,
    serve_store,
)
from tests.support.served import free_port as _free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store with one article in three versions (and one never fetched), served."""
    def fill(store: Store) -> None:
        assert budget_story(store) == 1  # three versions, their two changes summarised
        store.add_articles(store.ensure_source("daily-example", START),
                           [("https://news.example/2026/later", None)], START, 1800.0,
                           revive_gap=3600.0)

    with serve_store(tmp_path_factory.mktemp("web"), fill) as base:
        yield base


def get(site: str, path: str, status: int = 200) -> str:
    response = webclient.get(site + path, follow_redirects=True)
    assert response.status_code == status, response.text[:500]
    return response.text


def test_front_page_lists_changes_with_kinds(site: str) -> None:
    html = get(site, "/")
    assert html.count('class="headline"') == 2  # versions 2 and 3 are changes
    assert "correction appended" in html
    assert '<del>Budget passes</del>' in html  # the headline change is shown
    assert HOSTILE not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(("query", "count"), [("?kind=correction_appended", 1),
                                              ("?min=0.99", 0), ("?source=daily-example", 2),
                                              ("?source=nobody", 0)])
def test_front_page_filters(site: str, query: str, count: int) -> None:
    html = get(site, "/" + query)
    assert html.count('class="headline"') == count
    if "kind" in query:  # the kinds are offered in a menu, the chosen one selected
        assert '<option value="correction_appended" selected>correction appended' in html


def test_sources(site: str) -> None:
    html = get(site, "/sources")
    assert "daily-example" in html and "<td>2</td>" in html
    source = get(site, "/sources/daily-example")
    assert "not yet fetched" in source
    get(site, "/sources/nobody", 404)


def test_article_page_has_every_fact_filled_in(site: str) -> None:
    html = get(site, "/articles/1")
    for fact in ("First published", "20 Nov 2026, 07:00 UTC", "First seen",
                 "20 Nov 2026, 08:00 UTC", "Last changed", "checked every 2 hours",
                 "https://news.example/2026/budget", "changed 2 times", "about 8 hours later",
                 "about 16 hours later"):
        assert fact in html, fact
    assert " on ." not in html and "None" not in html
    assert HOSTILE not in html


def test_a_never_fetched_article_has_no_blank_either(site: str) -> None:
    html = get(site, "/articles/2")
    assert "not fetched yet" in html and "not stated by the page" in html
    assert "No version stored yet" in html
    assert not re.search(r"<dd[^>]*>\s*</dd>", html) and "None" not in html
    assert not re.search(r"<dd[^>]*>\s*</dd>", get(site, "/articles/1"))


def test_boring_changes_are_hidden_until_asked_for(tmp_path: Path) -> None:
    text = "The mayor's plan - a bold one - passed. It costs 4 million."
    with serve_store(tmp_path, lambda store: record(
            store, "daily-example", "https://news.example/boring",
            [("Plan passes", text), ("Plan passes", text.replace("'", "\u2019")
                                     .replace(" - ", " \u2014 "))])) as base:
        assert 'class="headline"' not in get(base, "/")
        assert get(base, "/?boring=true").count('class="headline"') == 1
        html = get(base, "/articles/1/diff/1/2")
        assert "Only typography or paragraph breaks changed" in html
        assert '<table class="diff">' not in html
        shown = get(base, "/articles/1/diff/1/2?view=side&boring=true")
        assert '<table class="diff">' in shown and "typography only" in shown


def test_headline_and_byline_changes_come_first(tmp_path: Path) -> None:
    with serve_store(tmp_path, lambda store: record(
            store, "daily-example", "https://news.example/h",
            [("Plan passes", V1), ("Plan fails", V2)])) as base:
        side = get(base, "/articles/1/diff/1/2")
        rows = re.findall(r'<tr[^>]*><th scope="row">([^<]*)', side)
        assert rows[0] == "headline" and "<del>passes</del>" in side
        inline = get(base, "/articles/1/diff/1/2?view=inline")
        body = inline[inline.index('<div class="inline">'):]  # (the head's og: text aside)
        assert body.index("headline:") < body.index("council")


def test_diff_page_side_by_side_and_inline(site: str) -> None:
    html = get(site, "/articles/1/diff/1/2")
    assert "<del>412</del>" in html and "<ins>421</ins>" in html
    assert "<ins>Correction:" in html
    assert HOSTILE not in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    inline = get(site, "/articles/1/diff/1/2?view=inline")
    assert "<del>412</del><ins>421</ins>" in inline
    assert 'href="/articles/1/diff/2/3' in html


def test_compare_any_two_versions(site: str) -> None:
    response = webclient.get(site + "/articles/1/compare?old=3&new=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/articles/1/diff/1/3"


def test_version_page(site: str) -> None:
    html = get(site, "/articles/1/versions/2")
    assert "Version 2 of 3" in html and "Correction:" in html
    assert f"tearsheet {__version__} —" in html  # the version shown is not tearsheet's
    assert HOSTILE not in html and "&lt;script&gt;alert" in html


@pytest.mark.parametrize("path", ["/articles/99", "/articles/1/versions/9",
                                  "/articles/1/diff/2/1", "/articles/1/diff/1/9"])
def test_missing_things_are_404(site: str, path: str) -> None:
    get(site, path, 404)


HUGE = "99999999999999999999"  # past the database's integer range


@pytest.mark.parametrize("path", [f"/articles/{HUGE}", f"/articles/1/versions/{HUGE}",
                                  f"/articles/1/diff/1/{HUGE}", f"/articles/{HUGE}/feed.atom",
                                  f"/articles/1/versions/{HUGE}/capture", "/articles/0"])
def test_ids_out_of_range_are_400_not_500(site: str, path: str) -> None:
    assert "Bad request" in get(site, path, 400)


@pytest.mark.parametrize(("old", "new", "previous", "following"), [
    (1, 2, None, "/diff/2/3"), (2, 3, "/diff/1/2", "/diff/3/4"), (4, 5, "/diff/3/4", None),
    (2, 4, "/diff/1/2", "/diff/4/5"),  # a range: the single changes on either side of it
])
def test_diff_page_steps_to_the_changes_beside_it(
    tmp_path: Path, old: int, new: int, previous: str | None, following: str | None
) -> None:
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}")
    store = Store.open(settings.database_url)
    texts = [V1, V2, V2 + "\n\nUpdate: the vote is on Friday.", V2, V2.replace("412", "430")]
    article = record(store, "daily-example", "https://news.example/steps",
                     [(f"Budget, take {i}", text) for i, text in enumerate(texts, 1)])
    try:
        with serve(create_app(settings, store)) as base:
            html = get(base, f"/articles/{article}/diff/{old}/{new}")
    finally:
        store.close()
    links = dict(re.findall(r'rel="(prev|next)" href="/articles/\d+(/diff/\d+/\d+)', html))
    assert links.get("prev") == previous and links.get("next") == following


def test_bad_cursor_is_400(site: str) -> None:
    html = get(site, "/?before=yesterday", 400)
    assert "Bad request" in html and "bad page cursor" in html


def test_error_pages_say_what_happened(site: str) -> None:
    html = get(site, "/articles/99", 404)
    assert "Not found" in html and "no article 99" in html
    assert "There is no page at /nowhere/&lt;b&gt;." in get(site, "/nowhere/%3Cb%3E", 404)
    assert "min" in get(site, "/?min=7", 400)


def test_a_server_error_says_so_without_details(tmp_path: Path) -> None:
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}")
    store = Store.open(settings.database_url)
    record(store, "daily-example", "https://news.example/a", [("Plan passes", V1)])
    try:
        with serve(create_app(settings, store)) as base:
            assert webclient.get(base + "/articles/1").status_code == 200
            with closing(sqlite3.connect(tmp_path / "ts.db")) as db:
                db.execute("DROP TABLE versions")  # the store breaks under the server
            response = webclient.get(base + "/articles/1")
            assert response.status_code == 500
            assert "Something went wrong on our side" in response.text
            assert "no such table" not in response.text and "x-cache" not in response.headers
    finally:
        store.close()


def test_security_headers(site: str) -> None:
    response = webclient.get(site + "/articles/1")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert " onerror=" not in response.text.replace("&lt;img src=x onerror=", "")


def test_in_a_real_browser(site: str) -> None:
    """Headless Chromium: navigate, compare, search; nothing hostile runs; fits a phone.
    Screenshots of each page are kept in test-artifacts/web/."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = new_page(browser)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("dialog", lambda dialog: errors.append("dialog: " + dialog.message))
            page.goto(site + "/")
            page.click("text=Budget passes")  # newest change first: version 3
            assert page.url.endswith("/articles/1/diff/2/3")
            assert page.locator("ins").first.inner_text().strip() == "very"
            page.click("text=previous change")
            assert "/articles/1/diff/1/2" in page.url
            page.goto(site + "/articles/1")
            page.check("input[name=old][value='1']")
            page.check("input[name=new][value='3']")
            page.click("text=Compare the two chosen versions")
            assert page.url.endswith("/articles/1/diff/1/3")
            page.goto(site + "/search")
            page.fill("input[name=q]", "very optimistic")
            page.click("button:text('Search')")
            assert page.locator("mark").first.inner_text() == "very"
            page.click(".changes a.headline")
            assert "/articles/1/versions/3" in page.url
            for name, path in [("front", "/"), ("sources", "/sources"), ("article", "/articles/1"),
                               ("diff", "/articles/1/diff/1/2"), ("search", "/search?q=budget"),
                               ("diff-inline", "/articles/1/diff/1/3?view=inline"),
                               ("stats", "/stats"), ("source", "/sources/daily-example"),
                               ("version", "/articles/1/versions/2"), ("404", "/nowhere")]:
                page.goto(site + path)
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            dark = new_page(browser, color_scheme="dark")
            for name, path in [("front", "/"), ("article", "/articles/1"),
                               ("diff", "/articles/1/diff/1/2"),
                               ("diff-inline", "/articles/1/diff/1/3?view=inline")]:
                dark.goto(site + path)
                dark.screenshot(path=str(ARTIFACTS / f"{name}-dark.png"), full_page=True)
            phone = new_page(browser, viewport={"width": 375, "height": 700})
            phone.goto(site + "/articles/1/diff/1/2")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"the diff page scrolls sideways on a phone ({width}px)"
            phone.screenshot(path=str(ARTIFACTS / "diff-phone.png"), full_page=True)
            assert errors == []  # no script ran: article text stays text
        finally:
            browser.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("optimistic forecasts", 3),  # in every version
     ("412", 1),  # only in version 1: text that was later changed is still found
     ("very optimistic", 1),
     ("Correction misstated", 2),
     ("\"unbalanced AND OR ( *", 0),  # query syntax in the input is just words
     ("", 0)],
)
def test_search(site: str, query: str, expected: int) -> None:
    html = get(site, "/search?" + httpx.QueryParams({"q": query}).__str__())
    assert html.count('class="snippet"') == expected
    assert HOSTILE not in html


def test_search_marks_matches_and_escapes_text(site: str) -> None:
    html = get(site, "/search?q=residents+wrote")
    assert "<mark>Residents</mark> <mark>wrote</mark>" in html
    assert "&lt;script&gt;" in html


def test_statistics_page_and_charts(site: str) -> None:
    html = get(site, "/stats")
    assert "Most edited articles" in html and "daily-example" in html
    assert "1 (50%)" in html  # one of its two articles changed
    assert "8 hours" in html  # median time to first change
    for chart in ("/stats/changes.svg", "/stats/share.svg"):
        response = webclient.get(site + chart)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        assert "<script" not in response.text
        assert "daily-example" in response.text


def test_serve_with_several_workers(tmp_path: Path) -> None:
    """`tearsheet serve --workers 2`: server processes load the settings by themselves."""
    import subprocess
    import sys

    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "ts.db"}"\n')
    Store.open(f"sqlite:///{tmp_path / 'ts.db'}").close()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "tearsheet", "serve", "--config",
                               str(config), "--port", str(port), "--workers", "2"],
                              stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120  # a bound: two interpreters start on a loaded machine
        while time.time() < deadline:
            try:
                response = webclient.get(f"http://127.0.0.1:{port}/sources")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        assert response.status_code == 200 and "Sources" in response.text
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_diff_of_huge_repetitive_versions_is_served(tmp_path: Path) -> None:
    """Versions made of one paragraph repeated 4,000 times (hours of difflib once, in the
    request): the diff page and the API's diff answer, with the one edit in them."""
    same = "The council met again today. The vote was put off. Nobody spoke."
    edited = [same] * 4000
    edited[2500] = same.replace("put off.", "put off until May.")
    history = [("Repeats", "\n\n".join([same] * 4000)), ("Repeats", "\n\n".join(edited))]

    def fill(store: Store) -> None:
        record(store, "daily-example", "https://news.example/repeats", history)

    with serve_store(tmp_path, fill) as base:
        page = get(base, "/articles/1/diff/1/2")
        api = webclient.get(base + "/api/v1/articles/1/diff/1/2")
    assert "until May" in page
    assert api.status_code == 200
    changed = [u for u in api.json()["units"] if u["label"] != "unchanged"]
    assert [(u["label"], u["new_text"]) for u in changed] == [
        ("edited", "The vote was put off until May.")]
