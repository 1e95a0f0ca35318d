"""Benchmark of the web UI: latency of its pages on a big store, under concurrency, idle
and while the tracker writes, with one server process and with several.

Targets: issue 6 — with 100,000 articles and 1,000,000 versions in SQLite, the front
page, an article page and a diff page answer in under 50 ms at the 95th percentile under
20 concurrent clients; issue 21 — the same with the tracker writing meanwhile, never a
"database is locked", and the statistics page rendered in well under a second the first
time. Baseline in the same run: a static file from the same server (the floor that HTTP,
uvicorn and the client cost).

The store is built in bulk (``INSERT ... SELECT`` over recursive CTEs, with the change
summaries and statistics' counters the tracker would store, and the search index built
in one pass) and kept in ``bench/results/`` for the next run. The server runs as
``tearsheet serve --workers N`` in its own processes, a fresh one per run; each
``--workers`` count is measured. The load comes from ``wrk`` (Debian's package; C, so the
clients take little of the two cores) driven by ``bench/web.lua``, or, where wrk is
missing, from asyncio clients in this process (which then compete with the server for
the cores: the report says which was used).

Each run measures every page kind idle, then again while a writer process stores
``--rate`` versions a second through the tracker's own write (``Store.record_check``:
version, check, trace keys, schedule and counters in one transaction, ``synchronous=FULL``
as the tracker). Every failed answer, every writer error and every "database is locked"
in the server's log is counted; the bench exits 1 if there is any.

Each page kind requests a spread of distinct URLs, as readers would: random articles of
the 100,000, random pairs of versions, the front page with its filters, older front pages
and a source's list at random points in time (keyset cursors), searches for the figure of
a version, the statistics page and its charts, and the JSON API. The server's page cache
answers repeats; the report counts its hits and misses from the ``x-cache`` header.
Before the load, the query plans of the source page and of the statistics, and the first
render of the statistics page in a fresh app.

    python bench/web.py [--articles 100000] [--versions 10] [--clients 20] [--seconds 5]
                        [--runs 3] [--workers 1 2] [--rate 20] [--kinds KIND ...]
                        [--client wrk|python]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, select

from common import RESULTS, median, table
from tearsheet.store.store import Store
from webstore import PARAGRAPHS, PG_ADMIN, PG_DATABASE, build, build_postgresql

KINDS = ("static file (baseline)", "front page", "older front pages", "article page",
         "diff page", "source page", "statistics", "search", "API")
TARGET_MS = 50.0
FIRST = datetime(2026, 1, 1)


def spread(kind: str, articles: int, per_article: int, count: int,
           rng: random.Random) -> list[str]:
    """The paths one page kind requests: distinct where readers' requests would be."""
    span = articles * 60 + per_article * 3600  # the store's time span, in seconds

    def moment() -> str:
        return f"{(FIRST + timedelta(seconds=rng.randint(0, span))).isoformat()}%2B00:00"

    if kind.startswith("static"):
        return ["/static/style.css"]
    if kind == "front page":  # the first page, as it is and with each filter
        return ["/", "/?kind=headline_changed", "/?min=0.3", "/?source=bench",
                "/?boring=true"]
    if kind == "older front pages":  # keyset cursors anywhere in the store's time span
        return [f"/?before={moment()},{rng.randint(1, articles * per_article)}"
                for _ in range(count)]
    if kind == "article page":
        return [f"/articles/{rng.randint(1, articles)}" for _ in range(count)]
    if kind == "source page":  # the source's list (the sort of 0016), anywhere in it
        return ["/sources", "/sources/bench"] + [
            f"/sources/bench?before={moment()},{rng.randint(1, articles)}"
            for _ in range(count)]
    if kind == "statistics":  # one page and its two charts: the page cache's case
        return ["/stats", "/stats/changes.svg", "/stats/share.svg"]
    if kind == "search":  # the figure a version holds (a handful of versions each)
        return [f"/search?q=budget+{rng.randint(2, articles)}" for _ in range(count)]
    if kind == "API":  # JSON, never cached: an article with its history, changes, lists
        return [rng.choice((f"/api/v1/articles/{rng.randint(1, articles)}",
                            "/api/v1/changes?limit=50", "/api/v1/stats",
                            "/api/v1/articles?limit=50")) for _ in range(count)]
    paths = []  # diff pages: a random change of a random article, a quarter inline
    for _ in range(count):
        old = rng.randint(1, per_article - 1)
        inline = "?view=inline" if rng.random() < 0.25 else ""
        paths.append(f"/articles/{rng.randint(1, articles)}/diff/{old}/{old + 1}{inline}")
    return paths


def write(url: str, rate: float, articles: int) -> None:
    """The tracker's writes, until SIGTERM: ``rate`` new versions a second, each through
    :meth:`Store.record_check` (one transaction: the version, its check, its trace keys,
    the article's schedule and the statistics' counters), with the store's own settings
    (WAL, ``synchronous=FULL``, its busy timeout). Prints what it wrote and every error."""
    from tearsheet.diff.align import Document
    from tearsheet.diff.summary import ChangeSummary
    from tearsheet.diff.trace import index_keys
    from tearsheet.store.records import CheckRecord, DueArticle, NewVersion, Outcome
    from tearsheet.store.schema import articles as table

    store = Store.open(url, upgrade=False)
    rng = random.Random()
    stop = False

    def finish(*_: Any) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, finish)
    print("ready", flush=True)  # the bench measures from here on
    written, errors = 0, collections.Counter[str]()
    summary = ChangeSummary(("numbers_changed",), 0.3, False, 1, 1)
    started = time.monotonic()
    while not stop:
        ahead = started + written / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
            continue
        try:
            with store.engine.connect() as conn:
                row = conn.execute(select(table).where(
                    table.c.id == rng.randint(1, articles))).one()._mapping
            text = "\n\n".join(PARAGRAPHS).replace("{n}", f"{rng.randint(2, 10**9)}")
            keys = index_keys(Document.from_text(text, language="en"))
            article = DueArticle(**{name: row[name] for name in (
                "id", "source_id", "url", "check_interval", "first_seen_at",
                "last_changed_at", "version_count", "content_hash", "etag",
                "last_modified", "error_count")})
            now = datetime.now(UTC)
            store.record_check(CheckRecord(
                article, checked_at=now, outcome=Outcome.NEW_VERSION, next_check_at=None,
                check_interval=article.check_interval, http_status=200, elapsed_ms=150,
                version=NewVersion(url=article.url, title=f"{row['title']} (updated)",
                                   byline="A. Writer", published_at=None, modified_at=None,
                                   language="en", text=text,
                                   content_hash=hashlib.sha256(text.encode()).hexdigest(),
                                   summary=summary, trace_keys=keys, standfirst="")))
            written += 1
        except Exception as exc:  # counted, and the writing goes on
            errors[f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"] += 1
            written += 1
    print(json.dumps({"written": written - sum(errors.values()),
                      "seconds": time.monotonic() - started, "errors": dict(errors)}),
          flush=True)
    store.close()


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


def start_server(config: Path, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("ab") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "tearsheet", "serve", "--config", str(config), "--port",
             str(port), "--workers", str(workers)],
            stderr=errors, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/static/style.css")
            return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start")


def first_renders(base: str) -> dict[str, float]:
    """Wall time of the first request of a few pages after the server started (its page
    cache empty, its diff cache empty): what the first reader waits."""
    times = {}
    for path in ("/", "/stats", "/sources", "/sources/bench"):
        started = time.perf_counter()
        response = httpx.get(base + path, timeout=60)
        times[path] = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or response.headers.get("x-cache") != "miss":
            raise RuntimeError(f"{path}: {response.status_code} {response.headers}")
    return times


def start_writer(url: str, rate: float, articles: int) -> subprocess.Popen[str]:
    """The writer process, once it writes (its start-up can take seconds on a loaded
    machine: the pages are measured only while it writes)."""
    writer = subprocess.Popen(
        [sys.executable, __file__, "--write", url, "--rate", str(rate),
         "--articles", str(articles)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    if writer.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the writer did not start (exit status {writer.wait()})")
    return writer


def stop_writer(writer: subprocess.Popen[str]) -> dict[str, Any]:
    writer.send_signal(signal.SIGTERM)
    out, _ = writer.communicate(timeout=60)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=10, help="per article")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5, help="per page kind and run")
    parser.add_argument("--runs", type=int, default=3, help="the report gives medians")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="server processes: each count is measured")
    parser.add_argument("--rate", type=float, default=20,
                        help="versions a second the writer stores meanwhile")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS,
                        metavar="KIND")
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help=f"postgresql: the store in {PG_DATABASE} on {PG_ADMIN}")
    parser.add_argument("--write", help=argparse.SUPPRESS)  # the writer process
    options = parser.parse_args()
    if options.write:
        write(options.write, options.rate, options.articles)
        return
    kinds = [kind for kind in KINDS if kind in options.kinds or kind == KINDS[0]]
    RESULTS.mkdir(exist_ok=True)
    started = time.time()
    if options.database == "postgresql":
        url = build_postgresql(options.articles, options.versions)
        size = "in PostgreSQL"
    else:
        path = RESULTS / f"web-{options.articles}x{options.versions}.db"
        build(path, options.articles, options.versions)
        url, size = f"sqlite:///{path}", f"{path.stat().st_size / 1e6:.0f} MB"
    print(f"store: {options.articles:,} articles, {options.articles * options.versions:,} "
          f"versions, {size} (ready in {time.time() - started:.0f} s)")
    plans(url)
    config = RESULTS / "web.toml"
    config.write_text(f'database_url = "{url}"\n')
    rng = random.Random(1)
    spreads = {kind: spread(kind, options.articles, options.versions, 50_000, rng)
               for kind in kinds}
    files = {}
    for n, (kind, paths) in enumerate(spreads.items()):
        files[kind] = RESULTS / f"web-paths-{n}.txt"
        files[kind].write_text("\n".join(paths) + "\n")
    load = os.getloadavg()
    print(f"load generator: {options.client}"
          f"{'' if options.client == 'wrk' else ' (asyncio clients in this process)'}; "
          f"{options.clients} concurrent clients, {options.seconds:.0f} s per page kind, "
          f"{options.runs} runs, server processes {options.workers}, writer "
          f"{options.rate:.0f} versions/s, {os.cpu_count()} cores, "
          f"load average before {load[0]:.2f}")
    log = RESULTS / "web-server.log"
    log.write_text("")
    results: dict[tuple[int, bool, str], list[dict[str, Any]]] = {}
    writes: list[dict[str, Any]] = []
    firsts: dict[int, list[dict[str, float]]] = {}
    for workers in options.workers:
        for run in range(options.runs):
            # A server per run: its first pages are rendered cold (empty caches).
            server, base = start_server(config, workers, log)
            try:
                firsts.setdefault(workers, []).append(first_renders(base))
                for writing in (False, True):
                    writer = start_writer(url, options.rate, options.articles) \
                        if writing else None
                    try:
                        for kind in kinds:  # interleaved: outside load hits every kind
                            result = measure(options, base, server, kind, files[kind],
                                             spreads[kind])
                            results.setdefault((workers, writing, kind), []).append(result)
                            print(f"  {workers} proc. run {run + 1} "
                                  f"{'writing' if writing else 'idle   '} {kind}: p95 "
                                  f"{result['p95']:.1f} ms, "
                                  f"{result['requests'] / result['seconds']:.0f} req/s, "
                                  f"errors {result['bad_status'] + result['socket_errors']}, "
                                  f"load {os.getloadavg()[0]:.1f}", flush=True)
                    finally:
                        if writer is not None:
                            writes.append(stop_writer(writer))
                            print(f"  writer: {writes[-1]}", flush=True)
            finally:
                server.terminate()
                server.wait(timeout=30)
    locked = log.read_text().count("database is locked")
    report(results, options.runs, options.workers, kinds)
    print("\nfirst render after start (cold caches), ms, median of runs:")
    print(table([(n, *(f"{median([f[p] for f in firsts[n]]):.0f}" for p in firsts[n][0]))
                 for n in options.workers], ["processes", *firsts[options.workers[0]][0]]))
    errors = collections.Counter[str]()
    for w in writes:
        errors.update(w["errors"])
    rate = median([w["written"] / w["seconds"] for w in writes])
    bad = sum(r["bad_status"] + r["socket_errors"] for rs in results.values() for r in rs)
    print(f"\nwriter: {sum(w['written'] for w in writes):,} versions stored, "
          f"{rate:.1f}/s (median of runs); writer errors {sum(errors.values())} "
          f"{dict(errors) or ''}; failed answers {bad}; 'database is locked' in the "
          f"server log {locked}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if errors or bad or locked:
        sys.exit(1)


def measure(options: argparse.Namespace, base: str, server: subprocess.Popen[bytes],
            kind: str, file: Path, paths: list[str]) -> dict[str, Any]:
    server_cpu, client_cpu = cpu_seconds(server.pid), client_cpu_seconds()
    if options.client == "wrk":
        result = with_wrk(base, file, options.clients, options.seconds)
    else:
        result = asyncio.run(with_python(base, paths, options.clients, options.seconds))
    requests = max(result["requests"], 1)
    result["server_cpu_ms"] = (cpu_seconds(server.pid) - server_cpu) * 1000 / requests
    result["client_cpu_ms"] = (client_cpu_seconds() - client_cpu) * 1000 / requests
    return result


def plans(url: str) -> None:
    """The query plans of the pages that read every article (EXPLAIN of the statements
    the app runs), so a missing index shows in the bench's output."""
    from tearsheet.store.browse import Browse

    store = Store.open(url, upgrade=False)
    explain = "EXPLAIN QUERY PLAN" if store.engine.dialect.name == "sqlite" else "EXPLAIN"
    browse = Browse(store)
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    middle = datetime(2026, 2, 1, tzinfo=UTC)
    calls = {"source page": lambda: browse.articles_of("bench", 30, (middle, 10)),
             "statistics: sources": browse.sources,
             "statistics: changes per day": lambda: browse.changes_per_day(middle),
             "statistics: most edited": browse.most_edited,
             "statistics: time to first change": browse.time_to_first_change}
    print(f"\nquery plans ({store.engine.dialect.name}) and the time of each call, cold "
          "(first) and warm:")
    for name, call in calls.items():
        statements.clear()
        times = []
        for _ in range(2):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {name}: {times[0]:.1f} ms, then {times[1]:.1f} ms")
        with store.engine.connect() as conn:
            for statement, parameters in statements[:len(statements) // 2][:2]:
                for row in conn.exec_driver_sql(f"{explain} {statement}", parameters):
                    print(f"      {row[-1]}")
    event.remove(store.engine, "before_cursor_execute", capture)
    browse.close()
    store.close()
    # The statistics page through a fresh app in this process: its first render (every
    # cache empty, the template compiled then), and a second one that misses the page
    # cache (another URL) but finds the process warm.
    from fastapi.testclient import TestClient

    from tearsheet.config import load_settings
    from tearsheet.web import create_app

    app = create_app(load_settings(None, database_url=url))
    with TestClient(app) as client:
        for label, url in (("first render", "/stats"), ("second (page cache missed)",
                                                        "/stats?again")):
            started = time.perf_counter()
            answer = client.get(url)
            print(f"  statistics page, {label} in a fresh app: "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms "
                  f"({answer.status_code}, x-cache {answer.headers.get('x-cache')})")


def report(results: dict[tuple[int, bool, str], list[dict[str, Any]]], runs: int,
           workers: list[int], kinds: list[str]) -> None:
    print(f"\nmedians of {runs} runs; p50 / p95 ms, idle and with the writer storing "
          "versions; cache: page-cache hits")
    for n in workers:
        rows = []
        for kind in kinds:
            row: list[str] = [kind]
            for writing in (False, True):
                measured = results[(n, writing, kind)]
                hits = sum(r["hits"] for r in measured)
                cached = hits + sum(r["misses"] for r in measured)
                row += [f"{median([r['p50'] for r in measured]):.1f}",
                        f"{median([r['p95'] for r in measured]):.1f}",
                        f"{median([r['requests'] / r['seconds'] for r in measured]):.0f}",
                        f"{median([r['server_cpu_ms'] for r in measured]):.2f}",
                        f"{100 * hits / cached:.0f}%" if cached else "-"]
            rows.append(row)
        print(f"\n{n} server process{'es' if n > 1 else ''}:")
        print(table(rows, ["page", "idle p50", "idle p95", "idle req/s", "idle CPU ms/req",
                           "idle cache", "writing p50", "writing p95", "writing req/s",
                           "writing CPU ms/req", "writing cache"]))


if __name__ == "__main__":
    main()
