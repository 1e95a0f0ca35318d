"""Backups: the SQLite store and its WARC files copied to a folder while the tracker runs,
and put back.

The database is copied with SQLite's online backup API (a consistent snapshot; writers
are not stopped), *then* the WARC files: a record is on disk (fsynced) before the version
that points at it is committed, so every pointer in the snapshot resolves in the copied
files. A record being appended as its file is copied may be cut at the copy's end; no
pointer of the snapshot names it. ``backup.json`` lists every file with its size and
SHA-256, checked again by :func:`restore`.

PostgreSQL is backed up with its own tools (``pg_dump``, see docs/deploy.md): this module
refuses it with that advice.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from tearsheet import __version__
from tearsheet.archive.warc import default_dir
from tearsheet.config import Settings
from tearsheet.errors import StoreError

MANIFEST = "backup.json"
DATABASE = "tearsheet.db"
WARC_DIR = "warc"
_CHUNK = 1 << 20


class BackupError(StoreError):
    """A backup cannot be made or restored (not SQLite, a damaged copy, a target in use)."""


@dataclass(frozen=True)
class BackupReport:
    versions: int
    warc_files: int
    bytes: int


def sqlite_path(settings: Settings) -> Path:
    """The SQLite file of ``settings``; PostgreSQL is refused with what to do instead."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(
            "tearsheet backup copies an SQLite store; for PostgreSQL use pg_dump "
            "(pg_dump --format=custom --file=tearsheet.dump DBNAME, restored with "
            "pg_restore --clean --dbname=DBNAME tearsheet.dump; see docs/deploy.md) and copy "
            f"the WARC folder {default_dir(settings)} after it")
    return Path(url.database).expanduser()


def backup(settings: Settings, destination: Path) -> BackupReport:
    """Copy the store and its WARC files into ``destination`` (a new or empty folder)."""
    source = sqlite_path(settings)
    if not source.exists():
        raise BackupError(f"{source}: no such database")
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: back up into a new folder")
    (destination / WARC_DIR).mkdir(parents=True, exist_ok=True)
    target = destination / DATABASE
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reading, \
            sqlite3.connect(target) as writing:
        # In one step: a snapshot under a read lock, which in WAL mode stops no writer (in
        # steps, every commit of the tracker meanwhile would restart the copy).
        reading.backup(writing)
        versions = writing.execute("SELECT count(*) FROM versions").fetchone()[0]
    writing.close()
    reading.close()
    files = {DATABASE: _digest(target)}
    archive = default_dir(settings)
    for path in sorted(archive.glob("*.warc*")) if archive.is_dir() else []:
        copied = destination / WARC_DIR / path.name
        _copy_prefix(path, copied, path.stat().st_size)
        files[f"{WARC_DIR}/{path.name}"] = _digest(copied)
    manifest = {"tearsheet": __version__, "made_at": datetime.now(UTC).isoformat(),
                "versions": versions, "files": files}
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return BackupReport(versions, len(files) - 1, sum(f["size"] for f in files.values()))


def restore(settings: Settings, origin: Path, *, force: bool = False) -> BackupReport:
    """Put a backup back: its database where ``settings`` says, its WARC files into the
    archive folder. Every file is checked against the manifest first; an existing
    database is replaced only with ``force`` (and no tracker may be running on it)."""
    manifest = _manifest(origin)
    for name, expected in manifest["files"].items():
        found = _digest(origin / name)
        if found != expected:
            raise BackupError(f"{origin / name} does not match the backup's manifest "
                              f"(size {found['size']}, expected {expected['size']}): the "
                              "copy is damaged")
    target = sqlite_path(settings)
    if target.exists() and not force:
        raise BackupError(f"{target} exists: restore into a new place, or pass --force to "
                          "replace it (stop every tracker on it first)")
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)  # a WAL of the replaced database must not replay
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(origin / DATABASE, partial)
    partial.replace(target)
    archive = default_dir(settings)
    archive.mkdir(parents=True, exist_ok=True)
    size = 0
    for name in manifest["files"]:
        if name.startswith(WARC_DIR + "/"):
            there = archive / Path(name).name
            if not there.exists() or there.stat().st_size < (origin / name).stat().st_size:
                shutil.copyfile(origin / name, there)
            size += (origin / name).stat().st_size
    return BackupReport(int(manifest["versions"]), len(manifest["files"]) - 1, size)


def _manifest(origin: Path) -> dict[str, Any]:
    try:
        data = json.loads((origin / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{origin}: no {MANIFEST}: not a tearsheet backup") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{origin / MANIFEST}: unreadable ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) \
            or DATABASE not in data["files"]:
        raise BackupError(f"{origin / MANIFEST}: not a tearsheet backup manifest")
    for name in data["files"]:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise BackupError(f"{origin / MANIFEST}: names a file outside the backup: {name!r}")
    return data


def _copy_prefix(source: Path, target: Path, size: int) -> None:
    """The first ``size`` bytes of ``source`` (the file as it was when the copy started;
    the tracker may be appending to it)."""
    with open(source, "rb") as reading, open(target, "wb") as writing:
        left = size
        while left > 0:
            chunk = reading.read(min(_CHUNK, left))
            if not chunk:
                break
            writing.write(chunk)
            left -= len(chunk)


def _digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                sha.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        raise BackupError(f"{path}: missing from the backup") from None
    return {"size": size, "sha256": sha.hexdigest()}
