"""Pages drawn by JavaScript: the article read from their state blob, or refused as
``needs_browser`` when only a browser would see it."""

from __future__ import annotations

import json

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract import extract
from tearsheet.extract.scripted import article_from_state, needs_browser, state_blobs
from tests.support.jssite import next_page, shell
from tests.support.pages import LOREM, article_page

HEADLINE = "Council approves transport budget"


def test_next_data_article_is_read_without_a_browser() -> None:
    found = extract(next_page(HEADLINE, LOREM), "https://news.example/story/a")
    assert found.paragraphs == LOREM
    assert found.title == HEADLINE


def test_state_assignment_with_html_body() -> None:
    body = "".join(f"<p>{p}</p>" for p in LOREM)
    state = json.dumps({"article": {"headline": HEADLINE, "content": {"html": body},
                                    "related": [{"title": "Other", "teaser": "Short."}]}})
    page = (f"<html><head><title>{HEADLINE}</title></head><body><div id='app'></div>"
            f"<script>window.__INITIAL_STATE__ = {state};</script></body></html>")
    found = article_from_state(page)
    assert found is not None
    assert found.paragraphs == LOREM
    assert found.title == HEADLINE
    assert extract(page).paragraphs == LOREM


def test_empty_app_shell_needs_a_browser() -> None:
    with pytest.raises(ExtractionError) as info:
        extract(shell("a"), "https://news.example/app/a")
    assert info.value.reason == "needs_browser"
    assert "render = \"browser\"" in str(info.value)


def test_rendered_shell_is_not_sent_to_the_browser_again() -> None:
    with pytest.raises(ExtractionError) as info:
        extract(shell("a"), "https://news.example/app/a", rendered=True)
    assert info.value.reason != "needs_browser"


def test_blob_without_prose_still_needs_a_browser() -> None:
    state = json.dumps({"props": {"pageProps": {"id": 42, "tags": ["a", "b"] * 50}}})
    page = (f"<html><body><div id='__next'></div><script id='__NEXT_DATA__' "
            f"type='application/json'>{state}</script></body></html>")
    assert list(state_blobs(page))
    assert article_from_state(page) is None
    with pytest.raises(ExtractionError) as info:
        extract(page)
    assert info.value.reason == "needs_browser"


def test_server_rendered_article_is_untouched() -> None:
    page = article_page(HEADLINE, LOREM)
    assert not needs_browser(page, visible_words=400)
    assert extract(page).paragraphs == LOREM


def test_short_page_without_scripts_is_too_short_not_needs_browser() -> None:
    with pytest.raises(ExtractionError) as info:
        extract("<html><body><p>Nothing here.</p></body></html>")
    assert info.value.reason == "too_short"


def test_json_ld_is_not_a_state_blob() -> None:
    ld = json.dumps({"@type": "NewsArticle", "articleBody": " ".join(LOREM)})
    page = f"<html><body><script type='application/ld+json'>{ld}</script></body></html>"
    assert list(state_blobs(page)) == []


def test_broken_blob_is_ignored() -> None:
    page = ("<html><body><div id='root'></div><script>window.__STATE__ = {oops</script>"
            "</body></html>")
    assert list(state_blobs(page)) == []
    assert article_from_state(page) is None
