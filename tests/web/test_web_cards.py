"""The web's diff cards: the PNG route, and the meta tags that make a shared link unfurl."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.support import webclient
from tests.support.served import HOSTILE, budget_story, serve_store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_store(tmp_path_factory.mktemp("cards"), budget_story) as base:
        yield base


@pytest.mark.parametrize(("query", "size"), [("", (1200, 675)), ("?portrait=true", (1080, 1350))])
def test_a_change_is_served_as_a_png_card(site: str, query: str, size: tuple[int, int]) -> None:
    response = webclient.get(f"{site}/articles/1/diff/1/2.png{query}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == size


@pytest.mark.parametrize("path", ["/articles/1/diff/2/1.png", "/articles/1/diff/1/9.png",
                                  "/articles/99/diff/1/2.png"])
def test_no_card_for_versions_that_do_not_exist(site: str, path: str) -> None:
    assert webclient.get(site + path).status_code == 404


def test_the_diff_page_unfurls_with_its_card(site: str) -> None:
    html = webclient.get(f"{site}/articles/1/diff/1/2").text
    meta = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html))
    assert meta["og:image"] == f"{site}/articles/1/diff/1/2.png"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:title"].startswith("daily-example: Budget passes")
    assert "Versions 1 and 2" in meta["og:description"]
    assert meta["og:image:alt"].startswith("daily-example: changes to")
    assert HOSTILE not in html  # the headline's markup is escaped in the attributes too
    assert 'href="/articles/1/diff/1/2.png"' in html
