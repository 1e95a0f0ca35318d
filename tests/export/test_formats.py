"""Export formats beyond JSONL: Parquet, the NewsEdits SQLite dataset, git, WARC; filters."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearsheet.export.git import article_path
from tearsheet.export.versions import version_record
from tearsheet.store.store import Store
from tests.support.cli import cli
from tests.support.pages import LOREM
from tests.support.served import record

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
V1 = list(LOREM)
V2 = [LOREM[0].replace("Tuesday", "Wednesday"), *LOREM[1:],
      "The council will meet again next week to discuss the timetable."]
V3 = [V2[1], V2[0], *V2[2:]]  # two paragraphs swapped: a move


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Path]:
    """A store with two sources: one article in three versions, one in one."""
    db = tmp_path / "ts.db"
    store = Store.open(f"sqlite:///{db}")
    for source, url, bodies, start in [
            ("daily", "https://daily.example/news/budget?id=7", [V1, V2, V3], NOW),
            ("weekly", "https://weekly.example/story", [V1], NOW + timedelta(minutes=30))]:
        record(store, source, url, [(f"Budget, take {n + 1}", "\n\n".join(body))
                                    for n, body in enumerate(bodies)],
               start=start, step=timedelta(hours=1))
    store.close()
    path = tmp_path / "tearsheet.toml"
    path.write_text(f'database_url = "sqlite:///{db}"\n')
    yield path


def export(config: Path, *args: str) -> int:
    return cli("export", "--config", str(config), *args)


def test_parquet_holds_the_jsonl_records(config: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "v.parquet"
    jsonl = tmp_path / "v.jsonl"
    assert export(config, "--format", "parquet", "--out", str(out)) == 0
    assert export(config, "--out", str(jsonl)) == 0
    table = pq.read_table(out)
    assert table.num_rows == 4
    assert str(table.schema.field("captured_at").type) == "timestamp[us, tz=UTC]"
    rows = table.to_pylist()
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    for row, line in zip(rows, records, strict=True):
        assert version_record({**row, "number": row["version"]}) == line
    # What each change means travels with it: Tuesday became Wednesday with no note; then
    # the first two paragraphs swapped (and the headline's "take 2" became "take 3").
    assert [(r["intent_labels"], r["silent_correction"]) for r in records] == [
        ([], None), (["figure", "added_information"], True),
        (["lede", "reordered", "figure"], False), ([], None)]
    assert records[1]["intents"] == ["fact"] and rows[1]["intents"] == ["fact"]


def test_newsedits_dataset(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "newsedits.db"
    assert export(config, "--format", "newsedits", "--out", str(out)) == 0
    conn = sqlite3.connect(out)
    versions = conn.execute("SELECT entry_id, version, num_versions, title, summary "
                            "FROM entryversion ORDER BY entry_id, version").fetchall()
    assert [(v[1], v[2]) for v in versions] == [(0, 3), (1, 3), (2, 3), (0, 1)]
    meant = conn.execute("SELECT intents, intent_labels, silent_correction FROM entryversion "
                         "ORDER BY entry_id, version").fetchall()
    assert meant[:3] == [("", "", None), ("fact", "figure,added_information", 1),
                         ("narrative,fact", "lede,reordered,figure", 0)]
    assert versions[0][4] == "</p><p>".join(V1)
    # The query of NewsEdits' own demo notebook runs (with a threshold for a one-word edit).
    matched = conn.execute("""
        SELECT entry_id, version_x, version_y, sent_idx_x, sent_idx_y, avg_sentence_distance_x,
               avg_sentence_distance_y
          FROM matched_sentences m
         WHERE (avg_sentence_distance_x > 0.01) AND (avg_sentence_distance_y > 0.01)""").fetchall()
    sentences = dict(((e, v, i), s) for e, v, i, s in conn.execute(
        "SELECT entry_id, CAST(version AS INT), sent_idx, sentence FROM split_sentences"))
    labels = conn.execute("SELECT version_x, version_y, label, sent_idx_x, sent_idx_y, "
                          "avg_sentence_distance_x FROM matched_sentences").fetchall()
    kinds = {(x, y, label) for x, y, label, *_ in labels}
    assert (0, 1, "edited") in kinds and (0, 1, "added") in kinds
    assert (1, 2, "moved") in kinds and (1, 2, "unchanged") in kinds
    for x, _, label, old, new, distance in labels:
        assert (old is None) == (label == "added") and (new is None) == (label == "deleted")
        assert (distance == 0.0) == (label in ("unchanged", "moved"))
    (edited,) = [m for m in matched if m[1] == 0]
    assert "Tuesday" in sentences[edited[0], 0, edited[3]]
    assert "Wednesday" in sentences[edited[0], 1, edited[4]]
    entry = versions[0][0]
    added = [(entry, y, n) for _, y, label, _, n, _ in labels if label == "added"]
    assert any("meet again next week" in sentences[key] for key in added)


@pytest.mark.skipif(shutil.which("git") is None, reason="the git program is not installed")
def test_git_repository_one_commit_per_version(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "repo"
    assert export(config, "--format", "git", "--out", str(out)) == 0
    log = subprocess.run(["git", "-C", str(out), "log", "--format=%ct %s", "--reverse"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    stamps = [int(NOW.timestamp()) + s for s in (0, 1800, 3600, 7200)]
    assert log == [f"{stamps[0]} Budget, take 1", f"{stamps[1]} Budget, take 1",
                   f"{stamps[2]} Budget, take 2", f"{stamps[3]} Budget, take 3"]
    path = out / article_path("daily", "https://daily.example/news/budget?id=7")
    assert path.read_text().endswith("\n".join(V3[-1:]) + "\n")
    patch = subprocess.run(["git", "-C", str(out), "log", "-p", "-1", "--format="],
                           capture_output=True, text=True, check=True).stdout
    assert "-Budget, take 2" in patch and "+Budget, take 3" in patch
    assert export(config, "--format", "git", "--out", str(out)) == 1  # not empty: refused


@pytest.mark.parametrize(("url", "expected"), [
    ("https://a.example/news/x.html", "s/a.example/news/x.html.txt"),
    ("https://a.example/../../etc/passwd", "s/a.example/etc/passwd.txt"),
    ("https://a.example/", "s/a.example/index.txt"),
    ("https://a.example/a%2F..%2Fb?q=1&r=%22", "s/a.example/a-..-b-q-1-r-22.txt"),
])
def test_git_paths_stay_inside_the_repository(url: str, expected: str) -> None:
    assert article_path("s", url) == expected


@pytest.mark.parametrize(("options", "count"), [
    (["--source", "weekly"], 1),
    (["--since", "2026-11-20T08:45"], 2),
    (["--until", "2026-11-20T09:00Z"], 2),
    (["--since", "2026-11-20T08:15", "--until", "2026-11-20T09:15"], 2),
])
def test_filters(config: Path, tmp_path: Path, options: list[str], count: int) -> None:
    out = tmp_path / "v.jsonl"
    assert export(config, "--out", str(out), *options) == 0
    assert len(out.read_text().splitlines()) == count


@pytest.mark.parametrize(("options", "message"), [
    (["--format", "xml", "--out", "x"], "unknown export format 'xml'"),
    (["--format", "parquet"], "--out is needed"),
    (["--since", "yesterday"], "is not a date"),
    (["--since", "0001-01-01T00:00+05:00"], "is not a date in range"),  # before year 1 in UTC
    (["--until", "9999-12-31T23:00-05:00"], "is not a date in range"),
])
def test_bad_options(config: Path, options: list[str], message: str,
                     capsys: pytest.CaptureFixture[str]) -> None:
    assert export(config, *options) == 1
    assert message in capsys.readouterr().err


def test_warc_of_versions_without_captures(config: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Versions stored without a raw capture are counted, not silently dropped (the round
    trip through real captures is tests/archive/test_warc_import.py's)."""
    out = tmp_path / "v.warc.gz"
    assert export(config, "--format", "warc", "--out", str(out)) == 0
    assert out.read_bytes() == b""
    err = capsys.readouterr().err
    assert "exported 0 versions (warc)" in err and "skipped 4 (no_capture)" in err


def test_parquet_without_pyarrow_says_how_to_get_it(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    assert export(config, "--format", "parquet", "--out", str(tmp_path / "v.parquet")) == 1
    assert "pip install 'tearsheet[parquet]'" in capsys.readouterr().err
