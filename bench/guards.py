"""trafilatura's expressions guarded (``extract/guards.py``) against the same expressions
plain: the same extractions, and what the guards spare.

``--baseline guards`` compares with the guards alone instead of plain expressions: what
the tag unions (``guards.tag_unions``) spare on top of them. ``--checkloop`` reads the
check-loop benchmark's synthetic pages (``newsite.py``) instead of the corpora's.

For every page of ``../shared/corpora`` (or a spread of ``--pages``), in one process,
``extract()`` with the guards and without them (the lists put back as trafilatura has
them), interleaved page by page so that the machine's noise falls on both alike, each the
best of ``--runs`` CPU times. Prints the pages whose extraction differs (there must be
none: a guard is a necessary condition of the test it guards), the summed and median ms
per page of each, and the median of the pages' ratios. ~2 min.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fast_path_sweep import SHARED, URL, corpus_pages
from newsite import news_page
from same_capture import best
from tearsheet.errors import ExtractionError
from tearsheet.extract import guards, metadata, reader
from tearsheet.extract.extraction import extract


@contextmanager
def unguarded() -> Iterator[None]:
    """The extraction as it was before the guards: trafilatura's lists left as they are."""
    saved = reader._GUARDED, metadata.guarded_all, metadata.guarded
    reader._GUARDED = ()
    metadata.guarded_all = list  # type: ignore[assignment]
    metadata.guarded = lambda expression, **_: expression  # type: ignore[assignment]
    metadata._byline_paths.cache_clear()
    try:
        yield
    finally:
        reader._GUARDED, metadata.guarded_all, metadata.guarded = saved
        metadata._byline_paths.cache_clear()


@contextmanager
def without_unions() -> Iterator[None]:
    """The guards alone: the steps of tag names left as trafilatura writes them."""
    saved = guards.tag_unions
    guards.tag_unions = lambda path: path
    guards.guarded_all.cache_clear()
    metadata._byline_paths.cache_clear()
    try:
        yield
    finally:
        guards.tag_unions = saved
        guards.guarded_all.cache_clear()
        metadata._byline_paths.cache_clear()


def reading(body: bytes) -> Any:
    """What an extraction gives (its fields), or the refusal's reason."""
    try:
        return extract(body, URL)
    except ExtractionError as exc:
        return exc.reason


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per page and way")
    parser.add_argument("--pages", type=int, help="a spread of this many pages (all: none)")
    parser.add_argument("--baseline", choices=("plain", "guards"), default="plain",
                        help="what to compare with: plain expressions, or the guards alone")
    parser.add_argument("--checkloop", type=int, metavar="N",
                        help="the check-loop benchmark's first N pages instead")
    args = parser.parse_args()
    baseline = unguarded if args.baseline == "plain" else without_unions
    compared: list[float] = []
    guarded: list[float] = []
    differ = []
    if args.checkloop:
        pages = {f"checkloop {n}": news_page(n, 0).encode() for n in range(args.checkloop)}
    else:
        paths = corpus_pages(SHARED, args.pages)
        pages = {str(p.relative_to(SHARED)): gzip.decompress(p.read_bytes()) for p in paths}
    if not pages:
        print(f"no pages under {SHARED}", file=sys.stderr)
        return 1
    for name, body in pages.items():
        with baseline():
            before = reading(body)
            compared.append(best(args.runs, lambda body=body: reading(body)))
        after = reading(body)
        guarded.append(best(args.runs, lambda body=body: reading(body)))
        if after != before:
            differ.append(name)
    print(f"{len(pages)} pages, best of {args.runs} runs each, CPU ms per extract():")
    for label, times in ((args.baseline, compared), ("guarded", guarded)):
        print(f"  {label:8} sum {sum(times):8.1f}  median {statistics.median(times):6.2f}")
    ratios = [g / p for g, p in zip(guarded, compared, strict=True) if p]
    print(f"  guarded / {args.baseline}: sums {sum(guarded) / sum(compared):.3f}, "
          f"median of the pages' ratios {statistics.median(ratios):.3f}")
    print(f"extractions that differ: {len(differ)}" + "".join(f"\n  {p}" for p in differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
