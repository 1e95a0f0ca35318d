"""Benchmark of the web UI: latency of its main pages on a big store, under concurrency.

Target (issue 6): with 100,000 articles and 1,000,000 versions in SQLite, the front page,
an article page and a diff page each answer in under 50 ms at the 95th percentile under
20 concurrent clients. Baseline in the same run: a static file from the same server (the
floor that HTTP, uvicorn and the client cost).

The store is built in bulk (``INSERT ... SELECT`` over recursive CTEs, with the change
summaries the tracker would store; the search index's triggers are dropped for the build,
since search is not measured here) and kept in ``bench/results/`` for the next run. The
server runs as ``tearsheet serve --workers N`` in its own processes. The load comes from
``wrk`` (Debian's package; C, so the clients take little of the two cores) driven by
``bench/web.lua``, or, where wrk is missing, from asyncio clients in this process (which
then compete with the server for the cores: the report says which was used).

Each page kind requests a spread of distinct URLs, as readers would: random articles of
the 100,000, random pairs of versions, the front page with its filters, and older front
pages at random points in time (keyset cursors). The server's page cache answers repeats;
the report counts its hits and misses from the ``x-cache`` header of every answer.

    python bench/web.py [--articles 100000] [--versions 10] [--clients 20] [--seconds 10]
                        [--runs 3] [--workers 2] [--client wrk|python]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from common import RESULTS, median, table
from tearsheet.errors import StoreError
from tearsheet.store.store import Store

PARAGRAPHS = [
    "The council approved a budget of {n} million on Tuesday after a long debate.",
    "Opponents said the plan relied on optimistic forecasts of parking revenue and fees.",
    "The mayor is expected to sign it before the end of the month, a spokeswoman said.",
    "Residents of the northern districts said the new bus routes would help commuters.",
]


def build(path: Path, articles: int, per_article: int) -> None:
    if path.exists():
        try:  # a store kept from a run of older code is built again, never migrated
            Store.open(f"sqlite:///{path}", upgrade=False).close()
            return
        except StoreError:
            path.unlink()
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


KINDS = ("static file (baseline)", "front page", "older front pages", "article page",
         "diff page")
TARGET_MS = 50.0
FIRST = datetime(2026, 1, 1)


def spread(kind: str, articles: int, per_article: int, count: int,
           rng: random.Random) -> list[str]:
    """The paths one page kind requests: distinct where readers' requests would be."""
    if kind.startswith("static"):
        return ["/static/style.css"]
    if kind == "front page":  # the first page, as it is and with each filter
        return ["/", "/?kind=headline_changed", "/?min=0.3", "/?source=bench",
                "/?boring=true"]
    if kind == "older front pages":  # keyset cursors anywhere in the store's time span
        span = (articles * 60 + per_article * 3600)
        return [f"/?before={(FIRST + timedelta(seconds=rng.randint(0, span))).isoformat()}"
                f"%2B00:00,{rng.randint(1, articles * per_article)}" for _ in range(count)]
    if kind == "article page":
        return [f"/articles/{rng.randint(1, articles)}" for _ in range(count)]
    paths = []  # diff pages: a random change of a random article, a quarter inline
    for _ in range(count):
        old = rng.randint(1, per_article - 1)
        inline = "?view=inline" if rng.random() < 0.25 else ""
        paths.append(f"/articles/{rng.randint(1, articles)}/diff/{old}/{old + 1}{inline}")
    return paths


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants so far (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:  # it ended meanwhile
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def client_cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the wrk runs)."""
    ours, theirs = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return ours.ru_utime + ours.ru_stime + theirs.ru_utime + theirs.ru_stime


def with_wrk(base: str, paths: Path, clients: int, seconds: float) -> dict[str, Any]:
    """One closed-loop run of wrk: ``clients`` connections, each sends its next request
    when the last one is answered."""
    script = Path(__file__).resolve().parent / "web.lua"
    out = subprocess.run(
        ["wrk", "--threads", "1", "--connections", str(clients), "--duration",
         f"{seconds:.0f}s", "--timeout", "10s", "--latency", "--script", str(script), base],
        env={**os.environ, "PATHS": str(paths)}, capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"wrk said nothing usable:\n{out.stdout}\n{out.stderr}")


async def with_python(base: str, paths: list[str], clients: int,
                      seconds: float) -> dict[str, Any]:
    """The same closed loop as :func:`with_wrk`, from asyncio clients in this process."""
    latencies: list[float] = []
    counts = {"hits": 0, "misses": 0, "uncached": 0, "bad_status": 0}
    deadline = time.perf_counter() + seconds

    async def client(offset: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            position = offset
            while time.perf_counter() < deadline:
                position += 1
                start = time.perf_counter()
                response = await http.get(paths[position % len(paths)])
                latencies.append((time.perf_counter() - start) * 1000)
                cache = response.headers.get("x-cache")
                counts["hits" if cache == "hit" else "misses" if cache == "miss"
                       else "uncached"] += 1
                counts["bad_status"] += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(client(n * 7919) for n in range(clients)))
    ordered = sorted(latencies)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "requests": len(ordered),
            "seconds": time.perf_counter() - started, **counts, "socket_errors": 0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(config: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tearsheet", "serve", "--config", str(config), "--port",
         str(port), "--workers", str(workers)],
        stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            httpx.get(base + "/static/style.css")
            return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=10, help="per article")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10, help="per page kind and run")
    parser.add_argument("--runs", type=int, default=3, help="the report gives medians")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python")
    options = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"web-{options.articles}x{options.versions}.db"
    started = time.time()
    build(path, options.articles, options.versions)
    print(f"store: {options.articles:,} articles, {options.articles * options.versions:,} "
          f"versions, {path.stat().st_size / 1e6:.0f} MB (ready in {time.time() - started:.0f} s)")
    config = RESULTS / "web.toml"
    config.write_text(f'database_url = "sqlite:///{path}"\n')
    rng = random.Random(1)
    spreads = {kind: spread(kind, options.articles, options.versions, 50_000, rng)
               for kind in KINDS}
    files = {}
    for n, (kind, paths) in enumerate(spreads.items()):
        files[kind] = RESULTS / f"web-paths-{n}.txt"
        files[kind].write_text("\n".join(paths) + "\n")
    load = os.getloadavg()
    print(f"load generator: {options.client}"
          f"{'' if options.client == 'wrk' else ' (asyncio clients in this process)'}; "
          f"{options.clients} concurrent clients, {options.seconds:.0f} s per page kind, "
          f"{options.runs} runs, {options.workers} server processes, {os.cpu_count()} cores, "
          f"load average before {load[0]:.2f}")
    results: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    server, base = start_server(config, options.workers)
    try:
        for run in range(options.runs):
            for kind in KINDS:  # interleaved, so a burst of outside load hits every kind
                server_cpu, client_cpu = cpu_seconds(server.pid), client_cpu_seconds()
                if options.client == "wrk":
                    result = with_wrk(base, files[kind], options.clients, options.seconds)
                else:
                    result = asyncio.run(with_python(base, spreads[kind], options.clients,
                                                     options.seconds))
                result["server_cpu_ms"] = \
                    (cpu_seconds(server.pid) - server_cpu) * 1000 / result["requests"]
                result["client_cpu_ms"] = \
                    (client_cpu_seconds() - client_cpu) * 1000 / result["requests"]
                if result["bad_status"] or result["socket_errors"]:
                    raise RuntimeError(f"{kind}: {result}")
                results[kind].append(result)
                print(f"  run {run + 1} {kind}: p95 {result['p95']:.1f} ms, "
                      f"{result['requests'] / result['seconds']:.0f} req/s, server CPU "
                      f"{result['server_cpu_ms']:.2f} ms/request, load average "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    report(results, options.runs)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def report(results: dict[str, list[dict[str, Any]]], runs: int) -> None:
    baseline = [r["p95"] for r in results[KINDS[0]]]
    rows = []
    for kind, measured in results.items():
        p95 = median([r["p95"] for r in measured])
        ratio = median([r["p95"] / b for r, b in zip(measured, baseline, strict=True)])
        hits = sum(r["hits"] for r in measured)
        cached = hits + sum(r["misses"] for r in measured)
        verdict = "" if kind == KINDS[0] else "met" if p95 < TARGET_MS else "MISSED"
        rows.append((kind, f"{median([r['p50'] for r in measured]):.1f}", f"{p95:.1f}",
                     f"{median([r['p99'] for r in measured]):.1f}",
                     f"{median([r['requests'] / r['seconds'] for r in measured]):.0f}",
                     f"{median([r['server_cpu_ms'] for r in measured]):.2f}",
                     f"{median([r['client_cpu_ms'] for r in measured]):.2f}",
                     f"{100 * hits / cached:.0f}%" if cached else "-", f"{ratio:.2f}",
                     verdict))
    print(f"\nmedians of {runs} runs (target: p95 under {TARGET_MS:.0f} ms)\n")
    print(table(rows, ["page", "p50 ms", "p95 ms", "p99 ms", "req/s", "server CPU ms/req",
                       "client CPU ms/req", "cache hits", "p95 / baseline", "target"]))


if __name__ == "__main__":
    main()
