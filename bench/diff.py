"""Benchmark of the diff engine: time to diff two versions of an article, and its growth.

Target (issue 5): a 3,000-word article pair with 10 % of its sentences changed aligns in
under 20 ms (median), shown side by side with a plain ``difflib`` baseline measured in the
same run (a SequenceMatcher over the two word lists, which knows nothing of sentences,
moves or kinds); and time and memory grow no worse than n·log n for articles up to
30,000 words (the log-log slope of time against size should stay near 1).

Text: real New York Times articles from ``../shared/corpora/histories`` when present,
else the bundled fictional newsroom, repeated to the wanted length.

    python bench/diff.py [--runs 30] [--sizes 1000,3000,10000,30000] [--rate 0.1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import statistics
import sys
import time
import tracemalloc
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.edits import apply_edits, f1, paragraphs_of, predicted_pairs

from tearsheet.diff.changes import diff
from tearsheet.diff.sentences import split_sentences

HISTORIES = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "histories"


def corpus() -> tuple[list[str], str]:
    files = sorted(HISTORIES.glob("*.json")) if HISTORIES.is_dir() else []
    if files:
        texts = [json.loads(f.read_text())[-1]["article"]["text"] for f in files]
        return [p for t in texts for p in paragraphs_of(t)], f"shared histories ({len(files)})"
    from tearsheet.simulate import load_histories

    seen = {}
    for version in load_histories():
        seen[version.article] = version.paragraphs
    return [p for ps in seen.values() for p in ps], "bundled newsroom"


def article(paragraphs: list[str], words: int) -> list[str]:
    """``words`` words of text; repeated rounds are made distinct (a real article does not
    repeat itself, and repeated sentences would make the truth of an alignment ambiguous)."""
    out: list[str] = []
    count = 0
    round_ = 0
    while count < words:
        for paragraph in paragraphs:
            if round_:
                paragraph = re.sub(r"(\w+)([.!?][\"'”’]*)(?=\s|$)",
                                   rf"\1 in part {round_}\2", paragraph)
            out.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                break
        round_ += 1
    return out


def timed(function: object, *args: object) -> float:
    start = time.perf_counter()
    function(*args)  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000


def plain_difflib(old: list[str], new: list[str]) -> None:
    SequenceMatcher(None, " ".join(old).split(), " ".join(new).split(),
                    autojunk=False).get_opcodes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sizes", default="1000,3000,10000,30000")
    parser.add_argument("--rate", type=float, default=0.1, help="share of sentences edited")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    paragraphs, origin = corpus()
    pool = [s for p in paragraphs for s in split_sentences(p)]
    rng = random.Random(options.seed)
    print(f"text: {origin}; {options.rate:.0%} of sentences edited; median of {options.runs} "
          f"runs (tearsheet and difflib interleaved)\n")
    print(f"{'words':>7} {'tearsheet ms':>13} {'difflib ms':>11} {'ratio':>6} "
          f"{'peak MB':>8} {'pair F1':>8}")
    rows = []
    for size in (int(s) for s in options.sizes.split(",")):
        text = article(paragraphs, size)
        ours, theirs, scores, peaks = [], [], [], []
        for run in range(options.runs):
            while True:
                try:
                    edited = apply_edits(text, pool, rng, rate=options.rate)
                    break
                except ValueError:
                    continue
            split_sentences.cache_clear()  # every run splits afresh, as a new version would
            ours.append(timed(diff, edited.old, edited.new))
            theirs.append(timed(plain_difflib, list(edited.old.paragraphs),
                                list(edited.new.paragraphs)))
            if run < 3:
                split_sentences.cache_clear()
                tracemalloc.start()
                change = diff(edited.old, edited.new)
                peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
                tracemalloc.stop()
                scores.append(f1(edited.truth, predicted_pairs(change.alignment, edited.old,
                                                                edited.new)))
        row = (size, statistics.median(ours), statistics.median(theirs), max(peaks),
               statistics.mean(scores))
        rows.append(row)
        print(f"{size:>7} {row[1]:>13.2f} {row[2]:>11.2f} {row[1] / row[2]:>6.2f} "
              f"{row[3]:>8.2f} {row[4]:>8.3f}")
    if len(rows) >= 2:
        (n0, t0, _, m0, _), (n1, t1, _, m1, _) = rows[0], rows[-1]
        slope_t = math.log(t1 / t0) / math.log(n1 / n0)
        slope_m = math.log(m1 / m0) / math.log(n1 / n0)
        n_log_n = 1 + math.log(math.log(n1) / math.log(n0)) / math.log(n1 / n0)
        print(f"\ngrowth from {n0} to {n1} words (log-log slope; 1.00 is linear, n·log n "
              f"is {n_log_n:.2f}, n² is 2.00): time {slope_t:.2f}, memory {slope_m:.2f}")
        steps = ", ".join(
            f"{a[0]}→{b[0]}: {math.log(b[1] / a[1]) / math.log(b[0] / a[0]):.2f}"
            for a, b in itertools.pairwise(rows))
        print(f"time slope by step: {steps}")
    three = next((r for r in rows if r[0] == 3000), None)
    if three:
        verdict = "met" if three[1] < 20 else "missed"
        print(f"target: 3,000 words under 20 ms: {verdict} ({three[1]:.2f} ms)")


if __name__ == "__main__":
    main()
