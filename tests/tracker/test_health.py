"""Source health judged from its checks: a breakage across articles, not one bad page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tearsheet.config import HealthSettings
from tearsheet.store.records import Observation
from tearsheet.tracker.health import healed, judge, shrink_verdict

SETTINGS = HealthSettings(recent_checks=6, min_articles=3)
START = datetime(2026, 1, 1, tzinfo=UTC)


def checks(*kinds: str, first: int = 0) -> list[Observation]:
    """Observations oldest first from kinds ("ok", "short" body, or a failure reason),
    returned newest first as the store gives them."""
    out = []
    for n, kind in enumerate(kinds):
        at = START + timedelta(minutes=n)
        if kind == "ok":
            out.append(Observation(first + n, at, "unchanged", body_length=3000))
        elif kind == "short":
            out.append(Observation(first + n, at, "new_version", body_length=400))
        else:
            out.append(Observation(first + n, at, "failed", reason=kind))
    return out[::-1]


def test_refusals_jump_is_broken_since_the_first() -> None:
    verdict = judge(checks(*["ok"] * 10, *["too_short"] * 6), SETTINGS)
    assert verdict is not None
    assert verdict.since == START + timedelta(minutes=10)
    assert "too_short ×6" in verdict.reason


def test_length_collapse_is_broken() -> None:
    verdict = judge(checks(*["ok"] * 10, *["short"] * 6), SETTINGS)
    assert verdict is not None and "body collapsed ×6" in verdict.reason


def test_a_few_bad_pages_are_not_a_breakage() -> None:
    assert judge(checks(*["ok"] * 10, "ok", "paywall", "ok", "too_short", "ok", "ok"),
                 SETTINGS) is None


def test_a_source_always_refused_is_not_broken_since() -> None:
    assert judge(checks(*["paywall"] * 16), SETTINGS) is None
    assert judge(checks(*["too_short"] * 6), SETTINGS) is None  # nothing before


def test_one_article_failing_again_and_again_is_not_a_breakage() -> None:
    same = [Observation(1, START + timedelta(minutes=20 + n), "failed", reason="selector")
            for n in range(6)]
    assert judge(same[::-1] + checks(*["ok"] * 10), SETTINGS) is None


def test_blocked_and_network_failures_say_nothing_of_extraction() -> None:
    assert judge(checks(*["ok"] * 10, *["blocked"] * 4, *["network"] * 4), SETTINGS) is None


def test_healed_after_normal_bodies() -> None:
    assert not healed(checks(*["ok"] * 10, *["held"] * 6), SETTINGS)
    assert healed(checks(*["ok"] * 10, *["held"] * 6, "ok", "ok", "ok"), SETTINGS)


def test_shrink_stored_once_others_read_normally() -> None:
    assert not shrink_verdict([], holds=1, broken=False, settings=SETTINGS)
    assert shrink_verdict(checks("ok", "ok", "ok", first=10), holds=1, broken=False,
                          settings=SETTINGS)
    assert not shrink_verdict(checks("ok", "held", "held", "held", "ok", first=10), holds=1,
                              broken=False, settings=SETTINGS)
    assert not shrink_verdict(checks("ok", "ok", "ok", first=10), holds=1, broken=True,
                              settings=SETTINGS)


def test_shrink_stored_after_enough_holds_with_nothing_to_compare() -> None:
    assert not shrink_verdict([], holds=SETTINGS.max_holds - 1, broken=False,
                              settings=SETTINGS)
    assert shrink_verdict([], holds=SETTINGS.max_holds, broken=False, settings=SETTINGS)
