"""PostgreSQL at scale: checks per second with 1, 2 and 4 workers, and the due claim at
10,000,000 articles.

Why: the capacity plan in docs/deploy.md needs numbers measured here, and the claim
query runs every few milliseconds on every worker: it must stay an index range scan,
however many articles the store holds (target: under 10 ms at 10 million).

**Workers.** ``tearsheet simulate`` (its own process) serves ``--articles`` (1,000)
stories, one version each, listed in its sitemap. For each worker count, a fresh
database (``tearsheet db upgrade``), then that many ``tearsheet worker`` processes (their
own interpreters, as deployed; ``fetch.extract_processes = 0``: extraction on a thread of
each worker, so a worker is one process). checks/s is the first pass (one new version
per article) over the span of the ``checks`` rows' times, which leaves process start-up
and discovery out. The baseline is one worker, in the same run.

**Size.** ``--versions`` (60,000) versions with the texts of the archived articles in
``../shared/corpora/histories`` (real news, 5,300 characters median; the bundled
newsroom's shorter ones when absent), 3 per
article, 4 checks per version, with every index (the full-text GIN index included):
bytes per million versions, by table.

**Due claim.** A database of ``--rows`` (10,000,000) articles built in bulk with
``generate_series``: 85 % retired (``next_check_at`` NULL, as most articles are after
a few weeks), 14 % scheduled over the next three days, 1 % due now. ``Store.claim_due``
(the real code: SELECT … FOR UPDATE SKIP LOCKED, then the lease) claims batches of
``--batch`` (32) while other "workers" hold leases on earlier batches; its time is the
wall time of the call, median of ``--claims`` (200). The EXPLAIN (ANALYZE, BUFFERS) of the
statement is printed. ``--keep`` keeps the built database for the next run (it is reused
when it has the right number of rows).

    python bench/scale.py                           # everything (~10 min, most of it the build)
    python bench/scale.py --skip-claim --articles 300 --workers 1 2
    python bench/scale.py --skip-workers --rows 1000000 --versions 30000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import event

from common import one_version_stories, table
from tearsheet.simulate import convert_files, load_histories, write_histories
from tearsheet.simulate.newsroom import newsroom_process
from tearsheet.store.store import Store

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CLAIM_DB = "tearsheet_bench_scale"


def url(database: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{database}"


@contextlib.contextmanager
def fresh_database(name: str, *, keep: bool = False) -> Iterator[str]:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        Store.open(url(name), upgrade=True).close()
        yield url(name)
    finally:
        if not keep:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)))


# --- workers -----------------------------------------------------------------------------

CONFIG = """
database_url = "{db}"
[schedule]
first_interval = "1h"
discovery_interval = "1h"
jitter = 0
[fetch]
concurrency = {concurrency}
per_host_concurrency = {concurrency}
per_host_delay = "0s"
extract_processes = 0
allow_private_addresses = true
[[sources]]
name = "sim"
sitemaps = ["{base}/sitemap.xml"]
"""


def workers_pass(base: str, workers: int, articles: int, concurrency: int,
                 folder: Path) -> float:
    """checks/s of ``workers`` worker processes over the first pass of ``articles``."""
    with fresh_database(f"tearsheet_bench_workers_{workers}") as db:
        config = folder / f"workers-{workers}.toml"
        config.write_text(CONFIG.format(db=db, base=base, concurrency=concurrency))
        procs = [subprocess.Popen(
            [sys.executable, "-m", "tearsheet", "worker", "--config", str(config),
             "--id", f"bench-{n}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for n in range(workers)]
        store = Store.open(db)
        try:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                with store.engine.connect() as conn:
                    done = conn.exec_driver_sql("SELECT count(*) FROM checks").scalar_one()
                if done >= articles:
                    break
                time.sleep(0.2)
            with store.engine.connect() as conn:
                first, last, count, failed = conn.exec_driver_sql(
                    "SELECT min(checked_at), max(checked_at), count(*), "
                    "count(*) FILTER (WHERE outcome = 'failed') FROM checks").one()
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)
            store.close()
        if count < articles or failed:
            raise RuntimeError(f"{workers} workers: {count} checks, {failed} failed")
        return float(count) / max((last - first).total_seconds(), 1e-6)


def bench_workers(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = folder / "stories.jsonl"
        write_histories(one_version_stories(args.articles, "/news/story-"), archive)
        rows = []
        with newsroom_process(folder / "site.log", "--histories", str(archive),
                              "--noise", "none") as base:
            results: dict[int, list[float]] = {n: [] for n in args.workers}
            for _ in range(args.runs):
                for n in args.workers:
                    results[n].append(workers_pass(base, n, args.articles, args.concurrency,
                                                   folder))
        baseline = statistics.median(results[args.workers[0]])
        for n in args.workers:
            rate = statistics.median(results[n])
            rows.append((n, f"{rate:.1f}", f"{rate / n:.1f}", f"{rate / baseline:.2f}",
                         " ".join(f"{r:.1f}" for r in results[n])))
    print(f"\nWorkers against the simulator: {args.articles} articles, first pass, "
          f"fetch.concurrency {args.concurrency} per worker, {os.cpu_count()} CPUs; "
          f"median of {args.runs}")
    print(table(rows, ("workers", "checks/s", "per worker", f"× {args.workers[0]} worker",
                       "runs")))


# --- the due claim -----------------------------------------------------------------------

FILL = """
INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at, last_checked_at,
                      next_check_at, check_interval, version_count, content_hash)
SELECT i, 1, 'https://bench.example/' || i || '/story',
       %(now)s - make_interval(secs => 86400.0 * 60 * (i %% 997) / 997.0),
       %(now)s - make_interval(secs => 3600 * (i %% 97)),
       %(now)s - make_interval(secs => 600 * (i %% 89)),
       CASE WHEN i %% 100 < 85 THEN NULL
            WHEN i %% 100 = 85 THEN %(now)s - make_interval(secs => (i %% 3607)::float)
            ELSE %(now)s + make_interval(secs => 259200.0 * ((i::bigint * 7919) %% 100003) / 100003)
       END,
       1800 * 1.2 ^ (i %% 20), 1 + i %% 5, md5(i::text)
FROM generate_series(%(start)s::int, %(stop)s::int) AS i
"""


def build(db: str, rows: int) -> None:
    """Fill ``articles`` with ``rows`` rows in chunks (each one statement)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    store = Store.open(db)
    store.ensure_source("bench", datetime.now(UTC))
    store.close()
    with psycopg.connect(db.replace("postgresql://", "postgresql://", 1)) as conn:
        started = time.perf_counter()
        chunk = 1_000_000
        for start in range(1, rows + 1, chunk):
            conn.execute(FILL, {"now": now, "start": start, "stop": min(rows, start + chunk - 1)})
            conn.commit()
            print(f"  {min(rows, start + chunk - 1):,} rows "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        conn.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), %s)", (rows,))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE articles")
        print(f"  built and analysed in {time.perf_counter() - started:.0f} s")


def row_count(db: str) -> int:
    with psycopg.connect(db) as conn:
        found = conn.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'articles'"
                             ).fetchone()
        if not found or found[0] < 1:
            return 0
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])  # type: ignore[index]


def bench_claim(args: argparse.Namespace) -> None:
    db = url(CLAIM_DB)
    exists = False
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        exists = bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                   (CLAIM_DB,)).fetchone())
    if exists and row_count(db) == args.rows:
        print(f"reusing {CLAIM_DB} ({args.rows:,} articles)")
        context: contextlib.AbstractContextManager[str] = contextlib.nullcontext(db)
        keep = True
    else:
        context = fresh_database(CLAIM_DB, keep=True)
        keep = False
    with context:
        if not keep:
            print(f"building {args.rows:,} articles in {CLAIM_DB}")
            build(db, args.rows)
        store = Store.open(db)
        store.release_leases()
        statements: list[tuple[str, Any]] = []

        def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT") and "SKIP LOCKED" in statement:
                statements.append((statement, parameters))

        event.listen(store.engine, "before_cursor_execute", capture)
        now = datetime.now(UTC)
        lease = now + timedelta(minutes=10)
        times = []
        for _ in range(args.claims):  # each claim leases a batch: the next skips them
            started = time.perf_counter()
            claimed = store.claim_due(now, args.batch, lease)
            times.append((time.perf_counter() - started) * 1000)
            if len(claimed) < args.batch:
                store.release_leases()
        event.remove(store.engine, "before_cursor_execute", capture)
        statement, parameters = statements[-1]
        query_times = []
        with store.engine.connect() as conn:
            for _ in range(args.claims):  # the SELECT alone, rolled back: the query's cost
                with conn.begin() as transaction:
                    started = time.perf_counter()
                    conn.exec_driver_sql(statement, parameters).all()
                    query_times.append((time.perf_counter() - started) * 1000)
                    transaction.rollback()
            plan = [row[0] for row in conn.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)]
            due = conn.exec_driver_sql(
                "SELECT count(*) FROM articles WHERE next_check_at <= now() AT TIME ZONE 'UTC'"
            ).scalar_one()
            size = conn.exec_driver_sql(
                "SELECT pg_size_pretty(pg_total_relation_size('articles')), "
                "pg_size_pretty(pg_relation_size('ix_articles_due'))").one()
        leased = store.release_leases()
        store.close()
    if not args.keep:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(CLAIM_DB)))
    print(f"\nDue claim: {args.rows:,} articles ({due:,} due, table {size[0]} with indexes, "
          f"due index {size[1]}), batches of {args.batch}, {args.claims} claims "
          f"({leased:,} leased by the end)")
    rows = [(name, f"{statistics.median(ms):.2f}", f"{sorted(ms)[len(ms) * 9 // 10]:.2f}",
             f"{max(ms):.2f}", "under 10 ms" if statistics.median(ms) < 10 else "NOT met")
            for name, ms in (("due query (SELECT … SKIP LOCKED)", query_times),
                             ("claim_due (query, lease, commit)", times))]
    print(table(rows, ("", "median ms", "p90 ms", "max ms", "target")))
    print("\n" + "\n".join(plan))


# --- database size per million versions ----------------------------------------------------


def bench_size(args: argparse.Namespace) -> None:
    """Build ``--versions`` versions (3 per article, 4 checks per version: the new version
    and three unchanged re-checks) with real archived texts, each made unique;
    report the bytes per million versions, by table, with indexes and TOAST."""
    shared = sorted((Path(__file__).resolve().parents[2] / "shared" / "corpora" / "histories")
                    .glob("*.json"))
    if shared:  # real archived news articles (5,300 characters median)
        texts = [v.text for v in convert_files(shared, max_gap=30)]
    else:
        print("  ../shared/corpora/histories is absent: the bundled newsroom's (short) texts")
        texts = [v.text for v in load_histories()]
    articles = args.versions // 3
    with fresh_database("tearsheet_bench_size") as db:
        store = Store.open(db)
        store.ensure_source("bench", datetime.now(UTC))
        store.close()
        now = datetime.now(UTC).replace(tzinfo=None)
        with psycopg.connect(db) as conn:
            conn.execute("CREATE TEMP TABLE sample (n int, body text)")
            conn.cursor().executemany("INSERT INTO sample VALUES (%s, %s)", list(enumerate(texts)))
            started = time.perf_counter()
            conn.execute(FILL, {"now": now, "start": 1, "stop": articles})
            conn.execute("""
                INSERT INTO versions (article_id, number, captured_at, url, title, byline,
                                      language, text, content_hash, kinds, significance,
                                      boring, words_added, words_removed)
                SELECT a, k, %(now)s, 'https://bench.example/' || a || '/story',
                       'Headline of story ' || a || ', take ' || k, 'Ann Lee', 'en',
                       s.body || ' Update ' || a || '.' || k, md5(a || '-' || k),
                       CASE WHEN k > 1 THEN ',update,' END, CASE WHEN k > 1 THEN 0.3 END,
                       CASE WHEN k > 1 THEN false END, CASE WHEN k > 1 THEN 12 END,
                       CASE WHEN k > 1 THEN 3 END
                FROM generate_series(1, %(articles)s::int) AS a, generate_series(1, 3) AS k,
                     sample AS s
                WHERE s.n = (a * 3 + k) %% %(texts)s::int""",
                         {"now": now, "articles": articles, "texts": len(texts)})
            conn.execute("""
                INSERT INTO checks (article_id, checked_at, outcome, http_status, elapsed_ms)
                SELECT a, %(now)s - make_interval(secs => c * 60),
                       CASE WHEN c = 0 THEN 'new_version' ELSE 'unchanged' END, 200, 180
                FROM generate_series(1, %(articles)s::int) AS a, generate_series(0, 11) AS c""",
                         {"now": now, "articles": articles})
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
            sizes = {name: conn.execute("SELECT pg_total_relation_size(%s)", (name,))
                     .fetchone()[0] for name in ("versions", "checks", "articles")}  # type: ignore[index]
            search = conn.execute("SELECT pg_relation_size('versions_fts_gin')").fetchone()[0]  # type: ignore[index]
            versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]  # type: ignore[index]
            average = conn.execute("SELECT avg(length(text)) FROM versions").fetchone()[0]  # type: ignore[index]
            print(f"  built in {time.perf_counter() - started:.0f} s")
    per_million = 1_000_000 / versions
    rows = [(name, f"{size * per_million / 2**30:.2f}") for name, size in sizes.items()]
    rows.append(("  of which the search index", f"{search * per_million / 2**30:.2f}"))
    rows.append(("total", f"{sum(sizes.values()) * per_million / 2**30:.2f}"))
    print(f"\nDatabase size per million versions ({versions:,} built: 3 versions per article, "
          f"4 checks per version, texts of {average:.0f} characters on average)")
    print(table(rows, ("table (with indexes, TOAST)", "GiB per million versions")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the 10M-row database")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-claim", action="store_true")
    parser.add_argument("--versions", type=int, default=60_000,
                        help="versions built to measure the size per million (0: skip)")
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the machine may be shared: compare "
          "ratios, not raw numbers")
    if not args.skip_claim:
        bench_claim(args)
    if args.versions:
        bench_size(args)
    if not args.skip_workers:
        bench_workers(args)


if __name__ == "__main__":
    main()
