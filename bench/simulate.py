"""End-to-end benchmark against the newsroom simulator: checks/s, CPU per check, and where
the time goes (fetch, extract, compare, store).

Why: ``checkloop.py`` measures the check loop against a bare, pre-rendered site; this one
runs the tracker against the product's own simulator (``tearsheet simulate``, in its own
process as in the demo) serving 1,000 articles through its realistic templates, with
per-request noise, gzip, and optionally faults — the pages a user's tracker really meets.

The 1,000 articles are the bundled Harbour Gazette's stories, each served under
``/a/<i>`` (so ``common.build_store`` can fill the store in bulk), one version each.
As in ``checkloop.py``, each run has a raw-fetch baseline (``Fetcher.fetch`` of every URL
with the tracker's concurrency), then ``Tracker.check_due`` twice: pass 1 stores a version
for every article, pass 2 (clock moved past the next check) finds every one unchanged.

Where the time goes is measured by wrapping, for the duration of the benchmark, the
functions the tracker calls: ``extract`` (on the extraction thread), ``fingerprint``, and
the store's ``claim_due`` and ``record_check`` (on the loop thread). Each wrapper adds the
CPU time (``time.thread_time``) of its thread spent inside the call, which is exact for
synchronous calls. What remains of the process's CPU is the fetch (httpx, the event loop,
decompression) and the tracker's own bookkeeping. The median of ``--runs`` is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from common import Timing, bench_settings, build_store, fetch_all, sqlite_url, table
from tearsheet import tracker as tracker_module
from tearsheet.cli.demo import newsroom_process
from tearsheet.config import Settings
from tearsheet.extract import extract
from tearsheet.fetch import Fetcher
from tearsheet.simulate import Version, load_histories, write_histories
from tearsheet.store import Store
from tearsheet.tracker import Tracker

T = TypeVar("T")
STAGES = ("extract", "compare", "store")
COLUMNS = (*STAGES, "fetch + loop", "store wall", "site CPU")


def histories(count: int) -> list[Version]:
    """``count`` articles under /a/<i>, from the newsroom's final versions."""
    stories: dict[str, Version] = {}
    for version in load_histories():
        stories[version.article] = version
    pool = list(stories.values())
    return [Version(f"story-{i}", f"/a/{i}", 0.0,
                    f"{pool[i % len(pool)].headline} ({i})", pool[i % len(pool)].byline,
                    pool[i % len(pool)].paragraphs, "news")
            for i in range(count)]


@dataclass
class Costs:
    """CPU seconds spent inside each stage, accumulated by the wrappers."""

    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    wall: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    calls: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def wrap(self, stage: str, function: Callable[..., T]) -> Callable[..., T]:
        def timed(*args: Any, **kwargs: Any) -> T:
            started, wall = time.thread_time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[stage] += time.thread_time() - started
                self.wall[stage] += time.perf_counter() - wall
                self.calls[stage] += 1
        return timed


@contextmanager
def instrumented(store: Store, costs: Costs, *, wrap_extract: bool) -> Iterator[None]:
    """Wrap the tracker's stages for the duration of a pass.

    With a process pool, ``extract`` runs in the workers (whose CPU is counted with the
    children's) and cannot be wrapped: a closure does not pickle.
    """
    saved_extract, saved_fingerprint = tracker_module.extract, tracker_module.fingerprint
    if wrap_extract:
        tracker_module.extract = costs.wrap("extract", saved_extract)  # type: ignore[assignment]
    tracker_module.fingerprint = costs.wrap("compare", saved_fingerprint)  # type: ignore[assignment]
    store.record_check = costs.wrap("store", store.record_check)  # type: ignore[method-assign]
    store.claim_due = costs.wrap("store", store.claim_due)  # type: ignore[method-assign]
    try:
        yield
    finally:
        tracker_module.extract, tracker_module.fingerprint = saved_extract, saved_fingerprint
        del store.record_check, store.claim_due  # back to the class's methods


@dataclass(frozen=True)
class StageTiming(Timing):
    stages: dict[str, float]  # CPU seconds per stage
    store_wall_s: float = 0.0  # wall time inside the store: it blocks the event loop
    site_cpu_s: float = 0.0  # CPU of the simulator's process

    def stage_ms(self, stage: str) -> float:
        if stage == "store wall":
            return 1000 * self.store_wall_s / self.count
        if stage == "site CPU":
            return 1000 * self.site_cpu_s / self.count
        if stage == "fetch + loop":
            return 1000 * (self.cpu_s - sum(self.stages.values())) / self.count
        return 1000 * self.stages[stage] / self.count


async def raw_fetch(settings: Settings, urls: list[str]) -> StageTiming:
    wall, cpu = time.perf_counter(), time.process_time()
    failed = await fetch_all(settings, urls)
    return StageTiming(len(urls), time.perf_counter() - wall, time.process_time() - cpu,
                  f"{len(urls) - failed} fetched, {failed} failed", dict.fromkeys(STAGES, 0.0))


async def tracker_pass(tracker: Tracker, store: Store, until: datetime, count: int) -> StageTiming:
    stats = tracker.stats
    before = stats.new_versions, stats.unchanged, stats.failed
    costs = Costs()
    wall, cpu = time.perf_counter(), time.process_time()
    with instrumented(store, costs, wrap_extract=not isinstance(
            tracker._extractor, ProcessPoolExecutor)):
        await tracker.check_due(asyncio.Event(), until=until)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    new, unchanged, failed = (a - b for a, b in zip(
        (stats.new_versions, stats.unchanged, stats.failed), before, strict=True))
    return StageTiming(count, wall, cpu, f"{new} new, {unchanged} unchanged, {failed} failed",
                  dict(costs.cpu), costs.wall["store"])


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def child_cpu_seconds() -> float:
    """CPU seconds (user + system) of this process's children: the simulator."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def warm_pool(pool: ProcessPoolExecutor, workers: int, url: str) -> None:
    """Load trafilatura in every worker before the clock starts."""
    page = httpx.get(url).content
    list(pool.map(extract, [page] * workers * 2, [url] * workers * 2))


async def one_run(settings: Settings, store: Store, urls: list[str],
                  pool: ProcessPoolExecutor | None = None) -> list[StageTiming]:
    async def site_measured(work: Awaitable[StageTiming]) -> StageTiming:
        before = child_cpu_seconds()
        timing = await work
        return dataclasses.replace(timing, site_cpu_s=child_cpu_seconds() - before)

    fetch = await site_measured(raw_fetch(settings, urls))
    clock = Clock()
    async with Fetcher(settings.fetch) as fetcher:
        tracker = Tracker(settings, store, fetcher, clock=clock)
        if pool is not None:
            # A prototype of a process pool for extraction, without touching tracker.py:
            # the tracker submits picklable jobs (a partial of `extract`) to its executor.
            tracker._extractor = pool  # type: ignore[assignment]
        first = await site_measured(tracker_pass(tracker, store, clock(), len(urls)))
        schedule = settings.schedule
        clock.offset = timedelta(seconds=schedule.first_interval * (1 + schedule.jitter) + 60)
        second = await site_measured(tracker_pass(tracker, store, clock(), len(urls)))
    return [fetch, first, second]


def report(runs: list[list[StageTiming]], articles: int, concurrency: int, faults: float) -> str:
    labels = ["raw fetch (baseline)", "pass 1: all new versions", "pass 2: all unchanged"]
    rows = []
    for k, label in enumerate(labels):
        timings = [run[k] for run in runs]
        med = statistics.median
        rows.append([label, f"{med(t.per_second for t in timings):.0f}",
                     f"{med(t.cpu_ms for t in timings):.2f}",
                     f"{med(run[0].per_second / run[k].per_second for run in runs):.2f}",
                     *(f"{med(t.stage_ms(s) for t in timings):.2f}"
                       if k or s == "site CPU" else "-" for s in COLUMNS)])
    out = [f"simulator end to end: {articles:,} articles, concurrency {concurrency}, "
           f"faults {faults:.0%}, median of {len(runs)} runs", ""]
    out.append(table(rows, ["", "checks/s", "CPU ms/check", "wall ratio to fetch",
                            *(f"{c} ms" for c in COLUMNS)]))
    out.append("")
    out.append("runs (checks/s, CPU ms/check; outcomes):")
    for n, run in enumerate(runs, 1):
        out.append(f"  {n}: " + "; ".join(
            f"{name} {t.per_second:.0f}/s {t.cpu_ms:.2f} ms ({t.outcome})"
            for name, t in zip(("fetch", "pass 1", "pass 2"), run, strict=True)))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="articles served")
    parser.add_argument("--runs", type=int, default=3, help="runs (the median is reported)")
    parser.add_argument("--concurrency", type=int, default=16, help="fetch.concurrency")
    parser.add_argument("--faults", type=float, default=0.0, help="share of faulty answers")
    parser.add_argument("--extract-processes", type=int, default=0,
                        help="prototype: extract in a pool of this many processes (0: the "
                             "tracker's own thread)")
    args = parser.parse_args()
    pool = ProcessPoolExecutor(args.extract_processes) if args.extract_processes else None

    runs = []
    with tempfile.TemporaryDirectory(prefix="tearsheet-bench-") as tmp:
        folder = Path(tmp)
        write_histories(histories(args.articles), folder / "histories.jsonl")
        with newsroom_process(folder / "site.log", "--histories",
                              str(folder / "histories.jsonl"), "--faults", str(args.faults),
                              "--slow-delay", "3") as base:
            if pool is not None:
                warm_pool(pool, args.extract_processes, f"{base}/a/0")
            for n in range(args.runs):
                path = folder / f"run-{n}.db"
                build_store(path, args.articles, due=args.articles, now=datetime.now(UTC),
                            base=base)
                settings = bench_settings(sqlite_url(path), concurrency=args.concurrency)
                store = Store.open(settings.database_url)
                try:
                    urls = [f"{base}/a/{i}" for i in range(args.articles)]
                    runs.append(asyncio.run(one_run(settings, store, urls, pool)))
                finally:
                    store.close()
                print(f"run {n + 1}/{args.runs} done", file=sys.stderr, flush=True)
    if pool is not None:
        pool.shutdown()
    print(report(runs, args.articles, args.concurrency, args.faults))
    if pool is not None:
        print(f"extraction in {args.extract_processes} worker processes: their CPU is in "
              "'site CPU' (all child processes), not in 'CPU ms/check'")


if __name__ == "__main__":
    main()
