"""Export: the stored versions as a dataset, streamed so memory stays flat."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

FIELDS = ("source", "url", "version", "captured_at", "title", "byline", "published_at",
          "modified_at", "language", "fetched_url", "text")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def version_record(row: dict[str, Any]) -> dict[str, Any]:
    """One version as exported: ISO 8601 UTC times, paragraphs split by a blank line."""
    return {
        "source": row["source"],
        "url": row["url"],
        "version": row["number"],
        "captured_at": _iso(row["captured_at"]),
        "title": row["title"],
        "byline": row["byline"],
        "published_at": _iso(row["published_at"]),
        "modified_at": _iso(row["modified_at"]),
        "language": row["language"],
        "fetched_url": row["fetched_url"],
        "text": row["text"],
    }


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write one JSON object per version; returns how many were written."""
    count = 0
    for row in rows:
        out.write(json.dumps(version_record(row), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
