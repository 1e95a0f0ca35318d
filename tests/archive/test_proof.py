"""Proof packages: signed WACZ files that standard tools and `tearsheet verify` accept, and
that fail verification, with the right message, once any byte is changed."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import subprocess
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tearsheet.archive import signing
from tearsheet.archive.verify import verify_package as verify
from tearsheet.archive.wacz import INDEX_PATH, WARC_PATH, surt
from tearsheet.errors import ProofError
from tests.support.cli import cli
from tests.support.commands import command
from tests.support.proofkit import (
    URL,
    History,
    config_file,
    flip,
    open_history,
    record_history,
    resign,
    rewrite,
    seed_articles,
    settings,
    wacz_validate,
)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    opened = open_history(settings(tmp_path))
    record_history(opened, range(1, 4))
    try:
        yield opened
    finally:
        opened.store.close()


def package(history: History, tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "proof.wacz"
    config = config_file(history.settings, tmp_path)
    assert cli("proof", URL, "--out", str(out), "--config", str(config), *args) == 0
    return out


def test_a_package_passes_wacz_validate_and_tearsheet_verify(history: History,
                                                            tmp_path: Path) -> None:
    out = package(history, tmp_path)
    result = wacz_validate(out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation succeeded" in result.stdout.lower()
    verdict = verify(out)
    assert verdict.ok, verdict.failures
    assert verdict.url == URL
    assert [c.number for c in verdict.captures] == [1, 2, 3]
    assert [c.captured_at for c in verdict.captures] == [
        "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"]
    key = signing.SigningKey.load_or_create(tmp_path / "tearsheet-signing-key.pem")
    assert verdict.signer is not None and verdict.signer.fingerprint == key.fingerprint


def test_the_package_holds_what_the_wacz_spec_asks_and_explains_itself(
        history: History, tmp_path: Path) -> None:
    with zipfile.ZipFile(package(history, tmp_path)) as wacz:
        names = set(wacz.namelist())
        datapackage = json.loads(wacz.read("datapackage.json"))
        digest = json.loads(wacz.read("datapackage-digest.json"))
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
        index = wacz.read(INDEX_PATH).decode().splitlines()
        assert wacz.getinfo(WARC_PATH).compress_type == zipfile.ZIP_STORED
        text = wacz.read("tearsheet/version-0002.txt").decode()
        diff = wacz.read("tearsheet/diff-0002.html").decode()
    assert {"archive/data.warc.gz", "indexes/index.cdx", "pages/pages.jsonl",
            "tearsheet/versions.jsonl", "tearsheet/version-0001.txt",
            "tearsheet/diff-0003.html", "datapackage.json", "datapackage-digest.json"} <= names
    assert "tearsheet/diff-0001.html" not in names  # nothing before version 1
    assert datapackage["wacz_version"] == "1.1.1"
    assert datapackage["profile"] == "data-package"
    assert {r["path"] for r in datapackage["resources"]} == names - {
        "datapackage.json", "datapackage-digest.json"}
    assert all(r["hash"].startswith("sha256:") for r in datapackage["resources"])
    signed = digest["signedData"]
    assert signed["created"] == datapackage["created"]
    assert set(signed) == {"hash", "created", "software", "version", "signature", "publicKey"}
    assert pages[0]["format"] == "json-pages-1.0"
    assert [(p["id"], p["url"], p["ts"]) for p in pages[1:]] == [
        ("v1", URL, "2026-11-20T09:00:00Z"), ("v2", URL, "2026-11-20T10:00:00Z"),
        ("v3", URL, "2026-11-20T11:00:00Z")]
    assert len(index) == 3 and all(line.startswith(surt(URL) + " 2026112") for line in index)
    assert "Update 2: the council voted 2 times." in text
    assert "<ins>2</ins>" in diff or "2 times" in diff


def test_chosen_versions_only(history: History, tmp_path: Path) -> None:
    out = package(history, tmp_path, "--version", "2")
    verdict = verify(out)
    assert verdict.ok, verdict.failures
    assert [c.number for c in verdict.captures] == [2]


@pytest.mark.parametrize(("name", "message"), [
    (WARC_PATH, "archive/data.warc.gz: its content does not match its hash"),
    ("tearsheet/version-0002.txt", "tearsheet/version-0002.txt: its content does not match"),
    ("pages/pages.jsonl", "pages/pages.jsonl: its content does not match"),
])
def test_one_changed_byte_fails_verify_naming_the_file(
        history: History, tmp_path: Path, name: str, message: str) -> None:
    out = package(history, tmp_path)
    rewrite(out, name, flip)
    verdict = verify(out)
    assert not verdict.ok
    assert any(message in failure for failure in verdict.failures), verdict.failures
    assert cli("verify", str(out)) == 1
    assert wacz_validate(out).returncode != 0  # the standard validator agrees


def test_a_changed_record_with_its_hashes_redone_still_fails(history: History,
                                                            tmp_path: Path) -> None:
    """Someone who changes a capture and updates datapackage.json to match: the signed
    digest no longer holds; updating that too breaks the signature."""
    out = package(history, tmp_path)
    with zipfile.ZipFile(out) as wacz:
        warc = wacz.read(WARC_PATH)
        entry = json.loads(wacz.read(INDEX_PATH).decode().splitlines()[1].split(" ", 2)[2])
    start = int(entry["offset"])
    changed = warc[:start + 40] + flip(warc[start + 40:start + 41], 0) + warc[start + 41:]
    rewrite(out, WARC_PATH, lambda _: changed)
    assert any("WARC record of" in f and "does not match its digest in the index" in f
               for f in verify(out).failures)

    def redo_hash(data: bytes) -> bytes:
        package_json = json.loads(data)
        for resource in package_json["resources"]:
            if resource["path"] == WARC_PATH:
                resource["hash"] = "sha256:" + hashlib.sha256(changed).hexdigest()
        return json.dumps(package_json).encode()

    rewrite(out, "datapackage.json", redo_hash)
    with zipfile.ZipFile(out) as wacz:
        new_hash = "sha256:" + hashlib.sha256(wacz.read("datapackage.json")).hexdigest()
    assert any("datapackage.json does not match the hash in datapackage-digest.json" in f
               for f in verify(out).failures)

    def redo_digest(data: bytes) -> bytes:
        digest = json.loads(data)
        digest["hash"] = digest["signedData"]["hash"] = new_hash
        return json.dumps(digest).encode()

    rewrite(out, "datapackage-digest.json", redo_digest)
    failures = verify(out).failures
    assert any("the signature does not verify" in f for f in failures), failures


def test_a_changed_signature_fails(history: History, tmp_path: Path) -> None:
    out = package(history, tmp_path)

    def change(data: bytes) -> bytes:
        digest = json.loads(data)
        signature = bytearray(digest["signedData"]["signature"].encode())
        signature[10] = ord("A") if signature[10] != ord("A") else ord("B")
        digest["signedData"]["signature"] = signature.decode()
        return json.dumps(digest).encode()

    rewrite(out, "datapackage-digest.json", change)
    assert verify(out).failures == [
        "the signature does not verify: datapackage-digest.json was not signed by the key it "
        "names, or was changed after signing"]


def test_resigned_by_another_key_is_caught_by_the_expected_key(history: History,
                                                              tmp_path: Path) -> None:
    out = package(history, tmp_path)
    mine = signing.SigningKey.load_or_create(tmp_path / "tearsheet-signing-key.pem")
    other = signing.SigningKey.generate()

    resign(out, other)
    assert verify(out).ok  # a valid signature, by some key…
    verdict = verify(out, key=mine.fingerprint)
    assert verdict.key_matches is False
    assert verdict.failures == [f"signed by key {other.fingerprint}, not by the expected "
                                f"{mine.fingerprint}"]
    public = tmp_path / "published.pem"
    public.write_text(mine.public_pem())
    assert cli("verify", str(out), "--key", str(public)) == 1


def test_the_key_is_made_private_and_refused_when_others_can_read_it(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "k.pem"
    key = signing.SigningKey.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert signing.SigningKey.load_or_create(path).fingerprint == key.fingerprint
    os.chmod(path, 0o644)
    with pytest.raises(ProofError, match="readable by other users"):
        signing.SigningKey.load_or_create(path)


def test_keys_prints_the_public_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "ts.db"}"\n')
    assert cli("keys", "--config", str(config)) == 0
    printed = capsys.readouterr().out
    key = signing.SigningKey.load_or_create(tmp_path / "tearsheet-signing-key.pem")
    assert key.fingerprint in printed
    assert key.public_pem() in printed
    assert "PRIVATE" not in printed


def test_fifty_versions_are_packaged_in_bounded_memory(tmp_path: Path) -> None:
    """50 captures of ~230 KB each (11 MB of records): the writer holds about one at a time."""
    from tearsheet.archive.wacz import write_file
    from tearsheet.archive.warc import default_dir
    from tearsheet.store.proofs import Proofs

    history = open_history(settings(tmp_path))
    try:
        record_history(history, range(1, 51), size=300_000)
        key = signing.SigningKey.generate()
        proofs = Proofs(history.store)
        article = history.store.article_by_url(URL)
        assert article is not None
        tracemalloc.start()
        try:
            report = write_file(tmp_path / "long.wacz", article,
                                proofs.versions_of(history.article_id),
                                archive_dir=default_dir(history.settings), key=key)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        history.store.close()
    assert report.captures == 50
    assert report.bytes > 50 * 200_000  # base64 compresses to 3/4
    assert peak < 5_000_000, f"peak {peak:,} bytes"  # less than half of the records
    verdict = verify(tmp_path / "long.wacz")
    assert verdict.ok and len(verdict.captures) == 50


def test_bulk_writes_one_package_per_article_of_a_source(tmp_path: Path) -> None:
    first = open_history(settings(tmp_path))
    second = open_history(first.settings, url=URL + "-2")
    other = open_history(first.settings, url=URL + "-3", source="elsewhere")
    try:
        for history in (first, second, other):
            record_history(history, range(1, 3))
    finally:
        for history in (first, second, other):
            history.store.close()
    config = config_file(first.settings, tmp_path)
    out = tmp_path / "packages"
    assert cli("proof", "--source", "harbour", "--since", "2026-11-20", "--out", str(out),
               "--config", str(config)) == 0
    written = sorted(out.iterdir())
    assert [p.name for p in written] == ["harbour-1.wacz", "harbour-2.wacz"]
    assert [verify(p).url for p in written] == [URL, URL + "-2"]
    assert all(verify(p).ok for p in written)
    assert cli("proof", "--since", "2026-11-21", "--out", str(tmp_path / "none"),
               "--config", str(config)) == 0
    assert list((tmp_path / "none").iterdir()) == []


# What ReplayWeb.page does with an anonymous signedData (wabac.js 2.27.3,
# src/wacz/certutils.ts): WebCrypto, the SPKI key imported as P-384 (argv[1] here, to try
# P-256 too), ECDSA with SHA-256 over the UTF-8 of "hash", the signature as r||s. Run in
# Node's WebCrypto.
WEBCRYPTO_CHECK = """
const signed = JSON.parse(require("fs").readFileSync(0, "utf8"));
const b64 = (s) => Uint8Array.from(Buffer.from(s, "base64"));
(async () => {
  const key = await crypto.subtle.importKey("spki", b64(signed.publicKey),
      {name: "ECDSA", namedCurve: process.argv[1]}, true, ["verify"]);
  const ok = await crypto.subtle.verify({name: "ECDSA", hash: "SHA-256"}, key,
      b64(signed.signature), new TextEncoder().encode(signed.hash));
  console.log(ok ? "valid" : "invalid");
})().catch((e) => { console.log("error " + e); });
"""


def node() -> str:
    return command("node", "nodejs", "no WebCrypto to try")


def webcrypto(signed: dict[str, str], curve: str) -> str:
    run = subprocess.run([node(), "-e", WEBCRYPTO_CHECK, curve], input=json.dumps(signed),
                         capture_output=True, text=True, check=False)
    return run.stdout.strip() or run.stderr


@pytest.mark.parametrize("curve", ["P-256", "P-384"])
def test_each_curve_signs_packages_that_verify_and_webcrypto_accepts(
        tmp_path: Path, curve: str) -> None:
    history = open_history(settings(tmp_path, curve=curve))
    try:
        record_history(history, range(1, 3))
    finally:
        history.store.close()
    out = package(history, tmp_path)
    assert wacz_validate(out).returncode == 0
    verdict = verify(out)
    assert verdict.ok, verdict.failures
    assert verdict.signer is not None and verdict.signer.curve == curve
    key = signing.SigningKey.load_or_create(tmp_path / "tearsheet-signing-key.pem", curve)
    assert key.curve == curve and verdict.signer.fingerprint == key.fingerprint
    with zipfile.ZipFile(out) as wacz:
        signed = json.loads(wacz.read("datapackage-digest.json"))["signedData"]
    assert webcrypto(signed, curve) == "valid"
    # ReplayWeb.page imports the key as P-384: only a P-384 package shows as valid there.
    assert (webcrypto(signed, "P-384") == "valid") is (curve == "P-384")
    signed["hash"] = signed["hash"][:-1] + ("0" if signed["hash"][-1] != "0" else "1")
    assert webcrypto(signed, curve) == "invalid"


def test_the_default_curve_is_p256_and_a_key_on_the_other_is_refused(tmp_path: Path) -> None:
    history = open_history(settings(tmp_path))
    history.store.close()
    assert history.settings.proof.curve == "P-256"
    path = tmp_path / "tearsheet-signing-key.pem"
    signing.SigningKey.generate("P-384").save(path)
    config = config_file(history.settings, tmp_path)
    with pytest.raises(ProofError, match=re.escape(
            'on P-384, but the setting proof.curve is "P-256"; set proof.curve = "P-384"')):
        signing.SigningKey.from_settings(history.settings)
    assert cli("keys", "--config", str(config)) != 0
    config.write_text(config.read_text().replace('curve = "P-256"', 'curve = "P-384"'))
    assert cli("keys", "--config", str(config)) == 0


def test_a_signature_on_another_curve_is_refused(history: History, tmp_path: Path) -> None:
    out = package(history, tmp_path)
    other = signing.SigningKey(ec.generate_private_key(ec.SECP256K1()))

    resign(out, other)
    assert verify(out).failures == [
        "signedData: publicKey is not an ECDSA key on P-256 or P-384"]


def test_strict_needs_no_root_when_nothing_is_timestamped(
        history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = package(history, tmp_path)
    capsys.readouterr()
    assert cli("verify", str(out), "--strict") == 0
    printed = capsys.readouterr().out
    assert "NOT CHECKED: the signer's key" in printed
    assert "timestamp authority" not in printed


def test_bulk_memory_is_flat_in_the_number_of_articles(tmp_path: Path) -> None:
    """60 and then 1,000 articles, one package each: the peak is the same (a list of the
    articles would add ~350 bytes an article: +330 KB here, well clear of the ~50 KB a
    run's peak moves by)."""
    history = open_history(settings(tmp_path))
    try:
        for source, count in (("few", 60), ("many", 1000)):
            seed_articles(history.store, source, count)
    finally:
        history.store.close()
    config = config_file(history.settings, tmp_path)
    peaks: dict[str, int] = {}
    # The first run is not counted: it pays for imports and fills CPython's free lists
    # (up to 2,000 tuples of each small size, kept allocated once freed), which a larger
    # run would otherwise fill further, and count, in its peak. Each run starts from a
    # collected heap, and each size runs twice and keeps its lower peak: what another
    # thread allocates meanwhile only ever adds to one run's peak.
    for n, source in enumerate(("many", "few", "many", "few", "many")):
        gc.collect()
        tracemalloc.start()
        try:
            assert cli("proof", "--source", source, "--out", str(tmp_path / f"{source}-{n}"),
                       "--config", str(config)) == 0
            peak = tracemalloc.get_traced_memory()[1]
            if n:
                peaks[source] = min(peak, peaks.get(source, peak))
        finally:
            tracemalloc.stop()
    assert len(list((tmp_path / "many-4").iterdir())) == 1000
    assert verify(tmp_path / "many-4" / "many-1000.wacz").ok
    growth = peaks["many"] - peaks["few"]
    assert growth < 120_000, f"peak {peaks['few']:,} -> {peaks['many']:,} bytes"
