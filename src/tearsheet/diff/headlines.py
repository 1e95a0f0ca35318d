"""Headline tests and headline edits, told apart from an article's headlines over time.

A page serving alternating headlines — an A/B test — shows the same two or more headlines
again and again; a headline edit changes and stays changed. Given the headline of each
stored version, in order (and the test the tracker recorded, if any: once a headline comes
back its flips are counted in ``headline_tests`` instead of stored), :func:`read_headlines`
finds the tests (every headline that comes
back after another, with the headlines it alternated with, and how many versions showed
each) and counts the edits (headline changes outside any test). Headlines are compared on
their typographic key, so a curly quote is not a variant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tearsheet.diff.align import typographic_key


@dataclass(frozen=True)
class HeadlineTest:
    """Headlines served in alternation: each variant (as first seen) with the number of
    versions that showed it, and the version numbers (from 1) the test spans."""

    variants: tuple[tuple[str, int], ...]
    first: int
    last: int

    def as_json(self) -> dict[str, object]:
        return {"variants": [{"headline": h, "seen": n} for h, n in self.variants],
                "first_version": self.first, "last_version": self.last}


@dataclass(frozen=True)
class Headlines:
    tests: tuple[HeadlineTest, ...]
    edits: int  # headline changes that are not flips of a test
    test_flips: int  # headline changes inside a test


def read_headlines(titles: Sequence[str | None],
                   variants: Sequence[tuple[str | None, int]] = ()) -> Headlines:
    """Tests and edits in the headlines of an article's versions (oldest first).

    ``variants``: a test the tracker recorded (headline, times seen; ``headline_tests``),
    whose flips were not stored as versions: a change between two of its headlines is a
    flip of that test, not an edit."""
    known = {typographic_key(h or "") for h, _ in variants}
    keys = [typographic_key(t or "") for t in titles]
    runs: list[tuple[str, int, int]] = []  # (key, first index, last index)
    for index, key in enumerate(keys):
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1], index)
        else:
            runs.append((key, index, index))
    # A span of runs from a headline's first run to its last one, when it has several;
    # overlapping spans are one test.
    spans: list[list[int]] = []
    first_run: dict[str, int] = {}
    for r, (key, _, _) in enumerate(runs):
        if key in first_run:
            start = first_run[key]
            if spans and start <= spans[-1][1]:
                spans[-1][1] = r
            else:
                spans.append([start, r])
        else:
            first_run[key] = r
    tests = []
    inside: set[int] = set()
    for start, end in spans:
        seen: Counter[str] = Counter()
        shown: dict[str, str] = {}
        for key, a, b in runs[start:end + 1]:
            seen[key] += b - a + 1
            shown.setdefault(key, titles[a] or "")
        tests.append(HeadlineTest(tuple((shown[k], n) for k, n in seen.items()),
                                  runs[start][1] + 1, runs[end][2] + 1))
        inside.update(range(start + 1, end + 1))  # run r starts with a flip of the test
    if len(known) > 1:  # the tracker's record of the test, with every time it was seen
        tests = [HeadlineTest(tuple((h or "", n) for h, n in variants), 1, len(titles))]
        inside.update(r for r in range(1, len(runs))
                      if runs[r][0] in known and runs[r - 1][0] in known)
    changes = len(runs) - 1
    return Headlines(tuple(tests), changes - len(inside), len(inside))
