"""`tearsheet backup` and `restore`: taken while a real tracker process stores a version on
nearly every check, the backup restores to a consistent store whose every version's WARC
pointer reads back."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tearsheet.archive.warc import default_dir, read_capture
from tearsheet.config import load_settings
from tearsheet.store.records import WarcPointer
from tearsheet.store.store import Store
from tests.support.busysite import busy_config, busy_site
from tests.support.cli import cli
from tests.support.localserver import LocalServer


def config_for(tmp_path: Path, name: str, server: LocalServer) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return busy_config(folder, f"sqlite:///{folder / 'ts.db'}", server)


def versions_in(database: Path) -> int:
    """Versions stored (0 while the tracker has not made its schema yet)."""
    try:
        with sqlite3.connect(database) as conn:
            return int(conn.execute("SELECT count(*) FROM versions").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_backup_while_the_tracker_writes_restores_a_consistent_store(
        server: LocalServer, tmp_path: Path) -> None:
    busy_site(server)
    config = config_for(tmp_path, "live", server)
    database = tmp_path / "live" / "ts.db"
    tracker = subprocess.Popen(
        [sys.executable, "-m", "tearsheet", "run", "--config", str(config)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while (not database.exists() or versions_in(database) < 8) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        assert versions_in(database) >= 8, "the tracker stored too little"
        assert cli("backup", str(tmp_path / "backup"), "--config", str(config)) == 0
        taken = versions_in(database)
        time.sleep(1.0)  # it goes on writing after the backup
        assert tracker.poll() is None, "the backup disturbed the tracker"
    finally:
        tracker.send_signal(signal.SIGTERM)
        _, err = tracker.communicate(timeout=60)
    assert tracker.returncode == 0, err.decode()[-2000:]
    assert versions_in(database) > taken

    manifest = json.loads((tmp_path / "backup" / "backup.json").read_text())
    restored_config = config_for(tmp_path, "restored", server)
    assert cli("restore", str(tmp_path / "backup"), "--config", str(restored_config)) == 0
    settings = load_settings(restored_config)
    restored = tmp_path / "restored" / "ts.db"
    with sqlite3.connect(restored) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert versions_in(restored) == manifest["versions"] >= 8
    store = Store.open(settings.database_url)
    try:
        pointed = 0
        for row in store.iter_versions():
            if row.get("warc_file"):
                ref = WarcPointer(row["warc_file"], row["warc_offset"], row["warc_length"])
                capture = read_capture(default_dir(settings), ref, 10**7)
                assert "Update number" in capture.body.decode()
                pointed += 1
        assert pointed == manifest["versions"]  # every version kept its proof
    finally:
        store.close()


def test_restore_refuses_a_damaged_copy_and_an_existing_database(
        server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    busy_site(server)
    config = config_for(tmp_path, "live", server)
    assert cli("run", "--once", "--config", str(config)) == 0
    assert cli("backup", str(tmp_path / "backup"), "--config", str(config)) == 0
    assert cli("backup", str(tmp_path / "backup"), "--config", str(config)) == 1
    assert "not empty" in capsys.readouterr().err
    # Restoring over the live database needs --force.
    assert cli("restore", str(tmp_path / "backup"), "--config", str(config)) == 1
    assert "--force" in capsys.readouterr().err
    assert cli("restore", str(tmp_path / "backup"), "--force", "--config", str(config)) == 0
    # A copy damaged after the backup is refused before anything is written.
    warc = next((tmp_path / "backup" / "warc").iterdir())
    warc.write_bytes(warc.read_bytes()[:-10])
    fresh = config_for(tmp_path, "fresh", server)
    assert cli("restore", str(tmp_path / "backup"), "--config", str(fresh)) == 1
    assert "does not match the backup's manifest" in capsys.readouterr().err
    assert not (tmp_path / "fresh" / "ts.db").exists()


def test_postgresql_is_sent_to_pg_dump(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "tearsheet.toml"
    config.write_text('database_url = "postgresql+psycopg://u@127.0.0.1/x"\n')
    assert cli("backup", str(tmp_path / "b"), "--config", str(config)) == 1
    assert "pg_dump" in capsys.readouterr().err
