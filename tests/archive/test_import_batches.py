"""The WARC import's batched writes: the same versions as one capture at a time, a bad
record losing nothing else, and a killed import leaving whole versions that a re-run
completes."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tearsheet.archive import warc_import
from tearsheet.archive.warc import Archive
from tearsheet.archive.warc_import import Importer, Report, import_warc
from tearsheet.config import load_settings
from tearsheet.simulate import Version, load_histories
from tearsheet.simulate.warcs import EPOCH, write_warc
from tearsheet.store.store import Store

# Every stored column that says what a version is (ids and archive file names aside).
VERSION = ("a.url", "v.number", "v.captured_at", "v.url", "v.title", "v.byline",
           "v.published_at", "v.modified_at", "v.language", "v.text", "v.content_hash",
           "v.standfirst", "v.kinds", "v.significance", "v.intents", "v.intent_labels",
           "v.silent_correction", "v.correction_note", "v.warc_length IS NOT NULL")


def many(copies: int) -> list[Version]:
    """The bundled newsroom's histories, ``copies`` times under other URLs."""
    base = load_histories()
    return sorted((dataclasses.replace(v, article=f"{v.article}-{n}", path=f"/r{n}{v.path}")
                   for n in range(copies) for v in base), key=lambda v: v.at)


def importing(folder: Path, files: list[Path], **options: Any) -> tuple[Store, Report]:
    folder.mkdir(exist_ok=True)
    processes = options.pop("processes", 2)
    settings = load_settings(None, database_url=f"sqlite:///{folder / 'ts.db'}",
                             archive={"dir": str(folder / "warc")},
                             fetch={"extract_processes": processes})
    store = Store.open(settings.database_url)
    archive = Archive.from_settings(settings)
    return store, import_warc(Importer(settings, store, archive=archive, **options), files)


def rows(db: Path) -> list[tuple[Any, ...]]:
    """Every version, as stored, in article URL and number order."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            f"SELECT {', '.join(VERSION)} FROM versions v JOIN articles a "
            "ON a.id = v.article_id ORDER BY a.url, v.number").fetchall()


def whole(db: Path) -> None:
    """No half-written version: each article's versions are numbered 1..version_count,
    each with its check, its trace keys and its archived record, and the article row
    names the last one's hash."""
    with sqlite3.connect(db) as conn:
        for article, count, digest in conn.execute(
                "SELECT id, version_count, content_hash FROM articles"):
            numbers = [n for (n,) in conn.execute(
                "SELECT number FROM versions WHERE article_id = ? ORDER BY number",
                (article,))]
            assert numbers == list(range(1, count + 1))
            if count:
                assert conn.execute("SELECT content_hash FROM versions WHERE article_id = ? "
                                    "AND number = ?", (article, count)).fetchone()[0] == digest
            assert conn.execute("SELECT count(*) FROM checks WHERE article_id = ? AND "
                                "outcome = 'new_version'", (article,)).fetchone()[0] == count
            assert conn.execute("SELECT count(DISTINCT number) FROM trace_keys WHERE "
                                "article_id = ?", (article,)).fetchone()[0] <= count
        assert conn.execute("SELECT count(*) FROM versions WHERE warc_file IS NULL"
                            ).fetchone()[0] == 0


def test_batches_store_exactly_what_one_capture_at_a_time_stores(tmp_path: Path) -> None:
    """Batches of 64 with the reading and extraction in worker processes, and batches of
    5 (an article's next capture judged against versions not yet committed), store the
    very versions, summaries and trace keys of one version per commit in one process."""
    warc = tmp_path / "many.warc.gz"
    captures = write_warc(many(3), warc, copies=2)
    _, one = importing(tmp_path / "alone", [warc], batch=1, processes=0)
    assert one.imported == captures // 2 and one.unchanged == captures // 2
    reference = rows(tmp_path / "alone" / "ts.db")
    assert len(reference) == one.imported and any(row[13] is not None for row in reference)
    for name, batch in (("batched", 64), ("small", 5)):
        _, report = importing(tmp_path / name, [warc], batch=batch)
        assert (report.imported, report.unchanged, report.skipped) == (
            one.imported, one.unchanged, one.skipped)
        assert rows(tmp_path / name / "ts.db") == reference
        whole(tmp_path / name / "ts.db")
        with sqlite3.connect(tmp_path / name / "ts.db") as conn, \
                sqlite3.connect(tmp_path / "alone" / "ts.db") as other:
            keys = "SELECT a.url, k.key, k.number FROM trace_keys k JOIN articles a " \
                   "ON a.id = k.article_id ORDER BY 1, 2"
            assert conn.execute(keys).fetchall() == other.execute(keys).fetchall()


def test_the_last_versions_kept_in_memory_summarize_as_the_stored_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An article's last version, kept by the import, is what the store would give back:
    read from the store every time (nothing kept), the versions and summaries are the
    same; kept, a fresh store is never asked for one."""
    warc = tmp_path / "many.warc.gz"
    write_warc(many(2), warc, copies=2)
    asked: list[int] = []
    read = Store.version

    def counted(store: Store, article_id: int, number: int) -> dict[str, Any] | None:
        asked.append(article_id)
        return read(store, article_id, number)

    monkeypatch.setattr(Store, "version", counted)
    articles = len({v.article for v in load_histories()}) * 2
    _, kept = importing(tmp_path / "kept", [warc], batch=1, processes=0)
    assert kept.imported > articles and asked == []
    monkeypatch.setattr(warc_import, "LAST_CHARS", 0)
    _, fresh = importing(tmp_path / "read", [warc], batch=1, processes=0)
    assert len(asked) >= fresh.imported - articles
    assert (fresh.imported, fresh.unchanged) == (kept.imported, kept.unchanged)
    assert rows(tmp_path / "read" / "ts.db") == rows(tmp_path / "kept" / "ts.db")


def test_a_bad_record_in_a_batch_loses_nothing_else(tmp_path: Path) -> None:
    """A damaged record (its digest broken) and a version the database refuses, in the
    middle of one batch: each is skipped and reported, every other version is stored."""
    versions = many(2)
    warc = tmp_path / "damaged.warc"
    write_warc(versions, warc, copies=1, compress=False)
    data = warc.read_bytes()
    middle = versions[len(versions) // 2]
    spot = data.index(middle.paragraphs[-1].split()[-1].encode(),
                      data.index(middle.path.encode()))
    warc.write_bytes(data[:spot] + bytes([data[spot] ^ 0x20]) + data[spot + 1:])
    refused = versions[len(versions) // 2 + 3]
    assert refused.article != middle.article

    # The reference: one capture at a time, nothing refused by the database.
    _, one = importing(tmp_path / "alone", [warc], batch=1, processes=0)
    assert one.skipped["bad_digest"] == 1
    reference = rows(tmp_path / "alone" / "ts.db")

    (tmp_path / "batched").mkdir()
    Store.open(f"sqlite:///{tmp_path / 'batched' / 'ts.db'}").close()  # the schema
    with sqlite3.connect(tmp_path / "batched" / "ts.db") as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON versions WHEN NEW.url LIKE "
                     f"'%{refused.path}' AND NEW.captured_at >= '"
                     f"{_stamp(refused)}' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    _, report = importing(tmp_path / "batched", [warc], batch=len(versions))
    assert report.skipped["bad_digest"] == 1
    assert report.skipped["store_failed"] >= 1
    assert any("refused" in p for p in report.problems)
    kept = rows(tmp_path / "batched" / "ts.db")
    lost = [row for row in reference if row not in kept]
    # What was lost: the refused version, and the later versions of its article only.
    assert lost and all(row[0].endswith(refused.path) for row in lost)
    assert report.imported == one.imported - len(lost)
    whole(tmp_path / "batched" / "ts.db")


def _stamp(version: Version) -> str:
    """When the version was captured, as SQLite holds it."""
    return (EPOCH + timedelta(seconds=version.at)).replace(tzinfo=None).isoformat(sep=" ")


def test_a_killed_import_leaves_whole_versions_and_a_rerun_completes_it(
    tmp_path: Path,
) -> None:
    """``tearsheet import warc`` killed (SIGKILL) after its first commits: every stored
    version is whole, and the same command run again stores exactly what an import that
    was never interrupted stores."""
    warc = tmp_path / "many.warc.gz"
    write_warc(many(6), warc, copies=2)
    _, clean = importing(tmp_path / "clean", [warc])
    config = tmp_path / "tearsheet.toml"
    db = tmp_path / "killed" / "ts.db"
    db.parent.mkdir()
    config.write_text(f'database_url = "sqlite:///{db}"\n'
                      f'[archive]\ndir = "{tmp_path / "killed" / "warc"}"\n')
    command = [sys.executable, "-m", "tearsheet", "import", "warc", str(warc),
               "--config", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        stored = 0
        while process.poll() is None and stored == 0:
            time.sleep(0.05)
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=5) as conn:
                        stored = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
                except sqlite3.OperationalError:  # the schema is not there yet
                    stored = 0
        os.killpg(process.pid, signal.SIGKILL)  # the importer and its workers
    finally:
        process.wait()
    assert 0 < stored < clean.imported, "the import was not killed in its middle"
    whole(db)
    assert 0 < len(rows(db)) < clean.imported
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    whole(db)
    assert rows(db) == rows(tmp_path / "clean" / "ts.db")
