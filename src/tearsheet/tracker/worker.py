"""Many tracker processes, on any number of machines, sharing one PostgreSQL store.

A worker is the ordinary tracker (:class:`tearsheet.tracker.tracker.Tracker`) with three things
that make it safe beside others, all held in the database rather than in any process:

- **Leases.** Due articles and feeds are claimed in batches with ``SELECT … FOR UPDATE
  SKIP LOCKED`` and leased to the worker (``leased_until``, ``leased_by``). A worker that
  dies loses only its leases: once they run out, the others claim those articles.
- **One version once.** :meth:`tearsheet.store.store.Store.record_check` locks the article's row
  and records nothing if the lease passed to another worker; the unique (article, number)
  constraint backs it up.
- **Global politeness.** Requests to one host are spaced by ``fetch.per_host_delay``
  across all workers (:class:`tearsheet.store.hosts.HostGate`).

On SQLite there is one process, ``tearsheet run``, and none of this is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tearsheet.config import Settings
from tearsheet.errors import StoreError
from tearsheet.store.hosts import HostGate
from tearsheet.store.store import Store

log = logging.getLogger(__name__)

Gate = Callable[[str], Awaitable[None]]


def shared_gate(settings: Settings, store: Store) -> Gate | None:
    """The politeness gate every process on this store shares (PostgreSQL, with a delay)."""
    if store.engine.dialect.name != "postgresql" or settings.fetch.per_host_delay <= 0:
        return None
    return HostGate(store.engine, settings.fetch.per_host_delay).wait


def prepare(settings: Settings, store: Store) -> Gate | None:
    """Make ``store`` this worker's: refuse SQLite, name the leases, take back the leases a
    killed predecessor with the same fixed id left; returns the politeness gate."""
    if store.engine.dialect.name != "postgresql":
        raise StoreError("`tearsheet worker` shares a PostgreSQL store with other workers; "
                         "on SQLite, run one `tearsheet run` instead")
    if settings.worker.id:
        store.worker_id = settings.worker.id
        released = store.release_leases(holder=store.worker_id)
        if released:
            log.info("worker %s: released %d lease(s) of its previous run", store.worker_id,
                     released)
    log.info("worker %s: lease %.0fs", store.worker_id, settings.lease_seconds())
    return shared_gate(settings, store)
