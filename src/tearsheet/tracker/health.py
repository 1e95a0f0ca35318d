"""Source health: noticing that a source broke, from its checks, before it stores garbage.

A redesign, a new bot wall or a move to JavaScript rendering does not fail one check: it
fails every check of the source from that moment on, or makes every body collapse to a
fraction of its length. Judged one check at a time, each looks like an ordinary refusal
or a real cut; judged across the source, it is a breakage. :func:`judge` compares a
source's latest checks with the ones before: when most of the latest are refused (or
collapsed) across several articles while the earlier ones were mostly fine, the source is
flagged "extraction broken since …" (once: the flag is what the notification and the
status show).

A body that shrank by more than half (confirmed by a second fetch) is held back rather
than stored until the source's other articles say whether it is an edit or a breakage
(:func:`shrink_verdict`): a held check is a failed check with reason ``held``, retried on
the failure schedule, never a version. Pure functions: the tracker feeds them the checks.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tearsheet.config import HealthSettings
from tearsheet.errors import Refusal
from tearsheet.store.records import Observation
from tearsheet.tracker.extraction_pool import POOL_FAILURES

NOT_EXTRACTION = frozenset({Refusal.BLOCKED, *POOL_FAILURES, "network", "timeout", "robots",
                            "private_address", "too_large", "http_status"})
# (and every ``http_<status>``: an error answer is the server's, not extraction's)
"""Failures that say nothing about whether extraction still reads the source: the site
refused us (403, 429, a bot check: never "the article is gone"), or the fetch failed."""


def read(o: Observation) -> bool:
    """Did the check get as far as extraction (or an unchanged answer)?"""
    reason = o.reason or ""
    return o.outcome != "failed" or not (reason in NOT_EXTRACTION
                                         or reason.startswith("http_"))


def anomalous(o: Observation, usual: float | None, settings: HealthSettings) -> bool:
    """Refused by extraction, held back, or a body far below the source's usual."""
    if o.outcome == "failed":
        return read(o)
    return (usual is not None and o.body_length is not None
            and o.body_length < settings.collapse * usual)


@dataclass(frozen=True)
class Verdict:
    """A source judged broken: since when, and why (in words)."""

    since: datetime
    reason: str


def usual_length(observations: Sequence[Observation]) -> float | None:
    """The median body length of the good checks among ``observations``."""
    lengths = [o.body_length for o in observations
               if o.outcome != "failed" and o.body_length]
    return statistics.median(lengths) if lengths else None


def judge(observations: Sequence[Observation], settings: HealthSettings) -> Verdict | None:
    """Is the source broken? ``observations``: its latest checks, newest first.

    Broken: of the latest ``health.recent_checks`` that reached extraction, at least
    ``health.broken_share`` are anomalous, over ``health.min_articles`` articles or more,
    while of the earlier ones (at least as many) no more than half that share were. A
    source that never worked is not "broken since": it has no earlier good checks.
    """
    seen = [o for o in observations if read(o)]
    recent, earlier = seen[:settings.recent_checks], seen[settings.recent_checks:]
    if len(recent) < settings.recent_checks or len(earlier) < settings.min_articles:
        return None
    usual = usual_length(earlier)
    bad = [o for o in recent if anomalous(o, usual, settings)]
    share = len(bad) / len(recent)
    before = sum(anomalous(o, usual, settings) for o in earlier) / len(earlier)
    if (share < settings.broken_share or before > settings.broken_share / 2
            or len({o.article_id for o in bad}) < settings.min_articles):
        return None
    # Since the first anomalous check of the run that is still going on.
    since = bad[0].checked_at
    for o in recent:
        if not anomalous(o, usual, settings):
            break
        since = o.checked_at
    reasons = Counter(o.reason or "body collapsed" for o in bad)
    named = ", ".join(f"{reason} ×{count}" for reason, count in reasons.most_common())
    return Verdict(since, f"{len(bad)} of the last {len(recent)} checks failed or collapsed "
                          f"({named}); {before:.0%} before")


def healed(observations: Sequence[Observation], settings: HealthSettings) -> bool:
    """A flagged source is fine again: its latest ``health.min_articles`` checks that
    reached extraction read normal bodies."""
    seen = [o for o in observations if read(o)]
    latest = seen[:settings.min_articles]
    usual = usual_length(seen[settings.min_articles:])
    return (len(latest) == settings.min_articles
            and not any(anomalous(o, usual, settings) for o in latest))


def shrink_verdict(others: Sequence[Observation], holds: int, broken: bool,
                   settings: HealthSettings) -> bool:
    """May a confirmed shrink be stored? ``others``: the source's checks of *other*
    articles since this one was first held; ``holds``: how often it was held already.

    Yes when enough other articles were read normally meanwhile (an edit of this one
    article), or after ``health.max_holds`` holds with nothing to compare (a source with
    few articles). Never while the source is flagged broken.
    """
    if broken:
        return False
    seen = [o for o in others if read(o)]
    usual = usual_length(seen)
    good = {o.article_id for o in seen if not anomalous(o, usual, settings)}
    bad = [o for o in seen if anomalous(o, usual, settings)]
    if len(good) >= settings.min_articles and len(bad) < len(seen) / 2:
        return True
    return holds >= settings.max_holds

