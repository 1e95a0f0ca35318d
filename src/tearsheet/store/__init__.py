"""Store: every article, version and check in SQLite or PostgreSQL (knows nothing of the web).

:class:`Store` owns the writes and the tracker's queries; :class:`Browse` the read-only
queries of the pages, feeds and API; :class:`Curation` the API's writes. :mod:`.records`
holds the plain values it takes and returns, :mod:`.schema` and ``migrations/`` the tables,
:mod:`.database` opening and upgrading a database, :mod:`.copy` a whole store copied to
another database, :mod:`.hosts` per-host politeness shared by many workers, :class:`Proofs`
the reads of proof packages and the queue of captures to timestamp, :func:`trace_text` a
copy traced through the trace index (:mod:`.tracing`), :func:`republications` the copies
among tracked articles (:mod:`.republished`).
"""

from tearsheet.store.browse import Browse
from tearsheet.store.copy import copy_store
from tearsheet.store.curation import Curation
from tearsheet.store.hosts import HostGate
from tearsheet.store.proofs import Proofs
from tearsheet.store.records import (
    CaptureStamp,
    CheckRecord,
    DueArticle,
    DueFeed,
    NewVersion,
    WarcPointer,
)
from tearsheet.store.republished import Republication, republications
from tearsheet.store.store import Store
from tearsheet.store.summaries import fill_missing_summaries
from tearsheet.store.tracing import Match, fill_trace_index, trace_text

__all__ = [
    "Browse", "CaptureStamp", "CheckRecord", "Curation", "DueArticle", "DueFeed", "HostGate",
    "Match", "NewVersion", "Proofs", "Republication", "Store", "WarcPointer", "copy_store",
    "fill_missing_summaries", "fill_trace_index", "republications", "trace_text",
]
