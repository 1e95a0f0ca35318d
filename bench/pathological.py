"""Time the check of pages built to be slow: the shapes that make a parser, trafilatura or
tearsheet's own code superlinear (docs/hardening.md, "A page that no parser can read in
time"). Each page is an ordinary story with the shape added; ``--size`` scales it.

    python bench/pathological.py              # every shape, at its default size
    python bench/pathological.py --shape attributes --size 0.2

Prints, per shape, the page's size and the CPU seconds of ``check_capture`` (extraction
and the fast path's key), as a worker runs it. No limit applies here: this measures what
``fetch.extract_timeout`` exists to bound. Then the same for two versions of a text built
to be slow to diff (``--diff`` shapes): the CPU seconds of ``summarize``, which the pool
runs with every new version and the web app's diff pages run on request
(``tearsheet.diff.matching``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from tearsheet.diff.align import Document
from tearsheet.diff.changes import summarize
from tearsheet.errors import TearsheetError
from tearsheet.extract.fast_path import check_capture
from tearsheet.extract.recheck import DecisionKey

_STORY = "<p>" + "The council said the budget would rise by four per cent next year. " * 5 \
    + "</p>"

SHAPES: dict[str, tuple[int, Callable[[int], str]]] = {
    # one tag of n distinct attributes: libxml2 checks each against those before it
    "attributes": (50_000, lambda n: "<div " + " ".join(f"a{i}=x" for i in range(n))
                   + ">x</div>"),
    # n tiny paragraphs: trafilatura's //p//text() merges node sets with a duplicate check
    "paragraphs": (100_000, lambda n: "<p>a</p>" * n),
    # n long paragraphs: the fast path's key places each one in the page
    "long paragraphs": (20_000, lambda n: "".join(
        f"<p>Sentence number {i} of the long story goes on here and on.</p>" for i in range(n))),
    "line breaks": (100_000, lambda n: "<p>" + "a<br>" * n + "</p>"),
    "headings": (20_000, lambda n: "<h2>Heading</h2><p>short</p>" * n),
    "links": (50_000, lambda n: "<ul>" + "<li><a href='/x'>link text here</a></li>" * n
              + "</ul>"),
    "table rows": (20_000, lambda n: "<table>" + "<tr><td>cell</td><td>more</td></tr>" * n
                   + "</table>"),
    "nested divs": (5_000, lambda n: "<div>" * n + "<p>word</p>" + "</div>" * n),
}


_SAME = "The council met again today. The vote was put off. Nobody spoke."
_FEW = ("the", "a", "council", "met", "and")


def _few(n: int, step: int) -> str:
    """A sentence of ``n`` words of :data:`_FEW`, the ``i``-th being ``_FEW[i * step % 5]``."""
    return " ".join(_FEW[i * step % 5] for i in range(n))


DIFFS: dict[str, tuple[int, Callable[[int], tuple[str, str]]]] = {
    # n paragraphs of the same sentences, every one edited the same way: every sentence
    # key repeats n times, and difflib weighs every pair of equal ones
    "repeated paragraphs": (20_000, lambda n: (
        "\n\n".join([_SAME] * n), "\n\n".join([_SAME.replace("off.", "off again.")] * n))),
    # one sentence of n words from five, one word inserted: every space is a token
    "long sentence, one edit": (100_000, lambda n: (
        _few(n, 7), _few(n, 7).replace("and a", "and not a", 1))),
    # the same, every word drawn again
    "long sentence, rewritten": (100_000, lambda n: (_few(n, 7), _few(n, 1))),
    # n paragraphs of one 600-word sentence, two words alternating, every fourth edited:
    # each within the budget, but difflib's recursion searches it hundreds of times
    "many long sentences": (1_000, lambda n: (
        "\n\n".join(" ".join("ab"[i % 2] for i in range(600)) + f" {k}." for k in range(n)),
        "\n\n".join(" ".join("abac"[i % 4] for i in range(600)) + f" {k}."
                     for k in range(n)))),
}


def page(body: str) -> bytes:
    return (f"<html><head><title>Budget story here</title></head><body><article>"
            f"<h1>Budget story here</h1>{_STORY * 10}{body}</article></body></html>").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), action="append")
    parser.add_argument("--diff", choices=sorted(DIFFS), action="append")
    parser.add_argument("--size", type=float, default=1.0, help="scale of each shape's size")
    args = parser.parse_args()
    for name in args.shape or ([] if args.diff else SHAPES):
        count, build = SHAPES[name]
        n = max(1, int(count * args.size))
        body = page(build(n))
        started = time.process_time()
        try:
            found = check_capture(body, "https://news.example/a", "utf-8", "text/html")
            key = DecisionKey.loads(found.key)
            outcome = "keyed" if key is not None and key.digest else "known by its bytes only"
        except TearsheetError as exc:
            outcome = f"refused: {exc}"[:60]
        took = time.process_time() - started
        print(f"{name:16} n={n:<7} {len(body) / 1e6:5.2f} MB  {took:7.2f} s CPU  {outcome}",
              flush=True)
    for name in args.diff or ([] if args.shape else DIFFS):
        count, versions = DIFFS[name]
        n = max(1, int(count * args.size))
        old, new = versions(n)
        started = time.process_time()
        summary = summarize(Document.from_text(old), Document.from_text(new))
        took = time.process_time() - started
        print(f"diff: {name:24} n={n:<7} {len(new) / 1e6:5.2f} MB  {took:7.2f} s CPU  "
              f"{summary.words_added} words added, {summary.words_removed} removed", flush=True)


if __name__ == "__main__":
    main()
