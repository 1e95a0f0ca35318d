"""Due-query benchmark: how long "which articles are due?" takes with 1,000,000 articles.

Why: the runner asks the store for due work after every finished check, so this query
runs once per check; it must stay cheap however many articles the store has ever tracked.
The issue's target is under 5 ms at 1,000,000 rows. The partial index ``ix_articles_due``
should make it an index range scan whose cost does not depend on the table size, so the
same query on a 1,000-row store, measured in the same run, is the baseline: the ratio
1M / 1k should be near 1.

Both stores are built through ``Store.open`` (real migrations and indexes) and filled in
bulk with the spread of a long-running store: 5 % due now, 60 % scheduled up to three days
ahead, 35 % retired (NULL ``next_check_at``). Measured, median over ``--reps``:

- ``select``: the SELECT of ``Store.claim_due``, issued as the store issues it (built from
  ``schema.articles`` through the store's engine, pragmas and pool). The bench checks that
  its SQL is identical to what ``claim_due`` actually sends (captured with an engine event).
- ``driver``: the same SQL and parameters through the sqlite3 driver alone.
- ``claim_due``: ``Store.claim_due`` end to end (select, lease update, durable commit), on a
  copy of the store, releasing the leases (untimed) between repetitions.
- ``next_check_time`` and ``release_leases()`` (all leases, as ``tearsheet run`` does at
  startup): the runner's other schedule queries, for context (fewer repetitions).

EXPLAIN QUERY PLAN of each is printed. No pass/fail: timings are reported, not asserted.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, event, select

from common import RESULTS, build_store, median, sqlite_url, table
from tearsheet.schema import articles, sources
from tearsheet.store import Store

TARGET_MS = 5.0
SLOW_REPS = 10  # for the queries that may scan the whole table


def due_select(now: datetime, limit: int) -> Select[Any]:
    """The query of ``Store.claim_due``, rebuilt here (store.py keeps it inline)."""
    return (
        select(articles)
        .where(articles.c.next_check_at <= now)
        .where((articles.c.leased_until.is_(None)) | (articles.c.leased_until < now))
        .order_by(articles.c.next_check_at)
        .limit(limit)
    )


Statement = tuple[str, Any]


def captured(engine: Engine, action: Callable[[], object]) -> list[Statement]:
    """The SQL statements and parameters ``action`` sends through ``engine``."""
    seen: list[Statement] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
               _executemany: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def timings_ms(action: Callable[[], object], reps: int, *,
               between: Callable[[], object] | None = None) -> list[float]:
    """Wall times of ``reps`` calls of ``action`` (after one untimed warm-up call)."""
    action()
    if between is not None:
        between()
    times = []
    for _ in range(reps):
        started = time.perf_counter_ns()
        action()
        times.append((time.perf_counter_ns() - started) / 1e6)
        if between is not None:
            between()
    return times


def plan(engine: Engine, statement: Statement) -> list[str]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN QUERY PLAN " + statement[0], statement[1])
        return [str(row[3]) for row in cursor.fetchall()]
    finally:
        raw.close()


@dataclass
class Measured:
    rows: int
    build_s: float | None  # None: reused
    size_mb: float
    returned: int
    identical: bool
    select_ms: float
    driver_ms: float
    claim_ms: float
    next_check_ms: float
    release_all_ms: float
    plans: dict[str, list[str]]


def store_file(rows: int, keep: bool, workdir: Path) -> tuple[Path, float | None]:
    """The store of ``rows`` articles: reused from bench/results with ``keep``, else built."""
    if keep:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"due-{rows}.db"
        if path.exists():
            return path, None
    else:
        path = workdir / f"due-{rows}.db"
    started = time.perf_counter()
    partial = path.with_suffix(".building")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    # Built with the current time as "now"; the store remembers it as the source's
    # created_at, so a reused store is queried at the same moment and keeps its spread.
    build_store(partial, rows, now=datetime.now(UTC), base="https://news.example")
    partial.rename(path)
    return path, time.perf_counter() - started


def measure(path: Path, rows: int, build_s: float | None, reps: int, limit: int,
            workdir: Path) -> Measured:
    store = Store.open(sqlite_url(path))
    copy_path = workdir / f"claim-{rows}.db"
    shutil.copyfile(path, copy_path)
    copy = Store.open(sqlite_url(copy_path))
    try:
        with store.engine.connect() as conn:
            now = conn.scalar(select(sources.c.created_at))
        assert now is not None
        lease = now + timedelta(minutes=5)

        # What claim_due really sends, on the copy (claiming writes leases).
        claimed: list[int] = []
        sent = captured(copy.engine, lambda: claimed.extend(
            a.id for a in copy.claim_due(now, limit, lease)))
        copy.release_leases(claimed)
        store_select = next(s for s in sent if s[0].lstrip().upper().startswith("SELECT"))
        ours = str(due_select(now, limit).compile(dialect=store.engine.dialect))
        identical = " ".join(ours.split()) == " ".join(store_select[0].split())

        def run_select() -> int:
            with store.engine.connect() as conn:
                return len(conn.execute(due_select(now, limit)).all())

        raw = store.engine.raw_connection()
        try:
            cursor = raw.cursor()

            def run_driver() -> int:
                cursor.execute(*store_select)
                return len(cursor.fetchall())

            returned = run_select()
            select_ms = median(timings_ms(run_select, reps))
            driver_ms = median(timings_ms(run_driver, reps))
        finally:
            raw.close()

        taken: list[int] = []

        def claim() -> None:
            taken.extend(a.id for a in copy.claim_due(now, limit, lease))

        def release() -> None:
            copy.release_leases(taken)
            taken.clear()

        claim_ms = median(timings_ms(claim, reps, between=release))
        next_check_ms = median(timings_ms(store.next_check_time, SLOW_REPS))
        release_all_ms = median(timings_ms(copy.release_leases, SLOW_REPS))

        next_sql = captured(store.engine, store.next_check_time)[0]
        release_sql = captured(copy.engine, copy.release_leases)[0]
        plans = {
            "claim_due select": plan(store.engine, store_select),
            "next_check_time": plan(store.engine, next_sql),
            "release_leases()": plan(copy.engine, release_sql),
        }
    finally:
        store.close()
        copy.close()
    for leftover in workdir.glob(copy_path.name + "*"):
        leftover.unlink()
    return Measured(rows, build_s, path.stat().st_size / 1e6, returned, identical, select_ms,
                    driver_ms, claim_ms, next_check_ms, release_all_ms, plans)


def report(base: Measured, big: Measured, reps: int) -> str:
    def fmt(value: float) -> str:
        return f"{value:.3f}"

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}" if a else "-"

    metrics = [
        ("select (as claim_due issues it)", "select_ms", reps),
        ("  same SQL, sqlite3 driver only", "driver_ms", reps),
        ("Store.claim_due end to end", "claim_ms", reps),
        ("Store.next_check_time()", "next_check_ms", SLOW_REPS),
        ("Store.release_leases() (all)", "release_all_ms", SLOW_REPS),
    ]
    rows = [
        (name, n, fmt(getattr(base, key)), fmt(getattr(big, key)),
         ratio(getattr(base, key), getattr(big, key)))
        for name, key, n in metrics
    ]
    out = [table(rows, ["median ms", "reps", f"{base.rows:,} rows", f"{big.rows:,} rows",
                        f"ratio {big.rows:,}/{base.rows:,}"])]
    out.append("")
    for m in (base, big):
        built = "reused" if m.build_s is None else f"built in {m.build_s:.1f} s"
        out.append(f"{m.rows:,} rows: {m.size_mb:.0f} MB, {built}; the due query returned "
                   f"{m.returned} rows; bench SQL identical to the store's: "
                   f"{'yes' if m.identical else 'NO'}")
    out.append("")
    out.append(f"EXPLAIN QUERY PLAN at {big.rows:,} rows:")
    for name, lines in big.plans.items():
        out.append(f"  {name}: {'; '.join(lines)}")
    verdict = "met" if big.select_ms < TARGET_MS else "NOT met"
    out.append("")
    out.append(f"target: due query under {TARGET_MS:g} ms at {big.rows:,} rows: {verdict} "
               f"({big.select_ms:.3f} ms)")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="articles in the store")
    parser.add_argument("--baseline-rows", type=int, default=1_000,
                        help="articles in the baseline store")
    parser.add_argument("--reps", type=int, default=200, help="repetitions per timing")
    parser.add_argument("--limit", type=int, default=64, help="claim_due limit")
    parser.add_argument("--keep", action="store_true",
                        help="keep the stores in bench/results/ and reuse them when present")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tearsheet-bench-") as tmp:
        workdir = Path(tmp)
        measured = []
        for rows in (args.baseline_rows, args.rows):
            path, build_s = store_file(rows, args.keep, workdir)
            measured.append(measure(path, rows, build_s, args.reps, args.limit, workdir))
        print(report(measured[0], measured[1], args.reps))


if __name__ == "__main__":
    main()
