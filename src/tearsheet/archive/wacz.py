"""Proof packages: an article's captures as a signed WACZ (Web Archive Collection Zipped 1.1.1).

The package holds, per chosen version, the raw response exactly as archived (its WARC record
copied byte for byte into ``archive/data.warc.gz``), an index of them
(``indexes/index.cdx``, CDXJ with each record's SHA-256 as ``recordDigest``), the page list
(``pages/pages.jsonl``: the page and capture time of each version, with its text), and what
tearsheet read and concluded (``tearsheet/version-NNNN.txt``, ``tearsheet/diff-NNNN.html``,
``tearsheet/versions.jsonl``). Captures timestamped by a TSA bring their token and batch
manifest (``timestamps/batch-N.tsr``, ``.txt``). ``datapackage.json`` lists every file with
its SHA-256; ``datapackage-digest.json`` hashes it and carries the signature.

Written in one pass over the versions with one record and two texts in memory at a time:
the WARC and the page list grow in temporary files and are copied in at the end.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import datetime_to_timestamp

from tearsheet import __version__
from tearsheet.archive.signing import SigningKey
from tearsheet.archive.warc import raw_record
from tearsheet.diff.align import Document
from tearsheet.diff.changes import diff
from tearsheet.diff.render import html_document
from tearsheet.errors import ArchiveError
from tearsheet.store.records import CaptureStamp, WarcPointer

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
WARC_PATH = f"archive/{WARC_NAME}"
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"
VERSIONS_PATH = "tearsheet/versions.jsonl"
README_PATH = "tearsheet/README.txt"
CHUNK = 1 << 16
HEADERS_MAX = 1 << 16  # compressed bytes read for a record's WARC and HTTP headers

README = """\
A tear sheet: the versions of one news article, as tearsheet captured them.

archive/data.warc.gz       the raw HTTP responses, as received (WARC records)
indexes/index.cdx          where each response is in the WARC (CDXJ), with its SHA-256
pages/pages.jsonl          each version's page, capture time and text
tearsheet/versions.jsonl   what tearsheet read from each version, and its proofs
tearsheet/version-N.txt    the article text of version N, as extracted
tearsheet/diff-N.html      what changed from version N-1 to version N
timestamps/batch-N.tsr     an RFC 3161 timestamp token over the SHA-256 of batch-N.txt,
timestamps/batch-N.txt     which lists the SHA-256 of the WARC records stamped together
datapackage.json           every file above with its SHA-256
datapackage-digest.json    the SHA-256 of datapackage.json, signed (ECDSA)

Check it all with `tearsheet verify FILE.wacz`, or with standard tools: `wacz validate`,
`openssl ts -verify`, and ReplayWeb.page to see the pages (see docs/proof.md).
"""


@dataclass
class PackageReport:
    versions: int = 0
    captures: int = 0
    stamped: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _Resource:
    path: str
    hash: str
    bytes: int

    def entry(self) -> dict[str, Any]:
        return {"name": self.path.rsplit("/", 1)[-1].lower(), "path": self.path,
                "hash": self.hash, "bytes": self.bytes}


def surt(url: str) -> str:
    """The SURT form CDX indexes sort by: ``com,example)/path?query`` (host reversed,
    ``www.`` and default ports dropped, lowercased)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/").lower()
    if parts.query:
        key += "?" + "&".join(sorted(parts.query.lower().split("&")))
    return key


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _own_offset(moment: datetime) -> str:
    """A page's date in the offset the page gave it (UTC: as :func:`iso` writes it)."""
    return iso(moment) if not moment.utcoffset() else moment.isoformat()


class _Zip:
    """A ZIP being written, each entry hashed as it goes in."""

    def __init__(self, out: IO[bytes], created: datetime) -> None:
        self.zip = zipfile.ZipFile(out, "w", allowZip64=True)
        self.date = created.astimezone(UTC).timetuple()[:6]
        self.resources: list[_Resource] = []

    def put(self, path: str, chunks: Iterable[bytes], *, compress: bool = True,
            listed: bool = True) -> _Resource:
        info = zipfile.ZipInfo(path, self.date)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        hasher, size = hashlib.sha256(), 0
        with self.zip.open(info, "w", force_zip64=True) as fh:
            for chunk in chunks:
                hasher.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        resource = _Resource(path, "sha256:" + hasher.hexdigest(), size)
        if listed:
            self.resources.append(resource)
        return resource

    def put_file(self, path: str, source: IO[bytes], *, compress: bool) -> None:
        source.seek(0)
        self.put(path, iter(lambda: source.read(CHUNK), b""), compress=compress)

    def close(self) -> None:
        self.zip.close()


def _lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        yield (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _cdx_entry(record: bytes, offset: int, digest: str) -> tuple[str, dict[str, Any]] | None:
    """The CDXJ key and fields of a response record (None: not one)."""
    # The headers are at the start. (An iterator is a reference cycle: given the whole
    # record, it would keep it until the next garbage collection, a dozen records later.)
    records = ArchiveIterator(io.BytesIO(record[:HEADERS_MAX]))
    item = next(records, None)
    if item is None or item.rec_type != "response":
        return None
    headers, http = item.rec_headers, item.http_headers
    url = (headers.get_header("WARC-Target-URI") or "").strip("<>")
    date = headers.get_header("WARC-Date") or ""
    moment = datetime.fromisoformat(date.replace("Z", "+00:00"))
    fields: dict[str, Any] = {
        "url": url,
        "mime": (http.get_header("Content-Type") or "").split(";")[0].strip() if http else "",
        "status": http.get_statuscode() if http else "",
        "digest": headers.get_header("WARC-Payload-Digest") or "",
        "length": str(len(record)), "offset": str(offset), "filename": WARC_NAME,
        "recordDigest": digest,
    }
    stamp = datetime_to_timestamp(moment.astimezone(UTC).replace(tzinfo=None))
    return f"{surt(url)} {stamp}", fields


def write_package(
    out: IO[bytes], article: Mapping[str, Any], versions: Iterable[Mapping[str, Any]], *,
    archive_dir: Path, key: SigningKey, stamps: Mapping[int, CaptureStamp] | None = None,
    chosen: set[int] | None = None, now: datetime | None = None,
) -> PackageReport:
    """Write the proof package of ``article`` to ``out``.

    ``versions``: its version rows in order (all of them: each diff is against the version
    before, chosen or not); ``chosen``: the numbers to include (default all); ``stamps``:
    timestamps by version id.
    """
    created = now or datetime.now(UTC)
    stamps = stamps or {}
    report = PackageReport()
    package = _Zip(out, created)
    index: list[tuple[str, str]] = []
    rows: list[dict[str, Any]] = []  # versions.jsonl: small values only
    batches: dict[int, CaptureStamp] = {}
    with tempfile.TemporaryFile() as warc, tempfile.TemporaryFile() as pages:
        pages.write(next(_lines([{"format": "json-pages-1.0", "id": "pages", "hasText": True,
                                  "title": f"Versions of {article['url']}"}])))
        previous: Document | None = None
        for version in versions:
            document = Document.from_version(version)
            number = int(version["number"])
            if chosen is None or number in chosen:
                row = _add_version(package, version, document, previous, archive_dir, warc,
                                   pages, index, stamps, batches, report)
                rows.append(row)
            previous = document
        package.put_file(WARC_PATH, warc, compress=False)
        package.put(INDEX_PATH, (f"{k} {json.dumps(v, sort_keys=True)}\n".encode()
                                 for k, v in sorted(index, key=lambda kv: kv[0])))
        package.put_file(PAGES_PATH, pages, compress=True)
    package.put(VERSIONS_PATH, _lines(rows))
    for batch_id, ref in sorted(batches.items()):
        package.put(f"timestamps/batch-{batch_id}.tsr", [ref.token], compress=False)
        package.put(f"timestamps/batch-{batch_id}.txt", [ref.manifest])
    package.put(README_PATH, [README.encode()])
    _finish(package, article, rows, created, key)
    package.close()
    return report


def _add_version(
    package: _Zip, version: Mapping[str, Any], document: Document, previous: Document | None,
    archive_dir: Path, warc: IO[bytes], pages: IO[bytes], index: list[tuple[str, Any]],
    stamps: Mapping[int, CaptureStamp], batches: dict[int, CaptureStamp], report: PackageReport,
) -> dict[str, Any]:
    number = int(version["number"])
    name = f"{number:04d}"
    row: dict[str, Any] = {
        "number": number, "captured_at": iso(version["captured_at"]), "url": version["url"],
        "title": version["title"], "byline": version["byline"],
        "published_at": version["published_at"] and _own_offset(version["published_at"]),
        "language": version["language"], "content_hash": version["content_hash"],
        "kinds": [k for k in (version.get("kinds") or "").split(",") if k],
        "significance": version.get("significance"),
        "text": f"tearsheet/version-{name}.txt",
    }
    report.versions += 1
    package.put(row["text"], [version["text"].encode("utf-8")])
    if previous is not None:
        row["diff"] = f"tearsheet/diff-{name}.html"
        page = html_document(diff(previous, document), f"version {number - 1}", f"version {number}")
        package.put(row["diff"], [page.encode("utf-8")])
    if version.get("warc_file"):
        ref = WarcPointer(version["warc_file"], version["warc_offset"], version["warc_length"])
        try:
            record = raw_record(archive_dir, ref)
        except ArchiveError as exc:
            report.problems.append(f"version {number}: raw capture missing ({exc})")
            return row
        digest = "sha256:" + hashlib.sha256(record).hexdigest()
        entry = _cdx_entry(record, warc.tell(), digest)
        if entry is None:
            report.problems.append(f"version {number}: {ref.file} at {ref.offset} is not a "
                                   "response record")
            return row
        index.append(entry)
        warc.write(record)
        report.captures += 1
        row["record_digest"] = digest
        pages.write(next(_lines([{"id": f"v{number}", "url": entry[1]["url"],
                                  "ts": row["captured_at"], "text": version["text"],
                                  "title": f"{version['title'] or version['url']} "
                                           f"(version {number})"}])))
        stamp = stamps.get(int(version["id"]))
        if stamp is not None:
            if stamp.digest != digest:
                report.problems.append(
                    f"version {number}: its WARC record changed since it was timestamped "
                    f"(stamped {stamp.digest}, now {digest}); the timestamp is left out")
            else:
                batches[stamp.batch_id] = stamp
                row["timestamp"] = f"timestamps/batch-{stamp.batch_id}.tsr"
                row["timestamp_manifest"] = f"timestamps/batch-{stamp.batch_id}.txt"
                row["tsa"] = stamp.tsa_url
                report.stamped += 1
    return row


def _finish(package: _Zip, article: Mapping[str, Any], rows: list[dict[str, Any]],
            created: datetime, key: SigningKey) -> None:
    """``datapackage.json`` and its signed digest: the last two entries."""
    stamp = iso(created)
    software = f"tearsheet {__version__}"
    captured = [r for r in rows if "record_digest" in r]
    description = (f"{len(rows)} versions of {article['url']} captured by tearsheet, "
                   f"{rows[0]['captured_at'] if rows else ''} to "
                   f"{rows[-1]['captured_at'] if rows else ''}; signed by key "
                   f"{key.fingerprint}.")
    datapackage: dict[str, Any] = {
        "profile": "data-package", "wacz_version": WACZ_VERSION,
        "title": f"tearsheet: {rows[-1]['title'] if rows else article['url']}",
        "description": description, "created": stamp, "software": software,
        "resources": [r.entry() for r in package.resources],
    }
    if captured:
        datapackage["mainPageUrl"] = captured[-1]["url"]
        datapackage["mainPageDate"] = captured[-1]["captured_at"]
    # No indent: an indented dump runs json's pure-Python encoder, whose closures are a
    # reference cycle per call, garbage that piles up over a bulk export of many packages.
    body = json.dumps(datapackage, ensure_ascii=False).encode("utf-8")
    package.put("datapackage.json", [body], listed=False)
    package_hash = "sha256:" + hashlib.sha256(body).hexdigest()
    digest = {"path": "datapackage.json", "hash": package_hash,
              "signedData": key.sign(package_hash, stamp, software)}
    package.put("datapackage-digest.json", [json.dumps(digest).encode()],
                listed=False)


def write_file(path: Path, *args: Any, **kwargs: Any) -> PackageReport:
    """:func:`write_package` into ``path``, which appears only once complete."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as fh:
            report = write_package(fh, *args, **kwargs)
            report.bytes = fh.tell()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return report

