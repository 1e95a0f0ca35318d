"""Export: the stored versions as a dataset, streamed so memory stays flat.

Formats: JSON Lines and Parquet of versions (this module), the versions' WARC captures
(this module), a NewsEdits-style SQLite dataset (:mod:`tearsheet.export.newsedits`) and a git
repository with one commit per version (:mod:`tearsheet.export.git`). Every writer takes
an iterator of version rows (:meth:`~tearsheet.store.store.Store.iter_versions`) and holds at
most one batch of them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from tearsheet.archive.warc import raw_record
from tearsheet.diff.summary import split_names
from tearsheet.errors import ArchiveError, ExportError
from tearsheet.store.records import WarcPointer

FIELDS = ("source", "url", "version", "captured_at", "title", "standfirst", "byline",
          "published_at", "modified_at", "language", "fetched_url", "text", "memento_url",
          "intents", "intent_labels", "silent_correction", "correction_note")
PARQUET_BATCH = 1000  # rows per Parquet row group: bounded memory, decent compression

Progress = Callable[[int], None]


@dataclass
class ExportReport:
    """What an export wrote, and what it left out and why."""

    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def version_record(row: dict[str, Any]) -> dict[str, Any]:
    """One version as exported: ISO 8601 times (captures in UTC, the page's dates in the
    offset it gave them), paragraphs split by a blank line."""
    return {
        "source": row["source"],
        "url": row["url"],
        "version": row["number"],
        "captured_at": _iso(row["captured_at"]),
        "title": row["title"],
        "standfirst": row.get("standfirst"),  # null: stored before standfirsts were read
        "byline": row["byline"],
        "published_at": _iso(row["published_at"]),
        "modified_at": _iso(row["modified_at"]),
        "language": row["language"],
        "fetched_url": row["fetched_url"],
        "text": row["text"],
        "memento_url": row.get("memento_url"),  # the Wayback Machine's copy, if saved
        "extractor": row.get("extractor"),  # the extractor's revision; null: unknown
        **meaning(row),
    }


def meaning(row: dict[str, Any]) -> dict[str, Any]:
    """What the change into this version means (see docs/intents.md): coarse intents,
    dominant first, fine labels, whether it is a silent correction, the note it added.
    A first version (or one not yet read) has empty lists and a null flag."""
    silent = row.get("silent_correction")
    return {"intents": split_names(row.get("intents")),
            "intent_labels": split_names(row.get("intent_labels")),
            "silent_correction": None if silent is None else bool(silent),
            "correction_note": row.get("correction_note")}


def _tick(progress: Progress | None) -> None:
    if progress is not None:
        progress(1)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str],
                progress: Progress | None = None) -> int:
    """Write one JSON object per version; returns how many were written."""
    count = 0
    for row in rows:
        out.write(json.dumps(version_record(row), ensure_ascii=False))
        out.write("\n")
        count += 1
        _tick(progress)
    return count


def write_parquet(rows: Iterable[dict[str, Any]], path: Path,
                  progress: Progress | None = None) -> int:
    """The versions as one Parquet file (the JSONL fields, times as UTC timestamps: a
    Parquet timestamp has one zone per column, so the offsets the pages gave their dates
    are columns of their own, in minutes east of UTC, null where unknown)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("the Parquet export needs pyarrow: pip install 'tearsheet[parquet]'"
                          ) from None
    stamp = pa.timestamp("us", tz="UTC")
    schema = pa.schema([
        ("source", pa.string()), ("url", pa.string()), ("version", pa.int32()),
        ("captured_at", stamp), ("title", pa.string()), ("standfirst", pa.string()),
        ("byline", pa.string()),
        ("published_at", stamp), ("modified_at", stamp), ("language", pa.string()),
        ("fetched_url", pa.string()), ("text", pa.string()), ("memento_url", pa.string()),
        ("extractor", pa.string()),
        ("intents", pa.list_(pa.string())), ("intent_labels", pa.list_(pa.string())),
        ("silent_correction", pa.bool_()), ("correction_note", pa.string()),
        ("published_offset", pa.int16()), ("modified_offset", pa.int16()),
    ])
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for row in rows:
            record = version_record(row)
            for name in ("captured_at", "published_at", "modified_at"):
                record[name] = row[name]
            record["published_offset"] = row.get("published_offset")
            record["modified_offset"] = row.get("modified_offset")
            batch.append(record)
            count += 1
            _tick(progress)
            if len(batch) == PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count


def write_warc(rows: Iterable[dict[str, Any]], out: IO[bytes], directory: Path,
               report: ExportReport, progress: Progress | None = None) -> int:
    """The WARC records the versions were read from, one after another: a ``.warc.gz``
    that ``tearsheet import warc`` (or any WARC tool) reads back."""
    for row in rows:
        _tick(progress)
        if row["warc_file"] is None:
            report.skipped["no_capture"] += 1
            continue
        try:
            out.write(raw_record(directory, WarcPointer(
                row["warc_file"], int(row["warc_offset"]), int(row["warc_length"]))))
        except ArchiveError:
            report.skipped["capture_unreadable"] += 1
            continue
        report.written += 1
    return report.written
