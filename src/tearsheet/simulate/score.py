"""Scoring a tracker's run against the ground truth of what was served.

A tracker can fail in two ways that matter: it **misses** a version that was published
(checked too rarely, or a fault hid it), or it records a **phantom** — a version that was
never published (noise taken for an edit, a paywall taken for the article, the same text
stored twice). And what it keeps can be **unfaithful** to the page (a lost paragraph, an
ad label inside the body). This module measures the three, as a pure function of the
truth records (:mod:`tearsheet.simulate.truth`) and the stored versions.

Matching is per article (by URL). Each stored version is matched to the served version
its content is closest to — headline, authors and body, normalised as :mod:`.compare`
does — preferring, among equals, the one visible when it was captured (an article can
flip back to an earlier text). A stored version is a phantom when it resembles no served
version (similarity under :data:`PHANTOM_BELOW`) or matches the same served version as
the stored version before it (nothing changed, yet a version was stored). Fidelity is the
mean similarity of the matched stored versions to what was served (1.0: word for word).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from tearsheet.diff.fingerprint import normalize
from tearsheet.simulate.templates import authors
from tearsheet.simulate.truth import TruthVersion

PHANTOM_BELOW = 0.9
"""A stored version less similar than this to every served version was never served."""


@dataclass(frozen=True)
class Stored:
    """A version as the tracker stored it (a row of ``Store.iter_versions``)."""

    url: str
    number: int
    captured_at: datetime
    title: str | None
    byline: str | None
    text: str


@dataclass(frozen=True)
class Match:
    stored: Stored
    served: TruthVersion | None
    similarity: float
    phantom: str | None = None  # why it is a phantom: "unknown article", "duplicate", ...


@dataclass
class Score:
    served: int = 0
    stored: int = 0
    captured: list[TruthVersion] = field(default_factory=list)
    exact: int = 0  # captured word for word
    missed: list[TruthVersion] = field(default_factory=list)
    phantoms: list[Match] = field(default_factory=list)
    fidelity: float = 0.0
    matches: list[Match] = field(default_factory=list)

    def missed_visible_for(self, seconds: float, end: datetime) -> list[TruthVersion]:
        """Missed versions that stayed visible at least ``seconds`` (until ``end`` if live)."""
        return [v for v in self.missed if v.visible_seconds(end) >= seconds]

    def as_json(self, *, min_visible: float | None = None,
                end: datetime | None = None) -> dict[str, object]:
        data: dict[str, object] = {
            "served": self.served, "stored": self.stored, "captured": len(self.captured),
            "captured_exactly": self.exact, "missed": len(self.missed),
            "phantoms": len(self.phantoms), "fidelity": round(self.fidelity, 4),
        }
        if min_visible is not None and end is not None:
            data["missed_visible_for_min"] = len(self.missed_visible_for(min_visible, end))
        return data


def _key(headline: str | None, byline: str | None, text: str) -> tuple[str, ...]:
    """The comparable form: headline, sorted author names, then normalised paragraphs."""
    names = ", ".join(sorted(normalize(a) for a in authors(byline or "")))
    paragraphs = [p for p in (normalize(p) for p in text.split("\n\n")) if p]
    return (normalize(headline), names, *paragraphs)


def similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Word-level similarity of two keys, 0 to 1 (difflib's ratio; 1.0 when equal)."""
    if a == b:
        return 1.0
    words_a = " \n ".join(a).split(" ")
    words_b = " \n ".join(b).split(" ")
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    return matcher.ratio()


def _visible_at(version: TruthVersion, moment: datetime) -> bool:
    return version.visible_from <= moment and (
        version.visible_until is None or moment < version.visible_until)


def _match_article(served: list[TruthVersion], stored: list[Stored]) -> list[Match]:
    keys = [_key(v.headline, v.byline, v.text) for v in served]
    matches: list[Match] = []
    previous: TruthVersion | None = None
    for version in sorted(stored, key=lambda s: s.number):
        key = _key(version.title, version.byline, version.text)
        scored = [(similarity(key, k), v) for k, v in zip(keys, served, strict=True)]
        # Best similarity; among equals, the version visible at capture, then the latest
        # that had appeared by then.
        best_sim, best = max(scored, key=lambda item: (
            round(item[0], 9), _visible_at(item[1], version.captured_at),
            item[1].visible_from <= version.captured_at, item[1].visible_from))
        phantom = None
        if best_sim < PHANTOM_BELOW:
            phantom = "never served"
        elif previous is not None and best is previous:
            phantom = "duplicate"
        matches.append(Match(version, best, best_sim, phantom))
        if phantom is None:
            previous = best
    return matches


def score(truth: Iterable[TruthVersion], stored: Iterable[Stored]) -> Score:
    """Compare what was served with what was stored."""
    served_by_url: dict[str, list[TruthVersion]] = {}
    for record in truth:
        served_by_url.setdefault(record.url, []).append(record)
    stored_by_url: dict[str, list[Stored]] = {}
    for version in stored:
        stored_by_url.setdefault(version.url, []).append(version)
    result = Score(served=sum(len(v) for v in served_by_url.values()),
                   stored=sum(len(v) for v in stored_by_url.values()))
    for url, versions in stored_by_url.items():
        if url not in served_by_url:
            result.phantoms += [Match(v, None, 0.0, "unknown article") for v in versions]
            continue
        result.matches += _match_article(served_by_url[url], versions)
    matched_ids = set()
    similarities = []
    for match in result.matches:
        if match.phantom is not None:
            result.phantoms.append(match)
        elif match.served is not None:
            matched_ids.add(id(match.served))
            similarities.append(match.similarity)
            result.exact += match.similarity == 1.0
    for served in served_by_url.values():
        for one in served:
            (result.captured if id(one) in matched_ids else result.missed).append(one)
    result.fidelity = sum(similarities) / len(similarities) if similarities else 0.0
    return result
