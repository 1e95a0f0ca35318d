"""Ground truth: what the simulated site served, and during which real-time window.

A tracker run can only be scored against what was really there. The site knows exactly
when each version became visible (its start, plus ``at`` / ``speed``) and when the next
one replaced it, so ``--truth FILE`` writes one JSON object per version that has been
visible, as JSON Lines::

    {"article": "ferry", "url": "http://127.0.0.1:8123/news/ferry", "version": 2,
     "headline": "...", "byline": "...", "text": "paragraphs\\n\\nseparated",
     "at": 90.0, "visible_from": "2026-11-22T08:00:18.000000Z",
     "visible_until": "2026-11-22T08:01:00.000000Z", "served": 3}

``visible_until`` is null while the version is still the live one; ``served`` counts the
complete article pages that carried it (faults excluded). The file is rewritten as the
replay goes on, atomically, so it can be read at any moment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from tearsheet.errors import TearsheetError


@dataclass(frozen=True)
class TruthVersion:
    """One served version of one article and the real-time window it was visible in."""

    article: str
    url: str
    version: int
    headline: str
    byline: str
    text: str
    at: float
    visible_from: datetime
    visible_until: datetime | None
    served: int = 0

    def visible_seconds(self, end: datetime) -> float:
        """How long it was visible, counting a still-live version up to ``end``."""
        until = self.visible_until or end
        return max(0.0, (until - self.visible_from).total_seconds())

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["visible_from"] = _iso(self.visible_from)
        data["visible_until"] = _iso(self.visible_until) if self.visible_until else None
        return data


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a date string")
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def write_truth(records: Iterable[TruthVersion], path: Path) -> None:
    """Write the records as JSONL, atomically (a reader never sees half a file)."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record.as_json(), ensure_ascii=False) + "\n")
    os.replace(partial, path)


def read_truth(path: Path) -> list[TruthVersion]:
    """The records of a truth file; a bad line is an error naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TearsheetError(f"cannot read {path}: {exc.strerror}") from None
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            until = item.get("visible_until")
            records.append(TruthVersion(
                article=str(item["article"]), url=str(item["url"]),
                version=int(item["version"]), headline=str(item["headline"]),
                byline=str(item.get("byline") or ""), text=str(item["text"]),
                at=float(item["at"]), visible_from=_parse(item["visible_from"], "visible_from"),
                visible_until=None if until is None else _parse(until, "visible_until"),
                served=int(item.get("served", 0)),
            ))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TearsheetError(f"{path}, line {number}: {exc}") from None
    return records
