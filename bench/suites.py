"""One table per corpus: tearsheet beside trafilatura and readability-lxml, from one run.

    python bench/extraction.py --suites [--peers-python PY]

- **benchmark**: the 60 hand-checked news pages (``../shared/corpora/extraction``), body
  shingle F1 as in the rest of ``bench/extraction.py`` (its gold has bodies only).
- **readability**: Mozilla Readability's 65 test pages, and **trafilatura-eval**:
  trafilatura's 495-page evaluation set, scored by the shared scorers in
  ``../shared/tools/peers`` (body F1: shingle F1 against Readability's output, and the
  set's own passage F1), with headline, byline and date hit rates, refusals, and the median
  time per page. tearsheet is scored as shipped: a refused page is an empty body.

The peers run in ``--peers-python`` (any Python with ``readability-lxml`` and
``trafilatura`` installed, by default this one) through the scorers' own runner, so their
settings are the scorers' and not ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXTRACTORS = ("tearsheet", "trafilatura", "readability-lxml")
HEADER = ["extractor", "body F1", "headline", "byline", "date", "refused", "ms/page"]


def shared_folder() -> Path:
    """../shared beside the checkout, or $TEARSHEET_SHARED."""
    return Path(os.environ.get("TEARSHEET_SHARED", SHARED))


def _run_scorer(script: str, corpus: Path, peers_python: str) -> dict[str, Any]:
    """The scorer's last printed line: its JSON summary."""
    scorer = shared_folder() / "tools" / "peers" / script
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1] / "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, str(scorer), str(corpus), "--baseline-python",
                          peers_python], capture_output=True, text=True, check=True,
                         env=env).stdout
    summary: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return summary


def _rate(hits: int, n: int) -> str:
    return f"{hits}/{n} ({hits / n:.0%})" if n else "—"


def _fraction(value: str) -> str:
    hits, n = (int(x) for x in value.split("/"))
    return _rate(hits, n)


def _refusals(refused: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(refused.items())) or "—"


def readability_rows(peers_python: str) -> list[list[str]]:
    results = _run_scorer("readability_pages.py", shared_folder() / "corpora" / "readability",
                          peers_python)["results"]["all"]
    rows = []
    for name in EXTRACTORS:
        s = results[name]

        def rate(key: str, s: dict[str, Any] = s) -> str:
            return _rate(s[key]["hits"], s[key]["n"])
        rows.append([name, f"{s['shingle']['f1']:.3f}", rate("title_exact"),
                     rate("byline_all"), rate("date_same_day"), _refusals(s["refused"]),
                     f"{s['median_ms']:.1f}"])
    return rows


def trafilatura_rows(peers_python: str) -> list[list[str]]:
    results = _run_scorer("trafilatura_evalset.py",
                          shared_folder() / "corpora" / "trafilatura-eval",
                          peers_python)["results"]
    return [[name, f"{s['f1']:.3f}", _fraction(s["title_exact"]),
             _fraction(s["author_all_names"]), _fraction(s["date_same_day"]),
             _refusals(s["refused"]), f"{s['median_ms']:.1f}"]
            for name, s in ((n, results[n]) for n in EXTRACTORS)]


def benchmark_rows(measured: dict[str, tuple[float, float, dict[str, int]]]) -> list[list[str]]:
    """Rows from ``bench/extraction.py``'s own measurement: name -> (F1, ms, refusals)."""
    return [[name, f"{f1:.4f}", "—", "—", "—", _refusals(refused), f"{ms:.1f}"]
            for name, (f1, ms, refused) in measured.items()]
