"""Export: one JSON object per stored version, ISO 8601 UTC times."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tearsheet.export.versions import version_record, write_jsonl
from tearsheet.extract.revision import extractor_revision
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tests.support.pages import LOREM

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
REQUIRED = {"source", "url", "version", "captured_at", "title", "byline", "published_at", "text"}


def row(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "source": "daily", "url": "https://a.example/1", "number": 2,
        "captured_at": datetime(2026, 11, 20, 8, 30, 15, tzinfo=UTC),
        "title": "Council approves budget", "byline": "Jane Doe",
        "published_at": datetime(2026, 11, 20, 8, 0, tzinfo=UTC), "modified_at": None,
        "language": "en", "fetched_url": "https://a.example/1?x=1", "text": "\n\n".join(LOREM),
        "first_seen_at": NOW,
    }
    values.update(changes)
    return values


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """Two sources, three articles, four versions (one with quotes, accents and newlines)."""
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    texts = {
        ("daily", "https://a.example/1"): ["first text", "second text"],
        ("daily", "https://a.example/2"): ['Café «quoted» and "double"\n\nsecond paragraph'],
        ("weekly", "https://b.example/1"): ["\n\n".join(LOREM)],
    }
    for (source, url), bodies in texts.items():
        source_id = store.ensure_source(source, NOW)
        store.add_articles(source_id, [(url, None)], NOW, 60.0, revive_gap=600.0)
        article = store.article_by_url(url)
        assert article is not None
        for n, body in enumerate(bodies):
            at = NOW + timedelta(minutes=n, microseconds=123456 * n)
            store.record_check(CheckRecord(
                store.claim_article(article["id"], at + timedelta(minutes=5)), checked_at=at,
                outcome="new_version", next_check_at=at + timedelta(minutes=1),
                check_interval=60.0, http_status=200,
                version=NewVersion(url=url, title=f"Title {n}", byline=None,
                                   published_at=NOW - timedelta(hours=2), modified_at=None,
                                   language="fr", text=body, content_hash=f"h{n}",
                                   # a version from before revisions were recorded: n == 1
                                   extractor=None if n else extractor_revision())))
    try:
        yield store
    finally:
        store.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 20, 8, 30, 15, tzinfo=UTC), "2026-11-20T08:30:15Z"),
        (datetime(2026, 11, 20, 8, 30, 15, 250000, tzinfo=UTC), "2026-11-20T08:30:15.250000Z"),
        (None, None),
    ],
)
def test_version_record_times(value: datetime | None, expected: str | None) -> None:
    record = version_record(row(captured_at=value, published_at=value, modified_at=value))
    assert record["captured_at"] == expected
    assert record["published_at"] == expected
    assert record["modified_at"] == expected


def test_version_record_fields() -> None:
    record = version_record(row())
    assert set(record) >= REQUIRED
    assert record["version"] == 2
    assert "number" not in record
    assert "first_seen_at" not in record  # internal: not part of the dataset
    assert record["fetched_url"] == "https://a.example/1?x=1"
    assert record["text"] == "\n\n".join(LOREM)
    assert (record["source"], record["url"], record["title"], record["byline"]) == (
        "daily", "https://a.example/1", "Council approves budget", "Jane Doe")


def test_write_jsonl_from_the_store(store: Store) -> None:
    out = io.StringIO()
    assert write_jsonl(store.iter_versions(), out) == 4
    text = out.getvalue()
    assert text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert len(lines) == 4
    records = [json.loads(line) for line in lines]
    for record in records:
        assert isinstance(record, dict)
        assert set(record) >= REQUIRED
        assert record["captured_at"].endswith("Z")
        assert record["published_at"] == "2026-11-20T06:00:00Z"
        datetime.fromisoformat(record["captured_at"])  # valid ISO 8601
    assert [(r["source"], r["url"], r["version"]) for r in records] == [
        ("daily", "https://a.example/1", 1), ("daily", "https://a.example/1", 2),
        ("daily", "https://a.example/2", 1), ("weekly", "https://b.example/1", 1)]
    assert records[1]["captured_at"] == "2026-11-20T08:01:00.123456Z"
    assert records[2]["text"] == 'Café «quoted» and "double"\n\nsecond paragraph'
    assert "Café «quoted»" in text  # written as UTF-8 text, not \\u escapes
    assert records[3]["text"] == "\n\n".join(LOREM)
    # Which extractor read each version (null: stored before revisions were recorded).
    assert [r["extractor"] for r in records] == [
        extractor_revision(), None, extractor_revision(), extractor_revision()]


def test_write_jsonl_for_one_source(store: Store) -> None:
    out = io.StringIO()
    assert write_jsonl(store.iter_versions("weekly"), out) == 1
    assert json.loads(out.getvalue())["url"] == "https://b.example/1"


def test_write_jsonl_nothing() -> None:
    out = io.StringIO()
    assert write_jsonl([], out) == 0
    assert out.getvalue() == ""
