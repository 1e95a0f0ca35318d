"""difflib's matching in bounded time: the same answer within the budget, a true one past
it, and never more work handed to difflib than the budget allows."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tearsheet.diff import matching
from tearsheet.diff.align import Document, align, word_diff
from tearsheet.diff.changes import summarize
from tearsheet.diff.matching import MATCH_WORK, Meter, matching_blocks, opcodes, work

SEQUENCES = st.lists(st.sampled_from("abcdef"), max_size=40)


def _applied(a: Sequence[Hashable], b: Sequence[Hashable],
             ops: Sequence[tuple[str, int, int, int, int]]) -> list[Hashable]:
    """``a`` turned by ``ops`` into what they say ``b`` is."""
    out: list[Hashable] = []
    at = 0
    for tag, i1, i2, j1, j2 in ops:
        assert i1 == at, "the operations cover a in order"
        if tag == "equal":
            assert list(a[i1:i2]) == list(b[j1:j2])
            out += a[i1:i2]
        elif tag in ("replace", "insert"):
            out += b[j1:j2]
        at = i2
    assert at == len(a)
    return out


@given(SEQUENCES, SEQUENCES)
def test_within_the_budget_it_is_difflib(a: list[str], b: list[str]) -> None:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    assert matching_blocks(a, b) == [tuple(m) for m in matcher.get_matching_blocks()]
    assert opcodes(a, b) == matcher.get_opcodes()


@given(SEQUENCES, SEQUENCES)
def test_a_meter_with_enough_left_changes_nothing(a: list[str], b: list[str]) -> None:
    meter = Meter()
    assert matching_blocks(a, b, meter=meter) == matching_blocks(a, b)
    assert meter.left <= Meter().left


@given(SEQUENCES, SEQUENCES, st.integers(min_value=0, max_value=60))
@settings(max_examples=300)
def test_past_the_budget_the_blocks_are_still_true(a: list[str], b: list[str],
                                                   budget: int) -> None:
    blocks = matching_blocks(a, b, budget=budget)
    assert blocks[-1] == (len(a), len(b), 0)
    end_a = end_b = 0
    for i, j, size in blocks[:-1]:
        assert size > 0 and i >= end_a and j >= end_b  # in order, never overlapping
        assert a[i:i + size] == b[j:j + size]
        end_a, end_b = i + size, j + size
    head = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                min(len(a), len(b)))
    if head and work(a, b) > budget:  # past the budget, the common head is matched as one
        assert blocks[0][:2] == (0, 0) and blocks[0][2] >= head
    assert _applied(a, b, opcodes(a, b, budget=budget)) == b


def test_work_counts_pairs_of_equal_elements() -> None:
    big = ["x"] * 2000
    assert work(big, big) == 2000 * 2000 > MATCH_WORK
    assert work(["a", "b"] * 1000, ["c"] * 1000) == 0
    assert work(["a"] * 3, ["a", "b"]) <= 6  # small: the product bounds it


def test_difflib_is_never_handed_more_than_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    weighed: list[int] = []

    class Watched(SequenceMatcher[str]):
        def __init__(self, isjunk: None, a: Sequence[str], b: Sequence[str],
                     autojunk: bool = True) -> None:
            weighed.append(work(a, b))
            super().__init__(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(matching, "SequenceMatcher", Watched)
    words = ["the", "a", "council", "met", "and"]
    text = " ".join(words[n * 7 % 5] for n in range(30_000))  # 60,000 tokens, 6 kinds
    assert work(text.split(" "), text.split(" ")) > 100 * MATCH_WORK
    # Two edits a few words apart: the text between them is weighed, as difflib would.
    edited = text.replace("and a met the council", "and not a met the big council", 1)
    ops = word_diff(text, edited)
    assert [(w.op, w.text.strip()) for w in ops if w.op != "equal"] == [
        ("insert", "not"), ("insert", "big")]
    assert "".join(w.text for w in ops if w.op != "insert") == text
    assert "".join(w.text for w in ops if w.op != "delete") == edited
    assert weighed and max(weighed) <= MATCH_WORK
    # Edits at both ends: what lies between is too much to weigh, and is one replacement.
    weighed.clear()
    ends = "council " + text[:-3] + "the end"
    ops = word_diff(text, ends)
    assert "".join(w.text for w in ops if w.op != "insert") == text
    assert "".join(w.text for w in ops if w.op != "delete") == ends
    assert all(n <= MATCH_WORK for n in weighed)


def test_a_page_of_repeated_paragraphs_is_aligned_whole() -> None:
    """4,000 paragraphs of the same three sentences (13 s before the budget): every
    sentence of both versions is accounted for, and the one paragraph edited is the only
    change."""
    same = "The council met again today. The vote was put off. Nobody spoke."
    old = Document(tuple([same] * 4000))
    new_paragraphs = [same] * 4000
    new_paragraphs[2500] = same.replace("put off.", "put off until May.")
    new = Document(tuple(new_paragraphs))
    alignment = align(old, new)
    changed = alignment.changed()
    assert [(u.label, u.old_text, u.new_text) for u in changed] == [
        ("edited", "The vote was put off.", "The vote was put off until May.")]
    assert sorted(u.new_index for u in alignment.units if u.new_index is not None) == \
        list(range(12000))
    counts = summarize(old, new).sentences
    assert counts is not None and (counts.edited, counts.added, counts.moved) == (1, 0, 0)


def test_a_diff_whose_meter_runs_out_is_still_true() -> None:
    """A thousand long sentences of two words alternating, all edited (each within the
    budget, many times what difflib's recursion would spend on a real article): the
    diff's meter runs out, and every word diff after it is the head-and-tail match,
    still turning one text into the other."""
    old = " ".join("ab"[i % 2] for i in range(200))
    new = " ".join(("a", "b", "a", "c")[i % 4] for i in range(200))
    before = Document(tuple(f"{old} {k}." for k in range(1000)))
    after = Document(tuple(f"{new} {k}." for k in range(1000)))
    alignment = align(before, after)
    edited = [u for u in alignment.units if u.label == "edited"]
    assert len(edited) == 1000
    for unit in edited:
        assert "".join(w.text for w in unit.words if w.op != "insert") == unit.old_text
        assert "".join(w.text for w in unit.words if w.op != "delete") == unit.new_text
    # Those diffed before it ran out are exact (every fourth word edited), the rest are
    # one replacement between the common head and tail.
    sizes = [len(unit.words) for unit in edited]
    exact = sum(size > 100 for size in sizes)
    assert 10 < exact < 500 and exact + sizes.count(4) == 1000
