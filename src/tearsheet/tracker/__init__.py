"""Tracker: the loop that discovers articles and checks them on schedule.

:class:`Tracker` polls the sources (discovery), claims due articles, fetches, extracts in
an :class:`ExtractionPool` of worker processes, judges and records each check through the
:class:`StoreWriter` (group commits on one thread); :mod:`.schedule` says when each article
is checked next; :mod:`.worker` runs one tracker among many on a PostgreSQL store.
"""

from tearsheet.tracker.extraction_pool import ExtractionPool
from tearsheet.tracker.schedule import Timing, after_change, after_failure, after_unchanged
from tearsheet.tracker.tracker import CheckResult, Stats, Tracker, assemble
from tearsheet.tracker.writer import StoreWriter

__all__ = [
    "CheckResult", "ExtractionPool", "Stats", "StoreWriter", "Timing", "Tracker",
    "after_change", "after_failure", "after_unchanged", "assemble",
]
