"""The store: articles, their versions and their schedule, in SQLite or PostgreSQL.

The store knows nothing of the web: it takes and returns plain values. Every write that
matters is one transaction — a new version, its check and the article's next check are
committed together, so a killed process never leaves a version without its schedule or a
schedule that skipped a version.
"""

from __future__ import annotations

import os
import socket

from sqlalchemy import Engine

from tearsheet.store import database
from tearsheet.store.articles import Articles
from tearsheet.store.checks import Checks
from tearsheet.store.sources import Sources
from tearsheet.store.versions import Versions


class Store(Sources, Articles, Checks, Versions):
    """Access to one tearsheet database. Open with :meth:`open`.

    Its parts, one job each: :class:`~tearsheet.store.sources.Sources` (sources, feeds,
    status), :class:`~tearsheet.store.articles.Articles` (articles, the due query, leases),
    :class:`~tearsheet.store.checks.Checks` (a check and its version, in one transaction)
    and :class:`~tearsheet.store.versions.Versions` (reading versions). The read-only
    queries of the pages are :class:`~tearsheet.store.browse.Browse`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Names this process in the leases it takes (``worker.id``, see docs/deploy.md).
        self.worker_id = default_worker_id()

    @classmethod
    def open(cls, url: str, *, upgrade: bool | None = None,
             statement_timeout: float | None = None) -> Store:
        """Open the database at ``url``, creating or upgrading its schema if ``upgrade``
        (see :func:`tearsheet.store.database.open_engine`: by default SQLite only);
        ``statement_timeout`` bounds each statement on PostgreSQL (seconds)."""
        return cls(database.open_engine(url, upgrade=upgrade,
                                        statement_timeout=statement_timeout))

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None: empty database)."""
        return database.schema_revision(self.engine)

    def upgrade(self) -> None:
        """Apply every pending migration."""
        database.upgrade_schema(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def relax_durability(self) -> None:
        """For a bulk write that can simply be run again (an import): on SQLite, commit
        without waiting for the disk (WAL with ``synchronous=NORMAL``: a power cut may lose
        the last commits, never corrupt the database). Only this store's connections."""
        database.relax_durability(self.engine)


def default_worker_id() -> str:
    """host-pid: unique among the processes sharing a store."""
    return f"{socket.gethostname()}-{os.getpid()}"
