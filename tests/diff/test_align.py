"""Alignment of two versions: every label, splits and merges, moves, words, metadata."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tearsheet.diff.align import Document, Unit, align, word_diff

P1 = "The council approved the budget on Tuesday. It adds forty bus drivers."
P2 = "Opponents said the plan relied on optimistic forecasts of parking revenue."
P3 = "The mayor is expected to sign it before the end of the month."
P4 = "A spokeswoman declined to give a precise date for the signing ceremony."
OLD = Document((P1, P2, P3, P4), title="Council approves budget", byline="Lena Brandt")


def changed(new: Document, old: Document = OLD) -> list[tuple[str, str | None, str | None]]:
    return [(u.label, u.old_text, u.new_text) for u in align(old, new).changed()]


def test_identical_versions_are_all_unchanged() -> None:
    alignment = align(OLD, OLD)
    assert [u.label for u in alignment.units] == ["unchanged"] * 5
    assert alignment.metadata == ()
    assert [u.new_index for u in alignment.units] == [0, 1, 2, 3, 4]


def test_edited_sentence_with_words() -> None:
    new = Document((P1.replace("forty bus", "forty-two electric bus"), P2, P3, P4))
    [unit] = align(OLD, new).changed()
    assert (unit.label, unit.old_index, unit.new_index) == ("edited", 1, 1)
    assert [(w.op, w.text.strip()) for w in unit.words if w.op != "equal"] == [
        ("insert", "-two electric")]
    assert "".join(w.text for w in unit.words if w.op != "insert") == unit.old_text
    assert "".join(w.text for w in unit.words if w.op != "delete") == unit.new_text


def test_added_and_deleted_sentences_and_paragraphs() -> None:
    extra = "Later, the opposition said it would challenge the budget in court next month."
    new = Document((P1, P2 + " " + extra, P4, "A wholly new paragraph about transport funding."))
    labels = changed(new)
    assert ("added", None, extra) in labels
    assert ("deleted", P3, None) in labels
    assert ("added", None, "A wholly new paragraph about transport funding.") in labels
    whole = [u for u in align(OLD, new).changed() if u.old_text == P3]
    assert whole[0].whole_paragraph


def test_a_moved_paragraph_is_one_move() -> None:
    new = Document((P4, P1, P2, P3))
    units = align(OLD, new).changed()
    assert [(u.label, u.whole_paragraph, u.new_text) for u in units] == [("moved", True, P4)]


def test_a_moved_and_edited_sentence() -> None:
    moved = P4.replace("precise date", "precise date or time")
    new = Document((moved, P1, P2, P3))
    [unit] = align(OLD, new).changed()
    assert unit.label == "moved"
    assert [(w.op, w.text.strip()) for w in unit.words if w.op != "equal"] == [
        ("insert", "or time")]


@pytest.mark.parametrize("direction", ["split", "merge"])
def test_split_and_merged_sentences_are_matched_many_to_one(direction: str) -> None:
    long = ("The council approved the budget on Tuesday after a long debate, and it adds "
            "forty bus drivers.")
    split = ("The council approved the budget on Tuesday after a long debate. "
             "It adds forty bus drivers.")
    old, new = (long, split) if direction == "split" else (split, long)
    units = align(Document((old, P2)), Document((new, P2))).changed()
    assert len(units) == 1
    assert units[0].label == "edited"
    assert units[0].old_text == old and units[0].new_text == new


def test_deletions_stay_where_they_stood() -> None:
    new = Document((P1, P3, P4))
    units = align(OLD, new).units
    assert [u.label for u in units] == ["unchanged", "unchanged", "deleted", "unchanged",
                                        "unchanged"]


def test_typography_and_paragraph_breaks_are_not_changes() -> None:
    curly = Document((P1.replace("It adds", "It adds\u00a0") + " " + P2, P3, P4))
    assert align(OLD, curly).changed() == []


def test_metadata_changes_are_reported_on_their_own() -> None:
    old = Document((P1,), title="Council approves budget", byline="Lena Brandt",
                   published_at=datetime(2026, 11, 20, tzinfo=UTC))
    new = Document((P1,), title="Council approves budget, 7-4",
                   byline="Lena Brandt and Tom Reyes",
                   published_at=datetime(2026, 11, 21, tzinfo=UTC))
    fields = {c.field: c for c in align(old, new).metadata}
    assert set(fields) == {"title", "byline", "published_at"}
    assert [(w.op, w.text) for w in fields["title"].words if w.op != "equal"] == [
        ("insert", ", 7-4")]
    assert fields["published_at"].new == "2026-11-21T00:00:00+00:00"


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ("the big red car stopped", "the large blue car stopped",
         [("delete", "big red"), ("insert", "large blue")]),
        ("He said it was fine.", "He said it was not fine.", [("insert", "not ")]),
        ("on Tuesday.", "on Tuesday night.", [("insert", " night")]),
        ("412 million", "421 million", [("delete", "412"), ("insert", "421")]),
    ],
    ids=["semantic-cleanup", "insertion", "keeps-shared-words", "number"],
)
def test_word_diff(old: str, new: str, changes: list[tuple[str, str]]) -> None:
    ops = word_diff(old, new)
    assert [(w.op, w.text) for w in ops if w.op != "equal"] == changes
    assert "".join(w.text for w in ops if w.op != "insert") == old
    assert "".join(w.text for w in ops if w.op != "delete") == new


def test_word_diff_makes_no_confetti() -> None:
    ops = word_diff("The quick brown fox jumps over the lazy dog near the river bank",
                    "A slow grey cat walks under the sleepy dog by the old river bank")
    assert sum(1 for w in ops if w.op == "equal" and w.text.strip() in ("the", "")) <= 1


def test_json_shape() -> None:
    new = Document((P1.replace("forty", "fifty"), P2, P3, P4))
    unit: Unit = align(OLD, new).changed()[0]
    data = unit.as_json()
    assert set(data) >= {"label", "old_index", "new_index", "old_text", "new_text", "words"}
    assert data["words"][0] == {"op": "equal", "text": "It adds "}


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_other_languages(language: str) -> None:
    texts = {
        "fr": ("M. Dupont a parlé mardi. Il a démissionné.",
               "M. Dupont a parlé mercredi. Il a démissionné."),
        "de": ("Herr Dr. Müller kam am 3. Mai. Er ging.",
               "Herr Dr. Müller kam am 4. Mai. Er ging."),
        "es": ("El Sr. García llegó ayer. Se fue.", "El Sr. García llegó hoy. Se fue."),
    }
    old, new = texts[language]
    units = align(Document((old,), language=language), Document((new,), language=language)).units
    assert [u.label for u in units] == ["edited", "unchanged"]
