"""Checking a proof package: every hash, the signature, each capture and timestamp.

:func:`verify` reads a WACZ as anyone received it and reports what is proven — the
article's URL, when each version was captured, which key signed the package, which
authority timestamped which capture and when — or exactly what fails. It trusts nothing in
the package that it can check: the resources against ``datapackage.json``, that file
against the signed digest, each WARC record against the index's ``recordDigest`` and its
own WARC digests, each timestamp token against its manifest and each record digest against
a manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from warcio.archiveiterator import ArchiveIterator

from tearsheet.archive import signing, timestamps
from tearsheet.archive.wacz import INDEX_PATH, VERSIONS_PATH, WARC_PATH
from tearsheet.errors import ProofError, TimestampError

UNLISTED = {"datapackage.json", "datapackage-digest.json"}


@dataclass(frozen=True)
class Capture:
    number: int
    url: str
    captured_at: str
    record_digest: str
    stamp: timestamps.Stamp | None = None


@dataclass
class Verdict:
    """What a package proves, and what does not hold (``ok`` only when nothing fails)."""

    url: str = ""
    signer: signing.Signature | None = None
    key_matches: bool | None = None  # the key named by the caller: matched, or not asked
    captures: list[Capture] = field(default_factory=list)
    versions: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def unrooted_stamps(self) -> int:
        """Captures whose timestamp verified but was not chained to a trusted root."""
        return sum(c.stamp is not None and c.stamp.trusted is None for c in self.captures)

    def unchecked(self) -> list[str]:
        """The trust anchors this check did not reach: the package is consistent and signed
        by the key it names, but whose key that is, and whether the timestamp authority is
        the one it claims to be, the reader must still settle."""
        found: list[str] = []
        if self.signer is not None and self.key_matches is None:
            found.append(f"the signer's key {self.signer.fingerprint} was not compared with "
                         "the publisher's (give --key with the fingerprint or PEM of their "
                         "/.well-known/tearsheet-key)")
        authorities = sorted({c.stamp.tsa for c in self.captures
                              if c.stamp is not None and c.stamp.trusted is None})
        found.extend(f"the timestamp authority {tsa} was not chained to a trusted root "
                     "certificate (give --tsa-ca with its root, or set proof.tsa_ca_file)"
                     for tsa in authorities)
        return found

    def require_roots(self) -> None:
        """``--strict``: a timestamp not checked against a trusted root is a failure."""
        if self.unrooted_stamps:
            self.failures.append(f"--strict: {self.unrooted_stamps} timestamped captures were "
                                 "not checked against a trusted root certificate (--tsa-ca "
                                 "or proof.tsa_ca_file)")


def verify_package(path: Path, *, key: str | None = None,
           tsa_roots: Sequence[x509.Certificate] | None = None) -> Verdict:
    """Check the package at ``path``. ``key``: the fingerprint the signer must have;
    ``tsa_roots``: the certificates a timestamp authority must chain to."""
    verdict = Verdict()
    try:
        with zipfile.ZipFile(path) as package:
            _check(package, verdict, key, tsa_roots)
    except (zipfile.BadZipFile, OSError) as exc:
        verdict.failures.append(f"{path}: not a readable WACZ (ZIP) file ({exc})")
    except ProofError as exc:
        verdict.failures.append(str(exc))
    return verdict


def _json(package: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(package.read(name))
    except KeyError:
        raise ProofError(f"{name} is missing: not a WACZ package") from None
    except ValueError as exc:
        raise ProofError(f"{name} is not valid JSON ({exc})") from None


def _check(package: zipfile.ZipFile, verdict: Verdict, key: str | None,
           tsa_roots: Sequence[x509.Certificate] | None) -> None:
    datapackage = _json(package, "datapackage.json")
    digest_file = _json(package, "datapackage-digest.json")
    resources = _check_resources(package, datapackage, verdict)
    package_hash = "sha256:" + hashlib.sha256(package.read("datapackage.json")).hexdigest()
    if digest_file.get("hash") != package_hash:
        verdict.failures.append("datapackage.json does not match the hash in "
                                "datapackage-digest.json: the list of files was changed")
    if "signedData" not in digest_file:
        verdict.failures.append("the package is not signed (no signedData)")
    else:
        try:
            verdict.signer = signing.verify(digest_file["signedData"], package_hash)
        except ProofError as exc:
            verdict.failures.append(str(exc))
        else:
            if verdict.signer.created != datapackage.get("created"):
                verdict.failures.append("the signature's creation time is not the package's")
            if key is not None:
                verdict.key_matches = verdict.signer.fingerprint == key
                if not verdict.key_matches:
                    verdict.failures.append(f"signed by key {verdict.signer.fingerprint}, "
                                            f"not by the expected {key}")
    if VERSIONS_PATH not in resources:
        raise ProofError(f"{VERSIONS_PATH} is missing: not a tearsheet proof package")
    records = _check_records(package, verdict) if WARC_PATH in resources else {}
    rows = [json.loads(line) for line in package.read(VERSIONS_PATH).splitlines() if line]
    verdict.versions = len(rows)
    stamps: dict[str, timestamps.Stamp | None] = {}
    for row in rows:
        _check_version(package, row, records, resources, stamps, tsa_roots, verdict)
    verdict.url = str(datapackage.get("mainPageUrl") or (rows[-1]["url"] if rows else ""))


def _check_resources(package: zipfile.ZipFile, datapackage: Any,
                     verdict: Verdict) -> set[str]:
    """Every file listed, present, of its size and hash; nothing unlisted."""
    listed: set[str] = set()
    for resource in datapackage.get("resources", []):
        name = resource.get("path", "")
        listed.add(name)
        try:
            info = package.getinfo(name)
        except KeyError:
            verdict.failures.append(f"{name}: listed in datapackage.json but missing")
            continue
        hasher, size = hashlib.sha256(), 0
        with package.open(info) as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 16), b""):  # type: ignore[misc]
                hasher.update(chunk)
                size += len(chunk)
        if f"sha256:{hasher.hexdigest()}" != resource.get("hash") or size != resource.get(
                "bytes"):
            verdict.failures.append(f"{name}: its content does not match its hash in "
                                    "datapackage.json (changed after packaging)")
    for name in package.namelist():
        if name not in listed and name not in UNLISTED and not name.endswith("/"):
            verdict.failures.append(f"{name}: in the package but not in datapackage.json")
    return listed


def _check_records(package: zipfile.ZipFile, verdict: Verdict) -> dict[str, dict[str, Any]]:
    """Each indexed record: its bytes hash to its ``recordDigest``, its WARC digests hold.
    By record digest: the record's URL and time."""
    found: dict[str, dict[str, Any]] = {}
    with package.open(WARC_PATH) as warc:
        for line in package.read(INDEX_PATH).decode("utf-8").splitlines():
            if not line.strip():
                continue
            _, stamp, fields = line.split(" ", 2)
            entry = json.loads(fields)
            warc.seek(int(entry["offset"]))
            record = warc.read(int(entry["length"]))
            digest = "sha256:" + hashlib.sha256(record).hexdigest()
            if digest != entry.get("recordDigest"):
                verdict.failures.append(f"the WARC record of {entry['url']} at {stamp} does "
                                        "not match its digest in the index (changed)")
                continue
            problem = _record_problem(record)
            if problem:
                verdict.failures.append(f"the WARC record of {entry['url']} at {stamp}: "
                                        f"{problem}")
                continue
            found[digest] = entry
    return found


def _record_problem(record: bytes) -> str | None:
    try:
        for item in ArchiveIterator(io.BytesIO(record), check_digests=True):
            item.content_stream().read()
            if item.digest_checker.passed is False:
                return "its WARC digests do not hold (" + "; ".join(
                    item.digest_checker.problems) + ")"
            return None
    except Exception as exc:  # warcio raises many kinds on a damaged record
        return f"unreadable ({exc})"
    return "no record there"


def _check_version(
    package: zipfile.ZipFile, row: dict[str, Any], records: dict[str, dict[str, Any]],
    resources: set[str], stamps: dict[str, timestamps.Stamp | None],
    tsa_roots: Sequence[x509.Certificate] | None, verdict: Verdict,
) -> None:
    number = row.get("number")
    for name in (row.get("text"), row.get("diff")):
        if name and name not in resources:
            verdict.failures.append(f"version {number}: {name} is not in datapackage.json")
    digest = row.get("record_digest")
    if not digest:
        verdict.notes.append(f"version {number}: no raw capture (text only)")
        return
    if digest not in records:
        verdict.failures.append(f"version {number}: its raw capture is not in the package's "
                                "WARC (or did not verify)")
        return
    stamp = None
    token_path = row.get("timestamp")
    if token_path:
        if token_path not in stamps:
            stamps[token_path] = _check_token(package, token_path, row, resources, tsa_roots,
                                              verdict)
        stamp = stamps[token_path]
        manifest = package.read(row["timestamp_manifest"])
        if stamp is not None and digest not in timestamps.manifest_digests(manifest):
            verdict.failures.append(f"version {number}: its record is not in the timestamped "
                                    f"manifest {row['timestamp_manifest']}")
            stamp = None
    verdict.captures.append(Capture(int(number or 0), str(records[digest]["url"]),
                                    str(row.get("captured_at")), digest, stamp))


def _check_token(package: zipfile.ZipFile, token_path: str, row: dict[str, Any],
                 resources: set[str], tsa_roots: Sequence[x509.Certificate] | None,
                 verdict: Verdict) -> timestamps.Stamp | None:
    manifest_path = row.get("timestamp_manifest", "")
    if token_path not in resources or manifest_path not in resources:
        verdict.failures.append(f"{token_path}: the token or its manifest is not in "
                                "datapackage.json")
        return None
    manifest = package.read(manifest_path)
    try:
        return timestamps.verify(package.read(token_path), hashlib.sha256(manifest).digest(),
                                 tsa_roots)
    except TimestampError as exc:
        verdict.failures.append(f"{token_path}: {exc}")
        return None


def captured_within(stamp: timestamps.Stamp, captured_at: str) -> float:
    """Seconds from the capture to its timestamp (how tight the proof of time is)."""
    moment = datetime.fromisoformat(captured_at.replace("Z", "+00:00"))
    return (stamp.time - moment).total_seconds()
