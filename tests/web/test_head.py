"""HEAD is answered wherever GET is: same status and headers, no body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.served import budget_story, serve_store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def fill(store: Store) -> None:
        assert budget_story(store) == 1

    with serve_store(tmp_path_factory.mktemp("head"), fill) as base:
        yield base


@pytest.mark.parametrize("path", ["/", "/articles/1", "/feed.atom", "/api/v1/articles",
                                  "/static/style.css", "/no/such/page"])
def test_head_answers_as_get_without_a_body(site: str, path: str) -> None:
    got = webclient.get(site + path)
    head = webclient.head(site + path)
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    if "content-length" in got.headers:
        assert head.headers["content-length"] == got.headers["content-length"]
