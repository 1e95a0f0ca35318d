"""WARC capture: the raw response behind each version, written by the tracker and read back."""

from __future__ import annotations

import hashlib
import io
import logging
from base64 import b32encode
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tearsheet.archive.warc import Archive, default_dir, raw_record, read_capture
from tearsheet.config import load_settings
from tearsheet.errors import ArchiveError
from tearsheet.fetch.fetcher import Response
from tearsheet.store.records import WarcPointer
from tearsheet.store.store import Store
from tests.support.localserver import LocalServer
from tests.support.warcsite import PATH, Site, config, counting_fsyncs, fetched, track


def rows(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.exec_driver_sql(
            "SELECT number, warc_file, warc_offset, warc_length FROM versions ORDER BY number"))


def records(directory: Path) -> list[Any]:
    found = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                found.append((record.rec_type, record.rec_headers, record.http_headers,
                              record.raw_stream.read()))
    return found


@pytest.fixture
def site(server: LocalServer) -> Site:
    return Site(server)


def test_each_version_points_to_its_raw_response(site: Site, tmp_path: Path) -> None:
    settings = config(tmp_path, site.server)
    store = track(settings, 3, site)
    versions = rows(store)
    assert [v.number for v in versions] == [1, 2]
    directory = tmp_path / "warc"  # the default: beside the SQLite file
    assert default_dir(settings) == directory
    for version in versions:
        assert version.warc_file is not None
        ref = WarcPointer(version.warc_file, version.warc_offset, version.warc_length)
        # The pointed-at bytes are one gzip member holding the response record, alone.
        stored = [(r, r.raw_stream.read())
                  for r in ArchiveIterator(io.BytesIO(raw_record(directory, ref)))]
        assert len(stored) == 1
        record, body = stored[0]
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == site.server.url(PATH)
        assert record.http_headers.get_statuscode() == "200"
        assert record.http_headers.get_header("Content-Encoding") == "gzip"  # as received
        assert record.http_headers.get_header("X-Served") == "yes"
        assert body in site.served
        digest = "sha1:" + b32encode(hashlib.sha1(body).digest()).decode()
        assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
    # Version 2's capture holds the correction; the reader decodes it.
    second = read_capture(directory, WarcPointer(*versions[1][1:]), 1_000_000)
    assert b"A correction was appended" in second.body
    assert second.content_type == "text/html" and second.charset == "utf-8"
    # Only the fetches that made versions were kept (3 fetches, 2 versions), each with
    # its request record and one warcinfo per file.
    kinds = [r[0] for r in records(directory)]
    assert kinds.count("response") == 2 and kinds.count("request") == 2
    assert kinds.count("warcinfo") == len(list(directory.glob("*.warc.gz")))
    responses = {r[1].get_header("WARC-Record-ID") for r in records(directory)
                 if r[0] == "response"}
    for kind, headers, http, _ in records(directory):
        if kind == "request":
            assert headers.get_header("WARC-Concurrent-To") in responses
            assert http.protocol == "GET" and PATH in http.statusline


@pytest.mark.parametrize(("keep", "responses"), [("all", 3), ("none", 0)])
def test_keep_setting(site: Site, tmp_path: Path, keep: str, responses: int) -> None:
    store = track(config(tmp_path, site.server, keep=keep), 3, site)
    assert len(rows(store)) == 2  # the versions do not depend on what is archived
    kinds = [r[0] for r in records(tmp_path / "warc")]
    assert kinds.count("response") == responses
    if keep == "none":
        assert all(v.warc_file is None for v in rows(store))


def test_files_rotate_by_size(site: Site, tmp_path: Path) -> None:
    track(config(tmp_path, site.server, keep="all", file_size=100, dir=str(tmp_path / "w")),
          3, site)
    files = sorted((tmp_path / "w").glob("*.warc.gz"))
    assert len(files) == 3  # every file is over 100 bytes after one capture
    assert all(sum(r[0] == "response" for r in records_of(f)) == 1 for f in files)


def records_of(path: Path) -> list[Any]:
    with open(path, "rb") as fh:
        return [(r.rec_type,) for r in ArchiveIterator(fh)]


def test_a_failed_write_keeps_the_version(
    site: Site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive folder should be")
    with caplog.at_level(logging.ERROR, logger="tearsheet.archive.warc"):
        store = track(config(tmp_path, site.server, dir=str(blocker / "warc")), 3, site)
    assert [(v.number, v.warc_file) for v in rows(store)] == [(1, None), (2, None)]
    assert sum("could not archive" in r.getMessage() for r in caplog.records) == 2


def test_a_record_outside_the_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not a file of the archive folder"):
        raw_record(tmp_path, WarcPointer("../ts.db", 0, 10))


def test_archive_dir_for_postgresql_is_under_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = load_settings(None, database_url="postgresql+psycopg://h/db")
    assert default_dir(settings) == tmp_path / "tearsheet" / "warc"
    assert Archive.from_settings(settings).directory == tmp_path / "tearsheet" / "warc"


def test_captures_made_together_share_one_fsync(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: a group's captures are written together, one fsync for them all,
    and each comes back with its own readable record."""
    settings = config(tmp_path, site.server)
    responses = fetched(settings, site, 10)
    archive = Archive.from_settings(settings)
    syncs = counting_fsyncs(monkeypatch)
    refs = archive.capture_group(responses)
    assert all(ref is not None for ref in refs) and len(set(refs)) == 10
    assert len(syncs) == 1  # one file, synced once
    bodies = {read_capture(tmp_path / "warc", ref, 10**7).body for ref in refs if ref}
    assert len(bodies) == 10  # each its own page (the noise differs per request)


def test_a_group_that_cannot_be_written_is_logged_never_raised(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever goes wrong in a group's write, its caller (the store writer, about to
    commit the versions) gets no pointer for those captures, not an exception."""
    settings = config(tmp_path, site.server)
    responses = fetched(settings, site, 2)
    archive = Archive.from_settings(settings)

    def broken(_: list[Response]) -> list[WarcPointer | Exception]:
        raise RuntimeError("a bug in the writer")

    monkeypatch.setattr(archive, "write_group", broken)
    with caplog.at_level(logging.ERROR, logger="tearsheet.archive.warc"):
        assert archive.capture_group(responses) == [None, None]
    assert archive.failures == 2
    assert sum("a bug in the writer" in r.getMessage() for r in caplog.records) == 2
