"""Edit intents and silent corrections: each fine label, the evidence, the order of coarse
intents, the hard cases, real histories, and accuracy on the labelled set."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tearsheet.diff.align import Document, WordOp, align
from tearsheet.diff.changes import diff
from tearsheet.diff.intents import FINE, _changed, quotes, read_change
from tearsheet.diff.summary import ChangeSummary
from tests.support.hang import hang_guard
from tests.support.intent_cases import build, hard_cases, history_articles, score, unseen_articles
from tests.support.shared import shared_path

BASE = ["The council approved a budget of 412 million on Tuesday.",
        "“It is a good day for the city,” said Mayor Ferris.",
        "The vote was seven to four after a long debate in the chamber.",
        "Opponents walked out before the vote."]
OLD = Document(tuple(BASE), title="Budget passes")


def body(*replace: tuple[int, str], extra: list[str] | None = None,
         title: str = "Budget passes") -> Document:
    paragraphs = list(BASE)
    for index, text in replace:
        paragraphs[index] = text
    return Document(tuple(paragraphs + (extra or [])), title=title)


@pytest.mark.parametrize(("new", "labels", "silent"), [
    (body((2, BASE[2].replace("seven", "eight"))), {"figure"}, True),
    (body((1, BASE[1].replace("Ferris", "Ferriss"))), {"name"}, True),
    (body((1, BASE[1].replace("good day", "great day"))), {"quote"}, True),
    (body(extra=["Later on Tuesday, opponents said they would challenge the budget in court "
                 "next month."]), {"added_information"}, False),
    (body((3, "")), {"removed_information"}, False),
    (body(extra=["Correction: An earlier version of this article misstated the vote."]),
     {"correction"}, False),
    (body((2, BASE[2].replace("debate", "debtae"))), {"typo"}, False),
    (OLD, set(), False),
    (body((2, BASE[2].replace("long debate", "long, debate"))), {"punctuation"}, False),
    (body((2, BASE[2].replace("long debate", "lengthy discussion"))), {"wording"}, False),
    (body((2, BASE[3]), (3, BASE[2])), {"reordered"}, False),
    (body((3, BASE[3].replace("walked out", "reportedly walked out"))), {"emphasis"}, False),
    (body((0, "Hundreds of protesters filled the square as the council met behind closed "
              "doors."), extra=[BASE[0]]), {"lede", "added_information", "reordered"}, False),
], ids=["figure", "name", "quote", "added", "removed", "correction", "typo", "no-op",
        "punctuation", "wording", "reordered", "emphasis", "lede"])
def test_each_fine_label(new: Document, labels: set[str], silent: bool) -> None:
    reading = read_change(align(OLD, new), OLD, new)
    assert set(reading.fine) == labels
    assert reading.silent_correction is silent
    assert set(reading.coarse) == {FINE[label] for label in labels}


def test_each_label_names_the_sentences_that_earned_it() -> None:
    new = body((0, BASE[0].replace("412", "421")), (2, BASE[2].replace("debate", "debtae")))
    reading = read_change(align(OLD, new), OLD, new)
    evidence = {label.name: label.evidence for intent in reading.intents
                for label in intent.labels}
    assert [(e.old_index, e.new_index) for e in evidence["figure"]] == [(0, 0)]
    assert "421" in (evidence["figure"][0].new_text or "")
    assert "412" in (evidence["figure"][0].old_text or "")
    assert [e.new_index for e in evidence["typo"]] == [2]
    as_json = reading.as_json()
    assert as_json["intents"][0]["labels"][0]["sentences"][0]["new_text"] == \
        evidence["figure"][0].new_text
    assert json.loads(json.dumps(as_json)) == as_json


def test_coarse_intents_are_ordered_by_weight() -> None:
    # A changed figure outweighs a fixed typo; a moved paragraph outweighs a comma.
    fact_first = body((0, BASE[0].replace("412", "421")), (2, BASE[2].replace("debate",
                                                                              "debtae")))
    assert read_change(align(OLD, fact_first), OLD, fact_first).coarse == ("fact", "style")
    moved = Document((BASE[0], BASE[2], BASE[1], BASE[3].replace("Opponents walked",
                                                                   "Opponents, walked")),
                     title="Budget passes")
    reading = read_change(align(OLD, moved), OLD, moved)
    assert reading.coarse == ("narrative", "style")
    assert reading.intents[0].weight > reading.intents[1].weight
    assert sum(i.weight for i in reading.intents) == pytest.approx(1.0, abs=0.01)


def test_a_note_anywhere_in_the_new_version_keeps_a_change_from_being_silent() -> None:
    changed = (0, BASE[0].replace("412", "421"))
    note = "Correction: An earlier version of this article misstated the budget."
    for new in (body(changed, extra=[note]),
                Document((note, *body(changed).paragraphs), title="Budget passes"),
                body(changed, (3, BASE[3] + " " + note))):
        reading = read_change(align(OLD, new), OLD, new)
        assert not reading.silent_correction
        assert "correction" in reading.fine and "figure" in reading.fine
        assert reading.notes[0].text == note
    assert read_change(align(OLD, body(changed)), OLD, body(changed)).silent_correction


@pytest.mark.parametrize("case", hard_cases(), ids=lambda c: c.name)
def test_hard_cases(case: object) -> None:
    from tests.support.intent_cases import Case
    assert isinstance(case, Case)
    reading = read_change(align(case.old, case.new), case.old, case.new)
    assert set(reading.fine) == case.labels
    assert reading.silent_correction is case.silent


def test_the_summary_carries_intents_and_stores_them() -> None:
    new = body((0, BASE[0].replace("412", "421")))
    change = diff(OLD, new)
    assert change.summary.intents == ("fact",)
    assert change.summary.intent_labels == ("figure",)
    assert change.summary.silent_correction
    assert change.as_json()["summary"]["silent_correction"] is True
    assert change.as_json()["intents"][0]["labels"][0]["label"] == "figure"
    stored = ChangeSummary.from_row(change.summary.columns())
    assert stored is not None
    assert (stored.intents, stored.intent_labels, stored.silent_correction) == (
        ("fact",), ("figure",), True)
    noted = diff(OLD, body(extra=["Correction: An earlier version misstated the vote."]))
    assert noted.summary.correction_note == "Correction: An earlier version misstated the vote."
    assert not diff(OLD, OLD).summary.intents  # nothing changed, nothing meant


def test_real_histories_read_as_a_person_reads_them() -> None:
    articles = history_articles(shared_path())
    by_title: dict[str, list[Document]] = {}
    for title, paragraphs in articles:
        by_title.setdefault(title, []).append(Document(tuple(paragraphs), title=title))
    readings = {}
    for title, versions in by_title.items():
        for k in range(1, len(versions)):
            old, new = versions[k - 1], versions[k]
            readings[(title[:20], k)] = read_change(align(old, new), old, new)
    assert not any(r.silent_correction for r in readings.values())  # none is one
    activism = next(r for (t, k), r in readings.items() if t.startswith("Activism") and k == 1)
    assert activism.fine == ("wording",)  # "ruling" → "governing", "rule" → "dominance"
    mubarak = next(r for (t, k), r in readings.items() if "Mubarak" in t and k == 1)
    assert {"added_information", "wording", "emphasis", "punctuation", "typo"} <= set(
        mubarak.fine)  # "nearly three decades"; "one-time" → "onetime"
    assert mubarak.coarse[0] == "fact"


@pytest.mark.parametrize("source", ["histories", "unseen"])
def test_accuracy_on_the_labelled_set(source: str) -> None:
    shared = shared_path()
    articles = history_articles(shared) if source == "histories" else unseen_articles(shared)
    result = score(build(articles))
    assert result.silent_precision == 1.0  # a false accusation is worse than a miss
    assert result.silent_recall >= 0.95
    for operator in result.exact:
        assert result.accuracy(operator) >= 0.9, operator
    assert result.overall() >= 0.97


@given(st.lists(st.tuples(st.sampled_from(["equal", "delete", "insert"]),
                          st.lists(st.sampled_from(["a", "b", "fig", "42"]), max_size=6)),
                max_size=12))
def test_words_moved_inside_a_sentence_cancel_out_first_come_first(
        ops: list[tuple[str, list[str]]]) -> None:
    """The words a change deleted and inserted, without those it did both to: the first
    occurrences go, as removing them one by one did (now in one pass: a sentence of
    thousands of repeated words made that quadratic)."""
    words = [WordOp(op, " ".join(text) + " ") for op, text in ops]  # type: ignore[arg-type]
    deleted = [t for op, text in ops if op == "delete" for t in text]
    inserted = [t for op, text in ops if op == "insert" for t in text]
    for word, count in (Counter(deleted) & Counter(inserted)).items():
        for side in (deleted, inserted):
            for _ in range(count):
                side.remove(word)
    assert _changed(words) == (deleted, inserted)


def test_quoted_passages_of_each_kind_are_found() -> None:
    text = ('He said “we will win”, « nous gagnerons », „wir gewinnen“ and "yes"; an '
            "unclosed “ opens nothing.")
    assert quotes(text) == {"we will win", "nous gagnerons", "wir gewinnen", "yes"}


@pytest.mark.parametrize("opener", ["“", "« ", "„"])
def test_thousands_of_unclosed_quotes_are_read_once(opener: str) -> None:
    """A paragraph from the web with an opening quote mark and no closing one, thousands
    of times: each was scanned to the paragraph's end (minutes for 100 KB)."""
    with hang_guard(30):
        assert quotes(f"{opener}word " * 30_000) == set()
