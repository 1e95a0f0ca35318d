"""Summaries for the versions stored before change summaries existed.

The tracker summarises each new version as it stores it; :func:`fill_missing_summaries`
does the same for older rows (run by ``tearsheet db upgrade`` and at the start of
``tearsheet run``).
"""

from __future__ import annotations

from tearsheet.diff.align import Document
from tearsheet.diff.changes import summarize
from tearsheet.store.store import Store


def fill_missing_summaries(store: Store, batch: int = 500) -> int:
    """Summarise every stored change that has no summary yet; returns how many."""
    done = last = 0
    while rows := store.versions_without_summary(batch, after_id=last):
        last = rows[-1]["id"]
        for row in rows:
            old = store.version(row["article_id"], row["number"] - 1)
            new = store.version(row["article_id"], row["number"])
            if old is None or new is None:  # a gap in the numbering: nothing to compare
                continue
            store.set_summary(row["id"], summarize(Document.from_version(old),
                                                   Document.from_version(new)))
            done += 1
        if len(rows) < batch:
            break
    return done
