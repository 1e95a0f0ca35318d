"""Tracing copies at scale: latency at a million stored versions, index size, indexing cost.

    python bench/trace.py                       # ~10 min: 1,000,000 versions
    python bench/trace.py --versions 100000     # ~1 min

A SQLite store (the real migrations and schema) gets ``--versions`` distractor versions
(``--per-article`` per article) whose texts are real news sentences shuffled and whose
trace keys are synthesised: each of an article's 48 keys is, with probability 5 %, one of
a pool of common keys drawn with a Zipf law (a shingle such as "the united states" is the
smallest of its bucket in many articles, which makes long posting lists), else random; a
later version adds 8 keys of its own (a small edit changes a few buckets). Then the real
sources are stored through ``Store.record_check`` (so their keys are the real ones): the
seed story, the shared histories, and the 60 articles of the extraction corpus — texts
the trace was never tuned on — each as version 1 and a corrected version 2 (a figure
changed).

Measured, medians of ``--runs`` passes after a warm-up pass:

- **trace latency** (``trace_text``: keys, candidates, versions read, alignment) for
  copies of the corpus articles rewritten every way (``simulate.copies`` kind ``all``:
  30 % of sentences dropped, paragraphs merged, quotes removed, words swapped, dated), the
  seed copy and its French, German and Spanish translations, and for texts that must
  match nothing (same-topic articles, unrelated pages of the readability corpus);
- **accuracy**: the right article, the right version (or one the copy fits as well), and
  no match for the negatives; beside it the **peer**, difflib's ``SequenceMatcher`` over
  the words of every real source version (what a tracker without an index would do), in
  the same run, on the same copies;
- **index size**: bytes of ``trace_keys`` and its index per stored version (dbstat);
- **indexing cost**: CPU ms to compute a version's keys, and to insert them, beside a
  check's main CPU cost, extracting the page (the same corpus pages, same run).
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import build_store, sqlite_url, stored, table  # noqa: E402
from tearsheet.diff.align import Document  # noqa: E402
from tearsheet.diff.trace import index_keys  # noqa: E402
from tearsheet.extract.extraction import extract  # noqa: E402
from tearsheet.simulate.copies import rewrite  # noqa: E402
from tearsheet.store.records import CheckRecord, DueArticle, NewVersion  # noqa: E402
from tearsheet.store.store import Store  # noqa: E402
from tearsheet.store.tracing import index_version, trace_text  # noqa: E402

SHARED = BENCH.parent.parent / "shared"
COPIES = BENCH.parent / "tests" / "diff" / "copies"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
KEYS_FIRST, KEYS_LATER, COMMON_SHARE, COMMON_POOL = 48, 8, 0.05, 20_000
_NUMBER = re.compile(r"\b\d{2,}\b")


@dataclass
class Query:
    label: str
    text: str
    expected: tuple[int, int] | None  # (article id, version), None: must match nothing
    language: str | None = None


def corpus() -> dict[str, dict[str, str]]:
    path = SHARED / "corpora" / "extraction" / "ground-truth.json"
    if not path.exists():
        sys.exit(f"{path} is absent: the benchmark needs ../shared beside the repository")
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if len(v["articleBody"]) > 800}


def histories() -> list[list[str]]:
    found = []
    for path in sorted((SHARED / "corpora" / "histories").glob("*.json")):
        bodies: list[str] = []
        for capture in json.loads(path.read_text(encoding="utf-8")):
            if capture["article"]["text"] not in bodies:
                bodies.append(capture["article"]["text"])
        found.append(bodies)
    return found


def corrected(text: str) -> str:
    """The same article with its first figure corrected (or a correction appended)."""
    match = _NUMBER.search(text)
    if match is None:
        return text + "\n\nCorrection: an earlier version of this article misstated a date."
    value = str(int(match.group()) + 7)
    return text[:match.start()] + value + text[match.end():]


def distractor_texts(count: int) -> list[str]:
    sentences = [s for bodies in histories() for body in bodies
                 for s in re.split(r"(?<=[.!?])\s+", body) if len(s) > 40]
    rng = random.Random(7)
    return ["\n\n".join(" ".join(rng.sample(sentences, 4)) for _ in range(3))
            for _ in range(count)]


def fill_distractors(path: Path, articles: int, per_article: int) -> None:
    """Versions and trace keys of ``articles`` articles, straight into SQLite."""
    texts = distractor_texts(400)
    rng = random.Random(11)
    common = [rng.getrandbits(64) - 2**63 for _ in range(COMMON_POOL)]
    weights = [1 / (rank + 1) ** 1.1 for rank in range(COMMON_POOL)]
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA cache_size = -524288")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("DROP INDEX ix_trace_keys_article_id")
        moment = stored(NOW - timedelta(days=30))
        with conn:
            for start in range(1, articles + 1, 10_000):
                ids = range(start, min(articles, start + 9_999) + 1)
                conn.executemany(
                    "INSERT INTO versions (article_id, number, captured_at, url, language, "
                    "text, content_hash) VALUES (?, ?, ?, ?, 'en', ?, ?)",
                    [(i, n, moment, f"https://distractor.example/a/{i}",
                      texts[(i * 7 + n) % len(texts)], f"{i}-{n}")
                     for i in ids for n in range(1, per_article + 1)])
                rows = []
                for i in ids:
                    draws = KEYS_FIRST + KEYS_LATER * (per_article - 1)
                    picks = rng.choices(common, weights, k=draws)
                    seen: set[int] = set()
                    for k in range(draws):
                        key = picks[k] if rng.random() < COMMON_SHARE else \
                            rng.getrandbits(64) - 2**63
                        if key not in seen:
                            seen.add(key)
                            number = 1 if k < KEYS_FIRST else 2 + (k - KEYS_FIRST) // KEYS_LATER
                            rows.append((key, i, number))
                conn.executemany("INSERT OR IGNORE INTO trace_keys VALUES (?, ?, ?)", rows)
            conn.execute("UPDATE articles SET version_count = ?", (per_article,))
        conn.execute("CREATE INDEX ix_trace_keys_article_id ON trace_keys (article_id)")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def record(store: Store, source_id: int, url: str, texts: list[str]) -> int:
    """Store ``texts`` as the versions of a new article, as a check does; its id."""
    store.add_articles(source_id, [(url, None)], NOW, 1800.0, revive_gap=1.0)
    article = store.article_by_url(url)
    assert article is not None
    for number, text in enumerate(texts):
        due = DueArticle(article["id"], source_id, url, 1800.0, NOW, None, number,
                         None, None, None, 0)
        store.record_check(CheckRecord(
            due, checked_at=NOW + timedelta(hours=number), outcome="new_version",
            next_check_at=None, check_interval=1800.0, version=NewVersion(
                url=url, title=text[:60], byline=None, published_at=None, modified_at=None,
                language="en", text=text, content_hash=f"{url}#{number}")))
    return int(article["id"])


def sources_and_queries(store: Store) -> tuple[list[Query], list[tuple[int, int, str]]]:
    """Store the real sources; the queries, and (article, version, text) of each source."""
    source_id = store.ensure_source("real", NOW)
    queries: list[Query] = []
    stored_texts: list[tuple[int, int, str]] = []
    for index, (key, entry) in enumerate(sorted(corpus().items())):
        body = entry["articleBody"]
        versions = [body, corrected(body)]
        article = record(store, source_id, f"https://real.example/corpus/{key}", versions)
        stored_texts += [(article, n, text) for n, text in enumerate(versions, start=1)]
        number = 1 + index % 2
        queries.append(Query(f"corpus {key[:8]} v{number}",
                             rewrite(versions[number - 1], ["all"], seed=index),
                             (article, number)))
    history_ids = []
    for index, bodies in enumerate(histories()):
        article = record(store, source_id, f"https://real.example/history/{index}", bodies)
        history_ids.append((article, len(bodies)))
        stored_texts += [(article, n, text) for n, text in enumerate(bodies, start=1)]
    # Translations of the histories (hand-made, tests/diff/copies), from their last version;
    # in the sorted order of the histories: activism, insurgents, mubarak, road-trip.
    for name, index in (("activism.fr", 0), ("mubarak.es", 2), ("road-trip.de", 3)):
        text = (COPIES / f"{name}.txt").read_text(encoding="utf-8")
        queries.append(Query(f"translation {name}", text, history_ids[index]))
    from tests.support.seed import copy as seed_copy
    from tests.support.seed import versions as seed_versions
    six, seven = seed_versions()
    article = record(store, source_id, "https://real.example/seed", [six, seven])
    stored_texts += [(article, 1, six), (article, 2, seven)]
    queries.append(Query("seed copy", seed_copy(), (article, 1)))
    for language in ("fr", "de", "es"):
        text = (COPIES / f"v6.{language}.txt").read_text(encoding="utf-8")
        queries.append(Query(f"translation v6.{language}", text, (article, 1)))
    text = (COPIES / "v7.fr.txt").read_text(encoding="utf-8")
    queries.append(Query("translation v7.fr", text, (article, 2)))
    for name in ("kazakhstan", "mubarak", "romney"):
        text = (COPIES / f"{name}.same-topic.txt").read_text(encoding="utf-8")
        queries.append(Query(f"same topic: {name}", text, None))
    readability = sorted((SHARED / "corpora" / "readability").glob("*/expected.html.gz"))
    for path in readability[:40]:
        html = gzip.decompress(path.read_bytes())
        text = "\n\n".join(t.strip() for t in re.sub(rb"<[^>]+>", b"\n", html)
                           .decode("utf-8", "replace").split("\n\n") if t.strip())
        if len(text) > 1500:
            queries.append(Query(f"unrelated: {path.parent.name}", text[:20_000], None))
    return queries, stored_texts


def judge(query: Query, found: list[tuple[int, int, tuple[int, ...]]]) -> tuple[bool, bool]:
    """(article right, version right) — for a negative, both mean "matched nothing"."""
    if query.expected is None:
        return not found, not found
    if not found:
        return False, False
    article, number, also = found[0]
    return article == query.expected[0], article == query.expected[0] and (
        query.expected[1] in (number, *also))


def peer(queries: list[Query], stored_texts: list[tuple[int, int, str]],
         ) -> tuple[float, float, float, int]:
    """difflib over every real version: accuracy (article, version), ms per query."""
    words = [(article, number, text.split()) for article, number, text in stored_texts]
    right_article = right_version = 0
    times = []
    for query in queries:
        started = time.process_time()
        copy = query.text.split()
        best = max(words, key=lambda item: difflib.SequenceMatcher(
            None, copy, item[2]).ratio())
        ratio = difflib.SequenceMatcher(None, copy, best[2]).ratio()
        times.append(time.process_time() - started)
        found: list[tuple[int, int, tuple[int, ...]]] = \
            [] if ratio < 0.2 else [(best[0], best[1], ())]
        a, v = judge(query, found)
        right_article += a
        right_version += v
    return (right_article / len(queries), right_version / len(queries),
            statistics.median(times) * 1000, len(words))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-queries", type=int, default=12,
                        help="copies the difflib peer is run on (it is slow)")
    parser.add_argument("--keep", type=Path, help="keep the store at this path")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="trace-bench-"))
    path = args.keep or folder / "trace.db"
    articles = args.versions // args.per_article
    started = time.perf_counter()
    build_store(path, articles, now=NOW, base="https://distractor.example", due=0)
    fill_distractors(path, articles, args.per_article)
    built = time.perf_counter() - started
    store = Store.open(sqlite_url(path))
    queries, stored_texts = sources_and_queries(store)
    total_versions = args.versions + len(stored_texts)
    print(f"store: {total_versions:,} versions ({articles:,} distractor articles × "
          f"{args.per_article}, {len(stored_texts)} real), built in {built:.0f} s")

    latencies: dict[str, list[float]] = {q.label: [] for q in queries}
    results: dict[str, list[tuple[int, int, tuple[int, ...]]]] = {}
    for run in range(args.runs + 1):  # the first pass warms the caches
        for query in queries:
            document = Document.from_text(query.text, language=query.language)
            begin = time.perf_counter()
            matches = trace_text(store, document)
            elapsed = time.perf_counter() - begin
            if run:
                latencies[query.label].append(elapsed)
            results[query.label] = [(m.article_id, m.version, m.also) for m in matches]
    per_query = {label: statistics.median(values) * 1000 for label, values in latencies.items()}
    positives = [q for q in queries if q.expected is not None]
    negatives = [q for q in queries if q.expected is None]
    verdicts = {q.label: judge(q, results[q.label]) for q in queries}
    all_ms = sorted(per_query.values())
    print("\ntrace latency (ms, median of runs per copy):")
    print(table([
        ["copies (rewritten, translated)", len(positives),
         f"{statistics.median(per_query[q.label] for q in positives):.1f}",
         f"{max(per_query[q.label] for q in positives):.1f}"],
        ["texts that must match nothing", len(negatives),
         f"{statistics.median(per_query[q.label] for q in negatives):.1f}",
         f"{max(per_query[q.label] for q in negatives):.1f}"],
        ["all", len(queries), f"{statistics.median(all_ms):.1f}",
         f"{all_ms[int(0.9 * (len(all_ms) - 1))]:.1f} (p90)"],
    ], ["queries", "n", "median", "max"]))

    peer_queries = positives[:args.peer_queries] + negatives[:max(3, args.peer_queries // 4)]
    p_article, p_version, p_ms, p_n = peer(peer_queries, stored_texts)
    ours = [verdicts[q.label] for q in peer_queries]
    print("\naccuracy on the same queries (right article / right version or one it fits):")
    print(table([
        ["tearsheet trace (index, 1 query)", len(peer_queries),
         f"{sum(a for a, _ in ours) / len(ours):.0%}", f"{sum(v for _, v in ours) / len(ours):.0%}",
         f"{statistics.median(per_query[q.label] for q in peer_queries):.1f}"],
        [f"difflib over all {p_n} real versions", len(peer_queries), f"{p_article:.0%}",
         f"{p_version:.0%}", f"{p_ms:.1f}"],
    ], ["method", "queries", "article", "version", "ms/query"]))
    def share(group: list[Query], which: int) -> str:
        return f"{statistics.mean(verdicts[q.label][which] for q in group):.0%}"

    corpus_copies = [q for q in positives if q.label.startswith("corpus")]
    seed_copies = [q for q in positives if q.label == "seed copy"]
    translations = [q for q in positives if q.label.startswith("translation")]
    print("\ntearsheet trace on every query:")
    print(table([
        ["rewritten copies of never-seen articles", len(corpus_copies),
         share(corpus_copies, 0), share(corpus_copies, 1)],
        ["the seed copy", len(seed_copies), share(seed_copies, 0), share(seed_copies, 1)],
        ["hand-made translations (fr, de, es)", len(translations), share(translations, 0),
         share(translations, 1)],
        ["same-topic and unrelated texts (no match)", len(negatives), share(negatives, 0), "-"],
    ], ["queries", "n", "article right", "version right"]))
    slowest = sorted(per_query.items(), key=lambda item: -item[1])[:5]
    print("slowest:", ", ".join(f"{label} {ms:.0f} ms" for label, ms in slowest))
    missed = [q.label for q in queries if not verdicts[q.label][1]]
    if missed:
        print("wrong:", ", ".join(missed))

    with store.engine.connect() as conn:
        sizes = dict(conn.exec_driver_sql(
            "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN "
            "('trace_keys', 'ix_trace_keys_article_id', 'versions') GROUP BY name").all())
        rows = conn.exec_driver_sql("SELECT COUNT(*) FROM trace_keys").scalar_one()
    index_bytes = sizes.get("trace_keys", 0) + sizes.get("ix_trace_keys_article_id", 0)
    print(f"\nindex: {rows:,} rows, {index_bytes / 2**20:.0f} MiB = "
          f"{index_bytes / total_versions:.0f} bytes per version "
          f"({rows / total_versions:.1f} rows); the versions table: "
          f"{sizes.get('versions', 0) / total_versions:.0f} bytes per version")

    keys_ms, insert_ms, extract_ms = [], [], []
    pages = SHARED / "corpora" / "extraction" / "html"
    for key, entry in sorted(corpus().items()):
        html = gzip.decompress((pages / f"{key}.html.gz").read_bytes())
        begin = time.process_time()
        found = extract(html, entry.get("url"))
        extract_ms.append((time.process_time() - begin) * 1000)
        document = Document.from_extraction(found)
        begin = time.process_time()
        keys = index_keys(document)
        keys_ms.append((time.process_time() - begin) * 1000)
        with store.engine.begin() as conn:
            begin = time.perf_counter()
            index_version(conn, 1, 99, keys)
            insert_ms.append((time.perf_counter() - begin) * 1000)
            conn.rollback()
    print("\nindexing a new version, beside a check's extraction (ms, median of "
          f"{len(keys_ms)} corpus pages):")
    print(table([["extract the page (trafilatura + rules)", f"{statistics.median(extract_ms):.1f}"],
                 ["compute its trace keys", f"{statistics.median(keys_ms):.1f}"],
                 ["insert them (same transaction)", f"{statistics.median(insert_ms):.2f}"]],
                ["step", "ms"]))
    store.close()
    if args.keep is None:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
