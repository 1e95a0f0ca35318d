"""An extractor change is not an edit: the last version read again before blaming the page.

When tearsheet is upgraded and its extraction rules change, a page that did not change may
be read differently: its fingerprint differs from the article's, and without more care the
check would store a phantom version, with a change summary (kinds, intents, a "silent
correction") that blames the publisher for what the extractor did.

Each version records the extractor that read it (``versions.extractor``,
:func:`~tearsheet.extract.revision.extractor_revision`). When a check's fingerprint differs
from the article's and the last version was read by another revision (or an unknown one:
NULL) and its raw capture was archived, :meth:`Rereader.last` reads that capture again and
extracts it with this extractor, in the extraction pool (the file read too: never on the
event loop):

- the same fingerprint as the check's: the page did not change, the reading did. The check
  is unchanged (no version; its ``reason`` is ``reread``) and the article's fingerprint and
  decision key move to the new reading, so later checks compare with it (the fast path too);
- another fingerprint: a real edit. It is stored as ever, but its change summary is made
  against the re-read previous version, so it shows the publisher's change alone.

A capture that cannot be read (archiving off, file gone, record damaged) or that this
extractor refuses leaves the check as it was before this module: never a failure. The
cost is paid only by a check whose fingerprint differs from a version of another revision.
A browser-rendered source is not re-read: its capture's response is the shell, not the
rendered page the version was read from.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

from tearsheet.archive.import_jobs import read_version
from tearsheet.archive.warc import Unreadable
from tearsheet.config import Settings, SourceSettings
from tearsheet.diff.fingerprint import fingerprint
from tearsheet.errors import ExtractionError
from tearsheet.extract.revision import extractor_revision
from tearsheet.store.records import WarcPointer
from tearsheet.tracker.extraction_pool import ExtractionPool

log = logging.getLogger(__name__)

REASON = "reread"
"""The ``reason`` of an unchanged check whose page was only read differently."""


class Rereader:
    """Reads the last version's capture again, for the tracker's checks."""

    def __init__(self, settings: Settings, directory: Path, pool: ExtractionPool) -> None:
        self.settings = settings
        self.directory = directory  # the archive's folder (archive.dir)
        self.pool = pool
        self.revision: str | None = None  # this extractor's, once computed (off the loop)
        self.moved = 0  # checks found unchanged once the last version was read again
        self.edits = 0  # real edits, summarized against the version read again
        self.unreadable = 0  # captures that could not be read again (today's behaviour)
        # Computed now on a thread of its own: every version stored records it
        # (NewVersion.of), and the first must not compute it on the event loop.
        threading.Thread(target=extractor_revision, name="tearsheet-revision",
                         daemon=True).start()

    async def current(self) -> str:
        """This extractor's revision (computed once, on a thread: it reads its sources)."""
        if self.revision is None:
            self.revision = await asyncio.to_thread(extractor_revision)
        return self.revision

    async def last(self, previous: dict[str, Any] | None, digest: str,
                   source: SourceSettings | None) -> tuple[dict[str, Any] | None, str | None]:
        """``previous``, the article's last version, as this extractor reads its capture,
        and the fingerprint the article moves to when the page did not change (else None).
        ``digest``: the check's full fingerprint. ``previous`` comes back as it was when it
        is not to be read again (same revision, no capture, a rendered source) or cannot be.
        """
        if previous is None or previous.get("warc_file") is None or (
                source is not None and source.render == "browser"):
            return previous, None
        if previous.get("extractor") == await self.current():
            return previous, None
        ref = WarcPointer(previous["warc_file"], int(previous["warc_offset"]),
                          int(previous["warc_length"]))
        try:
            read = await self.pool.run(
                read_version, self.directory, ref, previous["url"],
                self.settings.fetch.max_bytes, source.body_selector if source else None,
                source.drop_selectors if source else (), self.settings.limits)
        except ExtractionError as exc:  # the worker died under it
            read = Unreadable("bad_record", str(exc))
        if isinstance(read, Unreadable) or read.extraction is None:
            self.unreadable += 1
            why = read.message if isinstance(read, Unreadable) else (
                read.refusal[1] if read.refusal else f"status {read.status}")
            log.info("the capture of version %s of %s could not be read again (%s): "
                     "compared as stored", previous["number"], previous["url"], why)
            return previous, None
        extraction = read.extraction
        again = fingerprint(extraction)
        if again == digest:
            self.moved += 1
            log.info("%s: read differently by this extractor (%s), not edited: its "
                     "fingerprint moves to the new reading", previous["url"], self.revision)
            return previous, digest
        self.edits += 1
        return {**previous, "title": extraction.title, "byline": extraction.byline,
                "text": extraction.text, "standfirst": extraction.standfirst or "",
                "language": extraction.language, "content_hash": again,
                "extractor": self.revision}, None
