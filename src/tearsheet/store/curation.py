"""Changes an administrator asks for through the API: sources added or removed, an
article re-checked now, an article hidden or shown again.

The web process never fetches, so these only write the store, where the tracker finds
them: a source added here is a ``sources`` row (``origin = 'api'``) with its ``feeds``,
which discovery polls like any other; "re-check now" makes the article due
(``next_check_at = now``), and the running tracker claims it on its next pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from tearsheet.config import SourceSettings
from tearsheet.errors import CurationError
from tearsheet.store.browse import CURATION
from tearsheet.store.schema import articles, feeds, notify_state, sources
from tearsheet.store.store import Store


class Curation:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def add_source(self, spec: SourceSettings, now: datetime) -> None:
        """Add a source (or bring back one removed earlier), its feeds due now."""
        wanted = spec.discovery()
        if not wanted:
            raise CurationError("a source needs at least one feed, sitemap or section page",
                                422)
        with self.engine.begin() as conn:
            row = conn.execute(select(sources).where(sources.c.name == spec.name)).first()
            if row is not None and row.origin == "config":
                raise CurationError(f"source {spec.name!r} is in the configuration file; "
                                    "change it there", 409)
            if row is not None and row.removed_at is None:
                raise CurationError(f"source {spec.name!r} exists; remove it first to "
                                    "replace it", 409)
            _count_write(conn)
            if row is None:
                conn.execute(sources.insert().values(name=spec.name, created_at=now,
                                                     origin="api"))
            else:
                conn.execute(update(sources).where(sources.c.id == row.id)
                             .values(removed_at=None))
            source_id = conn.execute(select(sources.c.id)
                                     .where(sources.c.name == spec.name)).scalar_one()
        self.store.sync_feeds(int(source_id), wanted, now)

    def remove_source(self, name: str, now: datetime) -> None:
        """Stop discovering and checking a source added through the API. Its articles and
        versions stay (they are the proof), readable as before."""
        with self.engine.begin() as conn:
            row = conn.execute(select(sources).where(sources.c.name == name)).first()
            if row is None or row.removed_at is not None:
                raise CurationError(f"no source named {name!r}", 404)
            if row.origin == "config":
                raise CurationError(f"source {name!r} is in the configuration file; remove "
                                    "it there", 409)
            _count_write(conn)
            conn.execute(update(sources).where(sources.c.id == row.id).values(removed_at=now))
            conn.execute(update(feeds).where(feeds.c.source_id == row.id).values(active=0))
            conn.execute(update(articles).where(articles.c.source_id == row.id)
                         .values(next_check_at=None))

    def recheck(self, article_id: int, now: datetime) -> dict[str, Any]:
        """Make an article due now (a retired one too): the tracker checks it next."""
        return self._update(article_id, next_check_at=now)

    def set_hidden(self, article_id: int, hidden: bool) -> dict[str, Any]:
        return self._update(article_id, hidden=hidden)

    def _update(self, article_id: int, **values: Any) -> dict[str, Any]:
        a = articles.c
        with self.engine.begin() as conn:
            done = conn.execute(update(articles).where(a.id == article_id).values(**values))
            if not done.rowcount:
                raise CurationError(f"no article {article_id}", 404)
            row = conn.execute(select(a.id, a.hidden, a.next_check_at)
                               .where(a.id == article_id)).one()
            _count_write(conn)
        return dict(row._mapping)


def _count_write(conn: Connection) -> None:
    """Count the write, so caches that cannot see every change see this one (the web UI's
    page cache on PostgreSQL: :meth:`tearsheet.store.browse.Browse.data_version`)."""
    state = notify_state.c
    bump = update(notify_state).where(state.name == CURATION).values(value=state.value + 1)
    if conn.execute(bump).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(notify_state.insert().values(name=CURATION, value=1))
    except IntegrityError:  # a concurrent first write made the row meanwhile
        conn.execute(bump)
