"""Benchmark of the edit-intent labeller: accuracy per label, silent-correction precision,
and time per change, beside a peer from the same run.

The labelled set is ``tests/support/intent_cases.py``: one known edit per case (a figure,
a name, a quote, a note in one of several wordings and positions…) on real article text —
the shared histories (the rules were written against them), the extraction corpus' bodies
(never used to write a rule: the held-out measure) and hand-written hard cases. The peer
is what the diff engine said before intents existed: its ``kinds`` mapped to the nearest
fine labels (``numbers_changed`` → figure, ``rewording`` → wording…), with a silent
correction read as "a number, name or quote changed and no correction appended". Times are
medians of ``--runs`` runs over the whole set; ``align`` (the alignment both need) is the
baseline the labeller's own cost is a ratio of.

    python bench/intents.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.intent_cases import (
    Case,
    Score,
    build,
    hard_cases,
    history_articles,
    score,
    unseen_articles,
)

from tearsheet.diff.align import Document, align
from tearsheet.diff.changes import diff
from tearsheet.diff.corrections import _scan
from tearsheet.diff.intents import FINE, Intent, Label, Reading, read_change

SHARED = Path(__file__).resolve().parents[2] / "shared"
KIND_TO_LABEL = {
    "numbers_changed": "figure", "names_changed": "name", "quote_changed": "quote",
    "update": "added_information", "removal": "removed_information",
    "correction_appended": "correction", "typo": "typo", "punctuation": "punctuation",
    "rewording": "wording", "reordering": "reordered",
}


def kinds_peer(old: Document, new: Document) -> Reading:
    """The diff engine's kinds, read as intents (no emphasis, no lede: it has none)."""
    kinds = diff(old, new).summary.kinds
    labels = tuple(Label(KIND_TO_LABEL[k], ()) for k in kinds if k in KIND_TO_LABEL)
    claims = {"numbers_changed", "names_changed", "quote_changed"} & set(kinds)
    silent = bool(claims) and "correction_appended" not in kinds
    intents = tuple(Intent(FINE[label.name], 0.0, (label,)) for label in labels)
    return Reading(intents, silent)


def rules(old: Document, new: Document) -> Reading:
    return read_change(align(old, new), old, new)


def timed(cases: list[Case], runs: int) -> tuple[float, float]:
    """Median seconds for aligning every case, and for aligning and reading them."""
    aligning, reading = [], []
    for _ in range(runs):
        start = time.perf_counter()
        alignments = [align(c.old, c.new) for c in cases]
        middle = time.perf_counter()
        for alignment, case in zip(alignments, cases, strict=True):
            _scan.cache_clear()  # each change read afresh (its old and new share paragraphs)
            read_change(alignment, case.old, case.new)
        end = time.perf_counter()
        aligning.append(middle - start)
        reading.append(end - middle)
    return statistics.median(aligning), statistics.median(reading)


def report(name: str, ours: Score, peer: Score) -> dict[str, object]:
    print(f"\n{name}: {sum(t for _, t in ours.exact.values())} cases")
    print(f"  {'edit':<22} {'rules':>7} {'kinds':>7}    (exact label set)")
    for operator in sorted(ours.exact):
        print(f"  {operator:<22} {ours.accuracy(operator):>7.1%} {peer.accuracy(operator):>7.1%}")
    print(f"  {'all':<22} {ours.overall():>7.1%} {peer.overall():>7.1%}")
    print(f"  {'label':<22} {'P':>6} {'R':>6}   {'peer P':>6} {'peer R':>6}")
    for label in FINE:
        tp, predicted, expected = ours.label_hits.get(label, [0, 0, 0])
        ptp, ppredicted, pexpected = peer.label_hits.get(label, [0, 0, 0])
        print(f"  {label:<22} {_ratio(tp, predicted):>6} {_ratio(tp, expected):>6}   "
              f"{_ratio(ptp, ppredicted):>6} {_ratio(ptp, pexpected):>6}")
    print(f"  silent correction: precision {ours.silent_precision:.1%} recall "
          f"{ours.silent_recall:.1%} (tp/fp/fn {ours.silent}); peer precision "
          f"{peer.silent_precision:.1%} recall {peer.silent_recall:.1%} (tp/fp/fn "
          f"{peer.silent})")
    return {"cases": sum(t for _, t in ours.exact.values()),
            "exact": {k: ours.accuracy(k) for k in ours.exact},
            "peer_exact": {k: peer.accuracy(k) for k in peer.exact},
            "overall": ours.overall(), "peer_overall": peer.overall(),
            "silent_precision": ours.silent_precision, "silent_recall": ours.silent_recall,
            "peer_silent_precision": peer.silent_precision,
            "peer_silent_recall": peer.silent_recall}


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the numbers here too")
    options = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is absent: the labelled set is built from the shared corpora")
    sets = {"histories (development)": build(history_articles(SHARED)),
            "extraction bodies (held out)": build(unseen_articles(SHARED)),
            "hand-written hard cases": hard_cases()}
    results: dict[str, object] = {}
    for name, cases in sets.items():
        results[name] = report(name, score(cases, rules), score(cases, kinds_peer))
    every = [c for cases in sets.values() for c in cases]
    aligning, reading = timed(every, options.runs)
    per_change = reading / len(every) * 1000
    print(f"\ntime over {len(every)} changes (median of {options.runs}): align "
          f"{aligning / len(every) * 1000:.2f} ms/change, intents {per_change:.2f} ms/change "
          f"({reading / aligning:.2f}× the alignment)")
    results["ms_per_change"] = {"align": aligning / len(every) * 1000, "intents": per_change}
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
