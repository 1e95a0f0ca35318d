"""trafilatura's expressions guarded (``extract/guards.py``) against the same expressions
plain: the same extractions, and what the guards spare.

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
from same_capture import best
from tearsheet.errors import ExtractionError
from tearsheet.extract import metadata, reader
from tearsheet.extract.extraction import extract


@contextmanager
def unguarded() -> Iterator[None]:
    """The extraction as it was before the guards: trafilatura's lists left as they are."""
    saved = reader._GUARDED, metadata.guarded_all, metadata.guarded
    reader._GUARDED = ()
    metadata.guarded_all = list  # type: ignore[assignment]
    metadata.guarded = lambda expression: expression  # type: ignore[assignment]
    metadata._byline_paths.cache_clear()
    try:
        yield
    finally:
        reader._GUARDED, metadata.guarded_all, metadata.guarded = saved
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
    args = parser.parse_args()
    plain: list[float] = []
    guarded: list[float] = []
    differ = []
    paths = corpus_pages(SHARED, args.pages)
    if not paths:
        print(f"no pages under {SHARED}", file=sys.stderr)
        return 1
    for path in paths:
        body = gzip.decompress(path.read_bytes())
        with unguarded():
            before = reading(body)
            plain.append(best(args.runs, lambda body=body: reading(body)))
        after = reading(body)
        guarded.append(best(args.runs, lambda body=body: reading(body)))
        if after != before:
            differ.append(path.relative_to(SHARED))
    print(f"{len(paths)} pages, best of {args.runs} runs each, CPU ms per extract():")
    for name, times in (("plain", plain), ("guarded", guarded)):
        print(f"  {name:8} sum {sum(times):8.1f}  median {statistics.median(times):6.2f}")
    ratios = [g / p for g, p in zip(guarded, plain, strict=True) if p]
    print(f"  guarded / plain: sums {sum(guarded) / sum(plain):.3f}, "
          f"median of the pages' ratios {statistics.median(ratios):.3f}")
    print(f"extractions that differ: {len(differ)}" + "".join(f"\n  {p}" for p in differ))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
