"""Proof packages on the web: the article page's download, the API's, the published key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from tearsheet.archive.signing import fingerprint
from tearsheet.archive.verify import verify_package
from tearsheet.store.curation import Curation
from tearsheet.web import create_app
from tests.support import webclient
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
    page = webclient.get(f"{base}/articles/{article_id}").text
    assert f'href="/articles/{article_id}/proof.wacz"' in page
    reply = webclient.get(base + path.format(id=article_id))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/wacz"
    assert int(reply.headers["content-length"]) == len(reply.content)
    assert f"tearsheet-article-{article_id}.wacz" in reply.headers["content-disposition"]
    package = tmp_path / "downloaded.wacz"
    package.write_bytes(reply.content)
    published = webclient.get(base + "/.well-known/tearsheet-key")
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
    assert webclient.get(f"{base}/articles/{article_id + 1}/proof.wacz").status_code == 404
    assert webclient.get(f"{base}/api/v1/articles/{article_id + 1}/proof").status_code == 404
    from tearsheet.store.store import Store

    store = Store.open(settings(tmp_path).database_url)
    try:
        Curation(store).set_hidden(article_id, True)
    finally:
        store.close()
    assert webclient.get(f"{base}/articles/{article_id}/proof.wacz").status_code == 404


ORIGIN = {"Origin": "https://replayweb.page"}


def test_replaywebpage_can_read_a_package_by_url_from_another_origin(tmp_path: Path) -> None:
    """Its loader asks for ranges of the file from its own origin: every route answers any
    origin, the preflight allows Range, and the ranges are of one and the same file."""
    history = open_history(settings(tmp_path))
    record_history(history, range(1, 3))
    try:
        with serve(create_app(history.settings, history.store)) as base:
            for path in (f"/articles/{history.article_id}/proof.wacz",
                         f"/api/v1/articles/{history.article_id}/proof",
                         "/.well-known/tearsheet-key"):
                reply = webclient.get(base + path, headers=ORIGIN)
                assert reply.status_code == 200, path
                assert reply.headers["access-control-allow-origin"] == "*", path
                assert webclient.head(base + path, headers=ORIGIN).status_code == 200, path
                preflight = webclient.options(base + path, headers={
                    **ORIGIN, "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": "range"})
                assert preflight.status_code == 204, path
                assert preflight.headers["access-control-allow-origin"] == "*"
                assert "Range" in preflight.headers["access-control-allow-headers"]
                assert "GET" in preflight.headers["access-control-allow-methods"]

            url = f"{base}/articles/{history.article_id}/proof.wacz"
            whole = webclient.get(url, headers=ORIGIN)
            assert "Content-Range" in whole.headers["access-control-expose-headers"]
            head = webclient.head(url, headers=ORIGIN)
            assert int(head.headers["content-length"]) == len(whole.content)
            size = len(whole.content)
            parts = [webclient.get(url, headers={**ORIGIN, "Range": f"bytes={start}-{end}"})
                     for start, end in ((0, 999), (1000, size - 1))]
            assert [p.status_code for p in parts] == [206, 206]
            assert parts[1].headers["content-range"] == f"bytes 1000-{size - 1}/{size}"
            assert parts[0].content + parts[1].content == whole.content  # the same bytes
            assert webclient.get(url).content == whole.content

            record_history(history, range(3, 4))  # the article changed: a new package
            changed = tmp_path / "changed.wacz"
            changed.write_bytes(webclient.get(url).content)
            assert len(verify_package(changed).captures) == 3
            cached = list((tmp_path / "proof-packages").glob("*.wacz"))
            assert len(cached) == 1  # the earlier state's package is gone
    finally:
        history.store.close()
