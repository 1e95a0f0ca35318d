"""Copies of an article as aggregators, mirrors and machine translation make them.

For the trace's tests and benchmark: each kind of rewriting is one function of a text
(paragraphs separated by blank lines) and a seeded random generator, so a copy is the same
on every run.

- ``drop``: a share of the sentences (30% by default) left out;
- ``merge``: paragraphs run together, two or three at a time;
- ``unquote``: quotation marks removed (apostrophes inside words stay);
- ``swap``: words replaced as a paraphrasing tool or a round trip through machine
  translation replaces them ("said" → "declared", "country" → "nation"), and a few pairs
  of neighbouring words exchanged;
- ``date``: a date line put in front, as a scraper stamps its copy.

:func:`rewrite` applies several; ``all`` is every kind in that order.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from tearsheet.diff.sentences import split_sentences

KINDS = ("drop", "merge", "unquote", "swap", "date")
SYNONYMS = {
    "said": "declared", "says": "declares", "country": "nation", "nation": "country",
    "began": "started", "started": "began", "about": "around", "around": "about",
    "officials": "authorities", "authorities": "officials", "people": "persons",
    "large": "big", "big": "large", "small": "little", "many": "numerous",
    "several": "various", "help": "assistance", "killed": "slain", "attack": "assault",
    "fighting": "combat", "city": "town", "town": "city", "because": "since",
    "however": "nevertheless", "also": "too", "after": "following", "before": "prior to",
    "told": "informed", "asked": "requested", "wanted": "desired", "want": "wish",
    "important": "significant", "major": "main", "show": "display", "showed": "displayed",
    "security forces": "staff of security", "troops": "soldiers", "soldiers": "troops",
    "government": "administration", "leader": "chief", "rapidly": "quickly",
    "quickly": "rapidly", "week": "seven days", "often": "frequently", "must": "have to",
    "need to": "must", "nearly": "almost", "almost": "nearly", "rose": "increased",
    "risen": "increased", "increase": "rise", "decided": "resolved", "hospital": "clinic",
    "election": "vote", "campaign": "drive", "voters": "electors", "support": "backing",
    "supporters": "partisans", "opposition": "opponents", "statement": "declaration",
    "reported": "informed", "spokesman": "spokesperson", "trip": "journey",
    "protests": "demonstrations", "protesters": "demonstrators", "violence": "brutality",
    "unrest": "turmoil", "crisis": "emergency", "streets": "roads", "home": "house",
    "power": "authority", "condition": "state", "health": "wellbeing", "police": "officers",
    "military": "army", "army": "military", "attacks": "assaults", "wounded": "injured",
    "injured": "wounded", "dead": "deceased", "believe": "think", "think": "believe",
}
_QUOTES = re.compile(r"[“”„‟\"«»]|(?<![\w])['‘’]|['‘’](?![\w])")
_SYNONYM = re.compile(r"\b(" + "|".join(sorted(map(re.escape, SYNONYMS), key=len,
                                                reverse=True)) + r")\b")

Rewrite = Callable[[list[str], random.Random], list[str]]


def drop(paragraphs: list[str], rng: random.Random, share: float = 0.3) -> list[str]:
    kept = []
    for paragraph in paragraphs:
        sentences = [s for s in split_sentences(paragraph) if rng.random() >= share]
        if sentences:
            kept.append(" ".join(sentences))
    return kept


def merge(paragraphs: list[str], rng: random.Random) -> list[str]:
    merged: list[str] = []
    i = 0
    while i < len(paragraphs):
        size = rng.choice((2, 3))
        merged.append(" ".join(paragraphs[i:i + size]))
        i += size
    return merged


def unquote(paragraphs: list[str], rng: random.Random) -> list[str]:
    return [" ".join(_QUOTES.sub("", p).split()) for p in paragraphs]


def swap(paragraphs: list[str], rng: random.Random, share: float = 0.6) -> list[str]:
    def replace(match: re.Match[str]) -> str:
        return SYNONYMS[match.group()] if rng.random() < share else match.group()

    result = []
    for paragraph in paragraphs:
        words = _SYNONYM.sub(replace, paragraph).split(" ")
        for k in range(1, len(words) - 1):
            if rng.random() < 0.03 and words[k].isalpha() and words[k + 1].isalpha():
                words[k], words[k + 1] = words[k + 1], words[k]
        result.append(" ".join(words))
    return result


def date(paragraphs: list[str], rng: random.Random) -> list[str]:
    return [f"date 20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            *paragraphs]


REWRITES: dict[str, Rewrite] = {"drop": drop, "merge": merge, "unquote": unquote,
                                "swap": swap, "date": date}


def rewrite(text: str, kinds: Sequence[str], seed: int = 0) -> str:
    """``text`` rewritten by each of ``kinds`` in turn (``"all"``: every kind)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible copy, not a secret
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    for kind in (KINDS if list(kinds) == ["all"] else kinds):
        paragraphs = REWRITES[kind](paragraphs, rng)
    return "\n\n".join(paragraphs)
