"""Proof packages on the web: the article page's download, the API's, the published key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from tearsheet.archive.signing import fingerprint
from tearsheet.archive.verify import verify_package
from tearsheet.store.curation import Curation
from tearsheet.web import create_app
from tests.support.proofkit import URL, open_history, record_history, settings
from tests.support.served import serve


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int]]:
    history = open_history(settings(tmp_path))
    record_history(history, range(1, 4))
    try:
        with serve(create_app(history.settings, history.store)) as base:
            yield base, history.article_id
    finally:
        history.store.close()


@pytest.mark.parametrize("path", ["/articles/{id}/proof.wacz", "/api/v1/articles/{id}/proof"])
def test_the_package_downloads_and_verifies_with_the_published_key(
        served: tuple[str, int], tmp_path: Path, path: str) -> None:
    base, article_id = served
    page = httpx.get(f"{base}/articles/{article_id}").text
    assert f'href="/articles/{article_id}/proof.wacz"' in page
    reply = httpx.get(base + path.format(id=article_id))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/wacz"
    assert int(reply.headers["content-length"]) == len(reply.content)
    assert f"tearsheet-article-{article_id}.wacz" in reply.headers["content-disposition"]
    package = tmp_path / "downloaded.wacz"
    package.write_bytes(reply.content)
    published = httpx.get(base + "/.well-known/tearsheet-key")
    assert published.status_code == 200
    key = load_pem_public_key(published.text.split("\n", 1)[1].encode())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    verdict = verify_package(package, key=fingerprint(key))
    assert verdict.ok, verdict.failures
    assert verdict.url == URL and len(verdict.captures) == 3
    assert published.text.startswith(f"# tearsheet signing key {fingerprint(key)}")


def test_no_package_for_an_unknown_or_hidden_article(served: tuple[str, int],
                                                     tmp_path: Path) -> None:
    base, article_id = served
    assert httpx.get(f"{base}/articles/{article_id + 1}/proof.wacz").status_code == 404
    assert httpx.get(f"{base}/api/v1/articles/{article_id + 1}/proof").status_code == 404
    from tearsheet.store.store import Store

    store = Store.open(settings(tmp_path).database_url)
    try:
        Curation(store).set_hidden(article_id, True)
    finally:
        store.close()
    assert httpx.get(f"{base}/articles/{article_id}/proof.wacz").status_code == 404
