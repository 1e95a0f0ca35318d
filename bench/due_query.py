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
- ``next_check_time`` (after every pass of ``Tracker.run``) and ``release_leases()`` (all
  leases, as ``tearsheet run`` does at startup): the runner's other schedule queries, for
  context (fewer repetitions, in case they scan the table: both did before the store
  gave them an index, 160-280 ms each at 1,000,000 rows).

EXPLAIN QUERY PLAN of each is printed, and whether the target is met: reported, never
asserted.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, event, select

from common import RESULTS, build_store, matches_schema, median, sqlite_url, table
from tearsheet.store.schema import articles, sources
from tearsheet.store.store import Store

TARGET_MS = 5.0
SLOW_REPS = 10  # for the queries that may scan the whole table


def due_select(now: datetime, limit: int) -> Select[Any]:
    """The query of ``Store.claim_due``, rebuilt here (store/articles.py builds it once)."""
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


def interleaved_ms(actions: Sequence[Callable[[], object]], reps: int,
                  between: Sequence[Callable[[], object]] | None = None) -> list[float]:
    """Median wall time of each action over ``reps`` rounds, the actions taking turns.

    Taking turns (A, B, A, B...) exposes baseline and subject to the same machine noise.
    One untimed warm-up call each; ``between[k]`` runs untimed after each call of action k.
    """
    times: list[list[float]] = [[] for _ in actions]
    for rep in range(reps + 1):
        for k, action in enumerate(actions):
            started = time.perf_counter_ns()
            action()
            if rep:
                times[k].append((time.perf_counter_ns() - started) / 1e6)
            if between is not None:
                between[k]()
    return [median(t) for t in times]


def plan(engine: Engine, statement: Statement) -> list[str]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN QUERY PLAN " + statement[0], statement[1])
        return [str(row[3]) for row in cursor.fetchall()]
    finally:
        raw.close()


def store_file(rows: int, keep: bool, workdir: Path) -> tuple[Path, float | None]:
    """The store of ``rows`` articles: reused from bench/results with ``keep``, else built.

    Returns its path and the build time in seconds (None when reused).
    """
    if keep:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"due-{rows}.db"
        if path.exists():
            if matches_schema(path):
                return path, None
            print(f"{path} predates the current schema: rebuilding it", flush=True)
            for old in path.parent.glob(path.name + "*"):
                old.unlink()
    else:
        path = workdir / f"due-{rows}.db"
    started = time.perf_counter()
    partial = path.with_suffix(".building")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    # Built with the current time as "now"; the store keeps it as the source's created_at,
    # so a reused store is queried at the same moment and keeps its spread.
    build_store(partial, rows, now=datetime.now(UTC), base="https://news.example")
    partial.rename(path)
    return path, time.perf_counter() - started


class Subject:
    """One store under test, its working copy (claim_due writes leases), and its queries."""

    def __init__(self, path: Path, rows: int, build_s: float | None, limit: int,
                 workdir: Path) -> None:
        self.rows, self.build_s, self.limit = rows, build_s, limit
        self.size_mb = path.stat().st_size / 1e6
        self.store = Store.open(sqlite_url(path))
        self.copy_path = workdir / f"claim-{rows}.db"
        shutil.copyfile(path, self.copy_path)
        self.copy = Store.open(sqlite_url(self.copy_path))
        with self.store.engine.connect() as conn:
            now = conn.scalar(select(sources.c.created_at))
        assert now is not None
        self.now = now
        self.lease = now + timedelta(minutes=5)
        self.taken: list[int] = []

        # What claim_due really sends (on the copy: claiming writes leases).
        sent = captured(self.copy.engine, self.claim)
        self.release()
        self.due_sql = next(s for s in sent if s[0].lstrip().upper().startswith("SELECT"))
        ours = str(due_select(now, limit).compile(dialect=self.store.engine.dialect))
        self.identical = " ".join(ours.split()) == " ".join(self.due_sql[0].split())
        self.returned = self.select()
        self.raw = self.store.engine.raw_connection()
        self.cursor = self.raw.cursor()
        self.plans = {
            "claim_due select": plan(self.store.engine, self.due_sql),
            "next_check_time": plan(self.store.engine,
                                    captured(self.store.engine, self.store.next_check_time)[0]),
            "release_leases()": plan(self.copy.engine,
                                     captured(self.copy.engine, self.copy.release_leases)[0]),
        }

    def select(self) -> int:
        """The due SELECT through SQLAlchemy, built and run as claim_due does."""
        with self.store.engine.connect() as conn:
            return len(conn.execute(due_select(self.now, self.limit)).all())

    def driver(self) -> int:
        self.cursor.execute(*self.due_sql)
        return len(self.cursor.fetchall())

    def claim(self) -> None:
        self.taken.extend(a.id for a in self.copy.claim_due(self.now, self.limit, self.lease))

    def release(self) -> None:
        self.copy.release_leases(self.taken)
        self.taken.clear()

    def close(self) -> None:
        self.raw.close()
        self.store.close()
        self.copy.close()
        for leftover in self.copy_path.parent.glob(self.copy_path.name + "*"):
            leftover.unlink()


def nothing() -> None:
    pass


def measure(subjects: Sequence[Subject], reps: int) -> dict[str, list[float]]:
    """Median ms per metric, one value per subject, measured in alternation."""
    fast = max(1, reps)
    return {
        "select": interleaved_ms([s.select for s in subjects], fast),
        "driver": interleaved_ms([s.driver for s in subjects], fast),
        "claim_due": interleaved_ms([s.claim for s in subjects], fast,
                                    [s.release for s in subjects]),
        "next_check_time": interleaved_ms([s.store.next_check_time for s in subjects],
                                          SLOW_REPS),
        "release_leases": interleaved_ms([s.copy.release_leases for s in subjects], SLOW_REPS,
                                         [nothing for _ in subjects]),
    }


def report(base: Subject, big: Subject, results: dict[str, list[float]], reps: int) -> str:
    metrics = [
        ("select (as claim_due issues it)", "select", reps),
        ("  same SQL, sqlite3 driver only", "driver", reps),
        ("Store.claim_due end to end", "claim_due", reps),
        ("Store.next_check_time()", "next_check_time", SLOW_REPS),
        ("Store.release_leases() (all)", "release_leases", SLOW_REPS),
    ]
    rows = []
    for name, key, n in metrics:
        low, high = results[key]
        rows.append((name, n, f"{low:.3f}", f"{high:.3f}", f"{high / low:.2f}" if low else "-"))
    out = [table(rows, ["median ms", "reps", f"{base.rows:,} rows", f"{big.rows:,} rows",
                        f"ratio {big.rows:,}/{base.rows:,}"])]
    out.append("")
    for s in (base, big):
        built = "reused" if s.build_s is None else f"built in {s.build_s:.1f} s"
        out.append(f"{s.rows:,} rows: {s.size_mb:.0f} MB, {built}; the due query returned "
                   f"{s.returned} rows; bench SQL identical to the store's: "
                   f"{'yes' if s.identical else 'NO'}")
    out.append("")
    out.append(f"EXPLAIN QUERY PLAN at {big.rows:,} rows:")
    for name, lines in big.plans.items():
        out.append(f"  {name}: {'; '.join(lines)}")
    select_ms = results["select"][1]
    verdict = "met" if select_ms < TARGET_MS else "NOT met"
    out.append("")
    out.append(f"target: due query under {TARGET_MS:g} ms at {big.rows:,} rows: {verdict} "
               f"({select_ms:.3f} ms)")
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
        subjects: list[Subject] = []
        try:
            for rows in (args.baseline_rows, args.rows):
                path, build_s = store_file(rows, args.keep, workdir)
                subjects.append(Subject(path, rows, build_s, args.limit, workdir))
            results = measure(subjects, args.reps)
        finally:
            for subject in subjects:
                subject.close()
        print(report(subjects[0], subjects[1], results, args.reps))


if __name__ == "__main__":
    main()
