"""Memory benchmark: the tracker's memory must stay flat from 1,000 to 1,000,000 articles.

Why: a store only grows (retired articles stay, with their versions), so nothing the
runner holds may depend on how many articles the store has, only on how many are being
checked. For each size (default 1k, 10k, 100k, 1M articles) a store is built with the
spread of a long-running one and a fixed number of due articles (``--due``, default 200),
served by the local news site in its own process. A fresh interpreter per run then does
one ``Tracker.run(stop, once=True)`` pass (the source has no feeds, so only checks run)
and reports:

- ``peak RSS``: the process's peak resident set (``VmHWM``), imports included;
- ``growth in pass``: the peak during the pass (``VmHWM`` reset just before it) minus the
  resident set at its start;
- ``ru_maxrss``, for comparison: the same peak as ``getrusage`` reports it (Linux carries
  it over from the parent through fork and exec, so the stores are built in yet another
  process, to keep the parent small);
- wall and CPU milliseconds per check (flat too if nothing is O(n) per check).

The baseline is the smallest size, measured in the same invocation: the report gives the
ratio of each size to it (1.0 is flat). Each run checks the same due articles in a fresh
copy of the store; the median over ``--runs`` is reported, with every run. The tracker's
clock is set to the moment the store was built, so exactly ``--due`` articles are due
however long the build and the earlier runs took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from common import (
    bench_settings,
    build_store,
    median,
    news_site,
    peak_rss_bytes,
    reset_peak_rss,
    rss_bytes,
    sqlite_url,
    table,
)
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.schema import sources
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import assemble

MB = 1024 * 1024


def child(path: Path, concurrency: int) -> None:
    """One pass over the store at ``path``, in this (fresh) interpreter; prints JSON."""
    # Extraction in this process, so its memory is measured too (as on a one-CPU machine).
    settings = bench_settings(sqlite_url(path), concurrency=concurrency, extract_processes=0)
    store = Store.open(settings.database_url)
    with store.engine.connect() as conn:
        built_at: datetime | None = conn.scalar(select(sources.c.created_at))
    assert built_at is not None
    started = time.monotonic()

    def clock() -> datetime:
        return built_at + timedelta(seconds=time.monotonic() - started)

    async def one_pass() -> tuple[int, int, int]:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher, clock=clock) as tracker:
            stats = await tracker.run(asyncio.Event(), once=True)
        return stats.checks, stats.new_versions, stats.failed

    peak_before = peak_rss_bytes()  # imports, settings, Store.open
    rss_before = rss_bytes()
    reset = reset_peak_rss()
    wall, cpu = time.perf_counter(), time.process_time()
    checks, new, failed = asyncio.run(one_pass())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_pass = peak_rss_bytes()
    store.close()
    print(json.dumps({
        "rss_before": rss_before,
        "max_rss": max(peak_before, peak_pass),
        "pass_peak": peak_pass if reset else None,
        "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,  # KiB
        "checks": checks, "new": new, "failed": failed, "wall_s": wall, "cpu_s": cpu,
    }))


def build(path: Path, size: int, due: int, base: str) -> None:
    """Build a store (run in its own process, so the parent stays small: see below)."""
    build_store(path, size, due=due, now=datetime.now(UTC), base=base)


@dataclass(frozen=True)
class Sample:
    rss_before: int
    max_rss: int
    pass_peak: int | None
    ru_maxrss: int
    checks: int
    new: int
    failed: int
    wall_s: float
    cpu_s: float

    @property
    def growth(self) -> int:
        """Peak RSS during the pass above the RSS at its start."""
        return (self.max_rss if self.pass_peak is None else self.pass_peak) - self.rss_before


def run_child(args: list[str], timeout: float) -> str:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the child process failed:\n{done.stderr}")
    return done.stdout


def report(results: dict[int, list[Sample]], due: int) -> str:
    sizes = sorted(results)
    base = sizes[0]

    def med(size: int, value: str) -> float:
        return median([float(getattr(s, value)) for s in results[size]])

    rows = []
    for size in sizes:
        rows.append([
            f"{size:,}",
            f"{med(size, 'max_rss') / MB:.1f}",
            f"{med(size, 'max_rss') / med(base, 'max_rss'):.2f}",
            f"{med(size, 'rss_before') / MB:.1f}",
            f"{med(size, 'growth') / MB:.1f}",
            f"{med(size, 'growth') / med(base, 'growth'):.2f}",
            f"{med(size, 'ru_maxrss') / MB:.1f}",
            f"{1000 * med(size, 'wall_s') / due:.1f}",
            f"{1000 * med(size, 'cpu_s') / due:.1f}",
        ])
    out = [f"memory: one `run --once` pass checking {due} due articles, median of "
           f"{len(results[base])} runs per size (fresh interpreter each)", ""]
    out.append(table(rows, ["articles", "peak RSS MB", f"ratio to {base:,}",
                            "RSS before pass MB", "growth in pass MB", f"ratio to {base:,}",
                            "ru_maxrss MB", "wall ms/check", "CPU ms/check"]))
    out.append("")
    out.append("runs (peak RSS MB / growth MB; checks, new versions, failed):")
    for size in sizes:
        parts = [f"{s.max_rss / MB:.1f}/{s.growth / MB:.1f} ({s.checks}, {s.new}, {s.failed})"
                 for s in results[size]]
        out.append(f"  {size:>9,}: " + "; ".join(parts))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000",
                        help="article counts, comma-separated (the first is the baseline)")
    parser.add_argument("--due", type=int, default=200, help="due articles in every store")
    parser.add_argument("--runs", type=int, default=3, help="runs per size")
    parser.add_argument("--concurrency", type=int, default=16, help="fetch.concurrency")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=4, metavar=("PATH", "SIZE", "DUE", "BASE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.concurrency)
        return
    if args.build is not None:
        path, size, due, base = args.build
        build(Path(path), int(size), int(due), base)
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    results: dict[int, list[Sample]] = {}
    with news_site(args.due) as site, \
            tempfile.TemporaryDirectory(prefix="tearsheet-bench-") as tmp:
        for size in sizes:
            built = Path(tmp) / f"built-{size}.db"
            started = time.perf_counter()
            # In a child: building a million rows takes this process to hundreds of MB,
            # and every process started afterwards would inherit that as its ru_maxrss.
            run_child(["--build", str(built), str(size), str(args.due), site.base], 600)
            print(f"{size:,} articles: built in {time.perf_counter() - started:.1f} s",
                  flush=True)
            for _ in range(args.runs):
                path = Path(tmp) / "run.db"
                shutil.copyfile(built, path)
                out = run_child(["--child", str(path), "--concurrency", str(args.concurrency)],
                                600)
                results.setdefault(size, []).append(Sample(**json.loads(out.splitlines()[-1])))
                for leftover in Path(tmp).glob("run.db*"):
                    leftover.unlink()
            built.unlink()
    print(report(results, args.due))


if __name__ == "__main__":
    main()
