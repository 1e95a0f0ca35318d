"""A real PostgreSQL server for the tests, and a fresh database per test.

:func:`ensure_server` uses the server on 127.0.0.1:5432 when one answers, else starts an
installed cluster, else installs Debian's ``postgresql`` package and starts it (as root).
Each test then gets its own database, copied from a template migrated once per session
(``CREATE DATABASE … TEMPLATE`` copies files: far faster than running the migrations).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

HOST = os.environ.get("TEARSHEET_TEST_PGHOST", "127.0.0.1")
PORT = int(os.environ.get("TEARSHEET_TEST_PGPORT", "5432"))
USER = os.environ.get("TEARSHEET_TEST_PGUSER", "postgres")
ADMIN_DSN = f"postgresql://{USER}@{HOST}:{PORT}/postgres"


def url(database: str) -> str:
    """The SQLAlchemy URL of a database on the test server."""
    return f"postgresql+psycopg://{USER}@{HOST}:{PORT}/{database}"


def _answers() -> bool:
    try:
        with psycopg.connect(ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=600)


def _clusters() -> list[tuple[str, str]]:
    if not shutil.which("pg_lsclusters"):
        return []
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True,
                         check=False).stdout
    return [(line.split()[0], line.split()[1]) for line in out.splitlines() if line.strip()]


def _trust_local(version: str, cluster: str) -> None:
    """Let the test user in over TCP from 127.0.0.1 without a password (test machines only)."""
    hba = f"/etc/postgresql/{version}/{cluster}/pg_hba.conf"
    if not os.access(hba, os.W_OK):
        return
    with open(hba, encoding="utf-8") as fh:
        current = fh.read()
    rule = "host all all 127.0.0.1/32 trust\n"
    if rule not in current:
        with open(hba, "w", encoding="utf-8") as fh:
            fh.write(rule + current)


def ensure_server() -> None:
    """Make a PostgreSQL server answer on HOST:PORT, or raise with what to do."""
    if _answers():
        return
    if not _clusters() and os.geteuid() == 0 and shutil.which("apt-get"):
        _run("apt-get", "update", "-qq")
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True,
                       capture_output=True, timeout=900,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    for version, cluster in _clusters():
        _trust_local(version, cluster)
        for action in ("start", "reload"):  # reload: the rule above, if the cluster ran
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster,
                            action], capture_output=True, timeout=120, check=False)
        for _ in range(60):
            if _answers():
                return
            time.sleep(0.5)
    raise RuntimeError(
        f"no PostgreSQL server answers on {HOST}:{PORT} and none could be started: install "
        "the postgresql package (or set TEARSHEET_TEST_PGHOST/PGPORT/PGUSER)")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN_DSN, autocommit=True)


def create_database(template: str = "template0") -> str:
    """A new, uniquely named database (a copy of ``template``); returns its name."""
    name = f"tearsheet_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)))
    return name


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


@contextmanager
def database(template: str = "template0") -> Iterator[str]:
    """A fresh database for the duration of the block; yields its SQLAlchemy URL."""
    name = create_database(template)
    try:
        yield url(name)
    finally:
        drop_database(name)
