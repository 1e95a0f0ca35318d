"""Helpers shared by the benchmarks: the local news site, bulk-built stores, settings.

Nothing here is measured itself. :func:`build_store` creates a store through
:meth:`Store.open` (so the real migrations, schema and indexes are used) and then fills
``articles`` with one ``INSERT ... SELECT`` over a recursive CTE, which writes a million
rows in seconds where ``Store.add_articles`` would take minutes.
"""

from __future__ import annotations

import asyncio
import os
import select
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tearsheet.config import Settings, load_settings
from tearsheet.simulate import Version, load_histories
from tearsheet.store.schema import UTCDateTime, articles
from tearsheet.store.store import Store

if TYPE_CHECKING:
    from tearsheet.tracker.tracker import Tracker

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"  # git-ignored
SOURCE = "bench"

# The spread of a long-running store: what is due now, what waits, what has retired.
DUE_SHARE = 0.05
FUTURE_SHARE = 0.60  # the rest (0.35) is retired: next_check_at IS NULL


@dataclass(frozen=True)
class NewsSite:
    """A running ``newsite.py`` child process."""

    process: subprocess.Popen[str]
    base: str

    def url(self, index: int) -> str:
        return f"{self.base}/a/{index}"


@contextmanager
def news_site(pages: int, *, files: Path | None = None,
              startup_timeout: float = 120.0) -> Iterator[NewsSite]:
    """Start the local news site in its own interpreter (serving the gzipped pages listed
    in ``files``, if given: ``newsite.py --files``); stop it on exit."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH / "newsite.py"), "--pages", str(pages),
         *(["--files", str(files)] if files else [])],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], startup_timeout)
        line = process.stdout.readline().strip() if ready else ""
        if not line.isdigit():
            raise RuntimeError(f"the news site did not start (exit code {process.poll()})")
        yield NewsSite(process, f"http://127.0.0.1:{line}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def bench_settings(
    database_url: str, *, concurrency: int = 16, extract_processes: int | None = None,
) -> Settings:
    """Settings for a benchmark: one source without feeds, no politeness delay.

    Every section is given, so a ``tearsheet.toml`` in the working directory changes
    nothing. All pages are on one host (127.0.0.1), so the per-host limit is raised to the
    global one (at most 64, the setting's maximum). ``extract_processes`` None: the
    setting's default (one per CPU).
    """
    fetch: dict[str, Any] = {
        "concurrency": concurrency,
        "per_host_concurrency": min(concurrency, 64),
        "per_host_delay": 0,
        "allow_private_addresses": True,
    }
    if extract_processes is not None:
        fetch["extract_processes"] = extract_processes
    return load_settings(
        None, database_url=database_url, sources=[{"name": SOURCE}], schedule={}, fetch=fetch)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def stored(moment: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (UTC, naive, microseconds)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _ts(epoch: str) -> str:
    """SQL for a stored datetime ``epoch`` seconds after 1970, microseconds from ``h``."""
    return (f"(strftime('%Y-%m-%d %H:%M:%S', {epoch}, 'unixepoch')"
            f" || printf('.%06d', h % 1000000))")


# Column values of article i; ``h`` is a hash of i, ``state`` 0 due, 1 scheduled, 2 retired.
# Due articles look freshly discovered (never checked); the others have a history.
_DUE_AT = ":now - 1 - h % 86400"
_COLUMNS = {
    "source_id": ":source_id",
    "url": ":base || '/a/' || i",
    "title": "'Council approves transport budget, story ' || i || ': what changes for riders'",
    "published_at": f"CASE WHEN state = 0 THEN NULL ELSE {_ts(':now - 172800 - h % 3456000')} END",
    "first_seen_at": f"CASE WHEN state = 0 THEN {_ts(_DUE_AT)} "
                     f"ELSE {_ts(':now - 86400 - h % 3456000')} END",
    "last_seen_at": f"CASE WHEN state = 0 THEN {_ts(_DUE_AT)} ELSE {_ts(':now - h % 604800')} END",
    "last_checked_at": f"CASE WHEN state = 0 THEN NULL ELSE {_ts(':now - h % 86400')} END",
    "last_changed_at": f"CASE WHEN state = 0 THEN NULL "
                       f"ELSE {_ts(':now - 86400 - h % 3456000')} END",
    "next_check_at": f"CASE state WHEN 0 THEN {_ts(_DUE_AT)} "
                     f"WHEN 1 THEN {_ts(':now + 60 + h % 259200')} ELSE NULL END",
    "check_interval": "CASE WHEN state = 0 THEN :first_interval "
                      "ELSE min(:first_interval * (1 + h % 150), 259200.0) END",
    "version_count": "CASE WHEN state = 0 THEN 0 ELSE 1 + h % 6 END",
    "content_hash": "CASE WHEN state = 0 THEN NULL "
                    "ELSE printf('%016x%016x%016x%016x', h, h * 3, h * 5, h * 7) END",
    "etag": """CASE WHEN h % 3 = 0 AND state <> 0 THEN printf('"%x"', h) ELSE NULL END""",
    "error_count": "0",
}


def _fill_sql() -> str:
    """The bulk INSERT for the current ``schema.articles`` (robust to new columns)."""
    names, values = [], []
    for column in articles.columns:
        expression = _COLUMNS.get(column.name)
        if expression is None:
            if column.primary_key or column.nullable or column.server_default is not None:
                continue  # left to the database: NULL, the default, or the rowid
            if isinstance(column.type, UTCDateTime):  # a column added since: plausible values
                expression = _ts(":now - h % 86400")
            elif column.type.python_type in (int, float):
                expression = "0"
            else:
                expression = "''"
        names.append(column.name)
        values.append(expression)
    return f"""
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :rows - 1),
r AS (
    SELECT i,
           (i * 2654435761 + 40503) % 4294967296 AS h,
           (i % :stride = 0 AND i / :stride < :due) AS is_due
    FROM n
),
s AS (
    SELECT i, h,
           CASE WHEN is_due THEN 0 WHEN h % 10000 < :future_per_10k THEN 1 ELSE 2 END AS state
    FROM r
)
INSERT INTO articles ({", ".join(names)})
SELECT {", ".join(values)}
FROM s
"""


def matches_schema(path: Path) -> bool:
    """True when the store at ``path`` has the articles columns and indexes of the code.

    The migrations are still being edited in place, so a store kept from an earlier run
    can have the right revision and the wrong table.
    """
    with closing(sqlite3.connect(path)) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(articles)")
                   if not row[1].startswith("sqlite_autoindex")}
    return (columns == {c.name for c in articles.columns}
            and indexes == {str(i.name) for i in articles.indexes})


def build_store(
    path: Path, rows: int, *, now: datetime, base: str, due: int | None = None,
    first_interval: float = 1800.0,
) -> int:
    """Create a store at ``path`` holding ``rows`` articles of one source.

    ``due`` articles (default 5 %) are due at ``now`` (spread over the day before), spaced
    evenly through the id range, and look newly discovered (no version yet); of the rest
    ~63 % are scheduled up to 3 days ahead and ~37 % are retired (NULL ``next_check_at``),
    so over the whole table the spread is 5 / 60 / 35. Article ``i`` (from 0) has the URL
    ``{base}/a/{i}``. ``now`` is kept as the source's ``created_at``. Returns the source id.
    """
    if path.exists():
        raise FileExistsError(path)
    store = Store.open(sqlite_url(path))
    try:
        source_id = store.ensure_source(SOURCE, now)
    finally:
        store.close()
    due = round(rows * DUE_SHARE) if due is None else due
    due = max(0, min(due, rows))
    stride = max(1, rows // due) if due else rows + 1
    future_per_10k = round(10_000 * FUTURE_SHARE / (1 - DUE_SHARE))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA cache_size = -262144")  # 256 MB for the index builds
        with conn:
            conn.execute(_fill_sql(), {
                "rows": rows, "stride": stride, "due": due, "future_per_10k": future_per_10k,
                "source_id": source_id, "base": base, "now": int(now.timestamp()),
                "first_interval": first_interval,
            })
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return source_id


@dataclass(frozen=True)
class Timing:
    """``count`` operations in ``wall_s`` seconds of wall time and ``cpu_s`` of CPU."""

    count: int
    wall_s: float
    cpu_s: float
    outcome: str  # what the operations came to, printed beside the numbers

    @property
    def per_second(self) -> float:
        return self.count / self.wall_s

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / self.count


async def fetch_all(settings: Settings, urls: list[str]) -> int:
    """The benchmarks' raw-fetch baseline: fetch every URL with as many requests in flight
    as the tracker keeps (``Tracker.capacity``); returns how many failed."""
    from tearsheet.errors import FetchError
    from tearsheet.fetch.fetcher import Fetcher

    in_flight = asyncio.Semaphore(settings.fetch.concurrency * 2)
    failed = 0

    async def one(fetcher: Fetcher, url: str) -> None:
        nonlocal failed
        async with in_flight:
            try:
                await fetcher.fetch(url)
            except FetchError:
                failed += 1

    async with Fetcher(settings.fetch) as fetcher:
        await asyncio.gather(*(one(fetcher, url) for url in urls))
    return failed


async def warm_pool(tracker: Tracker, url: str) -> None:
    """Start each of the tracker's extraction workers (or its thread) and load the
    extractor in it, before a pass's clock starts (the workers' CPU is counted from then)."""
    from tearsheet.extract.extraction import extract
    from tearsheet.fetch.fetcher import Fetcher

    async with Fetcher(tracker.settings.fetch) as fetcher:
        page = (await fetcher.fetch(url)).body
    await asyncio.gather(*(tracker.pool.run(extract, page, url)
                           for _ in range(max(1, tracker.pool.processes) * 2)))


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far, from ``/proc`` (Linux; 0 if
    it is gone): the extraction workers' share of a pass."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_bytes() -> int:
    """The current resident set size of this process (Linux)."""
    return _status_kib("VmRSS") * 1024


def peak_rss_bytes() -> int:
    """The peak resident set size of this process image since exec or the last reset.

    Unlike ``ru_maxrss``, which Linux carries over from the forked parent's image through
    exec (a child of a 350 MB parent starts with ``ru_maxrss`` = 350 MB), this is the
    child's own.
    """
    return _status_kib("VmHWM") * 1024


def reset_peak_rss() -> bool:
    """Restart :func:`peak_rss_bytes` from the current RSS (Linux 4.0+); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain aligned text table (first column left, others right)."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        line = "  ".join(c.ljust(w) if k == 0 else c.rjust(w)
                         for k, (c, w) in enumerate(zip(row, widths, strict=True)))
        lines.append(line.rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def one_version_stories(count: int, prefix: str) -> list[Version]:
    """``count`` one-version articles under ``prefix``<i>, from the bundled newsroom's final
    versions (headlines numbered, so every page is distinct)."""
    pool = list({v.article: v for v in load_histories()}.values())  # the last of each story
    return [Version(f"story-{i}", f"{prefix}{i}", 0.0, f"{pool[i % len(pool)].headline} ({i})",
                    pool[i % len(pool)].byline, pool[i % len(pool)].paragraphs, "news")
            for i in range(count)]
