"""Scoring a run against the ground truth: captured, missed, phantom, fidelity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tearsheet.simulate.score import PHANTOM_BELOW, Stored, score, similarity
from tearsheet.simulate.truth import TruthVersion

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
URL = "http://127.0.0.1:9/news/a-story"
BODY = ("The council voted on Tuesday to approve a new budget that expands funding for "
        "public transport.\n\nOfficials said the plan would be paid for by parking fees.")


def served(version: int, start: float, end: float | None, text: str = BODY,
           headline: str = "Budget approved", url: str = URL) -> TruthVersion:
    return TruthVersion("a", url, version, headline, "Ann Author and Bo Byline", text,
                        start, T0 + timedelta(seconds=start),
                        None if end is None else T0 + timedelta(seconds=end))


def stored(number: int, at: float, text: str = BODY, title: str = "Budget approved",
           url: str = URL) -> Stored:
    return Stored(url, number, T0 + timedelta(seconds=at), title, "Bo Byline, Ann Author", text)


V2_TEXT = BODY + "\n\nUpdate: the mayor signed it."


def test_every_version_captured_word_for_word() -> None:
    truth = [served(1, 0, 10), served(2, 10, None, V2_TEXT)]
    result = score(truth, [stored(1, 1), stored(2, 11, V2_TEXT)])
    assert (len(result.captured), result.exact, len(result.missed), len(result.phantoms)) \
        == (2, 2, 0, 0)
    assert result.fidelity == 1.0
    assert result.as_json()["captured"] == 2


def test_missed_versions_and_how_long_they_were_visible() -> None:
    truth = [served(1, 0, 10), served(2, 10, 10.5, V2_TEXT),
             served(3, 10.5, None, V2_TEXT + " Later.")]
    result = score(truth, [stored(1, 1), stored(2, 12, V2_TEXT + " Later.")])
    assert [v.version for v in result.missed] == [2]
    end = T0 + timedelta(seconds=30)
    assert result.missed_visible_for(1.0, end) == []  # visible only half a second
    assert [v.version for v in result.missed_visible_for(0.4, end)] == [2]
    assert served(3, 10.5, None).visible_seconds(end) == pytest.approx(19.5)


def test_noise_taken_for_an_edit_is_a_phantom() -> None:
    truth = [served(1, 0, None)]
    noisy = BODY + "\n\nRead more: Ferry runs aground at Port Ellery"
    result = score(truth, [stored(1, 1), stored(2, 5, noisy)])
    assert [m.stored.number for m in result.phantoms] == [2]
    close = BODY.replace("Tuesday", "Tuesday evening")  # a near-copy of the same version
    again = score(truth, [stored(1, 1), stored(2, 5, close)])
    assert [(m.stored.number, m.phantom) for m in again.phantoms] == [(2, "duplicate")]
    assert len(result.captured) == 1
    assert result.fidelity == 1.0


def test_a_wall_page_and_an_unknown_article_are_phantoms() -> None:
    truth = [served(1, 0, None)]
    wall = "You have read all your free articles this month. Subscribe to keep reading."
    result = score(truth, [stored(1, 1, wall, title="Budget approved"),
                           stored(1, 1, url=URL + "?utm_source=x")])
    assert sorted(m.phantom or "" for m in result.phantoms) == ["never served",
                                                               "unknown article"]
    assert [v.version for v in result.missed] == [1]
    assert result.fidelity == 0.0


def test_fidelity_measures_an_imperfect_capture() -> None:
    truth = [served(1, 0, None)]
    lossy = BODY.replace(" public transport", " transport")
    result = score(truth, [stored(1, 1, lossy)])
    assert len(result.captured) == 1 and result.exact == 0
    assert PHANTOM_BELOW < result.fidelity < 1.0


def test_a_flip_back_matches_the_version_visible_at_capture() -> None:
    truth = [served(1, 0, 10), served(2, 10, 20, V2_TEXT), served(3, 20, None)]
    result = score(truth, [stored(1, 1), stored(2, 11, V2_TEXT), stored(3, 21)])
    assert [m.served.version for m in result.matches if m.served] == [1, 2, 3]
    assert result.missed == [] and result.phantoms == []


def test_similarity_is_one_only_when_equal() -> None:
    assert similarity(("a", "b c"), ("a", "b c")) == 1.0
    assert 0 < similarity(("a", "b c"), ("a", "b d")) < 1.0
