"""The browse queries that read every article (a source's page, the statistics) walk the
indexes of migration 0016 on both backends, and the statistics' counters stay right as
versions are written, and after an upgrade of a store that already holds versions."""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tearsheet.store.browse import Browse
from tearsheet.store.store import Store
from tests.support.storekit import NOW, add, migrated_to, plan, record_version, sql


@pytest.fixture
def browse(store: Store) -> Iterator[Browse]:
    reader = Browse(store)
    yield reader
    reader.close()


def statements(store: Store, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SQL statements ``call`` sends, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    return sent


def fill(store: Store) -> dict[str, list[int]]:
    """Two sources; articles with one to four versions over three days."""
    ids = {"north": add(store, "north", *(f"https://north.example/{n}" for n in range(6))),
           "south": add(store, "south", *(f"https://south.example/{n}" for n in range(3)))}
    for source, articles in ids.items():
        for position, article_id in enumerate(articles):
            for number in range(1 + position % 4):
                at = NOW + timedelta(hours=7 * number + 5 * position + (source == "south"))
                record_version(store, article_id, f"{source} {article_id} take {number}", at)
    return ids


def test_a_sources_page_walks_its_index(store: Store, browse: Browse) -> None:
    fill(store)
    first = browse.articles_of("north", 2)
    cursor = (first[-1]["moment"], first[-1]["id"])
    sent = statements(store, lambda: browse.articles_of("north", 2, cursor))
    details = plan(store, *sent[-1])
    assert "ix_articles_source_id_moment" in details, details
    assert "TEMP B-TREE" not in details and "Sort" not in details, details
    # the keyset pages list every article once, in the page's order
    pages, before = [], None
    while page := browse.articles_of("north", 2, before):
        pages += page
        before = (page[-1]["moment"], page[-1]["id"])
    keys = [(row["moment"], row["id"]) for row in pages]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == 6


@pytest.mark.parametrize(("name", "index"), [
    ("most_edited", "ix_articles_version_count"),
    ("time_to_first_change", "ix_articles_source_id_first_change_seconds"),
    ("sources", "ix_articles_source_id_last_changed_at"),
])
def test_statistics_read_indexes_not_tables(store: Store, browse: Browse, name: str,
                                            index: str) -> None:
    fill(store)
    sent = statements(store, getattr(browse, name))
    details = " ".join(plan(store, *one) for one in sent)
    assert index in details, details
    # no statement of the statistics reads the versions
    assert not any("versions" in statement for statement, _ in sent)


def reference(store: Store) -> dict[str, Any]:
    """The statistics computed the slow way, from every version."""
    rows = sql(store, """
        SELECT s.name, a.id, a.first_seen_at, v.number, v.captured_at
        FROM versions AS v JOIN articles AS a ON a.id = v.article_id
        JOIN sources AS s ON s.id = a.source_id""")
    per_day: dict[tuple[str, str], int] = {}
    waits: dict[str, list[float]] = {}
    changes: dict[str, int] = {}
    for name, _, seen, number, captured in rows:
        seen, captured = (datetime.fromisoformat(str(t)).replace(tzinfo=UTC)
                          for t in (seen, captured))
        if number > 1:
            day = captured.date().isoformat()
            per_day[(name, day)] = per_day.get((name, day), 0) + 1
            changes[name] = changes.get(name, 0) + 1
        if number == 2:
            waits.setdefault(name, []).append((captured - seen).total_seconds())
    return {"per_day": per_day, "changes": changes,
            "waits": {name: statistics.median(w) for name, w in waits.items()}}


def assert_statistics_right(store: Store, browse: Browse) -> None:
    expected = reference(store)
    per_day = {(r["source"], str(r["day"])): r["changes"]
               for r in browse.changes_per_day(NOW - timedelta(days=30))}
    assert per_day == expected["per_day"]
    waits = browse.time_to_first_change()
    assert waits.keys() == expected["waits"].keys()
    for name, seconds in waits.items():
        assert seconds == pytest.approx(expected["waits"][name], abs=0.01)
    counted = {r["name"]: r for r in browse.sources()}
    for name, row in counted.items():
        assert row["changes"] == expected["changes"].get(name, 0)
    versions = sql(store, "SELECT a.id, count(*) FROM versions AS v "
                          "JOIN articles AS a ON a.id = v.article_id GROUP BY a.id")
    most = browse.most_edited(3)
    assert [r["version_count"] for r in most] == \
        sorted((n for _, n in versions if n > 1), reverse=True)[:3]


def test_statistics_are_right_after_writes(store: Store, browse: Browse) -> None:
    ids = fill(store)
    assert_statistics_right(store, browse)
    # more versions, on a later day, some of them second versions
    for number, article_id in enumerate(ids["south"] + ids["north"][:2]):
        record_version(store, article_id, f"later {number}", NOW + timedelta(days=2, hours=number))
    assert_statistics_right(store, browse)
    assert {r["day"] for r in browse.changes_per_day(NOW)} >= {date(2026, 11, 22)}


def test_upgrade_fills_the_counters(tmp_path: Path) -> None:
    """A store written before 0016 gets its counters from its versions."""
    path = tmp_path / "ts.db"
    migrated_to(path, "0015")
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            INSERT INTO sources (id, name, created_at) VALUES (1, 's', '2026-11-20 08:00:00');
            INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at,
                                  last_changed_at, check_interval, version_count)
            VALUES (1, 1, 'https://s.example/1', '2026-11-20 08:00:00.000000',
                    '2026-11-20 08:00:00', '2026-11-21 09:00:00.000000', 1800, 3),
                   (2, 1, 'https://s.example/2', '2026-11-20 09:00:00.000000',
                    '2026-11-20 09:00:00', '2026-11-20 09:00:00.000000', 1800, 1);
            INSERT INTO versions (article_id, number, captured_at, url, text, content_hash)
            VALUES (1, 1, '2026-11-20 08:00:00.000000', 'u', 'a', 'h1'),
                   (1, 2, '2026-11-20 08:30:00.000000', 'u', 'b', 'h2'),
                   (1, 3, '2026-11-21 09:00:00.000000', 'u', 'c', 'h3'),
                   (2, 1, '2026-11-20 09:00:00.000000', 'u', 'a', 'h4');""")
    store = Store.open(f"sqlite:///{path}")
    browse = Browse(store)
    try:
        assert_statistics_right(store, browse)
        assert browse.time_to_first_change() == {"s": pytest.approx(1800.0, abs=0.01)}
        assert [(str(r["day"]), r["changes"]) for r in browse.changes_per_day(NOW)] == \
            [("2026-11-20", 1), ("2026-11-21", 1)]
        assert browse.sources()[0] | {"last_changed_at": None} == {
            "name": "s", "articles": 2, "changes": 2, "changed_articles": 1,
            "last_changed_at": None}
    finally:
        browse.close()
        store.close()
