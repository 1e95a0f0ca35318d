"""``/trace`` and ``POST /api/v1/trace``: the same answer as the command line, capped and
rate-limited."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tearsheet.config import load_settings
from tearsheet.store.store import Store
from tearsheet.web import create_app
from tearsheet.web.trace import RateLimit
from tests.support import seed, tracestore, webclient
from tests.support.localserver import LocalServer
from tests.support.pages import SLOW_PAGE, article_page
from tests.support.served import serve

COPIES = Path(__file__).parents[1] / "diff" / "copies"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("trace")
    settings = load_settings(None, database_url=f"sqlite:///{folder / 'ts.db'}",
                             trace={"max_chars": 20_000, "per_minute": 1000},
                             fetch={"allow_private_addresses": True, "retries": 0})
    store = Store.open(settings.database_url)
    try:
        tracestore.fill(store)
        with serve(create_app(settings, store)) as base:
            yield base
    finally:
        store.close()


def test_the_api_answers_as_the_command_line(site: str) -> None:
    response = webclient.post(f"{site}/api/v1/trace", json={"text": seed.copy()})
    assert response.status_code == 200
    (match,) = response.json()["matches"]
    assert (match["url"], match["version"], match["changed_since"]) == (seed.URL, 6, True)
    assert match["diff"] == "/articles/1/diff/6/7" and match["coverage"] > 0.6
    unrelated = (COPIES / "romney.same-topic.txt").read_text(encoding="utf-8")
    unmatched = webclient.post(f"{site}/api/v1/trace", json={"text": unrelated}).json()
    assert unmatched == {"matches": []}


def test_the_api_fetches_a_url(site: str, server: LocalServer) -> None:
    _, seven = seed.versions()
    server.route("/mirror", article_page("Elites fighting", seven.split("\n\n")[:12]))
    response = webclient.post(f"{site}/api/v1/trace", json={"url": server.url("/mirror")})
    assert [m["version"] for m in response.json()["matches"]] == [7]


def test_bad_requests_say_what_to_do(site: str) -> None:
    too_long = webclient.post(f"{site}/api/v1/trace", json={"text": "word " * 5000})
    assert too_long.status_code == 413
    assert "at most 20,000 are traced" in too_long.json()["detail"]
    empty = webclient.post(f"{site}/api/v1/trace", json={"text": "  "})
    assert empty.status_code == 400 and "give the text" in empty.json()["detail"]
    local = webclient.post(f"{site}/api/v1/trace", json={"url": "file:///etc/passwd"})
    assert local.status_code == 400


def test_the_page_traces_pasted_text_and_escapes_it(site: str) -> None:
    assert "Trace a copy" in webclient.get(f"{site}/trace").text
    response = webclient.post(f"{site}/trace", content=urlencode({"text": seed.copy()}),
                              headers=FORM)
    assert response.status_code == 200
    assert 'href="/articles/1/versions/6"' in response.text
    assert 'href="/articles/1/diff/6/7"' in response.text
    hostile = "<script>alert(1)</script> Tokayev said nothing at all about anything."
    response = webclient.post(f"{site}/trace", content=urlencode({"text": hostile}),
                              headers=FORM)
    assert "<script>alert(1)" not in response.text and "&lt;script&gt;" in response.text
    assert "No tracked article is the source" in response.text


def test_a_client_gets_so_many_traces_a_minute() -> None:
    now = [0.0]
    limit = RateLimit(3, clock=lambda: now[0])
    for _ in range(3):
        limit.take("198.51.100.7")
    with pytest.raises(Exception) as refused:
        limit.take("198.51.100.7")
    assert refused.value.status_code == 429  # type: ignore[attr-defined]
    assert refused.value.headers["Retry-After"] == "20"  # type: ignore[attr-defined]
    limit.take("203.0.113.9")  # another client has its own allowance
    now[0] = 20.0
    limit.take("198.51.100.7")  # a third of a minute later: one more


def test_the_limit_is_enforced_by_the_server(tmp_path: Path) -> None:
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             trace={"per_minute": 2})
    store = Store.open(settings.database_url)
    try:
        with serve(create_app(settings, store)) as base:
            codes = [webclient.post(f"{base}/api/v1/trace",
                                    json={"text": "Some text here."}).status_code
                     for _ in range(3)]
            page = webclient.post(f"{base}/trace", content="text=More+text.", headers=FORM)
    finally:
        store.close()
    assert codes == [200, 200, 429]
    assert page.status_code == 429 and "too many traces" in page.text
    assert page.headers["retry-after"]


def test_a_page_no_parser_reads_in_time_is_stopped_and_holds_no_other_request(
        tmp_path: Path, server: LocalServer) -> None:
    # A page built so that libxml2 takes a minute over it: read in a worker process,
    # stopped past fetch.extract_timeout, while the app goes on answering.
    server.route("/hostile", SLOW_PAGE)
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             fetch={"allow_private_addresses": True, "retries": 0,
                                    "extract_timeout": 3.0, "max_bytes": 4_000_000})
    store = Store.open(settings.database_url)
    answers: list[Any] = []
    try:
        with serve(create_app(settings, store)) as base:
            tracing = threading.Thread(target=lambda: answers.append(webclient.post(
                f"{base}/api/v1/trace", json={"url": server.url("/hostile")})))
            tracing.start()
            time.sleep(2.5)  # the page is fetched and being read (for 3 s at least)
            meanwhile = webclient.get(f"{base}/trace")
            still_reading = tracing.is_alive()
            tracing.join(60)
            pasted = webclient.post(f"{base}/api/v1/trace", json={  # read by a new worker
                "text": article_page("Council votes", ["The council voted on Tuesday."] * 30)})
            plain = webclient.post(f"{base}/api/v1/trace", json={"text": "Some text here."})
    finally:
        store.close()
    assert meanwhile.status_code == 200 and still_reading
    (stopped,) = answers
    assert stopped.status_code == 422 and "extract_timeout (3 s)" in stopped.text
    assert pasted.status_code == 200 and pasted.json() == {"matches": []}
    assert plain.status_code == 200 and plain.json() == {"matches": []}


def test_the_article_page_and_the_api_link_copies_among_outlets(tmp_path: Path) -> None:
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}")
    store = Store.open(settings.database_url)
    try:
        wire, mirror, _, other = tracestore.wire_and_copies(store)
        with serve(create_app(settings, store)) as base:
            page = webclient.get(f"{base}/articles/{wire}").text
            answer = webclient.get(f"{base}/api/v1/articles/{mirror}/republished")
            alone = webclient.get(f"{base}/api/v1/articles/{other}/republished")
            missing = webclient.get(f"{base}/api/v1/articles/999/republished")
    finally:
        store.close()
    assert "Also published by" in page
    assert "1 copy still shows an earlier one: mirror" in page
    assert f'href="/articles/{wire}/diff/1/2"' in page
    linked = {r["article_id"]: r for r in answer.json()["republished"]}
    assert linked[wire]["role"] == "origin" and linked[wire]["stale"] is True
    assert alone.json() == {"republished": [], "note": None}
    assert missing.status_code == 404


def test_a_lone_surrogate_in_the_copy_is_a_clear_error_not_a_server_error(site: str) -> None:
    """JSON may escape one ("\\ud800"); the request's validation refuses it, with why."""
    text = seed.copy().replace(" the ", " the \ud800 ", 3)
    response = webclient.post(f"{site}/api/v1/trace", content=json.dumps({"text": text}),
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "unicode" in response.text
