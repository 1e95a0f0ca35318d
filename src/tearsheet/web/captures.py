"""The raw capture behind a version: rendered sandboxed, and as a WARC record to download.

The archived page is the publisher's HTML, hostile like all web content. It is served on
its own route with ``Content-Security-Policy: sandbox`` (no ``allow-scripts``: no script
runs, the page gets an opaque origin, forms and pop-ups are off) and ``default-src 'none'``
so it loads nothing either: reading an old page must not call its trackers (and the web UI
never fetches). Only inline styles and ``data:`` images are allowed, so it stays readable.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import Response

from tearsheet.archive.warc import WARC_MEDIA_TYPE, default_dir, raw_record, read_capture
from tearsheet.config import Settings
from tearsheet.errors import ArchiveError, DamagedRecordError
from tearsheet.store.browse import Browse
from tearsheet.store.records import WarcPointer
from tearsheet.web.params import ArticleId, Number

CAPTURE_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "frame-ancestors 'none'")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def add_capture_routes(app: FastAPI, browse: Browse, settings: Settings) -> None:
    """Register ``…/versions/{n}/capture`` (the page) and ``…/capture.warc`` (the record)."""
    directory = default_dir(settings)

    def record_of(article_id: int, number: int) -> WarcPointer:
        version = browse.version(article_id, number)
        if version is None:
            raise HTTPException(404, f"article {article_id} has no version {number}")
        ref = warc_record(version)
        if ref is None:
            raise HTTPException(404, f"version {number} of article {article_id} has no "
                                     "raw capture (archiving was off, or it failed)")
        return ref

    @app.get("/articles/{article_id}/versions/{number}/capture")
    def capture_page(article_id: ArticleId, number: Number) -> Response:
        try:
            capture = read_capture(directory, record_of(article_id, number),
                                   settings.fetch.max_bytes)
        except DamagedRecordError as exc:  # there, but unreadable: gone for good
            raise HTTPException(410, f"the raw capture of version {number} is damaged: "
                                     f"{exc}") from None
        except ArchiveError as exc:
            raise HTTPException(404, str(exc)) from None
        if capture.content_type in HTML_TYPES:
            media = "text/html" + (f"; charset={capture.charset}" if capture.charset else "")
        else:
            media = "text/plain; charset=utf-8"
        return Response(capture.body, media_type=media,
                        headers={"Content-Security-Policy": CAPTURE_CSP,
                                 "Cache-Control": "max-age=3600"})

    @app.get("/articles/{article_id}/versions/{number}/capture.warc")
    def capture_record(article_id: ArticleId, number: Number) -> Response:
        try:
            data = raw_record(directory, record_of(article_id, number))
        except ArchiveError as exc:
            raise HTTPException(404, str(exc)) from None
        name = f"tearsheet-article-{article_id}-version-{number}.warc.gz"
        return Response(data, media_type=WARC_MEDIA_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def warc_record(version: dict[str, Any]) -> WarcPointer | None:
    """Where a stored version's raw response is (None: not captured)."""
    if version.get("warc_file") is None:
        return None
    return WarcPointer(version["warc_file"], int(version["warc_offset"]),
                      int(version["warc_length"]))
