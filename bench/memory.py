"""Memory benchmark: the tracker's memory must stay flat from 1,000 to 1,000,000 articles.

Why: a store only grows (retired articles stay, with their versions), so nothing the
runner holds may depend on how many articles the store has, only on how many are being
checked. For each size (default 1k, 10k, 100k, 1M articles) a store is built with the
spread of a long-running one and a fixed number of due articles (``--due``, default 200),
served by the local news site in its own process. A fresh interpreter per run then does
one ``Tracker.run(stop, once=True)`` pass (the source has no feeds, so only checks run)
and reports:

- ``max RSS``: the process's peak resident set (``ru_maxrss``), imports included;
- ``growth``: that peak minus the resident set just before the pass;
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

from common import bench_settings, build_store, median, news_site, rss_bytes, sqlite_url, table
from tearsheet.fetch import Fetcher
from tearsheet.schema import sources
from tearsheet.store import Store
from tearsheet.tracker import Tracker

MB = 1024 * 1024


def child(path: Path, concurrency: int) -> None:
    """One pass over the store at ``path``, in this (fresh) interpreter; prints JSON."""
    settings = bench_settings(sqlite_url(path), concurrency=concurrency)
    store = Store.open(settings.database_url)
    with store.engine.connect() as conn:
        built_at = conn.scalar(select(sources.c.created_at))
    assert built_at is not None
    started = time.monotonic()

    def clock() -> datetime:
        return built_at + timedelta(seconds=time.monotonic() - started)

    async def one_pass() -> tuple[int, int, int]:
        async with Fetcher(settings.fetch) as fetcher:
            tracker = Tracker(settings, store, fetcher, clock=clock)
            stats = await tracker.run(asyncio.Event(), once=True)
        return stats.checks, stats.new_versions, stats.failed

    rss_before = rss_bytes()
    wall, cpu = time.perf_counter(), time.process_time()
    checks, new, failed = asyncio.run(one_pass())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    store.close()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({
        "rss_before": rss_before, "max_rss": max_rss, "rss_after": rss_bytes(),
        "checks": checks, "new": new, "failed": failed, "wall_s": wall, "cpu_s": cpu,
    }))


@dataclass(frozen=True)
class Sample:
    rss_before: int
    max_rss: int
    rss_after: int
    checks: int
    new: int
    failed: int
    wall_s: float
    cpu_s: float

    @property
    def growth(self) -> int:
        return self.max_rss - self.rss_before


def run_child(path: Path, concurrency: int, timeout: float) -> Sample:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--concurrency", str(concurrency)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{done.stderr}")
    return Sample(**json.loads(done.stdout.strip().splitlines()[-1]))


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
            f"{1000 * med(size, 'wall_s') / due:.1f}",
            f"{1000 * med(size, 'cpu_s') / due:.1f}",
        ])
    out = [f"memory: one `run --once` pass checking {due} due articles, median of "
           f"{len(results[base])} runs per size (fresh interpreter each)", ""]
    out.append(table(rows, ["articles", "max RSS MB", f"ratio to {base:,}",
                            "RSS before pass MB", "growth MB", f"ratio to {base:,}",
                            "wall ms/check", "CPU ms/check"]))
    out.append("")
    out.append("runs (max RSS MB / growth MB; checks, new versions, failed):")
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
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.concurrency)
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    results: dict[int, list[Sample]] = {}
    with news_site(args.due) as site, \
            tempfile.TemporaryDirectory(prefix="tearsheet-bench-") as tmp:
        for size in sizes:
            built = Path(tmp) / f"built-{size}.db"
            started = time.perf_counter()
            build_store(built, size, due=args.due, now=datetime.now(UTC), base=site.base)
            print(f"{size:,} articles: built in {time.perf_counter() - started:.1f} s",
                  flush=True)
            for _ in range(args.runs):
                path = Path(tmp) / "run.db"
                shutil.copyfile(built, path)
                results.setdefault(size, []).append(run_child(path, args.concurrency, 600))
                for leftover in Path(tmp).glob("run.db*"):
                    leftover.unlink()
            built.unlink()
    print(report(results, args.due))


if __name__ == "__main__":
    main()
