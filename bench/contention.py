"""Contention benchmark: what a busy event loop in the same process does to a check's CPU.

Why: in ``checkloop.py`` a new version's extraction costs its thread 40-90 % more CPU than
the same calls timed alone, and every part of the check pays alike (the WARC record, the
fetch itself). This script shows where that comes from without the tracker: the same
work over checkloop's pages (``newsite.py`` in its own process), each part timed by its
own thread's CPU clock,

- alone, one part after the other, on one thread;
- beside a second thread whose event loop fetches the site without pause, as the
  tracker's does while extraction runs (``Fetcher.fetch``, checkloop's concurrency);
- with that, both threads held to one CPU (``os.sched_setaffinity`` of this thread,
  before the busy loop's starts and inherits it): they then take turns on one core's
  caches instead of moving the interpreter's state and their objects from one core's
  to the other's at every hand-off of the GIL (Linux only).

(The interpreter's switch interval is not the cause: 50 ms instead of 5 gave 1.55×
against 1.38×, docs/performance.md.)

The parts: ``check_capture`` (a new version's extraction and decision key), the WARC
record (``Archive.write_group`` of three captures, as the tracker groups them, without
its fsync), and the fetch (the busy loop's own CPU a page). The median of ``--runs`` is
reported. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from common import bench_settings, median, news_site, table
from tearsheet.archive.warc import Archive
from tearsheet.config import Settings
from tearsheet.extract.fast_path import check_capture
from tearsheet.fetch.fetcher import Fetcher, Response


def per_page(work: Callable[[], None], pages: int) -> float:
    """CPU ms a page of ``work`` (over ``pages`` pages), by this thread's clock."""
    started = time.thread_time()
    work()
    return 1000 * (time.thread_time() - started) / pages


class BusyLoop:
    """A thread whose event loop fetches ``urls`` over and over until stopped."""

    def __init__(self, settings: Settings, urls: list[str]) -> None:
        self.settings, self.urls = settings, urls
        self.stop = threading.Event()
        self.ms = 0.0
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()))

    async def _run(self) -> None:
        fetched, started = 0, time.thread_time()
        slots = asyncio.Semaphore(self.settings.fetch.concurrency * 2)

        async def one(fetcher: Fetcher, url: str) -> None:
            async with slots:
                await fetcher.fetch(url)

        batch = self.urls[:100]
        async with Fetcher(self.settings.fetch) as fetcher:
            while not self.stop.is_set():
                await asyncio.gather(*(one(fetcher, url) for url in batch))
                fetched += len(batch)
        self.ms = 1000 * (time.thread_time() - started) / max(fetched, 1)

    def __enter__(self) -> BusyLoop:
        self.thread.start()
        time.sleep(0.5)  # its pool warm
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--pages", type=int, default=300, help="checkloop pages")
    parser.add_argument("--runs", type=int, default=3, help="runs (the median is reported)")
    args = parser.parse_args()
    settings = bench_settings("sqlite://", concurrency=16)
    results: dict[str, dict[str, list[float]]] = {}
    with news_site(args.pages) as site, tempfile.TemporaryDirectory() as folder:
        urls = [site.url(k) for k in range(args.pages)]

        async def fetch_all() -> list[Response]:
            async with Fetcher(settings.fetch) as fetcher:
                return [await fetcher.fetch(url) for url in urls]

        responses = asyncio.run(fetch_all())
        archive = Archive(settings.archive, Path(folder))

        def extract() -> None:
            for r in responses:
                check_capture(r.document, r.url, r.document_charset, r.content_type)

        def record() -> None:
            for k in range(0, len(responses), 3):
                archive.write_group(responses[k:k + 3])

        extract()  # load what extraction loads lazily
        everywhere = os.sched_getaffinity(0)
        one = {min(everywhere)}
        settings_run = (("alone", False, everywhere), ("beside a busy loop", True, everywhere),
                        ("… both threads held to one CPU", True, one))
        for _ in range(args.runs):
            for label, busy, cpus in settings_run:
                os.sched_setaffinity(0, cpus)  # this thread's, and the busy loop's started after
                parts = results.setdefault(label, {"extraction": [], "WARC": [], "fetch": []})
                loop = BusyLoop(settings, urls)
                with loop if busy else contextlib.nullcontext():
                    parts["extraction"].append(per_page(extract, len(responses)))
                    parts["WARC"].append(per_page(record, len(responses)))
                if not busy:  # the fetch alone: the loop with nothing beside it
                    with loop:
                        time.sleep(2)
                parts["fetch"].append(loop.ms)
        os.sched_setaffinity(0, everywhere)
    alone = results["alone"]
    rows = [[label, *(f"{median(parts[p]):.2f} ({median(parts[p]) / median(alone[p]):.2f}×)"
                      for p in ("extraction", "WARC", "fetch"))]
            for label, parts in results.items()]
    print(f"{args.pages} checkloop pages, thread CPU ms a page (× alone), median of "
          f"{args.runs} runs:")
    print(table(rows, ["", "check_capture", "WARC record", "fetch"]))


if __name__ == "__main__":
    main()
