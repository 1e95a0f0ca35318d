"""A page's dates keep the offset the page gave them, stored beside the UTC instant
(migration 0017): a date is never moved to another day, on either backend."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from tearsheet.export.versions import version_record
from tearsheet.humanize import stamp
from tearsheet.store.browse import Browse
from tearsheet.store.schema import in_offset, offset_minutes
from tearsheet.store.store import Store
from tests.support.dated import EVENING, stored
from tests.support.storekit import db_url, migrated_to, sql


def test_a_late_evening_date_stays_on_its_day_everywhere(store: Store) -> None:
    article_id = stored(store)
    # The instant is stored in UTC (ordering, filters), the page's offset beside it.
    assert sql(store, "SELECT published_offset, modified_offset FROM versions") == [
        (-300, 330)]
    assert sql(store, "SELECT published_offset FROM articles") == [(-300,)]
    browse = Browse(store)
    article = browse.article(article_id)
    assert article is not None
    [version] = browse.versions(article_id)
    for moment in (article["published_at"], version["published_at"]):
        assert moment == datetime(2024, 3, 2, 4, 30, tzinfo=UTC)  # the same instant
        assert moment.isoformat() == EVENING  # shown as the page gave it: March 1
        assert stamp(moment) == "1 Mar 2024, 23:30 UTC\u221205:00"
    assert version["modified_at"].isoformat() == "2024-03-02T09:15:00+05:30"
    [row] = store.iter_versions()
    record = version_record(row)
    assert (record["published_at"], record["modified_at"]) == (
        EVENING, "2024-03-02T09:15:00+05:30")
    assert record["captured_at"].endswith("Z")  # our own times stay in UTC
    assert store.version(article_id, 1)["published_at"].isoformat() == EVENING  # type: ignore[index]


def test_rows_stored_before_offsets_were_are_shown_in_utc(tmp_path: Path) -> None:
    migrated_to(tmp_path / "ts.db", "0016")
    with sqlite3.connect(tmp_path / "ts.db") as conn:
        conn.executescript("""
            INSERT INTO sources (id, name, created_at) VALUES (1, 's', '2026-11-20 08:00:00');
            INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at,
                                  check_interval, version_count, published_at)
                VALUES (1, 1, 'https://news.example/a', '2026-11-20 08:00:00',
                        '2026-11-20 08:00:00', 1800, 1, '2024-03-02 04:30:00');
            INSERT INTO versions (article_id, number, captured_at, url, text, content_hash,
                                  published_at)
                VALUES (1, 1, '2026-11-20 08:00:00', 'https://news.example/a', 'Text.', 'h',
                        '2024-03-02 04:30:00');""")
    store = Store.open(db_url(tmp_path))
    try:
        browse = Browse(store)
        [version] = browse.versions(1)
        article = browse.article(1)
        assert article is not None
        for moment in (version["published_at"], article["published_at"]):
            assert moment.isoformat() == "2024-03-02T04:30:00+00:00"  # unknown offset: UTC
            assert stamp(moment) == "2 Mar 2024, 04:30 UTC"
    finally:
        store.close()


def test_offsets_in_minutes() -> None:
    kolkata = datetime(2024, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert offset_minutes(kolkata) == 330
    assert offset_minutes(datetime(2024, 3, 1, tzinfo=UTC)) == 0
    assert offset_minutes(None) is None
    instant = kolkata.astimezone(UTC)
    assert in_offset(instant, 330) == kolkata and in_offset(instant, 330).day == 1  # type: ignore[union-attr]
    assert in_offset(instant, None) is instant
    assert in_offset(instant, 5000) is instant  # out of range (a damaged row): UTC
