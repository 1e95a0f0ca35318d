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
time. A whole diff's searches (difflib's recursion, one word diff per edited sentence)
are bounded too, by the :class:`Meter` it carries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from difflib import Match, SequenceMatcher
from typing import Literal

__all__ = ["DIFF_WORK", "MATCH_WORK", "Meter", "matching_blocks", "opcodes", "work"]

MATCH_WORK = 1_000_000
"""Pairs of equal elements difflib may weigh (one pass of its search: ~20 ms here; an
article's sentences and a sentence's words stay far below). Its recursion searches the
parts again, so a text of many small matches within the budget still costs more: a
1,200-word sentence of two words alternating, edited at every other one, 0.5 s."""

DIFF_WORK = 50_000_000
"""What one whole diff's searches may cost (:class:`Meter`; a few seconds here at
most): a 7,700-word article with a fifth of its words changed all through spends
120,000 of it, the histories corpus's changes under 2,000."""

Block = tuple[int, int, int]
"""A matching block: ``a[i:i + size] == b[j:j + size]``, as difflib's ``(i, j, size)``."""

Tag = Literal["replace", "delete", "insert", "equal"]


def work(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """The pairs of equal elements of ``a`` and ``b``: what difflib's search weighs."""
    if len(a) * len(b) <= MATCH_WORK:
        return len(a) * len(b)  # a bound, and all a caller compares with the budget
    counts = Counter(b)
    return sum(counts.get(x, 0) for x in a)


class Meter:
    """What the searches of one whole diff may cost, shared by all its matchings.

    :data:`MATCH_WORK` bounds one search's first pass; difflib's recursion searches the
    parts again around each match, and a diff makes one matching per edited sentence, so
    a page of many long, repetitive sentences, all edited, would still take minutes. The
    meter charges each search an upper bound of its inner loop (the range of ``a``
    searched times the most places any element of ``b`` holds); once ``left`` is spent,
    each matching still to come (and the one under way) is the head-and-tail match of a
    text past the budget. Deterministic: the same texts, the same diff, on any machine.
    """

    def __init__(self, allowance: int = DIFF_WORK) -> None:
        self.left = allowance


class _Spent(Exception):
    """The diff's meter ran out during a search."""


class _Metered(SequenceMatcher[Hashable]):
    """difflib's matcher, each search charged to a :class:`Meter` (the same answer)."""

    def __init__(self, a: Sequence[Hashable], b: Sequence[Hashable], meter: Meter) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._meter = meter
        self._length = len(a)
        self._most = max(Counter(b).values(), default=0)  # the longest list in b2j

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0,
                           bhi: int | None = None) -> Match:
        self._meter.left -= ((self._length if ahi is None else ahi) - alo) * self._most
        if self._meter.left < 0:
            raise _Spent
        return super().find_longest_match(alo, ahi, blo, bhi)


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable], *,
                    budget: int = MATCH_WORK, meter: Meter | None = None) -> list[Block]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`` as plain
    tuples (with its closing ``(len(a), len(b), 0)``), within ``budget`` and what is left
    on the diff's ``meter`` (see the module's docstring for what is matched past them)."""
    if (exact := _exact(a, b, budget, meter)) is not None:
        return exact
    n, m = len(a), len(b)
    head = 0
    while head < min(n, m) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and a[n - 1 - tail] == b[m - 1 - tail]:
        tail += 1
    blocks: list[Block] = [(0, 0, head)] if head else []
    middle = _exact(a[head:n - tail], b[head:m - tail], budget, meter)
    blocks += [(head + i, head + j, size) for i, j, size in middle or () if size]
    if tail:
        blocks.append((n - tail, m - tail, tail))
    blocks.append((n, m, 0))
    return blocks


def _exact(a: Sequence[Hashable], b: Sequence[Hashable], budget: int,
           meter: Meter | None) -> list[Block] | None:
    """difflib's blocks of ``a`` and ``b``, or None past the budget or the meter."""
    if not (a and b):
        return [(len(a), len(b), 0)]  # difflib's answer, at no cost
    if work(a, b) > budget or (meter is not None and meter.left < 0):
        return None
    matcher = SequenceMatcher(None, a, b, autojunk=False) if meter is None \
        else _Metered(a, b, meter)
    try:
        return [(x.a, x.b, x.size) for x in matcher.get_matching_blocks()]
    except _Spent:
        return None


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], *, budget: int = MATCH_WORK,
            meter: Meter | None = None) -> list[tuple[Tag, int, int, int, int]]:
    """``SequenceMatcher(None, a, b, autojunk=False).get_opcodes()``, from
    :func:`matching_blocks` (so within ``budget`` and the ``meter``); difflib's own
    construction."""
    found: list[tuple[Tag, int, int, int, int]] = []
    i = j = 0
    for ai, bj, size in matching_blocks(a, b, budget=budget, meter=meter):
        tag: Tag | None = ("replace" if i < ai and j < bj else "delete" if i < ai
                           else "insert" if j < bj else None)
        if tag is not None:
            found.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            found.append(("equal", ai, i, bj, j))
    return found
