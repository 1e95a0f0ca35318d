"""Body extraction: accuracy and speed of candidate extractors on the shared corpus.

    python bench/extraction.py [--runs 3] [--only NAME ...] [--markdown]
    python bench/extraction.py --suites   # a table per corpus, tearsheet beside its peers

The corpus is ``../shared/corpora/extraction/``: 60 real news pages with hand-checked
bodies (the Scrapinghub article-extraction benchmark). Scoring is the benchmark's usual
measure, exactly as issue 3 states it: case-kept ``\\w+`` tokens, word 4-gram shingles
(counted, so a repeated paragraph counts twice), precision and recall per page, each
averaged over the pages, F1 the harmonic mean of the two averages.

Speed is the median over pages of each page's best time out of ``--runs`` runs, in one
process pinned to one core, the candidates interleaved page by page so that the machine's
noise falls on all of them alike. Every candidate gets the same decoded ``str``. The
baseline, timed in the same run, is parsing the page with lxml (what any extractor must at
least do), so the ratios carry from one machine to another better than the milliseconds.

Candidates that are not installed are listed as such; install them with
``pip install -e ".[bench]"``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CORPUS = Path(os.environ.get("TEARSHEET_SHARED", Path(__file__).resolve().parents[2] / "shared")
              ) / "corpora" / "extraction"
_TOKEN = re.compile(r"\w+")


# --- scoring -----------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-gram shingles of ``text`` with their counts (case kept, ``\\w+`` tokens)."""
    tokens = _TOKEN.findall(text or "")
    if 0 < len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def page_scores(predicted: str, expected: str) -> tuple[float, float]:
    """(precision, recall) of one page; an empty side scores 0 (1 if both are empty)."""
    got, want = shingles(predicted), shingles(expected)
    if not got and not want:
        return 1.0, 1.0
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    return precision, recall


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def corpus_score(pairs: Iterable[tuple[str, str]]) -> Score:
    """Precision and recall averaged over pages of (predicted, expected) bodies."""
    scores = [page_scores(p, e) for p, e in pairs]
    return Score(statistics.fmean(s[0] for s in scores), statistics.fmean(s[1] for s in scores))


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    html: bytes
    body: str


def load_corpus(folder: Path = CORPUS) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(key, item["url"], gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()),
             item["articleBody"])
        for key, item in sorted(truth.items())
    ]


# --- candidates --------------------------------------------------------------------------

Extractor = Callable[[str, str], str]  # (decoded html, url) -> body text


def _trafilatura(**options: object) -> Extractor:
    import trafilatura

    def run(html: str, url: str) -> str:
        return trafilatura.extract(html, url=url, include_comments=False,
                                   include_tables=False, **options) or ""
    return run


def _trafilatura_peer(html: str, url: str) -> str:
    """trafilatura as the peer scorers run it: its defaults (tables kept, the full path)
    and its metadata (headline, author, date: tearsheet's extract() finds them too)."""
    import trafilatura
    found = trafilatura.extract(html, url=url, include_comments=False, with_metadata=True,
                                output_format="json")
    return str(json.loads(found).get("text") or "") if found else ""


def _tearsheet(html: str, url: str) -> str:
    from tearsheet.errors import ExtractionError
    from tearsheet.extract.extraction import extract
    try:  # the body as extracted: the corpus's teasers are scored, not refused
        return extract(html, url, check_captures=False).text
    except ExtractionError:
        return ""


def _resiliparse(html: str, url: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    return str(extract_plain_text(html, main_content=True, alt_texts=False, links=True,
                                  list_bullets=False, noscript=False))


_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd",
           "dt", "figcaption", "div", "section", "article", "table", "ul", "ol", "tr"}


def split_blocks(fragment: str) -> str:
    """Paragraphs of an HTML fragment: one per block element's own text run."""
    import lxml.html
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            parts.append(text)
        current.clear()

    def walk(node: lxml.html.HtmlElement) -> None:
        block = isinstance(node.tag, str) and node.tag in _BLOCKS
        if block:
            flush()
        if node.tag == "br":
            flush()
        if node.text and isinstance(node.tag, str):
            current.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return "\n".join(parts)


def _readability(html: str, url: str) -> str:
    from readability import Document
    return split_blocks(Document(html, url=url).summary(html_partial=True))


def _newspaper(html: str, url: str) -> str:
    import newspaper
    article = newspaper.Article(url, fetch_images=False)
    article.download(input_html=html)
    article.parse()
    return str(article.text)


_GOOSE: object | None = None


def _goose(html: str, url: str) -> str:
    global _GOOSE
    from goose3 import Goose
    if _GOOSE is None:
        _GOOSE = Goose({"enable_image_fetching": False})
    return str(_GOOSE.extract(raw_html=html).cleaned_text)  # type: ignore[attr-defined]


def _justext(html: str, url: str) -> str:
    import justext
    paragraphs = justext.justext(html, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _boilerpy3(html: str, url: str) -> str:
    from boilerpy3 import extractors
    return str(extractors.ArticleExtractor(raise_on_failure=False).get_content(html))


def _json_ld(html: str, url: str) -> str:
    """The page's own JSON-LD ``articleBody`` (empty when it has none)."""
    import lxml.html

    from tearsheet.extract.metadata import json_ld_body
    return json_ld_body(lxml.html.document_fromstring(html)) or ""


def _parse_only(html: str, url: str) -> str:
    import lxml.html
    lxml.html.document_fromstring(html)
    return ""


CANDIDATES: dict[str, tuple[Extractor, str]] = {
    "lxml parse only (baseline)": (_parse_only, "lxml"),
    "tearsheet extract()": (_tearsheet, "tearsheet"),
    "trafilatura (tearsheet 0.1 settings)": (_trafilatura(), "trafilatura"),
    "trafilatura (peer settings)": (_trafilatura_peer, "trafilatura"),
    "trafilatura favor_precision": (_trafilatura(favor_precision=True), "trafilatura"),
    "trafilatura favor_recall": (_trafilatura(favor_recall=True), "trafilatura"),
    "trafilatura fast": (_trafilatura(fast=True), "trafilatura"),
    "trafilatura fast + favor_recall": (_trafilatura(fast=True, favor_recall=True),
                                        "trafilatura"),
    "JSON-LD articleBody only": (_json_ld, "tearsheet"),
    "resiliparse main_content": (_resiliparse, "resiliparse"),
    "readability-lxml + block splitter": (_readability, "readability"),
    "newspaper4k": (_newspaper, "newspaper"),
    "goose3": (_goose, "goose3"),
    "jusText (English stoplist)": (_justext, "justext"),
    "boilerpy3 ArticleExtractor": (_boilerpy3, "boilerpy3"),
}


def _version(module: str) -> str:
    from importlib import metadata
    names = {"readability": "readability-lxml", "newspaper": "newspaper4k",
             "justext": "jusText"}
    try:
        return metadata.version(names.get(module, module))
    except metadata.PackageNotFoundError:
        return "?"


def _available(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


@dataclass(frozen=True)
class Result:
    name: str
    score: Score
    median_ms: float
    p90_ms: float
    failures: int


def measure(candidates: dict[str, Extractor], pages: list[Page], texts: list[str],
            runs: int) -> list[Result]:
    """Score and time every candidate, interleaved page by page.

    Interleaving (run, page, candidate) spreads the machine's noise over all candidates
    alike, so the ratios between them hold even when the absolute times wander.
    """
    best = {name: [float("inf")] * len(pages) for name in candidates}
    outputs = {name: [""] * len(pages) for name in candidates}
    failures = dict.fromkeys(candidates, 0)
    for repeat in range(runs):
        for index, (page, html) in enumerate(zip(pages, texts, strict=True)):
            for name, run in candidates.items():
                started = time.perf_counter()
                try:
                    output = run(html, page.url)
                except Exception:  # a crash is an empty body, and counted
                    output = ""
                    failures[name] += repeat == 0
                elapsed = time.perf_counter() - started
                best[name][index] = min(best[name][index], elapsed)
                outputs[name][index] = output
    results = []
    for name in candidates:
        score = corpus_score(zip(outputs[name], (p.body for p in pages), strict=True))
        ordered = sorted(best[name])
        results.append(Result(name, score, statistics.median(ordered) * 1000,
                              ordered[int(0.9 * (len(ordered) - 1))] * 1000, failures[name]))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per page (best kept)")
    parser.add_argument("--only", nargs="*", default=None, help="candidate names (substrings)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--suites", action="store_true",
                        help="a table per corpus (benchmark, readability, trafilatura-eval): "
                             "tearsheet beside trafilatura and readability-lxml")
    parser.add_argument("--peers-python", default=sys.executable,
                        help="a Python with readability-lxml and trafilatura, for --suites")
    args = parser.parse_args(argv)
    if args.suites:
        return suites_main(args)
    if not (args.corpus / "ground-truth.json").exists():
        print(f"{args.corpus} is absent (the shared corpora live beside the repository)",
              file=sys.stderr)
        return 2
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    warnings.simplefilter("ignore")
    import logging
    logging.disable(logging.CRITICAL)

    from tearsheet.extract.extraction import decode_html
    pages = load_corpus(args.corpus)
    texts = [decode_html(page.html) for page in pages]
    chosen: dict[str, Extractor] = {}
    missing: list[str] = []
    for name, (run, module) in CANDIDATES.items():
        if args.only and not any(o.lower() in name.lower() for o in args.only) \
                and "baseline" not in name:
            continue
        if not _available(module):
            missing.append(f"{name} ({module} not installed)")
            continue
        try:
            run(texts[0], pages[0].url)  # warm up: imports, models, caches
        except Exception as exc:
            missing.append(f"{name} (crashed: {exc!r})")
            continue
        chosen[name] = run
    print(f"measuring {len(chosen)} candidates on {len(pages)} pages...", file=sys.stderr)
    results = measure(chosen, pages, texts, args.runs)
    baseline = results[0].median_ms
    header = ["candidate", "version", "precision", "recall", "F1", "median ms",
              "p90 ms", "× parse", "crashes"]
    rows = []
    for result, module in ((r, CANDIDATES[r.name][1]) for r in results):
        rows.append([result.name, _version(module), f"{result.score.precision:.4f}",
                     f"{result.score.recall:.4f}", f"{result.score.f1:.4f}",
                     f"{result.median_ms:.1f}", f"{result.p90_ms:.1f}",
                     f"{result.median_ms / baseline:.1f}", str(result.failures)])
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{len(pages)} pages, best of {args.runs} runs per page, one core, {when}")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if k == 0 else "---:" for k in range(len(header))) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from common import table
        print(table(rows, header))
    for name in missing:
        print(f"not measured: {name}")
    return 0


def _refusals(pages: list[Page], texts: list[str]) -> dict[str, int]:
    """Reasons tearsheet as shipped refuses the corpus's pages for."""
    from tearsheet.errors import ExtractionError
    from tearsheet.extract import extract
    found: dict[str, int] = {}
    for page, html in zip(pages, texts, strict=True):
        try:
            extract(html, page.url)
        except ExtractionError as exc:
            found[exc.reason] = found.get(exc.reason, 0) + 1
    return found


def suites_main(args: argparse.Namespace) -> int:
    """The three corpora, one table each (see bench/suites.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import suites
    from common import table
    from tearsheet.extract import decode_html
    warnings.simplefilter("ignore")
    import logging
    logging.disable(logging.CRITICAL)
    pages = load_corpus(args.corpus)
    texts = [decode_html(page.html) for page in pages]
    chosen = {"tearsheet": _tearsheet, "trafilatura": _trafilatura_peer,
              "readability-lxml": _readability}
    if importlib.util.find_spec("readability") is None:  # a row of zeros would read as a score
        del chosen["readability-lxml"]
    results = measure(chosen, pages, texts, args.runs)
    refused = _refusals(pages, texts)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"tearsheet beside its peers, one run, {when}")
    print(f"\nbenchmark ({len(pages)} pages; body shingle F1; best of {args.runs} runs)")
    print(table(suites.benchmark_rows(
        {r.name: (r.score.f1, r.median_ms, refused if r.name == "tearsheet" else {})
         for r in results}), suites.HEADER))
    if "readability-lxml" not in chosen:
        print("readability-lxml: not installed in this Python, so not measured on this corpus "
              "(pip install -e '.[bench]')")
    print("\nreadability (65 pages; body shingle F1 against Readability's output)")
    print(table(suites.readability_rows(args.peers_python), suites.HEADER))
    print("\ntrafilatura-eval (495 pages; the set's passage F1)")
    print(table(suites.trafilatura_rows(args.peers_python), suites.HEADER))
    return 0


if __name__ == "__main__":
    sys.exit(main())
