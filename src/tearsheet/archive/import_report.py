"""What a WARC or CDX import did (:class:`Report`): versions stored, captures unchanged,
captures skipped by reason, and where the damaged records are (file and offset), for the
summary table and ``--json``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_PROBLEMS = 50  # messages kept for the summary; the counts are complete
MAX_DAMAGED = 1000  # damaged places kept (file and offset); the count is complete
# Reasons that mean "damaged", not "read and judged": an import that found nothing but
# these read nothing.
DAMAGE = frozenset({"damaged_record", "bad_record", "truncated_record", "bad_digest",
                    "truncated_file", "unreadable_file"})


@dataclass(frozen=True)
class Damage:
    """Where a damaged record (or the damaged rest of a file) starts, and what is wrong."""

    file: str
    offset: int
    message: str


@dataclass
class Report:
    """What an import did: versions stored, captures unchanged, skipped ones by reason,
    and where the damaged records are."""

    imported: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    damaged: list[Damage] = field(default_factory=list)

    def skip(self, reason: str, message: str | None = None) -> None:
        self.skipped[reason] += 1
        if message and len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def damage(self, reason: str, path: Path | str, offset: int, message: str) -> None:
        """A damaged record at ``offset`` of ``path``: skipped, counted, its place kept."""
        self.skip(reason, f"{path} at offset {offset}: {message}")
        if len(self.damaged) < MAX_DAMAGED:
            self.damaged.append(Damage(str(path), offset, message))

    @property
    def captures(self) -> int:
        return self.imported + self.unchanged + sum(self.skipped.values())

    @property
    def readable(self) -> int:
        """Captures read and judged (imported, unchanged, or skipped for what they hold)."""
        return self.captures - sum(n for r, n in self.skipped.items() if r in DAMAGE)

    def as_json(self) -> dict[str, Any]:
        return {"imported": self.imported, "unchanged": self.unchanged,
                "skipped": dict(sorted(self.skipped.items())),
                "damaged": [{"file": d.file, "offset": d.offset, "problem": d.message}
                            for d in self.damaged],
                "damaged_count": sum(n for r, n in self.skipped.items() if r in DAMAGE),
                "problems": self.problems}
