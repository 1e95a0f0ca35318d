"""Export benchmark: versions per second of each format, and memory as the store grows.

Stores of ``--sizes`` versions (default 2,000 and 20,000: 10 versions per article, each a
~4 KB body that changes by a sentence or a paragraph from the one before, as real edits
do) are built in bulk through the real schema. Each export then runs in a **fresh
interpreter** (so its peak resident set is its own) and reports versions per second
(wall and CPU) and its peak RSS (``VmHWM``). The baseline, measured in the same run, is
the raw streamed read (``Store.iter_versions``, nothing written). Memory is flat when the
peak of the largest store is about that of the smallest (the ratio column); the time
ratio is to the baseline of the same size. Medians of ``--runs`` runs.

The WARC format is not measured here: it copies stored records byte for byte (its cost
is the disk's); ``bench/backfill.py`` covers WARC reading.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import median, peak_rss_bytes, reset_peak_rss, rss_bytes, sqlite_url, stored, table
from tearsheet.simulate import load_histories
from tearsheet.store.store import Store

FORMATS = ("baseline", "jsonl", "parquet", "newsedits", "git")
VERSIONS_PER_ARTICLE = 10
MB = 1024 * 1024


def build(path: Path, versions: int) -> None:
    """A store of ``versions`` versions, written in bulk (real schema via Store.open)."""
    Store.open(sqlite_url(path)).close()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO sources (id, name, created_at) VALUES (1, 'bench', ?)",
                 (stored(start),))
    articles = versions // VERSIONS_PER_ARTICLE
    prose = list(dict.fromkeys(p for v in load_histories() for p in v.paragraphs))
    base = prose[:24]  # about 4 KB of the bundled newsroom's prose
    article_rows, version_rows = [], []
    for a in range(articles):
        url = f"https://news.example/{a // 100}/story-{a}"
        article_rows.append((a + 1, 1, url, stored(start), stored(start), 60.0,
                             VERSIONS_PER_ARTICLE))
        paragraphs = list(base)
        for n in range(VERSIONS_PER_ARTICLE):
            if n:
                if n % 3 == 0:
                    paragraphs.append(f"Update {n}: officials confirmed the figures on day {n}.")
                else:
                    k = (a + n) % len(paragraphs)
                    paragraphs[k] = paragraphs[k].replace("the", f"the {n}th", 1)
            at = start + timedelta(minutes=a * 7 + n * 61)
            version_rows.append((a + 1, n + 1, stored(at), url, f"Story {a} take {n + 1}",
                                 "Jane Doe", "en", "\n\n".join(paragraphs), f"{a}-{n}"))
    conn.executemany("INSERT INTO articles (id, source_id, url, first_seen_at, last_seen_at, "
                     "check_interval, version_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     article_rows)
    conn.executemany("INSERT INTO versions (article_id, number, captured_at, url, title, byline, "
                     "language, text, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     version_rows)
    conn.commit()
    conn.close()


def one(fmt: str, db: Path, out: Path) -> dict[str, float]:
    """Run one export in this (fresh) process; its numbers."""
    from tearsheet.export.git import write_git
    from tearsheet.export.newsedits import write_newsedits
    from tearsheet.export.versions import write_jsonl, write_parquet

    if fmt == "parquet":
        import pyarrow.parquet  # noqa: F401 - the library's own memory is not the export's
    store = Store.open(sqlite_url(db))
    reset_peak_rss()
    before = rss_bytes()
    wall, cpu = time.perf_counter(), time.process_time()
    rows = store.iter_versions(by_time=fmt == "git")
    if fmt == "baseline":
        count = sum(1 for _ in rows)
    elif fmt == "jsonl":
        with open(out, "w", encoding="utf-8") as fh:
            count = write_jsonl(rows, fh)
    elif fmt == "parquet":
        count = write_parquet(rows, out)
    elif fmt == "newsedits":
        count = write_newsedits(rows, out)
    else:
        count = write_git(rows, out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    store.close()
    return {"count": count, "wall": wall, "cpu": cpu, "peak": peak_rss_bytes(),
            "growth": peak_rss_bytes() - before}


def run_one(fmt: str, db: Path, folder: Path) -> dict[str, float]:
    out = folder / f"out-{fmt}"
    result = subprocess.run([sys.executable, __file__, "--one", fmt, str(db), str(out)],
                            capture_output=True, text=True, check=True)
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink(missing_ok=True)
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--one", nargs=3, metavar=("FORMAT", "DB", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        fmt, db, out = args.one
        print(json.dumps(one(fmt, Path(db), Path(out))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f]
    if "baseline" not in formats:
        formats.insert(0, "baseline")
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="tearsheet-bench-export-") as tmp:
        folder = Path(tmp)
        for size in sizes:
            db = folder / f"store-{size}.db"
            build(db, size)
            for run in range(args.runs):
                for fmt in formats:
                    data = run_one(fmt, db, folder)
                    assert data["count"] == size, (fmt, data)
                    results.setdefault((fmt, size), []).append(data)
                print(f"size {size}: run {run + 1} done", flush=True)
    rows = []
    smallest = sizes[0]
    for fmt in formats:
        for size in sizes:
            runs = results[fmt, size]
            rate = median([r["count"] / r["wall"] for r in runs])
            cpu_rate = median([r["count"] / r["cpu"] for r in runs])
            base = median([b["wall"] / r["wall"]
                           for b, r in zip(results["baseline", size], runs, strict=True)])
            peak = median([r["peak"] for r in runs]) / MB
            growth = median([r["growth"] for r in runs]) / MB
            flat = peak / (median([r["peak"] for r in results[fmt, smallest]]) / MB)
            rows.append((fmt, size, f"{rate:,.0f}", f"{cpu_rate:,.0f}", f"{base:.3f}",
                         f"{peak:.0f}", f"{growth:.1f}", f"{flat:.2f}"))
    print()
    print(table(rows, ("format", "versions", "versions/s", "per CPU s", "÷ baseline time",
                       "peak MB", "growth MB", f"peak ÷ {smallest}")))


if __name__ == "__main__":
    sys.exit(main())
