"""The fetcher's connection pool: CPU a fetch, httpcore's own pool against tearsheet's.

Why: httpcore 1.0's pool reassigns its connections whenever a request is queued or done,
counting every connection again for each idle one it meets (so a fetch's bookkeeping
grows with the square of ``fetch.concurrency``: encode/httpcore#1035) and polling every
idle socket. The fetcher's pool (``tearsheet.fetch.transport._Pool``) makes the same
decisions in linear time and polls a socket only when its connection is about to be used
(all of them at most every 0.1 s). This
measures what that is worth where it is paid: the raw fetch of ``checkloop.py`` (the
local news site's gzipped 20-60 KB pages, in its own process; ``Fetcher.fetch`` with as
many requests in flight as the tracker keeps), this process's CPU ms a page, for each
``--concurrency``, the two pools alternating pass by pass in one process (the machine's
drift falls on both), median of ``--runs`` passes each. ~1 min.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpcore

from checkloop import warm_up
from common import bench_settings, fetch_all, median, news_site, table
from tearsheet.affinity import keep_on_one_cpu
from tearsheet.fetch import transport

POOLS = {"httpcore's pool": httpcore.AsyncConnectionPool, "tearsheet's pool": transport._Pool}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="pages fetched a pass")
    parser.add_argument("--runs", type=int, default=5, help="passes of each pool")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64, 256],
                        help="fetch.concurrency (the pool's connections) to measure")
    args = parser.parse_args()
    rows = []
    with news_site(args.articles) as site:
        keep_on_one_cpu("auto")  # as checkloop.py and `tearsheet run` keep a tracker
        warm_up(site)
        urls = [site.url(k) for k in range(args.articles)]
        for concurrency in args.concurrency:
            settings = bench_settings("sqlite://", concurrency=concurrency)
            spent: dict[str, list[float]] = {name: [] for name in POOLS}
            for run in range(args.runs):
                # Alternated, and the order flipped each run: neither goes first always.
                for name in list(POOLS)[:: 1 if run % 2 == 0 else -1]:
                    transport._Pool = POOLS[name]  # type: ignore[misc]
                    started = time.process_time()
                    asyncio.run(fetch_all(settings, urls))
                    spent[name].append(1000 * (time.process_time() - started) / len(urls))
            transport._Pool = POOLS["tearsheet's pool"]  # type: ignore[misc]
            stock, ours = (median(spent[name]) for name in POOLS)
            rows.append((concurrency, f"{stock:.3f}", f"{ours:.3f}", f"{ours / stock:.2f}"))
    print(f"raw fetch of {args.articles} pages, CPU ms a page, median of {args.runs} passes:")
    print(table(rows, ("concurrency", *POOLS, "ratio")))


if __name__ == "__main__":
    main()
