"""The trace index in the store (both backends): written with each version, looked up by
a copy's keys, and filled for versions stored before it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tearsheet.diff.align import Document
from tearsheet.simulate.copies import rewrite
from tearsheet.store.store import Store
from tearsheet.store.tracing import fill_trace_index, trace_text
from tests.support import seed, tracestore
from tests.support.storekit import migrated_to, sql

COPIES = Path(__file__).parents[1] / "diff" / "copies"


def test_the_seed_copy_traces_to_version_6_of_its_article(store: Store) -> None:
    article = tracestore.fill(store)
    matches = trace_text(store, Document.from_text(seed.copy()))
    assert [(m.article_id, m.version) for m in matches] == [(article, 6)]
    match = matches[0]
    assert match.also == () and match.latest == 7 and match.changed_since
    answer = match.as_json()
    assert answer["url"] == seed.URL and answer["source"] == "nytimes"
    assert answer["diff"] == f"/articles/{article}/diff/6/7"
    assert answer["coverage"] > 0.6


def test_copies_of_each_version_and_translations_find_their_version(store: Store) -> None:
    article = tracestore.fill(store, histories=False)
    six, seven = seed.versions()
    for text, number in ((six, 6), (seven, 7)):
        copy = rewrite(text, ["all"], seed=number)
        assert [m.version for m in trace_text(store, Document.from_text(copy))] == [number]
    french = (COPIES / "v6.fr.txt").read_text(encoding="utf-8")
    (match,) = trace_text(store, Document.from_text(french))
    assert (match.article_id, match.version, match.fit.translated) == (article, 6, True)


def test_same_topic_and_unrelated_texts_match_nothing(store: Store) -> None:
    tracestore.fill(store)
    for name in ("kazakhstan", "mubarak", "romney"):
        text = (COPIES / f"{name}.same-topic.txt").read_text(encoding="utf-8")
        assert trace_text(store, Document.from_text(text)) == []
    assert trace_text(store, Document.from_text("")) == []


def test_a_new_version_adds_only_the_keys_its_article_lacked(store: Store) -> None:
    article = tracestore.fill(store, histories=False)
    rows = sql(store, "SELECT number, COUNT(*) FROM trace_keys WHERE article_id = ? "
                      "GROUP BY number ORDER BY number", article)
    counts = dict(rows)
    assert counts[1] > 20  # the first draft brings its whole sketch
    assert counts[7] > counts[6]  # a rewrite brings many, a longer draft a few
    assert sum(counts.values()) < 7 * 48


def test_versions_stored_before_the_index_are_filled_in(store: Store) -> None:
    article = tracestore.fill(store, histories=False)
    with store.engine.begin() as conn:  # as migration 0010 leaves a store with versions
        conn.exec_driver_sql("DELETE FROM trace_keys")
        conn.exec_driver_sql("INSERT INTO trace_state (name, value) VALUES ('backlog', 1000)")
    assert trace_text(store, Document.from_text(seed.copy())) == []
    assert fill_trace_index(store, batch=3) == 7
    assert fill_trace_index(store) == 0  # done: the backlog is empty
    assert [m.version for m in trace_text(store, Document.from_text(seed.copy()))] == [6]
    assert sql(store, "SELECT value FROM trace_state") == [(0,)]
    assert article


def test_upgrading_a_store_with_versions_indexes_them(tmp_path: Path) -> None:
    """Migration 0010 on a store that has versions: its backlog names them, and filling it
    makes them traceable (what ``tearsheet db upgrade`` does)."""
    url = migrated_to(tmp_path / "ts.db", "0009")
    six, _ = seed.versions()
    with sqlite3.connect(tmp_path / "ts.db") as conn:
        conn.execute("INSERT INTO sources (id, name, created_at) "
                     "VALUES (1, 'nytimes', '2022-01-07 08:00:00')")
        conn.execute("INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at, "
                     "check_interval, version_count) VALUES (1, 1, ?, '2022-01-07 08:00:00', "
                     "'2022-01-07 08:00:00', 1800, 1)", (seed.URL,))
        conn.execute("INSERT INTO versions (article_id, number, captured_at, url, text, "
                     "content_hash) VALUES (1, 1, '2022-01-07 08:00:00', ?, ?, 'h')",
                     (seed.URL, six))
    store = Store.open(url)  # upgraded to the head when opened
    try:
        assert sql(store, "SELECT name, value FROM trace_state") == [("backlog", 1)]
        assert trace_text(store, Document.from_text(seed.copy())) == []
        assert fill_trace_index(store) == 1
        assert [m.version for m in trace_text(store, Document.from_text(seed.copy()))] == [1]
    finally:
        store.close()
