"""Proof benchmark: proof packages per second, and what trusted timestamps cost per version.

A store of ``--articles`` (40) articles × ``--versions`` (10) versions is built through the
tracker's own write path (each version's response archived as a WARC record by
``Archive.write``, the version stored by ``Store.record_check``), with realistic ~40 KB
pages from the newsroom simulator's templates. Then, medians of ``--runs`` (3) runs:

Packaging (packages/s, one package per article, all its versions):

- **zip only** (baseline): the article's WARC records copied into a ZIP, STORE mode, with
  nothing else: the floor any WACZ writer pays;
- **wacz create** (peer): py-wacz, the reference WACZ tool, on a WARC file of the same
  records (index, pages, datapackage; no text, no diffs, unsigned), in-process;
- **tearsheet proof**: ``write_file`` (index, pages with text, each version's text and
  diff, signed digest);
- **tearsheet verify**: ``verify_package`` of the packages just written.

Timestamping (per version), against a local RFC 3161 authority (``openssl ts -reply``
behind HTTP on 127.0.0.1, as the tests use; a public TSA adds its network round trip
per request):

- **digest at capture**: what ``Archive.write`` pays to give each record's SHA-256 (its
  time with and without ``digests``), the only cost on the check path;
- **batched**: the stamper's ``drain`` with the default batch (all versions, one request);
- **one request per version**: the same with ``proof.timestamp_batch = 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from common import median, table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support.tsa

from tests.support.tsa import LocalTSA, make_authority

from tearsheet.archive.signing import SigningKey
from tearsheet.archive.stamper import Stamper
from tearsheet.archive.verify import verify_package
from tearsheet.archive.wacz import write_file
from tearsheet.archive.warc import Archive, default_dir, raw_record
from tearsheet.config import Settings, load_settings
from tearsheet.fetch.fetcher import Exchange, Response
from tearsheet.simulate import article_page, load_histories
from tearsheet.store.proofs import Proofs
from tearsheet.store.records import CheckRecord, NewVersion, WarcPointer
from tearsheet.store.store import Store

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def page(article: int, number: int, prose: list[str]) -> bytes:
    paragraphs = [*prose[article % 7:article % 7 + 18], f"Update {number} of story {article}."]
    return article_page(f"Story {article}, take {number}", paragraphs, byline="Jane Doe",
                        noise=number).encode()


def response(url: str, body: bytes, at: datetime) -> Response:
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))))
    exchange = Exchange("HTTP/1.1", "OK", headers, "GET", "/", (("Host", "news.example"),),
                        body)
    return Response(url, url, 200, httpx.Headers(list(headers)), body, at, (), exchange)


def build(settings: Settings, articles: int, versions: int) -> tuple[Store, list[float]]:
    """The store, and the seconds each capture's ``Archive.write`` took."""
    store = Store.open(settings.database_url)
    source = store.ensure_source("bench", START)
    prose = list(dict.fromkeys(p for v in load_histories() for p in v.paragraphs))
    archive = Archive.from_settings(settings)
    writes = []
    for a in range(articles):
        url = f"https://news.example/story-{a}"
        store.add_articles(source, [(url, None)], START, 60.0, revive_gap=60.0)
        article = store.article_by_url(url)
        assert article is not None
        for n in range(1, versions + 1):
            at = START + timedelta(minutes=a * 7 + n * 61)
            fetched = response(url, page(a, n, prose), at)
            began = time.perf_counter()
            capture = archive.write(fetched, sync=False)  # the fsync is the disk's
            writes.append(time.perf_counter() - began)
            due = store.claim_article(article["id"], None)
            store.record_check(CheckRecord(due, checked_at=at, outcome="new_version",
                                           next_check_at=None,
                               check_interval=60.0, http_status=200, version=NewVersion(
                                   url=url, title=f"Story {a}, take {n}", byline="Jane Doe",
                                   published_at=START, modified_at=None, language="en",
                                   text="\n\n".join(prose[a % 7:a % 7 + 18]) + f"\n\nUpdate {n}.",
                                   content_hash=f"{a}-{n}", capture=capture)))
    return store, writes


def records_of(store: Store, settings: Settings, article_id: int) -> list[bytes]:
    folder = default_dir(settings)
    return [raw_record(folder, WarcPointer(v["warc_file"], v["warc_offset"], v["warc_length"]))
            for v in Proofs(store).versions_of(article_id)]


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def packaging(store: Store, settings: Settings, out: Path) -> dict[str, float]:
    """Seconds for every article's package, per method."""
    proofs = Proofs(store)
    key = SigningKey.generate()
    rows = list(proofs.changed_articles(None, None))
    seconds: dict[str, float] = {}

    def zip_only() -> None:
        for row in rows:
            with zipfile.ZipFile(out / f"{row['id']}.zip", "w") as package:
                package.writestr(zipfile.ZipInfo("archive/data.warc.gz"),
                                 b"".join(records_of(store, settings, row["id"])))

    from wacz.main import main as wacz  # imported before the clock starts

    def wacz_create() -> None:
        for row in rows:
            warc = out / f"{row['id']}.warc.gz"
            warc.write_bytes(b"".join(records_of(store, settings, row["id"])))
            with redirect_stdout(io.StringIO()):
                assert wacz(["create", str(warc), "-o", str(out / f"{row['id']}-peer.wacz"),
                             "--detect-pages"]) == 0

    def tearsheet_proof() -> None:
        for row in rows:
            write_file(out / f"{row['id']}.wacz", row, proofs.versions_of(row["id"]),
                       archive_dir=default_dir(settings), key=key,
                       stamps=proofs.stamps_of(row["id"]))

    def tearsheet_verify() -> None:
        for row in rows:
            assert verify_package(out / f"{row['id']}.wacz").ok

    for name, work in (("zip only (baseline)", zip_only), ("wacz create (peer)", wacz_create),
                       ("tearsheet proof", tearsheet_proof),
                       ("tearsheet verify", tearsheet_verify)):
        seconds[name] = timed(work)
    return seconds


def stamping(folder: Path, articles: int, versions: int, tsa: LocalTSA,
             batch: int) -> tuple[float, int]:
    """Seconds to stamp every version (stamper drain), and the TSA requests made."""
    settings = load_settings(None, database_url=f"sqlite:///{folder / 'ts.db'}",
                             proof={"tsa_url": tsa.url, "timestamp_batch": batch})
    store, _ = build(settings, articles, versions)
    try:
        before = tsa.requests
        began = time.perf_counter()
        stamped = asyncio.run(Stamper(settings, store).drain())
        elapsed = time.perf_counter() - began
        assert stamped == articles * versions, stamped
        return elapsed, tsa.requests - before
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    total = args.articles * args.versions
    runs: dict[str, list[float]] = {}
    stamp_runs: dict[str, list[float]] = {"batched": [], "one request per version": []}
    requests: dict[str, int] = {}
    capture_ms: dict[str, list[float]] = {"without digest": [], "with digest": []}
    with tempfile.TemporaryDirectory() as tmp:
        tsa = LocalTSA(make_authority(Path(tmp) / "tsa")).start()
        try:
            for run in range(args.runs):
                folder = Path(tmp) / f"run{run}"
                for label, tsa_url in (("without digest", None), ("with digest", tsa.url)):
                    (folder / label).mkdir(parents=True)
                    settings = load_settings(
                        None, database_url=f"sqlite:///{folder / label / 'ts.db'}",
                        proof={"tsa_url": tsa_url})
                    store, writes = build(settings, args.articles, args.versions)
                    capture_ms[label].append(median(writes) * 1000)
                    if tsa_url is None:
                        (folder / "out").mkdir()
                        for name, seconds in packaging(store, settings, folder / "out").items():
                            runs.setdefault(name, []).append(args.articles / seconds)
                    store.close()
                for label, batch in (("batched", 1000), ("one request per version", 1)):
                    (folder / label).mkdir()
                    seconds, made = stamping(folder / label, args.articles, args.versions,
                                             tsa, batch)
                    stamp_runs[label].append(seconds / total * 1000)
                    requests[label] = made
        finally:
            tsa.stop()
    baseline = median(runs["zip only (baseline)"])
    print(f"\nPackaging: {args.articles} articles × {args.versions} versions, "
          f"median of {args.runs} runs")
    print(table([(name, f"{median(v):.1f}", f"{median(v) / baseline:.2f}")
                 for name, v in runs.items()], ["method", "packages/s", "× zip only"]))
    plain = median(capture_ms["without digest"])
    print(f"\nCapture write (Archive.write, median per capture), {total} captures")
    print(table([(name, f"{median(v):.3f}", f"{median(v) / plain:.2f}")
                 for name, v in capture_ms.items()], ["archive", "ms", "× without"]))
    print(f"\nTimestamping {total} versions against a local openssl TSA")
    print(table([(name, f"{median(v):.3f}", requests[name]) for name, v in stamp_runs.items()],
                ["stamper", "ms per version", "TSA requests"]))


if __name__ == "__main__":
    main()
