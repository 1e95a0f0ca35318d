"""Full-text search over every version, on SQLite (FTS5) and PostgreSQL (tsvector + GIN),
through the same :meth:`tearsheet.store.browse.Browse.search` the web UI calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tearsheet.config import load_settings
from tearsheet.store.browse import MARK_END, MARK_START, Browse
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tearsheet.web import create_app
from tests.support import webclient

HOSTILE = "<script>alert('x')</script> O'Brien; DROP TABLE versions; --"
TEXTS = [
    "The council approved a budget of 412 million. Opponents cited optimistic forecasts.",
    f"The council approved a budget of 421 million. Opponents cited optimistic forecasts. "
    f"Residents wrote {HOSTILE}.",
    "The council approved a budget of 421 million. Opponents cited very optimistic forecasts. "
    f"Residents wrote {HOSTILE}. Correction: the budget was misstated.",
]
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    source = opened.ensure_source("daily", START)
    url = "https://news.example/2026/budget"
    opened.add_articles(source, [(url, None)], START, 1800.0, revive_gap=3600.0)
    article_id = opened.article_by_url(url)["id"]  # type: ignore[index]
    for number, text in enumerate(TEXTS):
        opened.record_check(CheckRecord(
            opened.claim_article(article_id, START + timedelta(days=1)),
            checked_at=START + timedelta(hours=number), outcome="new_version",
            next_check_at=START + timedelta(days=1), check_interval=7200.0,
            version=NewVersion(url=url, title=f"Budget passes ({number + 1})", byline=None,
                               published_at=None, modified_at=None, language="en",
                               text=text, content_hash=str(number))))
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.parametrize(
    ("terms", "numbers"),
    [("optimistic forecasts", [1, 2, 3]),  # in every version
     ("412", [1]),  # only in version 1: text later changed is still found
     ("very optimistic", [3]),
     ("Correction misstated", [3]),
     ("BUDGET passes", [1, 2, 3]),  # the headline counts, case does not
     ('"unbalanced AND OR ( *', []),  # query syntax in the input is never an error
     ("'; DROP TABLE versions; --", [2, 3]),  # words, found as words
     ("", [])],
)
def test_search_finds_every_version_holding_the_words(
    store: Store, terms: str, numbers: list[int]
) -> None:
    found = Browse(store).search(terms)
    assert sorted(row["number"] for row in found) == numbers
    assert Browse(store).search("optimistic")  # the table survived every query


def test_snippets_mark_the_matches_and_keep_the_text_raw(store: Store) -> None:
    (row,) = Browse(store).search("misstated")
    assert f"{MARK_START}misstated{MARK_END}" in row["snippet"]
    (hit,) = Browse(store).search("Residents wrote very")
    assert f"{MARK_START}Residents{MARK_END} {MARK_START}wrote{MARK_END}" in hit["snippet"]
    assert (hit["source"], hit["version_count"], hit["captured_at"]) == (
        "daily", 3, START + timedelta(hours=2))


def test_the_web_search_page_escapes_snippets(store: Store, store_url: str) -> None:
    app = create_app(load_settings(None, database_url=store_url), store)
    transport = httpx.ASGITransport(app=app)

    async def get() -> str:
        async with webclient.async_client(transport=transport, base_url="http://test") as client:
            response = await client.get("/search", params={"q": "residents wrote"})
            assert response.status_code == 200
            return response.text

    import asyncio

    html = asyncio.run(get())
    assert "<mark>Residents</mark> <mark>wrote</mark>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_postgresql_search_is_planned_on_the_gin_index(pg_template: str) -> None:
    from sqlalchemy import event

    from tests.support import postgres

    with postgres.database(pg_template) as url:
        store = Store.open(url)
        # A store of some size, planned on its statistics: on empty tables any index is as
        # good as another and the plan says nothing about the search.
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sources (id, name, created_at) VALUES (1, 'Filler', now())")
            conn.exec_driver_sql(
                "INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at,"
                " check_interval) SELECT n, 1, 'https://filler.example/' || n, now(), now(), 60"
                " FROM generate_series(1, 2000) AS n")
            conn.exec_driver_sql(
                "INSERT INTO versions (article_id, number, captured_at, url, title, text,"
                " content_hash) SELECT n, 1, now(), 'https://filler.example/' || n,"
                " 'Council meets ' || n, 'The council met on day ' || n || ' to discuss roads"
                " and budgets' || CASE WHEN mod(n, 1000) = 0 THEN ' with optimistic forecasts'"
                " ELSE '' END, md5(n::text) FROM generate_series(1, 2000) AS n")
            conn.exec_driver_sql("ANALYZE")
        sent: list[tuple[str, object]] = []
        event.listen(store.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, parameters, *_: sent.append(
                         (statement, parameters)))
        Browse(store).search("optimistic forecasts")
        statement, parameters = next(s for s in sent if "websearch_to_tsquery" in s[0])
        with store.engine.connect() as conn:
            plan = " ".join(row[0] for row in conn.exec_driver_sql(
                f"EXPLAIN {statement}", parameters))  # type: ignore[arg-type]
        store.close()
    assert "versions_fts_gin" in plan, plan


def test_hidden_articles_are_not_found(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE articles SET hidden = true")
    assert Browse(store).search("optimistic") == []
