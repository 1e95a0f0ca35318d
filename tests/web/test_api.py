"""The JSON API under /api/v1, served for real: contents, pagination, writes and their
token, and schemathesis against the live OpenAPI document."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tearsheet.config import load_settings
from tearsheet.extract.revision import extractor_revision
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.backends import BACKENDS
from tests.support.served import HOSTILE, START, budget_story, record, serve
from tests.support.storekit import due_feeds

TOKEN = "test-token-0123456789-abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The API's store, on SQLite and on PostgreSQL."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'ts.db'}"
        else:
            from tests.support import postgres

            url = stack.enter_context(postgres.database(request.getfixturevalue("pg_template")))
        store = Store.open(url)
        stack.callback(store.close)
        fill(store)
        yield store


def fill(store: Store) -> None:
    budget_story(store)
    for n in range(5):  # five more articles, for the pages
        record(store, "other-paper", f"https://other.example/story-{n}",
               [(f"Story {n}", f"Version one of story {n} tells what happened on the quay."),
                (f"Story {n}", f"Version two of story {n} tells what happened on the quay "
                 "and what the harbour master said.")],
               start=START + timedelta(days=2, hours=n))


@pytest.fixture(scope="module")
def site(store: Store) -> Iterator[str]:
    from tearsheet.web import create_app

    settings = load_settings(None, database_url=str(store.engine.url), api={"token": TOKEN})
    with serve(create_app(settings, store)) as base:
        yield base


def get(site: str, path: str, expect: int = 200, **params: object) -> object:
    response = webclient.get(site + path, params=params or None)  # type: ignore[arg-type]
    assert response.status_code == expect, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_sources(site: str) -> None:
    sources = get(site, "/api/v1/sources")
    assert [(s["name"], s["origin"], s["articles"], s["changes"]) for s in sources] == [
        ("daily-example", "config", 1, 2), ("other-paper", "config", 5, 5)]


def test_articles_pages_with_opaque_cursors(site: str) -> None:
    seen, cursor = [], None
    while True:
        page = get(site, "/api/v1/articles", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert not cursor.isdigit()  # opaque
    assert seen == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(("params", "ids"), [
    ({"source": "daily-example"}, [1]), ({"source": "nobody"}, []),
    ({"status": "active"}, [1, 2, 3, 4, 5, 6]), ({"status": "retired"}, []),
    ({"changed_since": "2026-11-22T18:30:00Z"}, [5, 6]),
    ({"changed_since": "2026-11-22T18:30:00"}, [5, 6]),  # naive: UTC
])
def test_article_filters(site: str, params: dict[str, str], ids: list[int]) -> None:
    assert [a["id"] for a in get(site, "/api/v1/articles", **params)["items"]] == ids


def test_article_with_versions_and_a_version_text(site: str) -> None:
    article = get(site, "/api/v1/articles/1")
    assert article["source"] == "daily-example" and article["version_count"] == 3
    assert [v["number"] for v in article["versions"]] == [1, 2, 3]
    assert article["versions"][0]["change"] is None
    assert "correction_appended" in article["versions"][1]["change"]["kinds"]
    assert article["events"] == [] and article["status"] is None  # never unpublished
    assert article["headline_test"] == []
    version = get(site, "/api/v1/articles/1/versions/2")
    assert version["text"].startswith("The council approved a budget of 421 million")
    assert HOSTILE in version["text"]  # JSON carries the text as it was; no HTML here
    assert version["extractor"] == extractor_revision()  # the reading's revision


def test_diff_is_the_engines_json(site: str, store: Store) -> None:
    from tearsheet.diff.align import Document
    from tearsheet.diff.changes import diff as engine

    diff = get(site, "/api/v1/articles/1/diff/1/2")
    old, new = (Document.from_version(store.version(1, n) or {}) for n in (1, 2))
    assert diff == {"article_id": 1, "old": 1, "new": 2, **engine(old, new).as_json()}
    edited = [u for u in diff["units"] if u["label"] == "edited"]
    assert {"op": "delete", "text": "412"} in edited[0]["words"]
    assert diff["metadata"][0]["field"] == "title"
    assert diff["summary"]["words_removed"] == 1
    assert "numbers_changed" in diff["summary"]["kinds"]
    assert diff["summary"]["intent_labels"][:2] == ["correction", "figure"]  # then the
    # headline's added words
    assert diff["summary"]["silent_correction"] is False  # the note says so
    assert diff["notes"][0]["kind"] == "correction" and diff["notes"][0]["added"]
    figure = diff["intents"][0]["labels"][1]
    assert figure["label"] == "figure" and "421" in figure["sentences"][0]["new_text"]
    assert diff == json.loads(json.dumps(diff))


@pytest.mark.parametrize(("params", "found"), [
    ({"intent": "fact"}, {("daily-example", 2)} | {("other-paper", 2)}),
    ({"intent": "narrative"}, {("daily-example", 3)}),
    ({"intent": "emphasis"}, {("daily-example", 3)}),
    ({"intent": "correction"}, {("daily-example", 2)}),
    ({"silent": "true"}, {("other-paper", 2)}),  # "Version one" → "Version two": a figure
    ({"silent": "false"}, {("daily-example", 2), ("daily-example", 3)}),
    ({"intent": "fact", "silent": "false"}, {("daily-example", 2)}),
])
def test_changes_filtered_by_intent_and_silence(site: str, params: dict[str, str],
                                                 found: set[tuple[str, int]]) -> None:
    items = get(site, "/api/v1/changes", limit=50, **params)["items"]
    assert {(i["source"], i["number"]) for i in items} == found
    for item in items:
        if "intent" in params:
            assert params["intent"] in item["change"]["intents"] + \
                item["change"]["intent_labels"]
        if "silent" in params:
            assert item["change"]["silent_correction"] is (params["silent"] == "true")
    budget = [i for i in items if i["source"] == "daily-example" and i["number"] == 2]
    if budget:
        assert budget[0]["change"]["correction_note"].startswith("Correction:")
    get(site, "/api/v1/changes", expect=422, intent="gossip")


def test_changes_page_through(site: str) -> None:
    page = get(site, "/api/v1/changes", limit=4)
    assert len(page["items"]) == 4 and page["next_cursor"]
    rest = get(site, "/api/v1/changes", limit=4, cursor=page["next_cursor"])
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
    times = [c["captured_at"] for c in page["items"] + rest["items"]]
    assert times == sorted(times, reverse=True)
    assert len(get(site, "/api/v1/changes", kind="correction_appended")["items"]) == 1


def test_search_and_stats(site: str) -> None:
    hits = get(site, "/api/v1/search", q="harbour master")
    assert len(hits) == 5 and all("«harbour»" in h["snippet"] for h in hits)
    stats = get(site, "/api/v1/stats")
    assert stats["most_edited"][0]["id"] == 1
    assert set(stats["median_seconds_to_first_change"]) == {"daily-example", "other-paper"}


@pytest.mark.parametrize(("path", "status"), [
    ("/api/v1/articles/99", 404), ("/api/v1/articles/1/versions/9", 404),
    ("/api/v1/articles/1/diff/1/9", 404), ("/api/v1/articles?cursor=bm9wZQ", 400),
    ("/api/v1/articles?cursor=!!", 422), ("/api/v1/changes?cursor=WzEsMl0", 400),
    ("/api/v1/articles?limit=0", 422), ("/api/v1/nothing", 404),
    ("/api/v1/search?q=a%00b", 400), ("/api/v1/articles?source=%00", 400),
])
def test_errors_are_json(site: str, path: str, status: int) -> None:
    assert "detail" in get(site, path, status)  # type: ignore[operator]


@pytest.mark.parametrize("path", ["/search?q=a%00b", "/?source=%00", "/sources/a%00b",
                                  "/feed.atom?q=%00", "/api/v1/changes?kind=%00"])
def test_nul_characters_are_refused_everywhere(site: str, path: str) -> None:
    """No stored text can hold NUL (PostgreSQL refuses it): a 400, never a 500."""
    response = webclient.get(site + path)
    assert response.status_code == 400 and "NUL" in response.text


WRITES = [("post", "/api/v1/sources", {"name": "x", "feeds": ["https://x.example/rss"]}),
          ("delete", "/api/v1/sources/other-paper", None),
          ("post", "/api/v1/articles/1/recheck", None), ("post", "/api/v1/articles/1/hide", None),
          ("post", "/api/v1/articles/1/unhide", None)]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": f"Bearer {TOKEN}x"}])
def test_writes_refuse_a_missing_or_wrong_token(site: str, method: str, path: str,
                                                body: object, headers: dict[str, str]) -> None:
    response = webclient.request(method, site + path, json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert "token" in response.json()["detail"]


def test_writes_disabled_without_a_configured_token(store: Store) -> None:
    from tearsheet.web import create_app

    settings = load_settings(None, database_url=str(store.engine.url))
    with serve(create_app(settings, store)) as base:
        for method, path, body in WRITES:
            response = webclient.request(method, base + path, json=body, headers=AUTH)
            assert response.status_code == 403
            assert "api.token" in response.json()["detail"]
        assert webclient.get(base + "/api/v1/articles/1").status_code == 200  # reading is public


def test_add_and_remove_a_source_the_tracker_reads(site: str, store: Store) -> None:
    body = {"name": "harbour-news", "feeds": ["https://harbour.example/rss"],
            "section_pages": ["https://harbour.example/local"], "article_pattern": "/20\\d\\d/"}
    response = webclient.post(site + "/api/v1/sources", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["origin"] == "api"
    due = {(f.kind, f.url, f.article_pattern) for f in due_feeds(store, datetime.now(UTC))}
    assert due >= {("feed", "https://harbour.example/rss", ""),
                   ("section", "https://harbour.example/local", "/20\\d\\d/")}
    again = webclient.post(site + "/api/v1/sources", json=body, headers=AUTH)
    assert again.status_code == 409
    config_source = webclient.delete(site + "/api/v1/sources/daily-example", headers=AUTH)
    assert config_source.status_code == 409 and "configuration" in config_source.text
    removed = webclient.delete(site + "/api/v1/sources/harbour-news", headers=AUTH)
    assert removed.status_code == 200 and removed.json()["removed"]
    assert not any(f.url.startswith("https://harbour.example")
                   for f in due_feeds(store, datetime.now(UTC)))
    assert webclient.post(site + "/api/v1/sources", json=body, headers=AUTH).status_code == 201


@pytest.mark.parametrize("body", [{"name": "no-feeds"}, {"name": "bad url", "feeds": ["x"]},
                                  {"name": "nul", "feeds": ["https://x.example/a\x00b"]},
                                  {"name": "nul", "feeds": ["https://x.example/"],
                                   "article_pattern": "a\x00"},
                                  {"name": "bad", "feeds": ["ftp://x.example/"]},
                                  {"name": "bad", "feeds": ["https://x.example/"],
                                   "article_pattern": "("}])
def test_bad_sources_are_refused(site: str, body: dict[str, object]) -> None:
    response = webclient.post(site + "/api/v1/sources", json=body, headers=AUTH)
    assert response.status_code == 422, response.text


def test_recheck_makes_the_article_due_now(site: str, store: Store) -> None:
    before = datetime.now(UTC)
    response = webclient.post(site + "/api/v1/articles/2/recheck", headers=AUTH)
    assert response.status_code == 200
    due = datetime.fromisoformat(response.json()["next_check_at"])
    assert before <= due <= datetime.now(UTC)
    assert 2 in [a.id for a in store.claim_due(datetime.now(UTC), 10,
                                               datetime.now(UTC) + timedelta(seconds=1))]
    store.release_leases()
    assert webclient.post(site + "/api/v1/articles/99/recheck", headers=AUTH).status_code == 404


def test_hidden_articles_leave_the_ui_feeds_and_api(site: str, store: Store) -> None:
    from tearsheet.store.browse import Browse

    assert "Budget passes" in webclient.get(site + "/").text  # (and the page is cached)
    assert webclient.post(site + "/api/v1/articles/1/hide", headers=AUTH).json()["hidden"]
    try:
        assert webclient.get(site + "/api/v1/articles/1").status_code == 404
        assert 1 not in [a["id"] for a in get(site, "/api/v1/articles")["items"]]
        assert all(c["article_id"] != 1 for c in get(site, "/api/v1/changes")["items"])
        assert get(site, "/api/v1/search", q="council") == []
        assert webclient.get(site + "/articles/1").status_code == 404
        assert "Budget passes" not in webclient.get(site + "/").text
        assert "Budget passes" not in webclient.get(site + "/feed.atom").text
        assert Browse(store).version(1, 2) is None  # what the raw-capture routes read
    finally:
        assert not webclient.post(site + "/api/v1/articles/1/unhide", headers=AUTH).json()["hidden"]
    assert webclient.get(site + "/api/v1/articles/1").status_code == 200
    assert Browse(store).version(1, 2) is not None


# --- the live OpenAPI document, fuzzed -------------------------------------------------

def test_openapi_schema_holds(site: str) -> None:
    """schemathesis against /openapi.json as served: for every operation under /api/v1, no
    500s, every answer matches the published schema (status, content type, body), and
    writes without the token are refused. (Driven through hypothesis strategies: the
    schemathesis pytest plugin does not run on pytest 9.2.)"""
    schema = schemathesis.openapi.from_url(site + "/openapi.json") \
        .include(path_regex="^/api/v1")
    operations = [result.ok() for result in schema.get_all_operations()]
    # with /api/v1/lookup, /api/v1/articles/{id}/proof (HEAD: HeadAsGet, not the schema),
    # /api/v1/trace, .../republished, /api/v1/health and /api/v1/report
    assert len(operations) == 19
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def holds(case: schemathesis.Case) -> None:
            # A random string is "schema-valid" for an opaque cursor, and is rightly a 400.
            response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
            if case.method.upper() in ("POST", "DELETE") and case.path != "/api/v1/trace":
                assert response.status_code in (401, 422), response.text

        holds()


def test_every_operation_id_is_unique(site: str) -> None:
    """OpenAPI requires it (client generators name methods after it): a route answering
    two methods under one function gave both the same id."""
    paths = webclient.get(site + "/openapi.json").json()["paths"]
    ids = [op["operationId"] for item in paths.values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op]
    assert len(ids) > 19
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
