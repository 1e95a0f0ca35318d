"""End-to-end benchmark against the newsroom simulator: checks/s, CPU per check, and where
the time goes (fetch, extract, compare, store, archive).

Why: ``checkloop.py`` measures the check loop against a bare, pre-rendered site; this one
runs the tracker against the product's own simulator (``tearsheet simulate``, in its own
process as in the demo) serving 1,000 articles through its realistic templates, with
per-request noise, gzip, and optionally faults — the pages a user's tracker really meets.

The 1,000 articles are the bundled Harbour Gazette's stories, each served under
``/a/<i>`` (so ``common.build_store`` can fill the store in bulk), one version each.
As in ``checkloop.py``, each run has a raw-fetch baseline (``Fetcher.fetch`` of every URL
with the tracker's concurrency), then ``Tracker.check_due`` twice: pass 1 stores a version
for every article, pass 2 (clock moved past the next check) finds every one unchanged.

The tracker runs as configured by default: extraction in ``fetch.extract_processes``
worker processes (one per CPU), store writes on its writer thread, grouped into commits
(``--extract-processes 0`` puts extraction back on a thread in this process).

Where the time goes: ``fingerprint`` and the fast path's ``recheck`` and ``same_capture``
(compare, on the loop thread: an unchanged page is known there), the store's
``claim_due`` and ``record_checks`` (store, on the writer thread) and the WARC archive's
``write`` (archive, on the writer thread too, before its group's commit; by default
each new version's raw response is kept) are wrapped for the duration of a pass; each
wrapper adds the CPU time (``time.thread_time``) of its thread spent inside the call,
exact for synchronous calls.
Extraction is the CPU of the worker processes over the pass (read from ``/proc``), or,
with a thread, a wrapper of ``check_capture``. What remains of this process's CPU is "fetch +
loop": httpx, decompression, the event loop, the tracker's bookkeeping, and sending
pages to the workers and results back. "CPU ms/check" is this process plus the workers;
"site CPU" is the simulator's process. The median of ``--runs`` is reported.
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from common import (
    Timing,
    bench_settings,
    build_store,
    cpu_seconds,
    fetch_all,
    one_version_stories,
    sqlite_url,
    table,
    warm_pool,
)
from tearsheet.config import Settings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.simulate import write_histories
from tearsheet.simulate.newsroom import newsroom_process
from tearsheet.store.store import Store
from tearsheet.tracker import tracker as tracker_module
from tearsheet.tracker.tracker import Tracker, assemble

T = TypeVar("T")
STAGES = ("extract", "compare", "store", "archive")
COLUMNS = (*STAGES, "fetch + loop", "site CPU")


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
def instrumented(tracker: Tracker, costs: Costs) -> Iterator[None]:
    """Wrap the tracker's stages for the duration of a pass.

    With a process pool, ``check_capture`` runs in the workers (their CPU is read from /proc)
    and cannot be wrapped: a closure does not pickle.
    """
    store = tracker.store
    compared = ("fingerprint", "recheck", "same_capture")
    saved = {name: getattr(tracker_module, name) for name in ("check_capture", *compared)}
    if not tracker.pool.uses_processes:
        tracker_module.check_capture = costs.wrap(  # type: ignore[assignment]
            "extract", saved["check_capture"])
    for name in compared:
        setattr(tracker_module, name, costs.wrap("compare", saved[name]))
    store.record_checks = costs.wrap("store", store.record_checks)  # type: ignore[method-assign]
    store.claim_due = costs.wrap("store", store.claim_due)  # type: ignore[method-assign]
    tracker.archive.write = costs.wrap("archive", tracker.archive.write)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(tracker_module, name, function)
        del store.record_checks, store.claim_due  # back to the class's methods
        del tracker.archive.write


@dataclass(frozen=True)
class StageTiming(Timing):
    """``cpu_s`` is this process's CPU plus the extraction workers'."""

    stages: dict[str, float]  # CPU seconds per stage
    process_cpu_s: float = 0.0  # CPU of this process alone (all its threads)
    extract_in_workers: bool = False  # stages["extract"] is the workers' CPU
    commits: int = 0  # group commits of checks
    site_cpu_s: float = 0.0  # CPU of the simulator's process

    def stage_ms(self, stage: str) -> float:
        if stage == "site CPU":
            return 1000 * self.site_cpu_s / self.count
        if stage == "fetch + loop":
            in_process = sum(cpu for stage, cpu in self.stages.items()
                             if not (stage == "extract" and self.extract_in_workers))
            return 1000 * (self.process_cpu_s - in_process) / self.count
        return 1000 * self.stages[stage] / self.count


async def raw_fetch(settings: Settings, urls: list[str]) -> StageTiming:
    wall, cpu = time.perf_counter(), time.process_time()
    failed = await fetch_all(settings, urls)
    cpu = time.process_time() - cpu
    return StageTiming(len(urls), time.perf_counter() - wall, cpu,
                       f"{len(urls) - failed} fetched, {failed} failed",
                       dict.fromkeys(STAGES, 0.0), process_cpu_s=cpu)


async def tracker_pass(tracker: Tracker, store: Store, until: datetime, count: int) -> StageTiming:
    stats = tracker.stats
    before = stats.new_versions, stats.unchanged, stats.failed
    costs = Costs()
    commits = tracker.writer.commits
    workers = tracker.pool.worker_pids()
    workers_cpu = sum(map(cpu_seconds, workers))
    wall, cpu = time.perf_counter(), time.process_time()
    with instrumented(tracker, costs):
        await tracker.check_due(asyncio.Event(), until=until)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stages = dict(costs.cpu)
    total = cpu
    if tracker.pool.uses_processes:
        if tracker.pool.worker_pids() != workers:
            print("warning: the extraction workers changed during the pass", file=sys.stderr)
        stages["extract"] = sum(map(cpu_seconds, workers)) - workers_cpu
        total += stages["extract"]
    new, unchanged, failed = (a - b for a, b in zip(
        (stats.new_versions, stats.unchanged, stats.failed), before, strict=True))
    return StageTiming(count, wall, total, f"{new} new, {unchanged} unchanged, {failed} failed",
                       stages, process_cpu_s=cpu, commits=tracker.writer.commits - commits,
                       extract_in_workers=tracker.pool.uses_processes)


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def site_cpu_seconds() -> float:
    """CPU seconds of this process's children but the extraction pool's fork server
    (whose own children, the workers, are counted by :func:`tracker_pass`): the simulator."""
    total = 0.0
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            with contextlib.suppress(OSError):
                if b"forkserver" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    total += cpu_seconds(int(pid))
    return total


async def one_run(settings: Settings, store: Store, urls: list[str]) -> list[StageTiming]:
    async def site_measured(work: Awaitable[StageTiming]) -> StageTiming:
        before = site_cpu_seconds()
        timing = await work
        return dataclasses.replace(timing, site_cpu_s=site_cpu_seconds() - before)

    fetch = await site_measured(raw_fetch(settings, urls))
    clock = Clock()
    async with Fetcher(settings.fetch) as fetcher, \
            assemble(settings, store, fetcher, clock=clock) as tracker:
        await warm_pool(tracker, urls[0])
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
    out.append("runs (checks/s, CPU ms/check; outcomes; checks per commit):")
    for n, run in enumerate(runs, 1):
        out.append(f"  {n}: " + "; ".join(
            f"{name} {t.per_second:.0f}/s {t.cpu_ms:.2f} ms ({t.outcome}"
            + (f"; {t.count / t.commits:.1f}/commit)" if t.commits else ")")
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
    parser.add_argument("--extract-processes", type=int, default=None,
                        help="fetch.extract_processes (default: the setting's, one per CPU; "
                             "0: a thread in the tracker's process)")
    args = parser.parse_args()

    runs = []
    with tempfile.TemporaryDirectory(prefix="tearsheet-bench-") as tmp:
        folder = Path(tmp)
        write_histories(one_version_stories(args.articles, "/a/"), folder / "histories.jsonl")
        with newsroom_process(folder / "site.log", "--histories",
                              str(folder / "histories.jsonl"), "--faults", str(args.faults),
                              "--slow-delay", "3") as base:
            for n in range(args.runs):
                path = folder / f"run-{n}.db"
                build_store(path, args.articles, due=args.articles, now=datetime.now(UTC),
                            base=base)
                settings = bench_settings(sqlite_url(path), concurrency=args.concurrency,
                                          extract_processes=args.extract_processes)
                store = Store.open(settings.database_url)
                try:
                    urls = [f"{base}/a/{i}" for i in range(args.articles)]
                    runs.append(asyncio.run(one_run(settings, store, urls)))
                finally:
                    store.close()
                print(f"run {n + 1}/{args.runs} done", file=sys.stderr, flush=True)
    print(report(runs, args.articles, args.concurrency, args.faults))
    print(f"extraction: {settings.fetch.extract_processes} worker process(es)"
          if settings.fetch.extract_processes > 0 else "extraction: one thread")
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
