"""Histories as WARC files: what a web archive would hold had it captured the simulated
newsroom — each version rendered in the site's templates with fresh noise, captured
``copies`` times. Tests and ``bench/backfill.py`` import these back."""

from __future__ import annotations

import io
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from tearsheet.simulate import templates
from tearsheet.simulate.histories import Version

EPOCH = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
BASE = "https://harbour-gazette.example"


def render(version: Version, first_at: float, seed: int, *, base: str = BASE,
           epoch: datetime = EPOCH) -> bytes:
    """One version as the simulator serves it (its template, noise from ``seed``)."""
    story = templates.Story(
        version.headline, version.paragraphs, version.byline, base + version.path,
        version.section_name, epoch + timedelta(seconds=first_at),
        epoch + timedelta(seconds=version.at))
    noise = templates.Noise(random.Random(seed), epoch + timedelta(seconds=version.at))  # noqa: S311
    html = templates.TEMPLATES[templates.template_for(version.article)](story, noise)
    return html.encode("utf-8")


def response_record(writer: WARCWriter, url: str, when: datetime, body: bytes,
                    content_type: str = "text/html; charset=utf-8") -> None:
    """Append one ``response`` record (HTTP 200) to ``writer``."""
    http = StatusAndHeaders("200 OK", [("Content-Type", content_type),
                                       ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")
    date = datetime_to_iso_date(when.astimezone(UTC).replace(tzinfo=None), use_micros=True)
    writer.write_record(writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
        warc_headers_dict={"WARC-Date": date}))


def write_warc(versions: Iterable[Version], path: Path, *, copies: int = 2,
               base: str = BASE, epoch: datetime = EPOCH, compress: bool = True,
               size: int = 0) -> int:
    """Capture every version ``copies`` times (a millisecond apart, new noise each time);
    returns the number of response records written. ``size``: pages are padded to this
    many bytes with an inline JSON script, as the heaviest news pages are (benchmarks)."""
    first: dict[str, float] = {}
    count = 0
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress, warc_version="1.1")
        for version in versions:
            first.setdefault(version.article, version.at)
            for copy in range(copies):
                when = epoch + timedelta(seconds=version.at, milliseconds=copy)
                body = render(version, first[version.article], seed=count, base=base,
                              epoch=epoch)
                if len(body) < size:
                    body = body.replace(b"</head>", _padding(size - len(body), count) +
                                        b"</head>", 1)
                response_record(writer, base + version.path, when, body)
                count += 1
    return count


def _padding(size: int, seed: int) -> bytes:
    """An inline JSON script of about ``size`` bytes (state a page's scripts hydrate)."""
    item = b'{"id":%d,"slot":"rail","html":"<div class=\\"promo\\">Read more</div>"},'
    count = max(1, size // (len(item) + 6))
    items = b"".join(item % (seed * count + n) for n in range(count))
    return b'<script type="application/json" id="state">[' + items[:-1] + b"]</script>"
