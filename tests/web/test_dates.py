"""The web page and the API show a page's dates in the offset the page gave them: a
late-evening date in New York stays on its day (stored on both backends)."""

from __future__ import annotations

from tearsheet.config import load_settings
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.dated import EVENING, stored
from tests.support.served import serve


def test_article_page_and_api_show_the_pages_own_day(store: Store) -> None:
    from tearsheet.web import create_app

    article_id = stored(store)
    settings = load_settings(None, database_url=str(store.engine.url))
    with serve(create_app(settings, store)) as site:
        page = webclient.get(f"{site}/articles/{article_id}")
        assert page.status_code == 200
        assert "1 Mar 2024, 23:30 UTC\u221205:00" in page.text
        assert "2 Mar 2024" not in page.text
        article = webclient.get(f"{site}/api/v1/articles/{article_id}").json()
        assert article["published_at"] == EVENING
        version = webclient.get(f"{site}/api/v1/articles/{article_id}/versions/1").json()
        assert version["published_at"] == EVENING
        assert version["modified_at"] == "2024-03-02T09:15:00+05:30"
