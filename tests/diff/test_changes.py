"""Kinds, significance, boring changes and flip-flops; real histories; random edits."""

from __future__ import annotations

import json
import random
import statistics
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tearsheet.diff.align import Document
from tearsheet.diff.changes import diff, history_labels, significance
from tearsheet.diff.fingerprint import normalize
from tearsheet.diff.sentences import split_sentences
from tests.support.edits import apply_edits, f1, paragraphs_of, predicted_pairs
from tests.support.shared import shared_path

BASE = ["The council approved a budget of 412 million on Tuesday.",
        "“It is a good day for the city,” said Mayor Ferris.",
        "The vote was seven to four after a long debate in the chamber."]
OLD = Document(tuple(BASE), title="Budget passes", byline="Lena Brandt")


def with_body(paragraphs: list[str], **metadata: str) -> Document:
    return Document(tuple(paragraphs), **{"title": "Budget passes", "byline": "Lena Brandt",
                                           **metadata})


@pytest.mark.parametrize(
    ("new", "kinds"),
    [
        (with_body(["The council aproved a budget of 412 million on Tuesday.", *BASE[1:]]),
         {"typo"}),
        (with_body(["The council approved a budget of 421 million on Tuesday.", *BASE[1:]]),
         {"numbers_changed"}),
        (with_body([BASE[0], "“It is a great day for the city,” said Mayor Ferris.", BASE[2]]),
         {"quote_changed", "rewording"}),
        (with_body([BASE[0], "“It is a good day for the city,” said Mayor Hesse.", BASE[2]]),
         {"names_changed"}),
        (with_body(["The council approved a budget of 412 million, on Tuesday.", *BASE[1:]]),
         {"punctuation"}),
        (with_body([*BASE, "Correction: An earlier version of this article misstated the vote."]),
         {"correction_appended"}),
        (with_body([*BASE, "Later on Tuesday, opponents said they would challenge the budget "
                           "in court next month."]),
         {"update"}),
        (with_body(BASE[:2]), {"removal"}),
        (with_body([BASE[0], BASE[1], "The vote was a narrow seven to four after a long and "
                                      "bitter debate in the chamber."]),
         {"rewording"}),
        (with_body([BASE[2], BASE[0], BASE[1]]), {"reordering"}),
        (with_body(BASE, title="Council passes budget"), {"headline_changed"}),
        (with_body(BASE, byline="Lena Brandt and Tom Reyes"), {"byline_changed"}),
    ],
    ids=["typo", "numbers", "quote", "names", "punctuation", "correction", "update", "removal",
         "rewording", "reordering", "headline", "byline"],
)
def test_kinds(new: Document, kinds: set[str]) -> None:
    summary = diff(OLD, new).summary
    assert set(summary.kinds) == kinds
    assert not summary.boring
    assert 0 < summary.significance <= 1


def test_counts() -> None:
    new = with_body(["The council approved a budget of 412 million on Tuesday night.", BASE[1],
                     "A new sentence of news arrives here with nine words in it."])
    summary = diff(OLD, new).summary
    assert summary.sentences is not None
    counts = summary.sentences
    assert (counts.edited, counts.added, counts.deleted) == (1, 1, 1)
    assert summary.words_added == 1 + 12
    assert summary.words_removed == 13


def test_boring_change_is_recognised() -> None:
    new = with_body([BASE[0] + " " + BASE[1].replace("“", '"').replace("”", '"'), BASE[2]])
    summary = diff(OLD, new).summary
    assert summary.boring and summary.kinds == () and summary.significance == 0.0


def test_significance_orders_changes_as_a_reader_would() -> None:
    typo = diff(OLD, with_body(["The council aproved a budget of 412 million on Tuesday.",
                                *BASE[1:]])).summary.significance
    number = diff(OLD, with_body(["The council approved a budget of 421 million on Tuesday.",
                                  *BASE[1:]])).summary.significance
    correction = diff(OLD, with_body([*BASE, "Correction: An earlier version of this article "
                                             "misstated the size of the budget."]))
    assert typo < number < correction.summary.significance


@pytest.mark.parametrize(("kinds", "touched"), [((), 0.0), (("typo",), 0.01),
                                                (("headline_changed", "update"), 0.3),
                                                (tuple(["correction_appended"] * 5), 0.9)])
def test_significance_is_in_range(kinds: tuple[str, ...], touched: float) -> None:
    assert 0.0 <= significance(kinds, touched) <= 1.0


@pytest.mark.parametrize(
    ("fingerprints", "labels"),
    [("ABC", ["new", "new", "new"]),
     ("ABA", ["new", "new", "revert"]),
     ("ABAB", ["new", "new", "flip_flop", "flip_flop"]),
     ("ABABAB", ["new", "new"] + ["flip_flop"] * 4),
     ("ABCAB", ["new", "new", "new", "revert", "revert"]),
     ("AABB", ["new", "new", "new", "new"])],
)
def test_history_labels(fingerprints: str, labels: list[str]) -> None:
    assert history_labels(list(fingerprints)) == labels


# --- real histories and random edits -------------------------------------------------

def _histories() -> list[list[dict[str, object]]]:
    folder = shared_path("corpora", "histories")
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def test_real_histories_align_consistently() -> None:
    """Each consecutive pair of distinct captures: the alignment accounts for every sentence,
    and reconstructs both texts."""
    for history in _histories():
        previous = None
        for capture in history:
            article = capture["article"]
            assert isinstance(article, dict)
            document = Document.from_text(str(article["text"]), title=str(article["title"]))
            if previous is not None and normalize(previous.paragraphs and
                                                  " ".join(previous.paragraphs)) != normalize(
                    " ".join(document.paragraphs)):
                change = diff(previous, document)
                units = change.alignment.units
                old_text = " ".join(u.old_text for u in sorted(
                    (u for u in units if u.old_text is not None),
                    key=lambda u: u.old_index or 0))
                assert normalize(old_text) == normalize(" ".join(
                    s for p in previous.paragraphs for s in split_sentences(p)))
                new_text = " ".join(u.new_text for u in units if u.new_text is not None)
                assert normalize(new_text) == normalize(" ".join(
                    s for p in document.paragraphs for s in split_sentences(p)))
                assert change.summary.kinds  # a real change is of some kind
            previous = document


def _texts() -> list[str]:
    return [str(capture["article"]["text"]) for history in _histories()  # type: ignore[index]
            for capture in history]


def test_random_edits_are_recovered() -> None:
    """Sentence insertions, deletions, edits and moves on real text: pairing F1 ≥ 0.95."""
    texts = _texts()
    pool = [s for t in texts for p in paragraphs_of(t) for s in split_sentences(p)]
    rng = random.Random(7)
    scores = []
    while len(scores) < 200:
        try:
            edited = apply_edits(paragraphs_of(rng.choice(texts)), pool, rng, rate=0.15)
        except ValueError:
            continue  # an edit that moved a sentence boundary: the truth would be unclear
        change = diff(edited.old, edited.new)
        scores.append(f1(edited.truth, predicted_pairs(change.alignment, edited.old,
                                                        edited.new)))
    assert statistics.mean(scores) >= 0.95, statistics.mean(scores)


def _bundled_paragraphs() -> list[str]:
    bundled = files("tearsheet.simulate").joinpath("data", "newsroom.jsonl")
    paragraphs = []
    for line in bundled.read_text(encoding="utf-8").splitlines():
        paragraphs += json.loads(line)["paragraphs"]
    return list(dict.fromkeys(paragraphs))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rate=st.floats(0.05, 0.3))
def test_random_edits_on_bundled_text(seed: int, rate: float) -> None:
    """The same property on the project's own text (runs without ../shared)."""
    paragraphs = _bundled_paragraphs()
    rng = random.Random(seed)
    pool = [s for p in paragraphs for s in split_sentences(p)]
    try:
        edited = apply_edits(rng.sample(paragraphs, 12), pool, rng, rate=rate)
    except ValueError:
        return
    change = diff(edited.old, edited.new)
    assert f1(edited.truth, predicted_pairs(change.alignment, edited.old, edited.new)) >= 0.8


def test_a_standfirst_change_is_reported_like_the_headline_s() -> None:
    old = Document(("The council voted on the budget today.",), title="Budget",
                   standfirst="A vote ends ten years of argument")
    new = Document(old.paragraphs, title="Budget", standfirst="A vote ends years of argument")
    change = diff(old, new)
    [field] = change.alignment.metadata
    assert (field.field, field.old, field.new) == ("standfirst", old.standfirst, new.standfirst)
    assert {"op": "delete", "text": "ten "} in field.as_json()["words"]
    assert change.summary.kinds == ("standfirst_changed",)
    # Unknown on the old version (stored before standfirsts were): not a change.
    assert diff(Document(old.paragraphs, title="Budget"), new).summary.boring
