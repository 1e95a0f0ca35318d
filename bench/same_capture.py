"""The fast path on real pages: a page served again byte for byte, against one in new chrome.

Why: many sites serve an article's page unchanged between edits (a cached page, a static
file): the same bytes as when the decision key was made. Such a page is known by a hash of
its bytes (``fast_path.capture_digest``) without the cheap parse and the key's digest; any
other page pays a comparison of lengths, and a hash when the lengths are equal.

For every page of ``../shared/corpora`` that gets a decision key with a digest, in one process, each
timed as the best of ``--runs`` (CPU time), the paths interleaved page by page so the
machine's noise falls on all alike:

- ``full``: ``check_capture`` without a key (extraction and the key: a new version);
- ``digest``: ``recheck`` of the same bytes by the key's digest (the key without its
  capture, as stored before it was kept: the fast path for a page in new chrome);
- ``same``: ``recheck`` of the same bytes, known by their hash;
- ``hash``: ``capture_digest`` alone (what a page of the same length but other bytes
  pays before its digest).

Prints the median ms per page of each and the ratios to ``digest``. Then the baseline of
``checkloop.py``, on these real pages: the raw fetch of every keyed page, gzipped as
stored, from ``newsite.py --files`` (its own process) with ``checkloop.py``'s concurrency,
the least CPU of ``--runs`` passes; beside it the mean of each path, so that ``fetch +
digest`` says what an unchanged check of a real page in new chrome costs the fetch (the
tracker's own share, ~0.3-0.5 ms on checkloop's pages, left out). ~2 min.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from common import bench_settings, fetch_all, median, news_site
from fast_path_sweep import SHARED, URL, corpus_pages, digest_key
from tearsheet.errors import ExtractionError
from tearsheet.extract import check_capture
from tearsheet.extract.fast_path import capture_digest, recheck

PATHS = ("full", "digest", "same", "hash")


def best(runs: int, work: Callable[[], object]) -> float:
    """The least CPU ms of ``runs`` calls of ``work``."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append(1000 * (time.process_time() - started))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page and path")
    parser.add_argument("--pages", type=int, help="a spread of this many pages (all: none)")
    args = parser.parse_args()
    timings: dict[str, list[float]] = {path: [] for path in PATHS}
    keyed: list[Path] = []
    for path in corpus_pages(SHARED, args.pages):
        body = gzip.decompress(path.read_bytes())
        try:
            key = check_capture(body, URL, None, "text/html").key
        except ExtractionError:  # a refused page: never a key
            continue
        if key is None or digest_key(key) is None:
            continue
        older = json.dumps(json.loads(key)[:-1], ensure_ascii=False, separators=(",", ":"))
        assert recheck(body, URL, None, "text/html", older) is not None, path
        assert recheck(body, URL, None, "text/html", key) is not None, path
        work: dict[str, Callable[[], object]] = {
            "full": partial(check_capture, body, URL, None, "text/html"),
            "digest": partial(recheck, body, URL, None, "text/html", older),
            "same": partial(recheck, body, URL, None, "text/html", key),
            "hash": partial(capture_digest, body, None, "text/html"),
        }
        for name in PATHS:
            timings[name].append(best(args.runs if name != "full" else 2, work[name]))
        keyed.append(path)
    pages = len(timings["digest"])
    digest = median(timings["digest"])
    print(f"{pages} keyed pages of {SHARED}, median CPU ms a page (best of {args.runs}):")
    for name in PATHS:
        value = median(timings[name])
        print(f"  {name:7s} {value:8.3f} ms   {value / digest:7.3f} x digest")
    fetch = fetch_cost(keyed, args.runs)
    print(f"raw fetch of the same pages (gzipped, from 127.0.0.1), mean CPU ms a page (least "
          f"of {args.runs} passes): {fetch:.3f} ms; each path's mean a page beside it:")
    for name in PATHS:
        value = sum(timings[name]) / pages
        print(f"  {name:7s} {value:8.3f} ms   {value / fetch:7.3f} x fetch   "
              f"fetch + {name}: {(fetch + value) / fetch:6.2f} x fetch")


def fetch_cost(paths: list[Path], runs: int) -> float:
    """The least CPU ms a page of ``runs`` raw-fetch passes over ``paths``, served as
    stored (gzipped) by ``newsite.py --files`` in its own process."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("".join(f"{path}\n" for path in paths))
        listing.flush()
        with news_site(0, files=Path(listing.name)) as site:
            settings = bench_settings("sqlite://", concurrency=16)
            urls = [site.url(k) for k in range(len(paths))]
            passes = []
            for _ in range(runs):
                started = time.process_time()
                failed = asyncio.run(fetch_all(settings, urls))
                passes.append(1000 * (time.process_time() - started) / len(urls))
                if failed:
                    raise SystemExit(f"{failed} of {len(urls)} pages could not be fetched")
    return min(passes)

if __name__ == "__main__":
    main()
