"""Damaged WARC files: each damaged record is skipped and reported with its offset, the
reading goes on at the next record, and the import exits 0 unless nothing was readable."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tearsheet.archive.warc import Archive
from tearsheet.archive.warc_import import Importer, Report, import_warc
from tearsheet.config import load_settings
from tearsheet.simulate.warcs import EPOCH
from tearsheet.store.store import Store
from tests.support.cli import cli
from tests.support.pages import LOREM, article_page

URL = "https://daily.example/news/a-story-told-twice"


def record(n: int, *, uri: bytes = URL.encode(), length: bytes | None = None,
           date: bytes | None = None) -> bytes:
    """One response record, its Content-Length and headers as given (damaged on request)."""
    html = article_page(f"Version {n} of the story", [f"Version {n}.", *LOREM]).encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    when = date or (EPOCH + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    head = [b"WARC/1.1", b"WARC-Type: response", b"WARC-Record-ID: <urn:uuid:%d>" % n,
            b"WARC-Date: " + when, b"WARC-Target-URI: " + uri,
            b"Content-Type: application/http; msgtype=response"]
    if length != b"":
        head.append(b"Content-Length: " + (length or str(len(http)).encode()))
    return b"\r\n".join(head) + b"\r\n\r\n" + http + b"\r\n\r\n"


DAMAGED = {  # each between two good records
    "negative_length": record(2, length=b"-5"),
    "no_length": record(2, length=b""),
    "length_past_the_end": record(2, length=b"1000000000000"),
    "empty_target_uri": record(2, uri=b""),
    "bad_date": record(2, date=b"yesterday"),
    "junk_bytes": b"\x00\xff garbage that is no record at all \r\n" * 20,
}


def write(path: Path, parts: list[bytes], *, compress: bool) -> list[int]:
    """The records one after the other (each its own gzip member when compressed); the
    offset of each."""
    offsets = []
    with open(path, "wb") as fh:
        for part in parts:
            offsets.append(fh.tell())
            fh.write(gzip.compress(part) if compress else part)
    return offsets


def run(tmp_path: Path, files: list[Path]) -> tuple[Store, Report]:
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             archive={"dir": str(tmp_path / "archive")})
    store = Store.open(settings.database_url)
    importer = Importer(settings, store, archive=Archive.from_settings(settings))
    return store, import_warc(importer, files)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_record_is_skipped_and_reported_and_the_rest_imported(
        tmp_path: Path, damage: str, compress: bool) -> None:
    path = tmp_path / ("mixed.warc.gz" if compress else "mixed.warc")
    offsets = write(path, [record(1), DAMAGED[damage], record(3)], compress=compress)
    store, report = run(tmp_path, [path])
    versions = [row["title"] for row in store.iter_versions()]
    assert versions == ["Version 1 of the story", "Version 3 of the story"]
    assert report.imported == 2
    assert len(report.damaged) == 1, report.damaged
    (found,) = report.damaged
    assert (found.file, found.offset) == (str(path), offsets[1])
    assert f"at offset {offsets[1]}" in "\n".join(report.problems)


def test_a_gzip_member_cut_short_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    members = [gzip.compress(record(n)) for n in (1, 2, 3)]
    cut = members[1][: len(members[1]) // 2]
    path.write_bytes(members[0] + cut + members[2])
    _, report = run(tmp_path, [path])
    assert report.imported == 2
    assert [d.offset for d in report.damaged] == [len(members[0])]


def test_damage_at_the_end_of_a_file_is_reported_too(tmp_path: Path) -> None:
    path = tmp_path / "tail.warc"
    offsets = write(path, [record(1), record(2)[:300]], compress=False)
    _, report = run(tmp_path, [path])
    assert report.imported == 1
    assert [d.offset for d in report.damaged] == [offsets[1]]


def test_the_command_reports_damage_as_json_and_exits_0(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mixed.warc"
    offsets = write(path, [record(1), DAMAGED["negative_length"], DAMAGED["empty_target_uri"],
                           record(3)], compress=False)
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "cli.db"}"\n')
    assert cli("import", "warc", str(path), "--json", "--config", str(config)) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["imported"] == 2
    assert summary["damaged_count"] == 2
    assert [d["offset"] for d in summary["damaged"]] == offsets[1:3]
    assert all(d["file"] == str(path) and d["problem"] for d in summary["damaged"])
    assert "Traceback" not in err
    # Without --json: the table on stderr names the damaged places.
    assert cli("import", "warc", str(path), "--config", str(config)) == 0
    err = capsys.readouterr().err
    assert f"at offset {offsets[1]}" in err and "Traceback" not in err


def test_nothing_readable_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.warc"
    write(path, [DAMAGED["negative_length"], DAMAGED["junk_bytes"]], compress=False)
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "cli.db"}"\n')
    assert cli("import", "warc", str(path), "--config", str(config)) == 1
    err = capsys.readouterr().err
    assert "nothing readable" in err and "Traceback" not in err
