"""difflib's matching of two sequences, in time a hostile page cannot stretch.

The diff engine matches sentence keys (:func:`tearsheet.diff.align.align`) and the words
of an edited sentence (:func:`~tearsheet.diff.align.word_diff`) with difflib's
``SequenceMatcher``, junk heuristics off: the exact longest matches, which is what makes
a diff read right. Its work grows with the pairs of *equal* elements it weighs: nothing
on an article's text, whose sentences and words rarely repeat, but the square of the
repeats on a page made of them — one paragraph of 16,000 words from a handful (every
space a token) took 6 s to word-diff, 4,000 near-identical paragraphs 13 s to align, and
it grows fourfold with each doubling. A summary is made in the extraction pool with
every new version, and the web app aligns on request: such a page would hold a worker,
or a web request, for hours.

:func:`matching_blocks` is difflib's answer wherever that work is within
:data:`MATCH_WORK` (every real page measured; the same blocks, byte for byte). Past it,
the two sequences' common head and tail are matched as such and only what lies between
is weighed, exactly again if it fits the budget (one edit in a huge text: the usual
case), else left unmatched: one replacement, a coarse diff but a true one, in linear
time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher
from typing import Literal

__all__ = ["MATCH_WORK", "matching_blocks", "opcodes", "work"]

MATCH_WORK = 1_000_000
"""Pairs of equal elements difflib may weigh (one pass of its search: ~20 ms here; an
article's sentences and a sentence's words stay far below). Its recursion searches the
parts again, so a text of many small matches within the budget still costs more: a
1,200-word sentence of two words alternating, edited at every other one, 0.5 s."""

Block = tuple[int, int, int]
"""A matching block: ``a[i:i + size] == b[j:j + size]``, as difflib's ``(i, j, size)``."""

Tag = Literal["replace", "delete", "insert", "equal"]


def work(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """The pairs of equal elements of ``a`` and ``b``: what difflib's search weighs."""
    if len(a) * len(b) <= MATCH_WORK:
        return len(a) * len(b)  # a bound, and all a caller compares with the budget
    counts = Counter(b)
    return sum(counts.get(x, 0) for x in a)


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable], *,
                    budget: int = MATCH_WORK) -> list[Block]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`` as plain
    tuples (with its closing ``(len(a), len(b), 0)``), within ``budget`` (see the
    module's docstring for what is matched past it)."""
    if work(a, b) <= budget:
        return [(match.a, match.b, match.size) for match in
                SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()]
    n, m = len(a), len(b)
    head = 0
    while head < min(n, m) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and a[n - 1 - tail] == b[m - 1 - tail]:
        tail += 1
    blocks: list[Block] = [(0, 0, head)] if head else []
    middle_a, middle_b = a[head:n - tail], b[head:m - tail]
    if middle_a and middle_b and work(middle_a, middle_b) <= budget:
        blocks += [(head + i, head + j, size) for i, j, size in SequenceMatcher(
            None, middle_a, middle_b, autojunk=False).get_matching_blocks() if size]
    if tail:
        blocks.append((n - tail, m - tail, tail))
    blocks.append((n, m, 0))
    return blocks


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], *,
            budget: int = MATCH_WORK) -> list[tuple[Tag, int, int, int, int]]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_opcodes()``, from
    :func:`matching_blocks` (so within ``budget``); difflib's own construction."""
    found: list[tuple[Tag, int, int, int, int]] = []
    i = j = 0
    for ai, bj, size in matching_blocks(a, b, budget=budget):
        tag: Tag | None = ("replace" if i < ai and j < bj else "delete" if i < ai
                           else "insert" if j < bj else None)
        if tag is not None:
            found.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            found.append(("equal", ai, i, bj, j))
    return found
