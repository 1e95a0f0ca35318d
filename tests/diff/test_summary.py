"""Change summaries stored with versions, and the backfill of older versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tearsheet.store.summaries import fill_missing_summaries

TEXTS = ["The council approved a budget of 412 million on Tuesday.",
         "The council approved a budget of 421 million on Tuesday.",
         "The council approved a budget of 421 million on Tuesday.\n\nCorrection: An earlier "
         "version of this article misstated the size of the budget."]


def test_backfill_summarises_every_change_once(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    now = datetime(2026, 11, 20, tzinfo=UTC)
    source = store.ensure_source("s", now)
    store.add_articles(source, [("https://x.example/a", None)], now, 1800.0, revive_gap=60.0)
    article = store.article_by_url("https://x.example/a")
    assert article is not None
    for number, text in enumerate(TEXTS):
        store.record_check(CheckRecord(
            store.claim_article(article["id"], now + timedelta(hours=1)),
            checked_at=now + timedelta(minutes=number), outcome="new_version",
            next_check_at=now, check_interval=1800.0,
            version=NewVersion(url="https://x.example/a", title="Budget", byline=None,
                               published_at=None, modified_at=None, language="en", text=text,
                               content_hash=str(number))))
    assert fill_missing_summaries(store) == 2
    assert fill_missing_summaries(store) == 0  # nothing left
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT number, kinds, significance, boring, words_added, words_removed "
            "FROM versions ORDER BY number").all()
    assert rows[0][1:] == (None, None, None, None, None)  # a first version is no change
    assert rows[1][1] == ",numbers_changed,"
    assert rows[1][4:] == (1, 1)
    assert rows[2][1] == ",correction_appended,"
    assert 0 < rows[1][2] < rows[2][2] <= 1
    assert rows[2][3] == 0
