"""Check-loop benchmark: checks per second and CPU milliseconds per check.

Why: a check is the tracker's unit of work (claim, fetch, extract, compare, store), so
its cost decides how many articles one runner can follow. ``Tracker.check_due`` runs over
``--articles`` tracked articles (default 1,000) served by a local news site in a separate
process (``newsite.py``: realistic 20-60 KB pages, gzipped, whose chrome changes between
visits), three times:

- pass 1: every article is new, so every check stores a version (extraction included);
- pass 2: the clock moves past the next check, every article is due again and unchanged
  (the site sends no validators, as most news sites whose chrome changes), with the fast
  path (``fetch.fast_path``, the default): the page is recognised from the decision key
  the first pass stored (see ``tearsheet.extract.recheck``), without extraction;
- pass 3: the same with the fast path off: a full fetch and extraction, no version stored.

With ``--free-recheck``, a pass between the second and the third finds every page
unchanged without reading it (the fast path's answer given for free: ``recheck`` replaced
by the key's own answer, a bench-only patch put back after the pass): what is left is the
fetch and the tracker's own part, so the fast path's row less this one is what the recheck
costs inside the tracker, where it shares the loop with the fetches (half as much again as
alone, docs/performance.md).

With ``--floor``, a last pass reads the same pages as new ones, on a store of its own,
with trafilatura alone (``bench/floor.py``: its ``bare_extraction`` as its users call it,
no rule, decision key or trace keys of tearsheet's): the floor a new version stands on,
and what tearsheet's own work adds to it.

Baseline, measured in the same run: the raw fetch alone — ``Fetcher.fetch`` of the same
URLs with the same concurrency and as many requests in flight, no extraction, no store —
so the report can give the tracker's cost as a ratio of the fetch's, which is what stays
comparable from one noisy machine to another. It is measured before the three passes and
again after them, and the run's baseline is the two together: a machine whose speed
drifts during a run (one baseline pass alone moved by a third between runs) moves it
with the passes it is compared with.

CPU time is this process's (``time.process_time``: all its threads, including the
extraction threads), and with ``--extract-processes N`` (the tracker as configured by
default runs one worker process per CPU) the extraction workers' too, read from ``/proc``;
the site's CPU is in its own process and not counted. Each run uses
a fresh store in a temporary folder (SQLite, as configured: WAL, synchronous=FULL). The
report gives the median over ``--runs`` and every run, and where each tracker pass's CPU
went by thread (each thread's own CPU clock, read before and after the pass): the event
loop (fetches, the check's own code, hand-offs), the extraction thread, the store writer
(with the checks per commit; the WARC records are its since session 28), the rest
(``asyncio.to_thread`` reads, a process pool's feeder) and the extraction workers. A ratio
moves with the machine's load; the split says which part did.

This process's threads are kept on one CPU, as ``tearsheet run`` keeps a tracker's
(``worker.cpu``, :mod:`tearsheet.affinity`), from before the first baseline: the raw fetch
is measured as kept too. ``--cpu any`` leaves them where the system puts them; ``--cpu
both`` alternates the two run by run (``--runs`` of each) and reports each.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from common import (
    NewsSite,
    Timing,
    bench_settings,
    build_store,
    cpu_seconds,
    fetch_all,
    median,
    news_site,
    sqlite_url,
    table,
    warm_pool,
)
from floor import no_trace_keys, trafilatura_alone
from tearsheet.affinity import CpuChoice, keep_on_one_cpu
from tearsheet.config import Settings
from tearsheet.extract.extraction import extract
from tearsheet.extract.fast_path import Checked, DecisionKey
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tearsheet.tracker import tracker as tracker_module
from tearsheet.tracker.tracker import Tracker, assemble


async def timed(count: int, work: Callable[[], Awaitable[str]]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    outcomes = await work()
    return Timing(count, time.perf_counter() - wall, time.process_time() - cpu, outcomes)


async def raw_fetch(settings: Settings, urls: list[str]) -> str:
    """The baseline: fetch every URL, ``capacity`` requests in flight like the tracker."""
    failed = await fetch_all(settings, urls)
    return f"{len(urls) - failed} fetched, {failed} failed"


class Clock:
    """The tracker's clock, which the benchmark can move forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def tracker_pass(tracker: Tracker, clock: Clock) -> str:
    before = tracker.stats.new_versions, tracker.stats.unchanged, tracker.stats.failed
    # As `tearsheet run --once` does: what is due now, fixed at the start of the pass.
    await tracker.check_due(asyncio.Event(), until=clock())
    after = tracker.stats.new_versions, tracker.stats.unchanged, tracker.stats.failed
    new, unchanged, failed = (a - b for a, b in zip(after, before, strict=True))
    return f"{new} new, {unchanged} unchanged, {failed} failed"


THREADS = ("loop", "extraction", "writer", "other", "workers")


def thread_cpu() -> dict[int, tuple[str, float]]:
    """This process's live threads: their part (:data:`THREADS`) and CPU seconds so far."""
    found = {}
    for thread in threading.enumerate():
        if thread.ident is None:
            continue
        try:
            seconds = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        except OSError:  # ended meanwhile
            continue
        name = thread.name
        part = ("loop" if thread is threading.main_thread() else "extraction"
                if name.startswith("extract") else "writer" if name == "store-writer"
                else "other")
        found[thread.ident] = (part, seconds)
    return found


def spent(before: dict[int, tuple[str, float]],
          after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds by part between two readings (of the threads alive at the second)."""
    parts = dict.fromkeys(THREADS, 0.0)
    for ident, (part, seconds) in after.items():
        earlier = before.get(ident)
        parts[part] += seconds - (earlier[1] if earlier and earlier[0] == part else 0.0)
    return parts


@dataclass(frozen=True)
class Split:
    """One tracker pass's CPU ms per check by thread, and its checks per commit."""

    ms: dict[str, float]
    per_commit: float


@dataclass(frozen=True)
class Run:
    fetch: Timing
    first: Timing
    fast: Timing
    slow: Timing
    splits: tuple[Split, ...]  # new, fast, slow (and free, and floor)
    free: Timing | None = None  # --free-recheck's pass
    floor: Timing | None = None  # --floor's pass


def free_recheck(document: bytes, url: str, charset: str | None, content_type: str,
                 key: str) -> Checked | None:
    """The fast path's answer without its work: unchanged, by the stored key alone."""
    known = DecisionKey.loads(key)
    return None if known is None else Checked(None, key, known.body_length)


def together(a: Timing, b: Timing) -> Timing:
    """Two timings of the same operations as one (their means per operation)."""
    return Timing(a.count + b.count, a.wall_s + b.wall_s, a.cpu_s + b.cpu_s,
                  f"{a.outcome}, {a.cpu_ms:.2f} ms; then {b.outcome}, {b.cpu_ms:.2f} ms")


async def one_pass(settings: Settings, store: Store, urls: list[str], clock: Clock, *,
                   fast_path: bool, swaps: Mapping[str, object]) -> tuple[Timing, Split]:
    """One tracker pass over ``urls``, with the tracker module's names in ``swaps``
    replaced for it (bench-only patches, put back after it)."""
    tuned = settings.model_copy(update={
        "fetch": settings.fetch.model_copy(update={"fast_path": fast_path})})
    kept = {name: getattr(tracker_module, name) for name in swaps}
    for name, value in swaps.items():
        setattr(tracker_module, name, value)
    try:
        async with Fetcher(tuned.fetch) as fetcher, \
                assemble(tuned, store, fetcher, clock=clock) as tracker:
            await warm_pool(tracker, urls[0])
            workers = {pid: cpu_seconds(pid) for pid in tracker.pool.worker_pids()}
            before, commits = thread_cpu(), tracker.writer.commits
            timing = await timed(len(urls), lambda: tracker_pass(tracker, clock))
            after, commits = thread_cpu(), tracker.writer.commits - commits
            in_workers = sum(cpu_seconds(pid) - workers.get(pid, 0.0)
                             for pid in tracker.pool.worker_pids())
    finally:
        for name, value in kept.items():
            setattr(tracker_module, name, value)
    parts = {**spent(before, after), "workers": in_workers}
    return (dataclasses.replace(timing, cpu_s=timing.cpu_s + in_workers),
            Split({part: 1000 * seconds / len(urls) for part, seconds in parts.items()},
                  len(urls) / max(commits, 1)))


async def one_run(settings: Settings, store: Store, urls: list[str], free: bool = False,
                  floor: tuple[Settings, Store] | None = None) -> Run:
    opening = await timed(len(urls), lambda: raw_fetch(settings, urls))
    clock = Clock()
    passes: dict[str, tuple[Timing, Split]] = {}
    # New versions; unchanged with the fast path (and with its answer free), then without
    # it (which clears the stored keys: last).
    for name, fast_path, swaps in (
            ("new", True, {}), ("fast", True, {}),
            *([("free", True, {"recheck": free_recheck})] if free else []),
            ("slow", False, {})):
        passes[name] = await one_pass(settings, store, urls, clock, fast_path=fast_path,
                                      swaps=swaps)
        # Past every article's next check (its interval, plus jitter), not past a second.
        clock.offset += timedelta(seconds=settings.schedule.max_interval * 2)
    if floor is not None:
        # New versions again, on a store of its own whose articles are all new: the same
        # pages read by trafilatura alone (bench/floor.py). Last: a visit between the
        # passes above would show the unchanged passes the chrome the first one stored.
        passes["floor"] = await one_pass(
            *floor, urls, Clock(), fast_path=True,
            swaps={"check_capture": trafilatura_alone, "index_keys": no_trace_keys})
    # The baseline again after the passes: the run's is the two together, so a machine
    # that speeds up or slows down during the run moves the baseline with the passes. (The
    # site alternates two chromes per article visit; the passes stay consecutive visits,
    # so the unchanged passes still see chrome that changed.)
    closing = await timed(len(urls), lambda: raw_fetch(settings, urls))
    reported = ["new", "fast", "slow", *(["free"] if free else []),
                *(["floor"] if floor else [])]  # the report's order
    return Run(together(opening, closing), passes["new"][0], passes["fast"][0],
               passes["slow"][0], tuple(passes[name][1] for name in reported),
               passes["free"][0] if free else None,
               passes["floor"][0] if floor else None)


def warm_up(site: NewsSite) -> None:
    """Load what extraction loads lazily, so run 1 does not pay for it."""
    settings = bench_settings("sqlite://", concurrency=2)

    async def pages() -> list[bytes]:
        async with Fetcher(settings.fetch) as fetcher:
            return [(await fetcher.fetch(site.url(k))).body for k in range(3)]

    for k, body in enumerate(asyncio.run(pages())):
        extract(body, site.url(k))


def due_store(path: Path, args: argparse.Namespace,
              site: NewsSite) -> tuple[Settings, Store]:
    """A new store at ``path`` whose ``args.articles`` articles are all due, and the
    settings that name it."""
    build_store(path, args.articles, due=args.articles, now=datetime.now(UTC),
                base=site.base)
    # Extraction in this process by default, so the CPU column is the whole check's
    # without reading other processes; with workers, theirs is added.
    settings = bench_settings(sqlite_url(path), concurrency=args.concurrency,
                              extract_processes=args.extract_processes)
    return settings, Store.open(settings.database_url)


def report(runs: list[Run], articles: int, concurrency: int, processes: int) -> str:
    def cells(pick: Callable[[Run], Timing], label: str) -> list[str]:
        timings = [pick(r) for r in runs]
        wall_ratio = [r.fetch.per_second / pick(r).per_second for r in runs]
        cpu_ratio = [pick(r).cpu_ms / r.fetch.cpu_ms for r in runs]
        return [
            label,
            f"{median([t.per_second for t in timings]):.0f}",
            f"{median([t.cpu_ms for t in timings]):.2f}",
            f"{median(wall_ratio):.2f}",
            f"{median(cpu_ratio):.2f}",
        ]

    free = all(r.free is not None for r in runs)
    floor = all(r.floor is not None for r in runs)
    labels = ["new versions", "unchanged, fast path", "unchanged, full extraction",
              *(["unchanged, recheck free"] if free else []),
              *(["new versions, trafilatura alone"] if floor else [])]
    rows = [
        cells(lambda r: r.fetch, "raw fetch (baseline)"),
        cells(lambda r: r.first, labels[0]),
        cells(lambda r: r.fast, labels[1]),
        cells(lambda r: r.slow, labels[2]),
        *([cells(lambda r: cast(Timing, r.free), labels[3])] if free else []),
        *([cells(lambda r: cast(Timing, r.floor), labels[-1])] if floor else []),
    ]
    where = f"{processes} worker processes" if processes else "a thread"
    out = [f"check loop: {articles:,} articles, concurrency {concurrency}, extraction in "
           f"{where}, median of {len(runs)} runs", ""]
    out.append(table(rows, ["", "checks/s", "CPU ms/check", "wall ratio to fetch",
                            "CPU ratio to fetch"]))
    out.append("")
    out.append("CPU ms/check by thread (median of the runs):")
    out.append(table([
        [label, *(f"{median([r.splits[n].ms[part] for r in runs]):.2f}" for part in THREADS),
         f"{median([r.splits[n].per_commit for r in runs]):.1f}"]
        for n, label in enumerate(labels)],
        ["", *THREADS, "checks/commit"]))
    if free:
        recheck_ms = median([r.fast.cpu_ms - cast(Timing, r.free).cpu_ms for r in runs])
        out.append(f"the recheck in the tracker (fast path less recheck free): "
                   f"{recheck_ms:.2f} ms a check")
    if floor:
        beyond = median([r.first.cpu_ms - cast(Timing, r.floor).cpu_ms for r in runs])
        out.append(f"a new version beyond trafilatura alone (tearsheet's rules, decision "
                   f"key and trace keys): {beyond:.2f} ms a check")
    out.append("")
    out.append("runs (checks/s, CPU ms/check; outcomes):")
    for n, run in enumerate(runs, 1):
        parts = [f"{name} {t.per_second:.0f}/s {t.cpu_ms:.2f} ms ({t.outcome})"
                 for name, t in (("fetch", run.fetch), ("new", run.first),
                                 ("fast", run.fast), ("full", run.slow),
                                 *([("free", run.free)] if run.free else []),
                                 *([("floor", run.floor)] if run.floor else []))]
        out.append(f"  {n}: " + "; ".join(parts))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="tracked articles")
    parser.add_argument("--runs", type=int, default=3, help="runs (the median is reported)")
    parser.add_argument("--concurrency", type=int, default=16, help="fetch.concurrency")
    parser.add_argument("--extract-processes", type=int, default=0,
                        help="fetch.extract_processes (0: a thread in this process; the "
                             "tracker's default is one worker process per CPU)")
    parser.add_argument("--free-recheck", action="store_true",
                        help="add a pass whose pages the fast path finds unchanged for "
                             "free: the recheck's own cost in the tracker, by difference")
    parser.add_argument("--floor", action="store_true",
                        help="add a pass of new versions read by trafilatura alone (no "
                             "rule, key or trace keys of tearsheet's: bench/floor.py), on "
                             "a store of its own")
    parser.add_argument("--cpu", default="auto",
                        help="worker.cpu: the CPU this process's threads are kept on, as "
                             "`tearsheet run` keeps them (auto, a number; any: not kept); "
                             "both: runs alternately kept (auto) and not, each reported")
    args = parser.parse_args()
    choices: list[CpuChoice] = (
        ["auto", "any"] if args.cpu == "both"
        else [int(args.cpu) if args.cpu.isdigit() else args.cpu])

    runs: dict[str, list[Run]] = {}
    with news_site(args.articles) as site, \
            tempfile.TemporaryDirectory(prefix="tearsheet-bench-") as tmp:
        keep_on_one_cpu(choices[0])  # (the site, started already, is not kept)
        warm_up(site)
        urls = [site.url(k) for k in range(args.articles)]
        for n in range(args.runs * len(choices)):
            # As `tearsheet run` does, and before the baseline: the raw fetch runs as
            # kept too. Alternated run by run (kept, free, free, kept…), the machine's
            # drift and a process's first run fall on both alike.
            choice = choices[(n + n // 2) % len(choices)]
            kept = keep_on_one_cpu(choice)
            path = Path(tmp) / f"run-{n}.db"
            settings, store = due_store(path, args, site)
            floor = due_store(path.with_suffix(".floor.db"), args, site) \
                if args.floor else None
            try:
                run = asyncio.run(one_run(settings, store, urls, args.free_recheck, floor))
            finally:
                store.close()
                if floor is not None:
                    floor[1].close()
            where = "on any CPU" if kept is None else "kept on one CPU"
            runs.setdefault(where, []).append(run)
            print(f"run {n + 1}/{args.runs * len(choices)} done "
                  f"({'any CPU' if kept is None else f'CPU {kept}'})", flush=True)
    for where, theirs in runs.items():
        print(f"\nthis process's threads {where} (--cpu {args.cpu}):")
        print(report(theirs, args.articles, args.concurrency, args.extract_processes))


if __name__ == "__main__":
    main()
