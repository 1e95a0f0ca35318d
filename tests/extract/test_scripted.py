"""Pages drawn by JavaScript: the article read from their state blob, or refused as
``needs_browser`` when only a browser would see it."""

from __future__ import annotations

import json

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract import extract
from tearsheet.extract.refusals import visible_text
from tearsheet.extract.scripted import (
    article_from_declaration,
    article_from_state,
    needs_browser,
    state_blobs,
)
from tests.support.jssite import next_page, shell
from tests.support.pages import LOREM, article_page

HEADLINE = "Council approves transport budget"


def test_next_data_article_is_read_without_a_browser() -> None:
    found = extract(next_page(HEADLINE, LOREM), "https://news.example/story/a")
    assert found.paragraphs == LOREM
    assert found.title == HEADLINE
    assert found.body_from == "state"


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


def _sampled(article_body: str, teaser: str, *, free: bool = False) -> str:
    """A paywalled site's page as search engines' "flexible sampling" serves it: the whole
    text in JSON-LD, the markup a teaser and a subscription box."""
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": HEADLINE, "isAccessibleForFree": free,
                     "articleBody": article_body})
    caption = ("Councillors, transport campaigners and representatives of municipal "
               "bus drivers' associations during Tuesday evening's extraordinary budgetary "
               "deliberations. Photo: AP")  # a picture's caption: not the body
    return (f"<html><head><title>{HEADLINE}</title>"
            f"<script type='application/ld+json'>{ld}</script></head><body>"
            f"<article><h1>{HEADLINE}</h1><p>{caption}</p><p>{teaser}</p><div class='wall'>"
            "<p>Subscribe to continue reading. Already a subscriber? Log in.</p></div>"
            "</article></body></html>")


def test_a_teaser_page_that_declares_its_whole_article_is_read_from_the_declaration() -> None:
    teaser = " ".join(LOREM[0].split()[:12])
    found = extract(_sampled("\n\n".join(LOREM), teaser), "https://news.example/story/a")
    assert found.paragraphs == LOREM
    assert found.title == HEADLINE
    assert found.body_from == "json-ld"


def test_a_declared_body_in_html_is_read_as_its_paragraphs() -> None:
    body = "".join(f"<p>{p.replace('budget', '&amp; budget')}</p>" for p in LOREM)
    found = extract(_sampled(body, ""), "https://news.example/story/a")
    assert found.paragraphs == [p.replace("budget", "& budget") for p in LOREM]


@pytest.mark.parametrize("declared", [
    " ".join(" ".join(LOREM).split()[:60]) + "…",  # cut short: a teaser as well
    "Breaking news, tags, more, list, of, words, " * 10,  # no prose
])
def test_a_declared_body_that_is_not_the_article_leaves_the_teaser_refused(
        declared: str) -> None:
    teaser = " ".join(LOREM[0].split()[:12])
    with pytest.raises(ExtractionError) as info:
        extract(_sampled(declared, teaser), "https://news.example/story/a")
    assert info.value.reason == "paywall"


def test_a_page_showing_its_article_keeps_its_markup_over_the_declaration() -> None:
    page = article_page(HEADLINE, LOREM).replace(
        "</head>", "<script type='application/ld+json'>" + json.dumps(
            {"@type": "NewsArticle", "articleBody": "Other words entirely. " * 30})
        + "</script></head>")
    assert extract(page).paragraphs == LOREM


def test_a_declaration_no_longer_than_the_markup_s_text_is_not_taken() -> None:
    declared = "\n".join(LOREM)
    assert article_from_declaration(declared, [], stub=True) is not None
    # The markup shows most of it: the declaration is a teaser as well, or the same text.
    assert article_from_declaration(declared, LOREM[:2], stub=True) is None
    assert article_from_declaration(declared, LOREM[:1], stub=False) is None
    # The body read is the declaration run together: it gets its paragraphs back.
    found = article_from_declaration(declared, [" ".join(LOREM)], stub=False)
    assert found is not None and found.paragraphs == LOREM


def test_text_from_a_page_s_data_is_cleaned_as_its_markup_s() -> None:
    # Terminal escapes and control characters in a declaration or a state blob are as
    # hostile as in the markup: they never reach the stored text.
    dirty = [p.replace("council", "council\x1b[31m\x07") for p in LOREM]
    found = extract(_sampled("\n\n".join(dirty), ""), "https://news.example/story/a")
    assert found.paragraphs == LOREM
    state = json.dumps({"article": {"headline": HEADLINE,
                                    "content": {"html": "".join(f"<p>{p}</p>" for p in dirty)}}})
    page = (f"<html><head><title>{HEADLINE}</title></head><body><div id='app'></div>"
            f"<script>window.__INITIAL_STATE__ = {state};</script></body></html>")
    assert extract(page).paragraphs == LOREM


def test_a_shell_s_visible_text_is_read_from_one_parse() -> None:
    # The tiny body is judged by the page's visible text (refusals), then the shell check
    # counts its words: one parse of a page that may be megabytes of script.
    visible_text.cache_clear()
    with pytest.raises(ExtractionError) as refused:
        extract(shell("a"), "https://news.example/app/a")
    assert refused.value.reason == "needs_browser"
    info = visible_text.cache_info()
    assert info.misses == 1 and info.hits >= 1
