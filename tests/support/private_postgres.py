"""A private PostgreSQL cluster in a temporary folder, on a port of its own: a test may
restart it, cut its connections or fill its disk without disturbing other tests' server.

Started with the installed server's ``initdb`` and ``pg_ctl`` (as the ``postgres`` user
when run as root: the server refuses root); :func:`available` says whether they are here.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def available() -> str | None:
    """Why a private cluster cannot be started here (None: it can)."""
    if not (_binary("initdb") and _binary("pg_ctl")):
        return "PostgreSQL's initdb and pg_ctl are not installed (scripts/setup installs them)"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    return None


class Cluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(_binary("initdb")), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.folder}'\nfsync = off\n")

    def pg_ctl(self, action: str, *extra: str) -> None:
        self._run(str(_binary("pg_ctl")), "-D", str(self.data), "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", *extra, action)

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: "immediate" as a crash would, "fast" as an operator's restart
        does (open connections cut, transactions rolled back)."""
        self.pg_ctl("stop", "-m", mode)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def terminate_connections(self, database: str) -> int:
        """Cut every connection to ``database`` (as an operator or a failover would)."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = %s AND pid <> pg_backend_pid()",
                                (database,)).fetchall()
        return len(rows)


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """A started cluster in a new folder under the system's temporary folder (not under
    pytest's, which the postgres user cannot enter), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="tearsheet-pg-"))
    running = Cluster(folder)
    try:
        running.init()
        running.start()
        yield running
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            running.stop()
        shutil.rmtree(folder, ignore_errors=True)
