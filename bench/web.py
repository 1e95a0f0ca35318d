"""Benchmark of the web UI: latency of its main pages on a big store, under concurrency.

Target (issue 6): with 100,000 articles and 1,000,000 versions in SQLite, the front page,
an article page and a diff page each answer in under 50 ms at the 95th percentile under
20 concurrent clients. Baseline in the same run: a static file from the same server (the
floor that HTTP, uvicorn and the client cost).

The store is built in bulk (``INSERT ... SELECT`` over recursive CTEs, with the change
summaries the tracker would store; the search index's triggers are dropped for the build,
since search is not measured here) and kept in ``bench/results/`` for the next run. The
server runs as ``tearsheet serve`` in its own process; the clients are asyncio tasks in
this one.

    python bench/web.py [--articles 100000] [--versions 10] [--clients 20] [--requests 400]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tearsheet.store import Store

RESULTS = Path(__file__).resolve().parent / "results"
PARAGRAPHS = [
    "The council approved a budget of {n} million on Tuesday after a long debate.",
    "Opponents said the plan relied on optimistic forecasts of parking revenue and fees.",
    "The mayor is expected to sign it before the end of the month, a spokeswoman said.",
    "Residents of the northern districts said the new bus routes would help commuters.",
]


def build(path: Path, articles: int, per_article: int) -> None:
    if path.exists():
        return
    store = Store.open(f"sqlite:///{path}")
    store.close()
    with closing(sqlite3.connect(path)) as db:
        db.executescript("""
            DROP TRIGGER IF EXISTS versions_fts_insert;
            DROP TRIGGER IF EXISTS versions_fts_delete;
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            INSERT INTO sources (id, name, created_at) VALUES (1, 'bench', '2026-01-01 00:00:00');
        """)
        text = "\n\n".join(PARAGRAPHS).replace("'", "''")
        db.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {articles})
            INSERT INTO articles (id, source_id, url, title, first_seen_at, last_seen_at,
                                  last_changed_at, next_check_at, check_interval, version_count)
            SELECT i, 1, 'https://news.example/a/' || i, 'Story ' || i,
                   datetime('2026-01-01', '+' || (i * 60) || ' seconds'),
                   datetime('2026-01-01', '+' || (i * 60) || ' seconds'),
                   datetime('2026-01-01', '+' || (i * 60 + {per_article} * 3600) || ' seconds'),
                   NULL, 1800.0, {per_article} FROM n""")
        db.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {articles}),
                 k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < {per_article})
            INSERT INTO versions (article_id, number, captured_at, url, title, byline, text,
                                  content_hash, language, kinds, significance, boring,
                                  words_added, words_removed)
            SELECT i, j, datetime('2026-01-01', '+' || (i * 60 + j * 3600) || ' seconds'),
                   'https://news.example/a/' || i, 'Story ' || i || ' (' || j || ')', 'A. Writer',
                   replace('{text}', '{{n}}', i + j), i || '-' || j, 'en',
                   -- what the tracker stores for these edits (a figure and the headline)
                   CASE WHEN j > 1 THEN ',headline_changed,numbers_changed,' END,
                   CASE WHEN j > 1 THEN 0.48 END, CASE WHEN j > 1 THEN 0 END,
                   CASE WHEN j > 1 THEN 2 END, CASE WHEN j > 1 THEN 2 END
            FROM n, k""")
        db.commit()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(base: str, paths: list[str], clients: int) -> list[float]:
    """``clients`` concurrent clients share the list of requests; returns latencies (ms)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    latencies: list[float] = []

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while not queue.empty():
                path = queue.get_nowait()
                start = time.perf_counter()
                response = await http.get(path)
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=10, help="per article")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per page kind")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    options = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"web-{options.articles}x{options.versions}.db"
    started = time.time()
    build(path, options.articles, options.versions)
    print(f"store: {options.articles:,} articles, {options.articles * options.versions:,} "
          f"versions, {path.stat().st_size / 1e6:.0f} MB (ready in {time.time() - started:.0f} s)")
    config = RESULTS / "web.toml"
    config.write_text(f'database_url = "sqlite:///{path}"\n')
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tearsheet", "serve", "--config", str(config), "--port",
         str(port), "--workers", str(options.workers)],
        stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/static/style.css")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        rng = random.Random(1)
        n, k = options.articles, options.versions
        kinds = {
            "static file (baseline)": ["/static/style.css"] * options.requests,
            "front page": ["/"] * options.requests,
            "article page": [f"/articles/{rng.randint(1, n)}" for _ in range(options.requests)],
            "diff page": [f"/articles/{rng.randint(1, n)}/diff/{(j := rng.randint(1, k - 1))}/"
                          f"{j + 1}" for _ in range(options.requests)],
        }
        print(f"\n{options.clients} concurrent clients, {options.requests} requests per page, "
              f"{options.workers} server processes\n")
        print(f"{'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'p95 / baseline':>15}")
        baseline = None
        for name, paths in kinds.items():
            asyncio.run(load(base, paths[: options.clients], options.clients))  # warm up
            latencies = asyncio.run(load(base, paths, options.clients))
            p95 = percentile(latencies, 0.95)
            baseline = baseline or p95
            verdict = "" if name.startswith("static") else (
                "  met" if p95 < 50 else "  MISSED (target 50 ms)")
            print(f"{name:<24} {statistics.median(latencies):>8.1f} {p95:>8.1f} "
                  f"{p95 / baseline:>15.1f}{verdict}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
