"""Fields a version carries beside its text, as the web page and the API show them (issue 14):
dates in the offset the page gave them (a late-evening date in New York stays on its day,
stored on both backends) and the standfirst (the dek above the body), like the headline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tearsheet.config import load_settings
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.dated import EVENING, STANDFIRST, stored
from tests.support.served import serve


@pytest.fixture
def article(store: Store) -> Iterator[str]:
    """The base URL of a served app and the path of its one stored article."""
    from tearsheet.web import create_app

    article_id = stored(store)
    settings = load_settings(None, database_url=str(store.engine.url))
    with serve(create_app(settings, store)) as site:
        yield f"{site}/articles/{article_id}"


def api(url: str) -> str:
    base, _, path = url.partition("/articles/")
    return f"{base}/api/v1/articles/{path}"


def test_article_page_and_api_show_the_pages_own_day(article: str) -> None:
    page = webclient.get(article)
    assert page.status_code == 200
    assert "1 Mar 2024, 23:30 UTC\u221205:00" in page.text
    assert "2 Mar 2024" not in page.text
    assert webclient.get(api(article)).json()["published_at"] == EVENING
    version = webclient.get(api(article) + "/versions/1").json()
    assert version["published_at"] == EVENING
    assert version["modified_at"] == "2024-03-02T09:15:00+05:30"


def test_version_page_and_api_show_the_standfirst(article: str) -> None:
    page = webclient.get(article + "/versions/1")
    assert page.status_code == 200
    assert f'<p class="standfirst">{STANDFIRST}</p>' in page.text
    version = webclient.get(api(article) + "/versions/1").json()
    assert version["standfirst"] == STANDFIRST
    assert STANDFIRST not in version["text"]  # its own field, not the body's
