"""Opening a tearsheet database: its URL, its engine, its schema revision.

What :class:`tearsheet.store.store.Store` stands on, apart from its reads and writes: the URL
parsing (and password hiding), the SQLite pragmas, the Alembic migrations and the schema
check every process runs when it opens the database, and the dialect's INSERT helpers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, Select, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, SQLAlchemyError

from tearsheet.errors import StoreError

_UPGRADE_LOCK = 0x7465617273686565  # "tearshee": the advisory lock `db upgrade` holds


def open_engine(url: str, *, upgrade: bool | None = None,
                statement_timeout: float | None = None) -> Engine:
    """An engine on the database at ``url``, its schema created or upgraded if ``upgrade``.

    By default an SQLite file (one user, one process) is upgraded on the spot, while a
    PostgreSQL database shared by many processes waits for `tearsheet db upgrade`:
    a worker must never change the schema under the others. A schema newer than this
    version of tearsheet is always refused. ``statement_timeout`` (seconds, PostgreSQL)
    makes a statement that waits longer (on a lock, a stuck server) fail instead of
    holding its caller for ever; commands that stream (export) open without it.
    """
    parsed = _parse_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database not in (None, "", ":memory:"):
        parent = Path(parsed.database).expanduser().resolve().parent
        if not parent.is_dir():
            raise StoreError(f"{url}: the folder {parent} does not exist")
    try:
        # Pre-ping notices a PostgreSQL connection the server dropped; an SQLite file has
        # no server, so there it would only add a SELECT 1 to every transaction.
        options = {} if is_sqlite or not statement_timeout else {
            "options": f"-c statement_timeout={int(statement_timeout * 1000)}"}
        engine = create_engine(parsed, future=True, pool_pre_ping=not is_sqlite,
                               connect_args=options)
    except Exception as exc:  # a missing driver, a bad option
        raise StoreError(f"cannot open {url}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _check_schema(engine, engine.dialect.name == "sqlite" if upgrade is None else upgrade)
    except DatabaseError as exc:  # not a database, locked, unreachable, no permission
        engine.dispose()
        raise StoreError(f"cannot open {_safe(parsed)}: {exc.orig}") from None
    except StoreError:
        engine.dispose()
        raise
    return engine


def _check_schema(engine: Engine, upgrade: bool) -> None:
    scripts = ScriptDirectory.from_config(_alembic_config())
    current = schema_revision(engine)
    head = scripts.get_current_head()
    if current == head:
        return
    known = {script.revision for script in scripts.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"the database schema ({current}) is newer than this tearsheet (which knows up "
            f"to {head}); upgrade tearsheet")
    if not upgrade:
        state = "has no schema yet" if current is None else f"is at revision {current}"
        raise StoreError(f"the database {state}, this tearsheet needs {head}: run "
                         "`tearsheet db upgrade`")
    upgrade_schema(engine)


STORE_ERRORS = (SQLAlchemyError, StoreError)
"""What a store call raises when the database fails under it (down, cut, timed out, full)."""


def describe_failure(exc: BaseException) -> str:
    """The database's own words for what failed, on one line, without SQLAlchemy's
    background link or the statement."""
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split("\n")[0].split())
    return f"{type(cause).__name__}: {text[:300]}"


@functools.cache
def schema_head() -> str | None:
    """The revision this code's migrations lead to."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None: empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(engine: Engine) -> None:
    """Apply every pending migration."""
    cfg = _alembic_config()
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # two `db upgrade` at once: one waits
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        if is_sqlite:
            # A batch migration rebuilds a table: with foreign keys enforced, dropping the
            # old `articles` would cascade to every version and check. (The pragma only
            # takes effect outside a transaction: this is the first statement.)
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        if is_sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise StoreError("the upgrade left rows pointing at nothing; nothing was "
                             "changed (restore from a backup if this repeats)")
    if is_sqlite:  # no pooled connection keeps foreign keys off: new ones turn them on
        engine.dispose()


def relax_durability(engine: Engine) -> None:
    """On SQLite, commit without waiting for the disk (see
    :meth:`tearsheet.store.store.Store.relax_durability`). Only this engine's connections."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_normal_sync)
        engine.dispose()


def dialect_insert(conn: Connection) -> Any:
    """The INSERT with ON CONFLICT of the connection's dialect."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def insert_unless_present(conn: Connection, statement: Any) -> None:
    """Run an INSERT whose row another process may have inserted first (then: nothing)."""
    try:
        with conn.begin_nested():
            conn.execute(statement)
    except IntegrityError:
        pass


def _parse_url(url: str) -> URL:
    """A database URL; plain ``postgresql://`` means psycopg 3 (not SQLAlchemy's default,
    psycopg2, which tearsheet does not install)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{url!r} is not a database URL (e.g. sqlite:///tearsheet.db or "
                         "postgresql://user@host/tearsheet)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _safe(url: URL) -> str:
    """The URL for messages: never the password."""
    return url.render_as_string(hide_password=True)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "tearsheet.store:migrations")
    return cfg


def _sqlite_normal_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (status, export) never block the runner
    cursor.execute("PRAGMA synchronous=FULL")  # a committed version survives a power cut
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def stream_rows(engine: Engine, query: Select[Any]) -> Iterator[dict[str, Any]]:
    """Rows as dicts, fetched in batches (server-side cursor on PostgreSQL)."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=500).execute(query)
        for row in result:
            yield dict(row._mapping)
