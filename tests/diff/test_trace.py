"""Tracing copies to the version they came from (the pure core: no store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tearsheet.diff.align import Document
from tearsheet.diff.sketch import tokens
from tearsheet.diff.trace import Candidate, Fit, fit, sentences, trace
from tearsheet.simulate.copies import KINDS, rewrite
from tests.support import seed

COPIES = Path(__file__).parent / "copies"


def seed_candidates() -> list[Candidate]:
    six, seven = seed.versions()
    return [Candidate(6, "seed", Document.from_text(six, language="en")),
            Candidate(7, "seed", Document.from_text(seven, language="en"))]


def history_candidates() -> list[Candidate]:
    return [Candidate((name, number), name, Document.from_text(text, language="en"))
            for name, bodies in seed.histories().items()
            for number, text in enumerate(bodies, start=1)]


def only(fits: list[Fit]) -> Fit:
    assert fits, "the copy was not traced"
    return fits[0]


def test_the_seed_copy_traces_to_version_6_not_7() -> None:
    fits = trace(Document.from_text(seed.copy()), seed_candidates() + history_candidates())
    best = only(fits)
    assert best.key == 6 and 7 not in best.also
    assert len(fits) == 1  # no history article is a source of it
    assert best.coverage > 0.6
    # Its reworded sentences are paired with the originals; what it added is reported.
    assert any("BICHKEK" in pair.copy and "BISHKEK" in pair.version for pair in best.pairs)
    assert best.adds[0] == "date 2022-01-07"
    assert any("Understanding the protests" in s for s in best.adds)  # a sidebar it took
    assert len(best.lacks) <= 2


def test_version_7_is_not_a_copy_of_version_6() -> None:
    """The story was rewritten on the same topic (it even quotes the same lines): not a copy."""
    six, seven = seed_candidates()
    assert trace(seven.document, [six]) == []


@pytest.mark.parametrize("kinds", [[kind] for kind in KINDS] + [["all"]])
def test_rewritten_copies_trace_to_their_version(kinds: list[str]) -> None:
    candidates = history_candidates() + seed_candidates()
    for name, bodies in seed.histories().items():
        for number, text in enumerate(bodies, start=1):
            copy = rewrite(text, kinds, seed=number)
            best = only(trace(Document.from_text(copy), candidates))
            # Captures 4 and 5 of one history differ only in spacing: either may come first.
            assert (name, number) in (best.key, *best.also), (name, number, kinds, best.key)
            assert best.coverage >= 0.8


@pytest.mark.parametrize("name", ["kazakhstan", "mubarak", "romney"])
def test_an_article_on_the_same_topic_is_not_a_copy(name: str) -> None:
    text = (COPIES / f"{name}.same-topic.txt").read_text(encoding="utf-8")
    candidates = history_candidates() + seed_candidates()
    assert trace(Document.from_text(text), candidates) == []
    # It does share names with its look-alike, so the decision is not a trivial one.
    names = {token for sentence in sentences(Document.from_text(text))
             for token in tokens(sentence) if token.kind == "name"}
    assert max(len(names & {token for sentence in sentences(c.document)
                            for token in tokens(sentence)}) for c in candidates) >= 4


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_a_translation_traces_through_names_numbers_and_dates(language: str) -> None:
    text = (COPIES / f"v6.{language}.txt").read_text(encoding="utf-8")
    best = only(trace(Document.from_text(text), seed_candidates() + history_candidates()))
    assert best.key == 6 and best.translated
    assert best.anchor_sentences >= 4


@pytest.mark.parametrize(("name", "article"), [("mubarak.es", "mubarak-is-on"),
                                              ("road-trip.de", "road-trip-helps")])
def test_translations_of_the_histories_trace_to_their_article(name: str, article: str) -> None:
    text = (COPIES / f"{name}.txt").read_text(encoding="utf-8")
    best = only(trace(Document.from_text(text), seed_candidates() + history_candidates()))
    assert best.group == article and best.translated


def test_a_translation_of_the_other_version_traces_to_it() -> None:
    text = (COPIES / "v7.fr.txt").read_text(encoding="utf-8")
    six, seven = seed_candidates()
    assert only(trace(Document.from_text(text), [six, seven])).key == 7
    assert trace(Document.from_text(text), [six]) == []


def test_a_correction_decides_the_version() -> None:
    """Versions that differ by one figure: the copy fits the one whose figure it kept."""
    six, _ = seed.versions()
    corrected = six.replace("26 “armed criminals”", "28 “armed criminals”")
    assert corrected != six
    candidates = [Candidate("before", "seed", Document.from_text(six)),
                  Candidate("after", "seed", Document.from_text(corrected))]
    for source, key in ((six, "before"), (corrected, "after")):
        copy = rewrite(source, ["unquote", "merge", "swap"], seed=3)
        best = only(trace(Document.from_text(copy), candidates))
        assert best.key == key and best.also == ()
        assert any(pair.anchors_differ for pair in fit(
            Document.from_text(copy), candidates[key == "before"]).pairs)


def test_a_copy_that_lacks_the_corrected_sentence_fits_both() -> None:
    six, _ = seed.versions()
    corrected = six.replace("26 “armed criminals”", "28 “armed criminals”")
    copy = "\n\n".join(p for p in six.split("\n\n") if "armed criminals" not in p)
    candidates = [Candidate("before", "seed", Document.from_text(six)),
                  Candidate("after", "seed", Document.from_text(corrected))]
    best = only(trace(Document.from_text(copy), candidates))
    assert {best.key, *best.also} == {"before", "after"}


def test_empty_and_tiny_texts_match_nothing() -> None:
    assert trace(Document.from_text(""), seed_candidates()) == []
    assert trace(Document.from_text("Kazakhstan."), seed_candidates()) == []


def test_a_regional_language_tag_is_the_same_language() -> None:
    """A version stored as "en-GB" and a copy guessed "en" are not a translation: the
    same-topic text stays unmatched (anchors alone would pair some of its sentences)."""
    six, _ = seed.versions()
    text = (COPIES / "kazakhstan.same-topic.txt").read_text(encoding="utf-8")
    version = Candidate(6, "seed", Document.from_text(six, language="en-GB"))
    assert not fit(Document.from_text(text), version).translated
    assert trace(Document.from_text(text), [version]) == []
