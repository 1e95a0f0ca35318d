"""Tracing a copy to its source: which stored version a text was copied from (pure).

The store finds a few candidate articles through the MinHash index (see
:mod:`tearsheet.diff.sketch`); this module decides, version by version, how well each
explains the copy:

1. every distinct version gets a quick score, the weighted share of the copy's tokens it
   contains (a bag of tokens); the best few go on;
2. each of those is aligned with the copy by the diff engine (:func:`tearsheet.diff.align`,
   the version as "old", the copy as "new"): sentences kept, edited, merged, moved;
3. when the copy is in another language (guessed from its commonest words when not
   given), the sentences the diff engine left unpaired are paired again on their anchors
   — names, numbers, dates — in reading order (the heaviest chain increasing on both
   sides), which is how a translated sentence finds its original;
4. a version's **coverage** is the weighted share of the copy's tokens found in the
   sentences paired with it, its **recall** the share of its own tokens the copy has, and
   its **score** ``0.8 × coverage + 0.2 × recall``: first what explains the copy, then what
   fits it tightest (a copy of version 3 fits version 4 as well when 4 only added to 3, but
   3 tighter). Names, numbers and dates weigh most, so a copy that kept a corrected figure
   fits the version that had it.

A text is a copy of a version when enough of it is explained: ``coverage`` of at least
:data:`MIN_COVERAGE` — or, for a translation, whose words cannot match, when at least
:data:`MIN_ANCHOR_SENTENCES` of its sentences, and :data:`MIN_ANCHOR_SHARE` of them, are
paired in order through their anchors, which cover :data:`MIN_ANCHOR_COVERAGE` of its
anchors. An article on the same topic shares names, not sentences: it is not a copy.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tearsheet.diff import sketch as sk
from tearsheet.diff.align import Document, align
from tearsheet.diff.sentences import split_sentences
from tearsheet.diff.sketch import Token

MIN_COVERAGE = 0.4
MIN_ANCHOR_COVERAGE = 0.2
MIN_ANCHOR_SENTENCES = 4
MIN_ANCHOR_SHARE = 0.3  # of the copy's sentences, paired through their anchors
ANCHOR_PAIR = 0.5  # weighted Dice of two sentences' anchors for a pair (with 2+ shared)
ALIGNED = 4  # versions of one article aligned in full; the others keep their quick score
ALSO_FITS = 0.001  # a version explaining as much of the copy (coverage) fits it as well


@dataclass(frozen=True)
class Candidate:
    """A stored version offered to the trace: ``key`` names it for the caller."""

    key: Hashable
    group: Hashable  # the article: versions of one group compete for "which version"
    document: Document


@dataclass(frozen=True)
class Pair:
    """A sentence (or two) of the version and what the copy made of it."""

    version: str
    copy: str
    anchors_differ: bool  # a name, number or date of one is missing from the other


@dataclass(frozen=True)
class Fit:
    """How well one version explains the copy."""

    key: Hashable
    group: Hashable
    score: float
    coverage: float
    recall: float
    anchor_coverage: float
    anchor_sentences: int  # copy sentences paired through their anchors (translations)
    copy_sentences: int
    translated: bool  # the copy is in another language than the version
    lacks: tuple[str, ...] = ()  # the version's sentences the copy does not have
    adds: tuple[str, ...] = ()  # the copy's sentences that are not from the version
    pairs: tuple[Pair, ...] = ()
    also: tuple[Hashable, ...] = field(default=())  # other versions that fit as well

    @property
    def is_copy(self) -> bool:
        return self.coverage >= MIN_COVERAGE or (
            self.translated and self.anchor_coverage >= MIN_ANCHOR_COVERAGE
            and self.anchor_sentences >= max(MIN_ANCHOR_SENTENCES,
                                             MIN_ANCHOR_SHARE * self.copy_sentences))

    def as_json(self) -> dict[str, Any]:
        return {"score": self.score, "coverage": self.coverage, "recall": self.recall,
                "anchor_coverage": self.anchor_coverage,
                "anchor_sentences": self.anchor_sentences, "translated": self.translated,
                "lacks": list(self.lacks), "adds": list(self.adds),
                "differences": [{"version": p.version, "copy": p.copy}
                                for p in self.pairs if p.anchors_differ]}


def sentences(document: Document) -> list[str]:
    return [s for paragraph in document.paragraphs
            for s in split_sentences(paragraph, document.language)]


def with_language(document: Document) -> Document:
    """A pasted copy says nothing of its language: guessed, for its sentence rules."""
    if document.language:
        return document
    return replace(document, language=sk.guess_language(" ".join(document.paragraphs[:5])))


def _base(language: str | None) -> str:
    """"en-GB" → "en": a version says its language as its page did."""
    return (language or "").replace("_", "-").split("-")[0].lower()


def index_keys(document: Document) -> tuple[int, ...]:
    """The MinHash keys a version is indexed under, and a copy looked up by."""
    return tuple(sk.sketch(sentences(with_language(document))))


def _bag(texts: Iterable[str]) -> Counter[Token]:
    bag: Counter[Token] = Counter()
    for text in texts:
        bag.update(sk.tokens(text))
    return bag


def _weight(bag: Counter[Token], anchors_only: bool = False) -> float:
    return sum(t.weight * n for t, n in bag.items() if t.anchor or not anchors_only)


def _shared(a: Counter[Token], b: Counter[Token], anchors_only: bool = False) -> float:
    return _weight(a & b, anchors_only)


def trace(copy: Document, candidates: Sequence[Candidate]) -> list[Fit]:
    """The best fit of each group (article), best first, copies only."""
    copy = with_language(copy)
    copy_sentences = sentences(copy)
    copy_bag = _bag(copy_sentences)
    if not copy_bag:
        return []
    groups: dict[Hashable, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.group, []).append(candidate)
    fits = [fit for group in groups.values()
            if (fit := _best_version(copy, copy_sentences, copy_bag, group)) is not None]
    fits = [fit for fit in fits if fit.is_copy]
    return sorted(fits, key=lambda f: -f.score)


def _best_version(copy: Document, copy_sentences: list[str], copy_bag: Counter[Token],
                  versions: Sequence[Candidate]) -> Fit | None:
    # One quick score per distinct text (versions that only changed their headline or
    # byline share a body); the best few are aligned in full.
    distinct: dict[str, list[Candidate]] = {}
    for candidate in versions:
        digest = hashlib.blake2b("\n\n".join(candidate.document.paragraphs).encode(),
                                 digest_size=16).hexdigest()
        distinct.setdefault(digest, []).append(candidate)
    # The bag bounds the alignment: a version cannot explain more of the copy than the
    # tokens they share, so one that shares too little is not aligned at all, and the
    # versions are aligned best bound first until no bound can beat the best fit.
    total = _weight(copy_bag)
    anchor_total = _weight(copy_bag, anchors_only=True) or 1e-9
    bounds = []
    for members in distinct.values():
        bag = _bag(sentences(members[0].document))
        common = copy_bag & bag
        coverage, anchors = _weight(common) / total, _weight(common, True) / anchor_total
        if coverage < MIN_COVERAGE and anchors < MIN_ANCHOR_COVERAGE:
            continue
        recall = _weight(common) / max(_weight(bag), 1e-9)
        bounds.append((0.8 * coverage + 0.2 * recall, coverage, members, bag))
    bounds.sort(key=lambda item: -item[0])
    fits: list[tuple[Fit, list[Candidate]]] = []
    for bound_score, bound_coverage, members, bag in bounds[:ALIGNED]:
        if fits:
            leader = max((f for f, _ in fits), key=lambda f: f.score)
            if bound_score < leader.score and bound_coverage < leader.coverage - ALSO_FITS:
                break
        fits.append((fit(copy, members[0], copy_sentences, copy_bag=copy_bag,
                         version_bag=bag), members))
    if not fits:
        return None
    fits.sort(key=lambda item: -item[0].score)
    best, members = fits[0]
    also = [m.key for m in members[1:]]
    also += [m.key for f, ms in fits[1:] if f.coverage >= best.coverage - ALSO_FITS
             for m in ms]
    return Fit(**{**best.__dict__, "also": tuple(also)})


def fit(copy: Document, candidate: Candidate, copy_sentences: Sequence[str] | None = None,
        *, copy_bag: Counter[Token] | None = None,
        version_bag: Counter[Token] | None = None) -> Fit:
    """How well ``candidate`` explains ``copy``: the alignment and its scores (the bags of
    tokens of both, when the caller has them)."""
    copy = with_language(copy)
    copy_sentences = list(copy_sentences or sentences(copy))
    version = with_language(candidate.document)
    units = align(Document(version.paragraphs, language=version.language),
                  Document(copy.paragraphs, language=copy.language), quick=True).units
    pairs: list[tuple[str, str]] = []
    lacks: list[str] = []
    adds: list[str] = []
    for unit in units:
        if unit.old_text is not None and unit.new_text is not None:
            pairs.append((unit.old_text, unit.new_text))
        elif unit.old_text is not None:
            lacks.extend(split_sentences(unit.old_text, version.language) if unit.whole_paragraph
                         else [unit.old_text])
        elif unit.new_text is not None:
            adds.extend(split_sentences(unit.new_text, copy.language) if unit.whole_paragraph
                        else [unit.new_text])
    translated = None not in (copy.language, version.language) and \
        _base(copy.language) != _base(version.language)
    anchored = _pair_anchors(lacks, adds) if translated else []
    for i, j in anchored:
        pairs.append((lacks[i], adds[j]))
    paired_lacks = {i for i, _ in anchored}
    paired_adds = {j for _, j in anchored}
    lacks = [s for i, s in enumerate(lacks) if i not in paired_lacks]
    adds = [s for j, s in enumerate(adds) if j not in paired_adds]

    copy_bag = copy_bag if copy_bag is not None else _bag(copy_sentences)
    version_bag = version_bag if version_bag is not None else _bag(sentences(version))
    matched = anchors = 0.0
    found: list[Pair] = []
    for old, new in pairs:
        a, b = _bag([old]), _bag([new])
        matched += _shared(a, b)
        anchors += _shared(a, b, anchors_only=True)
        differ = {t for t in a if t.anchor} != {t for t in b if t.anchor}
        found.append(Pair(old, new, differ))
    coverage = min(1.0, matched / max(_weight(copy_bag), 1e-9))
    recall = min(1.0, matched / max(_weight(version_bag), 1e-9))
    anchor_total = _weight(copy_bag, anchors_only=True)
    anchor_coverage = min(1.0, anchors / anchor_total) if anchor_total else 0.0
    return Fit(candidate.key, candidate.group, round(0.8 * coverage + 0.2 * recall, 4),
               round(coverage, 4), round(recall, 4), round(anchor_coverage, 4),
               len(anchored), len(copy_sentences), translated, tuple(lacks), tuple(adds),
               tuple(found))


def _pair_anchors(olds: Sequence[str], news: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs of sentences sharing their names, numbers and dates, in reading order: the
    heaviest chain increasing on both sides (a translation keeps the order)."""
    old_anchors = [Counter(t for t in sk.tokens(s) if t.anchor) for s in olds]
    new_anchors = [Counter(t for t in sk.tokens(s) if t.anchor) for s in news]
    edges: list[tuple[int, int, float]] = []
    for i, a in enumerate(old_anchors):
        if not a:
            continue
        for j, b in enumerate(new_anchors):
            common = a & b
            if sum(common.values()) < 2:
                continue
            shared = _weight(common)
            dice = 2 * shared / (_weight(a) + _weight(b))
            if dice >= ANCHOR_PAIR:
                edges.append((i, j, shared))
    # Heaviest chain increasing in both i and j (edges sorted by i, then j).
    edges.sort()
    best: list[float] = []
    back: list[int] = []
    for k, (i, j, w) in enumerate(edges):
        best.append(w)
        back.append(-1)
        for m in range(k):
            pi, pj, _ = edges[m]
            if pi < i and pj < j and best[m] + w > best[k]:
                best[k], back[k] = best[m] + w, m
    if not edges:
        return []
    k = max(range(len(edges)), key=best.__getitem__)
    chain = []
    while k >= 0:
        chain.append((edges[k][0], edges[k][1]))
        k = back[k]
    return chain[::-1]
