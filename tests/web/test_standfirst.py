"""The standfirst (the dek above the body) is shown with its version, like the headline:
on the version page and in the API (issue 14)."""

from __future__ import annotations

from tearsheet.config import load_settings
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.dated import STANDFIRST, stored
from tests.support.served import serve


def test_version_page_and_api_show_the_standfirst(store: Store) -> None:
    from tearsheet.web import create_app

    article_id = stored(store)
    settings = load_settings(None, database_url=str(store.engine.url))
    with serve(create_app(settings, store)) as site:
        page = webclient.get(f"{site}/articles/{article_id}/versions/1")
        assert page.status_code == 200
        assert f'<p class="standfirst">{STANDFIRST}</p>' in page.text
        version = webclient.get(f"{site}/api/v1/articles/{article_id}/versions/1").json()
        assert version["standfirst"] == STANDFIRST
        assert STANDFIRST not in version["text"]  # its own field, not the body's
