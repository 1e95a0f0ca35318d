"""Backfill: histories rebuilt from WARC files and CDX indexes, with the tracker's rules."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from warcio.warcwriter import WARCWriter

from tearsheet.archive.cdx import import_from_directory, import_from_endpoint, parse_cdx, read_index
from tearsheet.archive.warc import Archive, default_dir, read_capture
from tearsheet.archive.warc_import import Importer, Located, Report, import_warc, locate_warc
from tearsheet.config import Settings, load_settings
from tearsheet.errors import WarcImportError
from tearsheet.extract.extraction import extract
from tearsheet.simulate import Version, convert_files, load_histories
from tearsheet.simulate.warcs import BASE, EPOCH, render, response_record, write_warc
from tearsheet.store.records import WarcPointer
from tearsheet.store.store import Store
from tests.support.cli import cli
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.pages import LOREM, SLOW_PAGE, article_page
from tests.support.shared import shared_path


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    return load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                         fetch={"allow_private_addresses": True, "per_host_delay": 0,
                                "retries": 0}, **extra)


def run_import(tmp_path: Path, files: list[Path], **options: Any) -> tuple[Store, Report]:
    settings = settings_for(tmp_path)
    store = Store.open(settings.database_url)
    importer = Importer(settings, store, archive=Archive.from_settings(settings), **options)
    return store, import_warc(importer, files)


def stored(store: Store) -> dict[str, list[tuple[str | None, str | None, str]]]:
    """Per article URL, its versions' (title, byline, text), in order."""
    found: dict[str, list[tuple[str | None, str | None, str]]] = defaultdict(list)
    for row in store.iter_versions():
        found[row["url"]].append((row["title"], row["byline"], row["text"]))
    return dict(found)


def expected(versions: list[Version]) -> dict[str, list[tuple[str | None, str | None, str]]]:
    """Per article, what the extractor reads from one rendering of each version (the
    extractor's own quirks, such as a byline's final period, are not the import's
    business), after checking that every version of the history is a distinct one."""
    found: dict[str, list[tuple[str | None, str | None, str]]] = defaultdict(list)
    first: dict[str, float] = {}
    for version in versions:
        first.setdefault(version.article, version.at)
        page = extract(render(version, first[version.article], seed=0), BASE + version.path)
        found[BASE + version.path].append((page.title, page.byline, page.text))
    for history in found.values():
        assert all(a != b for a, b in itertools.pairwise(history))
    return dict(found)


def test_the_shared_histories_come_back_from_warc(tmp_path: Path) -> None:
    """The four archived histories, rendered in the simulator's templates with fresh noise
    for each of two captures per version, import as exactly their versions."""
    versions = shared_histories()
    warc = tmp_path / "histories.warc.gz"
    assert write_warc(versions, warc, copies=2) == 2 * len(versions)
    store, report = run_import(tmp_path, [warc])
    assert stored(store) == expected(versions)
    assert (report.imported, report.unchanged, dict(report.skipped)) == (
        len(versions), len(versions), {})
    # Each imported version carries its proof, copied into tearsheet's own archive.
    row = store.version(1, 1)
    assert row is not None and row["warc_file"]
    capture = read_capture(default_dir(settings_for(tmp_path)),
                           WarcPointer(row["warc_file"], row["warc_offset"], row["warc_length"]),
                           10**7)
    assert capture.url == BASE + versions[0].path
    # Importing again adds nothing: every capture is at or before the stored history.
    _, again = run_import(tmp_path, [warc])
    assert again.imported == 0
    assert again.skipped["before_stored_history"] + again.unchanged == 2 * len(versions)


def damaged_files(tmp_path: Path, versions: list[Version]) -> tuple[list[Path], int]:
    """A good file; a truncated one; one with a bad digest and a non-HTML record among good
    ones. Returns the files and how many versions should survive."""
    good = tmp_path / "good.warc.gz"
    write_warc(versions[:4], good, copies=1)
    truncated = tmp_path / "truncated.warc.gz"
    write_warc(versions[4:8], truncated, copies=1)
    data = truncated.read_bytes()
    truncated.write_bytes(data[:-300])  # the last record is cut short
    mixed = tmp_path / "mixed.warc"
    write_warc(versions[8:10], mixed, copies=1, compress=False)
    text = mixed.read_bytes()
    word = versions[9].paragraphs[0].split()[0].encode()
    spot = text.rindex(word)
    flipped = bytes([text[spot] ^ 0x20])  # same length, other bytes: the digest breaks
    with open(mixed, "wb") as fh:
        fh.write(text[:spot] + flipped + text[spot + 1:])
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        response_record(writer, BASE + "/files/report.pdf", EPOCH, b"%PDF-1.4 not a page",
                        content_type="application/pdf")
    return [good, truncated, mixed], 4 + 3 + 1


def shared_histories() -> list[Version]:
    return convert_files(sorted(shared_path("corpora", "histories").glob("*.json")))


@pytest.mark.parametrize("histories", [load_histories, shared_histories],
                         ids=["bundled", "shared"])
def test_damaged_records_are_reported_and_skipped(tmp_path: Path, histories: Any) -> None:
    """A truncated file, a record with a bad digest and a non-HTML record are reported
    and skipped; every other capture is imported."""
    versions = histories()[:10]
    files, survivors = damaged_files(tmp_path, versions)
    store, report = run_import(tmp_path, files)
    assert report.imported == survivors
    # Lost: the truncated file's last version (7) and the one with the bad digest (9).
    assert stored(store) == expected(versions[:7] + versions[8:9])
    # Cut inside its last gzip member: that record is found, and found incomplete.
    assert report.skipped["truncated_record"] == 1
    assert report.skipped["bad_digest"] == 1
    assert report.skipped["not_html"] == 1
    messages = "\n".join(report.problems)
    assert "truncated.warc.gz" in messages and "report.pdf" in messages
    assert "bad digest" in messages


def captures(tmp_path: Path, texts: list[list[str]]) -> Path:
    """One article captured once per entry of ``texts`` (paragraph lists), an hour apart."""
    path = tmp_path / "one.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for n, paragraphs in enumerate(texts):
            html = article_page("A story that shrinks", paragraphs, noise=n).encode()
            response_record(writer, "https://daily.example/news/shrink", EPOCH +
                            timedelta(hours=n), html)
    return path


LONG = [*LOREM, *(p.replace("council", "assembly") for p in LOREM)]
SHORT = LOREM[:2]  # under half of LONG
OTHER = [*LONG[:-1], "A last paragraph was rewritten, which makes a third text."]


@pytest.mark.parametrize(("texts", "kept", "unconfirmed"), [
    ([LONG, SHORT, SHORT], [LONG, SHORT], 0),  # confirmed by the next capture
    ([LONG, SHORT, LONG], [LONG], 1),  # the next capture shows the old text again
    ([LONG, SHORT], [LONG], 1),  # nothing confirms it
    ([LONG, SHORT, OTHER], [LONG, OTHER], 1),  # a third text: judged on its own
])
def test_a_shrunk_body_needs_the_next_capture_to_confirm_it(
    tmp_path: Path, texts: list[list[str]], kept: list[list[str]], unconfirmed: int,
) -> None:
    store, report = run_import(tmp_path, [captures(tmp_path, texts)])
    (history,) = stored(store).values()
    assert [text for _, _, text in history] == ["\n\n".join(p) for p in kept]
    assert report.skipped["unconfirmed_shrink"] == unconfirmed


def test_articles_land_in_the_given_source_or_their_host(tmp_path: Path) -> None:
    path = captures(tmp_path, [LONG])
    store, _ = run_import(tmp_path, [path], source="daily")
    assert [row["source"] for row in store.iter_versions()] == ["daily"]
    other = tmp_path / "other"
    other.mkdir()
    store2, _ = run_import(other, [path])
    assert [row["source"] for row in store2.iter_versions()] == ["daily.example"]


def test_a_capture_past_the_time_limit_is_skipped_and_the_rest_imported(
        tmp_path: Path) -> None:
    """An archive from elsewhere is as hostile as the web: a capture whose reading runs past
    fetch.extract_timeout is stopped and skipped as too_slow; the captures read in the same
    job, and those after it, are imported as without it."""
    path = tmp_path / "slow.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for n in range(6):
            url = "https://daily.example/news/slow" if n == 2 else \
                f"https://daily.example/news/story-{n}"
            html = SLOW_PAGE if n == 2 else article_page(f"Story {n}", LOREM, noise=n)
            response_record(writer, url, EPOCH + timedelta(minutes=n), html.encode())
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             fetch={"extract_processes": 1, "extract_timeout": 3.0,
                                    "max_bytes": 4_000_000})
    store = Store.open(settings.database_url)
    report = import_warc(Importer(settings, store, archive=Archive.from_settings(settings)),
                         [path])
    assert report.skipped == {"too_slow": 1} and report.imported == 5
    assert any("https://daily.example/news/slow" in p and "extract_timeout (3 s)" in p
               for p in report.problems)
    assert sorted(row["title"] for row in store.iter_versions()) == [
        f"Story {n}" for n in range(6) if n != 2]


# --- CDX ---------------------------------------------------------------------------------


def cdx_lines(located: list[Located]) -> str:
    lines = [" CDX N b a m s k r M S V g"]
    for item in located:
        stamp = item.date.strftime("%Y%m%d%H%M%S")
        lines.append(f"- {stamp} {item.url} text/html 200 - - - {item.length} {item.offset} "
                     f"{item.path.name}")
    return "\n".join(lines) + "\n"


def test_cdx_parses_the_common_layouts() -> None:
    lines = [
        "com,example)/a 20260105063000 https://example.com/a text/html 200 ABC - - 500 0 x.warc.gz",
        "com,example)/b 20260105 https://example.com/b text/html 404 ABC 900",
        'com,example)/c 20260105063001 {"url": "https://example.com/c", "mime": "text/html", '
        '"status": "200", "offset": "12", "length": "34", "filename": "y.warc.gz"}',
    ]
    a, b, c = parse_cdx(lines)
    assert (a.url, a.filename, a.offset, a.length) == ("https://example.com/a", "x.warc.gz", 0, 500)
    assert (b.status, b.timestamp.isoformat()) == ("404", "2026-01-05T00:00:00+00:00")
    assert (c.url, c.filename, c.offset, c.length) == ("https://example.com/c", "y.warc.gz", 12, 34)
    with pytest.raises(WarcImportError, match="line 1: not a CDX entry"):
        list(parse_cdx(["just three fields"]))


def test_cdx_with_captures_in_a_local_folder(tmp_path: Path) -> None:
    versions = load_histories()[:6]
    folder = tmp_path / "archive"
    folder.mkdir()
    write_warc(versions, folder / "a.warc.gz", copies=2)
    located = locate_warc([folder / "a.warc.gz"], Report())
    index = tmp_path / "index.cdx"
    index.write_text(cdx_lines(located) + f"- 20260105063000 {BASE}/gone text/html 200 - - - "
                     "10 0 missing.warc.gz\n")
    settings = settings_for(tmp_path)
    store = Store.open(settings.database_url)
    report = import_from_directory(Importer(settings, store), read_index(index), folder)
    assert stored(store) == expected(versions)
    assert report.skipped["missing_file"] == 1
    # The command does the same, and says what it skipped.
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "cli.db"}"\n')
    assert cli("import", "cdx", str(index), "--from", str(folder), "--config", str(config)) == 0
    assert stored(Store.open(f"sqlite:///{tmp_path / 'cli.db'}")) == expected(versions)
    assert cli("import", "cdx", str(index), "--from", str(tmp_path / "nowhere"),
               "--config", str(config)) == 1


def test_cdx_from_a_wayback_style_endpoint(server: LocalServer, tmp_path: Path) -> None:
    versions = load_histories()[:6]
    pages: dict[str, bytes] = {}
    lines = []
    first: dict[str, float] = {}
    for n, version in enumerate(versions):
        first.setdefault(version.article, version.at)
        stamp = (EPOCH + timedelta(seconds=version.at)).strftime("%Y%m%d%H%M%S")
        url = BASE + version.path
        pages[f"/web/{stamp}id_/{url}"] = render(version, first[version.article], seed=n)
        lines.append(f"x {stamp} {url} text/html 200 DIGEST 1000")
    lines.append(f"x 20260105063000 {BASE}/not-archived text/html 200 DIGEST 1000")
    lines.append(f"x 20260105063000 {BASE}/moved text/html 301 DIGEST 1000")

    def wayback(request: Request) -> Reply:
        body = pages.get(request.path)
        return Reply(body=body) if body else Reply(status=404, body="not in the archive")

    for path in pages:
        server.route(path, wayback)
    index = tmp_path / "wayback.cdx"
    index.write_text("\n".join(lines) + "\n")
    settings = settings_for(tmp_path)
    store = Store.open(settings.database_url)
    archive = Archive.from_settings(settings)
    report = asyncio.run(import_from_endpoint(
        Importer(settings, store, archive=archive), read_index(index), server.base))
    assert stored(store) == expected(versions)
    assert (report.skipped["fetch_failed"], report.skipped["http_status"]) == (1, 1)
    assert all(r.path.startswith("/web/") and "id_/" in r.path for r in server.requests
               if r.path != "/robots.txt")
    row = store.version(1, 1)
    assert row is not None and row["warc_file"]  # the fetched capture is archived


def test_import_warc_command_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = load_histories()[:10]
    files, survivors = damaged_files(tmp_path, versions)
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "cli.db"}"\n')
    assert cli("import", "warc", *map(str, files), "--config", str(config)) == 0
    err = capsys.readouterr().err
    assert re.search(rf"versions imported\s*│\s*{survivors}\s*│", err)
    for reason in ("truncated_record", "bad_digest", "not_html"):
        assert f"skipped: {reason}" in err
    assert cli("import", "warc", str(tmp_path / "nope.warc"), "--config", str(config)) == 1
    assert "nope.warc: no such file" in capsys.readouterr().err


# --- the round trip ----------------------------------------------------------------------


@pytest.mark.slow
def test_round_trip_tracker_warc_import(tmp_path: Path) -> None:
    """A tracker run on the simulated newsroom (with faults), exported to WARC
    (``tearsheet export --format warc``) and imported into an empty store, gives the same
    versions."""
    from tearsheet.simulate.newsroom import newsroom_process
    from tests.support.simulated import CONFIG, source, track

    speed = 40.0
    longest = max(v.at for v in load_histories()) / speed
    with newsroom_process(tmp_path / "site.log", "--speed", str(speed), "--faults", "0.1",
                          "--seed", "3", "--slow-delay", "1.5") as base:
        config = tmp_path / "tearsheet.toml"
        config.write_text(CONFIG.format(db=tmp_path / "ts.db", interval=1.0,
                                        sources=source("gazette", base))
                          + f'[archive]\ndir = "{tmp_path / "warc"}"\n')
        asyncio.run(track(config, longest + 2))
    tracked = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    exported = tmp_path / "versions.warc.gz"
    assert cli("export", "--config", str(config), "--format", "warc", "--out",
               str(exported)) == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    imported, report = run_import(empty, [exported], source="gazette")
    assert report.imported == sum(1 for _ in tracked.iter_versions()) > 30
    assert stored(imported) == stored(tracked)
    when = {(r["url"], r["number"]): r["captured_at"] for r in tracked.iter_versions()}
    for row in imported.iter_versions():
        # Imported: when the response arrived (WARC-Date); tracked: when the check began.
        delay = row["captured_at"] - when[row["url"], row["number"]]
        assert timedelta(0) <= delay < timedelta(seconds=10)
    assert sum(report.skipped.values()) == report.unchanged == 0


def test_an_import_commits_without_waiting_for_the_disk_and_leases_nothing(
    tmp_path: Path,
) -> None:
    """Re-runnable, so WAL with synchronous=NORMAL for the import's own connections only."""
    store, report = run_import(tmp_path, [captures(tmp_path, [LONG, OTHER])])
    assert report.imported == 2
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM articles WHERE leased_until IS NOT NULL").scalar() == 0
    other = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    with other.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL, as shipped


def test_a_target_uri_in_angle_brackets_is_read(tmp_path: Path) -> None:
    """WARC 1.0's grammar wrote ``<uri>``; some archives still do."""
    path = tmp_path / "old.warc.gz"
    with open(path, "wb") as fh:
        response_record(WARCWriter(fh, gzip=True), "<https://daily.example/news/old>", EPOCH,
                        article_page("An old capture", LONG).encode())
    store, report = run_import(tmp_path, [path])
    assert report.imported == 1
    assert list(stored(store)) == ["https://daily.example/news/old"]


@pytest.mark.parametrize(("status", "outcome"), [(304, "unchanged"), (503, "http_status")])
def test_captures_that_are_not_pages(tmp_path: Path, status: int, outcome: str) -> None:
    from tearsheet.archive.warc import Capture

    settings = settings_for(tmp_path)
    importer = Importer(settings, Store.open(settings.database_url))
    importer.offer(Capture("https://daily.example/x", EPOCH, status,
                           [("Content-Type", "text/html")], b""))
    report = importer.finish()
    assert report.imported == 0
    assert (report.unchanged, report.skipped["http_status"]) == (
        (1, 0) if outcome == "unchanged" else (0, 1))
