"""An extractor change is not an edit (tracker/reread.py), on both backends.

An article is stored as an older tearsheet would have stored it: its version records
another extractor revision and the text that revision read — a furniture line ("Follow us
on Twitter…") kept, which today's rules drop. The page is then checked by today's tracker,
against a real local server, a real store and the version's real WARC record: unchanged, it
makes no version (the fingerprint moves to the new reading, and the next check is the fast
path's); edited, it makes one version whose summary shows the edit alone; without its WARC
record, the check behaves as before the re-reading existed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tearsheet.config import Settings, load_settings
from tearsheet.diff.fingerprint import fingerprint
from tearsheet.extract.extraction import Extraction
from tearsheet.extract.revision import extractor_revision
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tearsheet.tracker.reread import REASON
from tearsheet.tracker.tracker import Tracker, assemble
from tests.support.localserver import LocalServer
from tests.support.loopwatch import watch_the_loop
from tests.support.newsroom import Newsroom, Story
from tests.support.pages import LOREM
from tests.support.storekit import sql

FURNITURE = "Follow us on Twitter and Facebook for the latest news."  # today's rules drop it
OLDER = "0123456789abcdef"  # another extractor's revision
UPDATE = "Update: the mayor signed the budget into law on Friday morning."
START = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
BODY = [f"{p} (part {n})" for n in range(3) for p in LOREM]  # long enough for a decision key


@dataclass
class Site:
    room: Newsroom
    settings: Settings
    store: Store
    url: str
    now: datetime = START

    def check(self) -> Tracker:
        """One pass of a tracker started afresh (as after an upgrade), an hour later."""
        self.now += timedelta(hours=1)

        async def go() -> Tracker:
            async with Fetcher(self.settings.fetch) as fetcher, \
                    assemble(self.settings, self.store, fetcher,
                             clock=lambda: self.now) as tracker:
                await tracker.run(asyncio.Event(), once=True)
                return tracker

        return asyncio.run(go())

    def checks(self) -> list[tuple[Any, ...]]:
        return sql(self.store, "SELECT outcome, reason FROM checks ORDER BY id")

    def article(self) -> tuple[Any, ...]:
        [row] = sql(self.store, "SELECT version_count, content_hash FROM articles")
        return row


def _site(server: LocalServer, tmp_path: Path, store_url: str) -> Site:
    room = Newsroom(server)
    server.route("/feed.xml", room.feed)
    room.publish("/news/budget", Story("Council approves budget",
                                       [*BODY[:2], FURNITURE, *BODY[2:]]))
    settings = load_settings(
        database_url=store_url,
        schedule={"first_interval": "10m", "growth": 1.0, "max_interval": "30m",
                  "jitter": 0, "discovery_interval": "1h"},
        fetch={"per_host_delay": 0, "timeout": "5s", "retries": 1,
               "allow_private_addresses": True, "extract_processes": 0},
        archive={"keep": "versions", "dir": str(tmp_path / "warc")},
        sources=[{"name": "example", "feeds": [server.url("/feed.xml")]}])
    site = Site(room, settings, Store.open(store_url, upgrade=True),
                server.url("/news/budget"))
    site.check()
    return site


def _as_an_older_extractor_read_it(site: Site, revision: str = OLDER) -> str:
    """Version 1 made what an older extractor (``revision``) read: the furniture line kept.
    Its fingerprint, which the article holds, and no decision key (a full extraction)."""
    [(title, byline, text, standfirst, language)] = sql(
        site.store, "SELECT title, byline, text, standfirst, language FROM versions")
    assert FURNITURE not in text  # today's extractor drops it
    paragraphs = text.split("\n\n")
    old = [*paragraphs[:2], FURNITURE, *paragraphs[2:]]
    digest = fingerprint(Extraction(title, byline, None, None, language, None, old,
                                    standfirst or None))
    with site.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE versions SET extractor = %(r)s, text = %(t)s, content_hash = %(h)s"
            if site.store.engine.dialect.name == "postgresql" else
            "UPDATE versions SET extractor = :r, text = :t, content_hash = :h",
            {"r": revision, "t": "\n\n".join(old), "h": digest})
        conn.exec_driver_sql(
            "UPDATE articles SET content_hash = %(h)s, decision_key = NULL"
            if site.store.engine.dialect.name == "postgresql" else
            "UPDATE articles SET content_hash = :h, decision_key = NULL", {"h": digest})
    return digest


def test_a_page_read_differently_is_no_new_version(
        server: LocalServer, tmp_path: Path, store_url: str) -> None:
    site = _site(server, tmp_path, store_url)
    [(today,)] = sql(site.store, "SELECT content_hash FROM versions")
    older = _as_an_older_extractor_read_it(site)
    on_loop = watch_the_loop(site.store)

    tracker = site.check()  # the page as it was: only the reading changed
    assert (tracker.reread.moved, tracker.reread.edits, tracker.stats.new_versions) == \
        (1, 0, 0)
    assert site.checks()[-1] == ("unchanged", REASON)
    assert site.article() == (1, today)  # no version; the fingerprint moved to today's
    assert sql(site.store, "SELECT decision_key IS NOT NULL FROM articles") == [(True,)]
    assert older != today

    tracker = site.check()  # compared with the new reading, by the fast path
    assert (tracker.stats.unchanged, tracker.stats.unchanged_inline) == (1, 1)
    assert (tracker.reread.moved, tracker.reread.edits, tracker.reread.unreadable) == \
        (0, 0, 0)
    assert site.checks()[-1] == ("unchanged", None)
    assert site.article() == (1, today)
    assert on_loop == [], "store call(s) on the event loop:\n" + on_loop[0]
    site.store.close()


def test_an_edit_is_summarized_against_the_version_read_again(
        server: LocalServer, tmp_path: Path, store_url: str) -> None:
    site = _site(server, tmp_path, store_url)
    _as_an_older_extractor_read_it(site)
    site.room.stories["/news/budget"].paragraphs.append(UPDATE)

    tracker = site.check()
    assert (tracker.reread.moved, tracker.reread.edits, tracker.stats.new_versions) == \
        (0, 1, 1)
    assert site.checks()[-1] == ("new_version", None)
    [(removed, added, extractor)] = sql(
        site.store, "SELECT words_removed, words_added, extractor FROM versions "
                    "WHERE number = 2")
    # The furniture line the older extractor kept is not blamed on the publisher.
    assert (removed, added) == (0, len(UPDATE.split()))
    assert extractor == extractor_revision()
    site.store.close()


def test_the_same_revision_is_compared_as_stored(
        server: LocalServer, tmp_path: Path, store_url: str) -> None:
    """A version this extractor read is not read again: the cost is only paid after an
    upgrade (here the stored text differs, so the summary shows it)."""
    site = _site(server, tmp_path, store_url)
    _as_an_older_extractor_read_it(site, extractor_revision())
    site.room.stories["/news/budget"].paragraphs.append(UPDATE)

    tracker = site.check()
    assert (tracker.reread.moved, tracker.reread.edits, tracker.reread.unreadable) == \
        (0, 0, 0)
    [(removed,)] = sql(site.store, "SELECT words_removed FROM versions WHERE number = 2")
    assert removed == len(FURNITURE.split())
    site.store.close()


def test_without_its_capture_the_check_is_as_before(
        server: LocalServer, tmp_path: Path, store_url: str) -> None:
    """The WARC file is gone: the check cannot tell a new reading from an edit, and does
    what it did before re-reading existed (a version), never a failure."""
    site = _site(server, tmp_path, store_url)
    _as_an_older_extractor_read_it(site)
    [(name,)] = sql(site.store, "SELECT warc_file FROM versions")
    (tmp_path / "warc" / name).unlink()

    tracker = site.check()
    assert (tracker.reread.unreadable, tracker.reread.moved, tracker.stats.failed) == \
        (1, 0, 0)
    assert site.checks()[-1] == ("new_version", None)
    assert site.article()[0] == 2
    site.store.close()


def test_a_damaged_capture_is_compared_as_stored(
        server: LocalServer, tmp_path: Path, store_url: str) -> None:
    site = _site(server, tmp_path, store_url)
    _as_an_older_extractor_read_it(site)
    [(name, offset)] = sql(site.store, "SELECT warc_file, warc_offset FROM versions")
    path = tmp_path / "warc" / name
    data = bytearray(path.read_bytes())
    data[offset + 40: offset + 80] = bytes(40)  # inside the record's gzip member
    path.write_bytes(bytes(data))

    tracker = site.check()
    assert (tracker.reread.unreadable, tracker.stats.failed) == (1, 0)
    assert site.checks()[-1] == ("new_version", None)
    site.store.close()
