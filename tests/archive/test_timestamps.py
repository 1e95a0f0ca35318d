"""Trusted timestamps: captures queued with their version, stamped in batches by a TSA
(a local one made with `openssl ts`), retried, kept, and put in the proof package, where
`openssl ts -verify` and `tearsheet verify` accept them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearsheet.archive import signing, timestamps
from tearsheet.archive.stamper import Stamper
from tearsheet.archive.verify import verify_package as verify
from tearsheet.config import load_settings
from tearsheet.errors import TimestampError
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.proofs import Proofs
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import assemble
from tests.support.cli import cli
from tests.support.localserver import LocalServer
from tests.support.loopwatch import watch_the_loop
from tests.support.proofkit import (
    URL,
    History,
    config_file,
    flip,
    open_history,
    record_history,
    rewrite,
    settings,
)
from tests.support.storekit import sql
from tests.support.tsa import Authority, LocalTSA, make_authority, openssl_verify
from tests.support.warcsite import Site


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("tsa"))


@pytest.fixture
def tsa(authority: Authority) -> Iterator[LocalTSA]:
    server = LocalTSA(authority).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def history(tmp_path: Path, tsa: LocalTSA, store_url: str) -> Iterator[History]:
    """On SQLite and PostgreSQL (the queue's claims lock rows there)."""
    opened = open_history(settings(tmp_path, store_url, tsa_url=tsa.url,
                                   timestamp_backoff="10s"))
    try:
        yield opened
    finally:
        opened.store.close()


def test_a_token_from_the_local_tsa_verifies_with_openssl(tsa: LocalTSA, authority: Authority,
                                                          tmp_path: Path) -> None:
    digest = hashlib.sha256(b"a capture").digest()
    token, stamp = asyncio.run(timestamps.Client(tsa.url).stamp(digest))
    path = tmp_path / "token.tsr"
    path.write_bytes(token)
    result = openssl_verify(path, digest.hex(), authority.ca)
    assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stderr
    assert stamp.tsa == "CN=tearsheet test TSA"
    roots = timestamps.load_certificates(authority.ca.read_bytes())
    assert timestamps.verify(token, digest, roots).trusted is True
    other = timestamps.load_certificates(make_authority(tmp_path / "other").ca.read_bytes())
    with pytest.raises(TimestampError, match="does not chain to a trusted certificate"):
        timestamps.verify(token, digest, other)
    with pytest.raises(TimestampError, match="stamps another digest"):
        timestamps.verify(token, hashlib.sha256(b"another capture").digest())
    with pytest.raises(TimestampError):  # a byte of the signed TSTInfo changed
        timestamps.verify(token.replace(digest, flip(digest, 0)), flip(digest, 0))


def test_new_versions_are_queued_and_stamped_in_one_batch(history: History, tsa: LocalTSA,
                                                          tmp_path: Path) -> None:
    record_history(history, range(1, 6))
    assert sql(history.store, "SELECT status, count(*) FROM capture_stamps GROUP BY status") \
        == [("pending", 5)]
    stamped = asyncio.run(Stamper(history.settings, history.store).drain())
    assert stamped == 5
    assert tsa.requests == 1  # one token for the batch
    stamps = Proofs(history.store).stamps_of(history.article_id)
    assert len(stamps) == 5 and len({s.batch_id for s in stamps.values()}) == 1
    (stamp, *_) = stamps.values()
    assert timestamps.manifest_digests(stamp.manifest) == {s.digest for s in stamps.values()}
    rows = sql(history.store, "SELECT v.warc_file, v.warc_offset, v.warc_length, s.digest "
               "FROM versions v JOIN capture_stamps s ON s.version_id = v.id")
    folder = tmp_path / "warc"
    for file, offset, length, digest in rows:  # each digest is its record's, as on disk
        with open(folder / file, "rb") as fh:
            fh.seek(offset)
            assert "sha256:" + hashlib.sha256(fh.read(length)).hexdigest() == digest


def test_a_failing_tsa_is_retried_after_a_backoff(history: History, tsa: LocalTSA) -> None:
    record_history(history, range(1, 3))
    now = datetime.now(UTC)
    tsa.refuse = 1
    stamper = Stamper(history.settings, history.store, clock=lambda: now)
    assert asyncio.run(stamper.step()) == 0
    (status, attempts, error), *_ = sql(
        history.store, "SELECT status, attempts, last_error FROM capture_stamps")
    assert (status, attempts) == ("pending", 1) and "HTTP 503" in error
    assert asyncio.run(stamper.step()) == 0  # not due yet: 10 s of backoff
    later = Stamper(history.settings, history.store, clock=lambda: now + timedelta(seconds=11))
    assert asyncio.run(later.step()) == 2
    assert Proofs(history.store).stamp_counts() == {"stamped": 2}


def test_the_package_carries_the_tokens_and_standard_tools_check_them(
        history: History, authority: Authority, tmp_path: Path) -> None:
    record_history(history, range(1, 3))
    asyncio.run(Stamper(history.settings, history.store).drain())
    record_history(history, range(3, 4))  # a second batch
    asyncio.run(Stamper(history.settings, history.store).drain())
    out = tmp_path / "proof.wacz"
    config = config_file(history.settings, tmp_path)
    assert cli("proof", URL, "--out", str(out), "--config", str(config)) == 0
    roots = timestamps.load_certificates(authority.ca.read_bytes())
    verdict = verify(out, tsa_roots=roots)
    assert verdict.ok, verdict.failures
    assert [c.stamp is not None and c.stamp.trusted for c in verdict.captures] == [True] * 3
    assert cli("verify", str(out), "--tsa-ca", str(authority.ca)) == 0
    with zipfile.ZipFile(out) as wacz:
        rows = [json.loads(line) for line in wacz.read("tearsheet/versions.jsonl").splitlines()]
        assert len({row["timestamp"] for row in rows}) == 2
        row = rows[0]
        token, manifest = wacz.read(row["timestamp"]), wacz.read(row["timestamp_manifest"])
    # As docs/proof.md tells a reader: the manifest's SHA-256 is what the token stamps…
    (tmp_path / "token.tsr").write_bytes(token)
    result = openssl_verify(tmp_path / "token.tsr", hashlib.sha256(manifest).hexdigest(),
                            authority.ca)
    assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stderr
    # … and the record's digest is in the manifest.
    assert row["record_digest"] in manifest.decode().splitlines()

    rewrite(out, row["timestamp"], lambda data: flip(data, len(data) - 20))
    failures = verify(out, tsa_roots=roots).failures
    assert any(f.startswith(row["timestamp"]) for f in failures), failures


def test_a_tracker_pass_stamps_the_captures_it_stored(server: LocalServer, tmp_path: Path,
                                                      tsa: LocalTSA) -> None:
    site = Site(server)
    tracked = load_settings(
        None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
        schedule={"first_interval": "0.1s", "jitter": 0},
        fetch={"allow_private_addresses": True, "per_host_delay": 0, "retries": 0,
               "extract_processes": 0},
        sources=[{"name": "local", "feeds": [server.url("/feed.xml")]}],
        proof={"tsa_url": tsa.url})
    store = Store.open(tracked.database_url)

    async def once() -> None:
        async with Fetcher(tracked.fetch) as fetcher, \
                assemble(tracked, store, fetcher) as tracker:
            await tracker.run(asyncio.Event(), once=True)
        await Stamper(tracked, store).drain()  # the stage beside the tracker

    try:
        asyncio.run(once())
        assert len(site.served) == 1
        assert Proofs(store).stamp_counts() == {"stamped": 1}
        assert tsa.requests == 1
    finally:
        store.close()


def test_verify_names_the_trust_anchors_it_did_not_check_and_strict_fails_on_them(
        history: History, authority: Authority, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    record_history(history, range(1, 3))
    asyncio.run(Stamper(history.settings, history.store).drain())
    out = tmp_path / "proof.wacz"
    config = config_file(history.settings, tmp_path)
    assert cli("proof", URL, "--out", str(out), "--config", str(config)) == 0
    capsys.readouterr()
    empty = tmp_path / "empty.toml"  # no proof.tsa_ca_file: no root to check against
    empty.write_text("")

    assert cli("verify", str(out), "--config", str(empty)) == 0  # all that can be checked
    printed = capsys.readouterr().out
    assert ("NOT CHECKED: the timestamp authority CN=tearsheet test TSA was not chained to a "
            "trusted root certificate") in printed
    assert "NOT CHECKED: the signer's key sha256:" in printed
    assert "all checks hold; 2 trust anchors not checked" in printed
    assert "FAILS" not in printed

    assert cli("verify", str(out), "--strict", "--config", str(empty)) == 1
    printed = capsys.readouterr().out
    assert ("FAILS: --strict: 2 timestamped captures were not checked against a trusted root "
            "certificate") in printed

    key = signing.SigningKey.from_settings(history.settings)
    assert cli("verify", str(out), "--strict", "--tsa-ca", str(authority.ca),
               "--key", key.fingerprint, "--config", str(empty)) == 0
    printed = capsys.readouterr().out
    assert "NOT CHECKED" not in printed
    assert "all checks hold, with every trust anchor checked" in printed


def test_the_backlog_of_captures_stored_before_a_tsa_is_stamped_in_batches(
        tmp_path: Path, tsa: LocalTSA, authority: Authority, store_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = open_history(settings(tmp_path, store_url))  # no TSA yet: nothing is queued
    other = open_history(before.settings, url=URL + "-2", source="elsewhere")
    try:
        record_history(before, range(1, 6))
        record_history(other, range(1, 3))
        assert Proofs(before.store).stamp_counts() == {}
        later = settings(tmp_path, store_url, tsa_url=tsa.url, timestamp_batch=2)
        config = config_file(later, tmp_path)
        assert cli("stamp", "--since", "2026-11-20", "--config", str(config)) != 0  # no --backlog
        # versions 3 to 5 of the harbour article (captured from 11:00), two per request
        assert cli("stamp", "--backlog", "--source", "harbour", "--since",
                   "2026-11-20T11:00", "--config", str(config)) == 0
        assert "the backlog: queued 3 earlier captures" in capsys.readouterr().err
        assert tsa.requests == 2
        stamps = Proofs(before.store).stamps_of(before.article_id)
        assert sorted(sql(before.store, "SELECT v.number FROM versions v JOIN capture_stamps "
                                        "s ON s.version_id = v.id")) == [(3,), (4,), (5,)]
        assert len({s.batch_id for s in stamps.values()}) == 2
        assert cli("stamp", "--backlog", "--config", str(config)) == 0  # the rest, once
        assert "queued 4 earlier captures" in capsys.readouterr().err
        assert cli("stamp", "--backlog", "--config", str(config)) == 0
        assert "queued 0 earlier captures" in capsys.readouterr().err
        assert Proofs(before.store).stamp_counts() == {"stamped": 7}
        assert tsa.requests == 4
    finally:
        before.store.close()
        other.store.close()
    out = tmp_path / "proof.wacz"
    assert cli("proof", URL, "--out", str(out), "--config", str(config)) == 0
    verdict = verify(out, tsa_roots=timestamps.load_certificates(authority.ca.read_bytes()))
    assert verdict.ok, verdict.failures
    assert [c.stamp is not None and c.stamp.trusted for c in verdict.captures] == [True] * 5


def test_the_stamper_never_calls_the_store_on_its_event_loop(history: History,
                                                             tsa: LocalTSA) -> None:
    """`tearsheet run` builds the stamper and runs it on the tracker's event loop: its
    claims, failures and batches go to a thread (every statement of the store is watched)."""
    record_history(history, range(1, 4))
    tsa.refuse = 1  # the first batch fails and is retried
    on_loop = watch_the_loop(history.store)
    now = [datetime.now(UTC)]

    async def go() -> int:
        stamper = Stamper(history.settings, history.store, clock=lambda: now[0])
        assert await stamper.step() == 0  # refused: recorded as a failure
        now[0] += timedelta(seconds=11)  # past the 10 s backoff
        stop = asyncio.Event()
        running = asyncio.create_task(stamper.run(stop))
        deadline = time.monotonic() + 300  # a guard against hanging, not a bound
        while stamper.stamped < 3:
            assert time.monotonic() < deadline, "the captures were never stamped"
            await asyncio.sleep(0.05)
        stop.set()
        await running
        return stamper.failed_batches

    assert asyncio.run(go()) == 1
    assert on_loop == [], f"{len(on_loop)} store call(s) on the event loop:\n" + on_loop[0]
