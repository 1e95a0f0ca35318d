"""Change summaries stored with each version, so lists need no diff at read time.

The tracker summarises a new version against the previous one as it stores it;
:func:`backfill` does the same for versions stored before summaries existed (run by
``tearsheet db upgrade`` and at the start of ``tearsheet run``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tearsheet.diff.align import Document
from tearsheet.diff.changes import diff
from tearsheet.store.records import ChangeSummary
from tearsheet.store.store import Store


def summarize(old: Document, new: Document) -> ChangeSummary:
    """The stored form of the diff engine's summary of a change."""
    summary = diff(old, new).summary
    return ChangeSummary(kinds=summary.kinds, significance=summary.significance,
                         boring=summary.boring, words_added=summary.words_added,
                         words_removed=summary.words_removed)


def summarize_rows(old: Mapping[str, Any], new: Mapping[str, Any]) -> ChangeSummary:
    return summarize(Document.from_version(old), Document.from_version(new))


def stored(row: Mapping[str, Any]) -> ChangeSummary | None:
    """The summary stored with a version's row (what :meth:`ChangeSummary.columns` wrote);
    None for a first version, or one stored before summaries existed."""
    if row.get("significance") is None:
        return None
    return ChangeSummary(kinds=tuple(k for k in (row["kinds"] or "").split(",") if k),
                         significance=row["significance"], boring=bool(row["boring"]),
                         words_added=row["words_added"] or 0,
                         words_removed=row["words_removed"] or 0)


def backfill(store: Store, batch: int = 500) -> int:
    """Summarise every stored change that has no summary yet; returns how many."""
    done = last = 0
    while rows := store.versions_without_summary(batch, after_id=last):
        last = rows[-1]["id"]
        for row in rows:
            old = store.version(row["article_id"], row["number"] - 1)
            new = store.version(row["article_id"], row["number"])
            if old is None or new is None:  # a gap in the numbering: nothing to compare
                continue
            store.set_summary(row["id"], summarize_rows(old, new))
            done += 1
        if len(rows) < batch:
            break
    return done
