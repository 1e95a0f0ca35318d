"""What a change means: edit intents, from the diff engine's alignment, by rules.

Research on news edits (NewsEdits 2.0, Spangher et al. 2024) sorts them by intent:
*factual* (a figure, a name, a quote, information added or removed, a correction),
*stylistic* (a typo, punctuation, wording) and *narrative* (sentences reordered, emphasis
shifted, a new lede). This module gives every change those labels, deterministically and
without a model: each aligned unit of :func:`tearsheet.diff.align` is read on its own
(which words went, which came), and each label names the sentences that earned it.

Coarse intents are ordered by weight: the words each label touched, times how much such
an edit matters to a reader (a changed figure outweighs a reworded clause of the same
length). ``silent_correction`` is true when an *existing* claim — a figure or date, a name,
a quote — was replaced in a sentence that stayed, and the new version carries no note
(:mod:`tearsheet.diff.corrections`). A false accusation is worse than a miss, so figures
that a developing story updates ("rose to", "at least", "so far") and figures in headlines
are labelled but never make a change silent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any, Literal

from tearsheet.diff.align import Alignment, Document, FieldChange, Unit, WordOp, typographic_key
from tearsheet.diff.corrections import Note, find_notes, is_correction, is_note

Coarse = Literal["fact", "style", "narrative"]

FINE: dict[str, Coarse] = {
    "correction": "fact", "figure": "fact", "name": "fact", "quote": "fact",
    "added_information": "fact", "removed_information": "fact",
    "lede": "narrative", "emphasis": "narrative", "reordered": "narrative",
    "wording": "style", "typo": "style", "punctuation": "style",
}
"""Every fine label and the coarse intent it belongs to, in the order they are listed."""

WEIGHTS: dict[str, float] = {
    "correction": 10.0, "figure": 8.0, "name": 8.0, "quote": 5.0, "lede": 3.0,
    "emphasis": 3.0, "added_information": 1.0, "removed_information": 1.0,
    "wording": 1.0, "reordered": 0.5, "typo": 0.5, "punctuation": 0.25,
}
"""How much one touched word of each label weighs when coarse intents are ordered."""

COARSE_ORDER: tuple[Coarse, ...] = ("fact", "narrative", "style")  # ties break this way
INTENT_NAMES: tuple[str, ...] = ("fact", "style", "narrative", *FINE)
"""What an ``intent`` filter may name: a coarse intent or a fine label."""
INTENT_PATTERN = "^(" + "|".join(INTENT_NAMES) + ")$"

MIN_INFORMATION_WORDS = 3  # content words added (or removed) in a sentence to be information
LEDE_SHARE = 0.4  # a first sentence rewritten this much (share of its words) is a new lede

_WORD = re.compile(r"\w+")
# A quote ends before the next quote of its kind opens: a text of thousands of unclosed “
# was scanned to its end from each (minutes for a 100 KB paragraph), and is scanned once.
_QUOTED = re.compile(r"“([^“”]+)”|\"([^\"]+)\"|«\s*([^«»]+?)\s*»|„([^„“”]+)[“”]")
_DIGIT = re.compile(r"\d")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CAPITAL = re.compile(r"^[^\W\d_a-zà-ÿ]")
_NUMBER_WORDS = _word_set("""
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred hundreds thousand thousands million millions billion billions
    trillion dozen dozens half quarter first second third fourth fifth sixth seventh eighth
    ninth tenth twice triple double percent
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday yesterday today tomorrow
    un une deux trois quatre cinq six sept huit neuf dix vingt cent mille millions milliard
    zwei drei vier fünf sechs sieben acht neun zehn zwanzig hundert tausend millionen
    dos tres cuatro cinco seis siete ocho nueve diez veinte cien mil millones
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    lundi mardi mercredi jeudi vendredi samedi dimanche
    januar februar märz april juni juli oktober dezember montag dienstag mittwoch
    donnerstag freitag samstag sonntag
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre
    diciembre lunes martes miércoles jueves viernes sábado domingo
""") - {"may", "second", "un", "une"}  # too often not a figure
_HEDGES = _word_set("""
    allegedly reportedly apparently purportedly supposedly possibly probably likely
    nearly almost about approximately roughly around some least most only just merely
    very highly extremely deeply widely largely mostly partly fully entirely strongly
    sharply severely seriously badly slightly barely hardly clearly certainly definitely
    may might could would should must can appears appeared appear seems seemed seem
    claimed claims claim insisted insists asserted asserts denied denies admitted admits
    acknowledged conceded alleged suspected accused unconfirmed confirmed controversial
    so-called critics critic dramatic dramatically massive huge major minor brutal deadly
    shocking stunning alarming devastating historic unprecedented mere even still already
    all every
""")
_UPDATE_CUES = re.compile(
    r"\b(?:rose|risen|rising|climbed|increased|grew|grown|jumped|reached|now|so far|"
    r"as of|latest|at least|updated|still|has since|had since|continued|toll|"
    r"stieg|gestiegen|mittlerweile|inzwischen|mindestens|bislang|"
    r"désormais|au moins|maintenant|passé à|ahora|al menos|ya|hasta ahora)\b",
    re.IGNORECASE,
)
_STOPWORDS = _word_set("""
    a an the and or but of in on at to for from by with as is are was were be been being
    has have had do does did that this these those it its he she they them his her their
    we our you your i me my not no so than then there here which who whom whose what when
    where why how also into over after before about up out if while said says say
    le la les de des du et en un une au aux il elle ils est sont der die das und ein eine
    ist im zu den von el los las y del por con se que
""")


@dataclass(frozen=True)
class Evidence:
    """A sentence that earned a label: the old and new text of its aligned unit (or of
    the headline), with their sentence indices (None on the side where it is absent)."""

    old_index: int | None
    new_index: int | None
    old_text: str | None
    new_text: str | None
    words: int  # the words of this unit the label accounts for (at least 1)

    def as_json(self) -> dict[str, Any]:
        return {"old_index": self.old_index, "new_index": self.new_index,
                "old_text": self.old_text, "new_text": self.new_text}


@dataclass(frozen=True)
class Label:
    """A fine label with the sentences that earned it."""

    name: str
    evidence: tuple[Evidence, ...]

    @property
    def weight(self) -> float:
        return WEIGHTS[self.name] * sum(e.words for e in self.evidence)

    def as_json(self) -> dict[str, Any]:
        return {"label": self.name, "sentences": [e.as_json() for e in self.evidence]}


@dataclass(frozen=True)
class Intent:
    """A coarse intent, its share of the change's weight, and its fine labels."""

    name: Coarse
    weight: float
    labels: tuple[Label, ...]

    def as_json(self) -> dict[str, Any]:
        return {"intent": self.name, "weight": self.weight,
                "labels": [label.as_json() for label in self.labels]}


@dataclass(frozen=True)
class Reading:
    """What a change means: intents (dominant first), whether a claim changed silently,
    and the correction or editor's notes the new version carries."""

    intents: tuple[Intent, ...]
    silent_correction: bool
    notes: tuple[Note, ...] = ()  # every note of the new version
    claims: tuple[Evidence, ...] = field(default=())  # existing claims that changed

    @property
    def new_note(self) -> Note | None:
        """The first note this change added (what lists show), if any."""
        return next((note for note in self.notes if note.added), None)

    @property
    def coarse(self) -> tuple[str, ...]:
        return tuple(intent.name for intent in self.intents)

    @property
    def fine(self) -> tuple[str, ...]:
        """Fine labels, grouped under their coarse intents in weight order."""
        return tuple(label.name for intent in self.intents for label in intent.labels)

    def as_json(self) -> dict[str, Any]:
        return {"intents": [intent.as_json() for intent in self.intents],
                "silent_correction": self.silent_correction,
                "notes": [note.as_json() for note in self.notes]}


NO_READING = Reading(intents=(), silent_correction=False)
"""The reading of a change that means nothing (a boring one)."""


def read_change(alignment: Alignment, old: Document, new: Document) -> Reading:
    """Label a change (the alignment of ``old`` and ``new``) with its intents."""
    found: dict[str, list[Evidence]] = {}
    claims: list[Evidence] = []
    moved_figures = _inserted_figures(alignment)
    old_body = "\n".join(old.paragraphs)
    for unit in alignment.units:
        if unit.label == "unchanged":
            continue
        for name, evidence, claim in _unit_labels(unit, old_body, moved_figures):
            found.setdefault(name, []).append(evidence)
            if claim:
                claims.append(evidence)
    for change in alignment.metadata:
        if change.field == "title":
            for name, evidence in _headline_labels(change):
                found.setdefault(name, []).append(evidence)
    old_notes = {typographic_key(n.text) for n in find_notes(old.paragraphs)}
    notes = tuple(replace(n, added=typographic_key(n.text) not in old_notes)
                  for n in find_notes(new.paragraphs))
    fresh = [n for n in notes if n.kind != "update" and n.added]
    if fresh:  # the note itself is the evidence, wherever the alignment put it
        found["correction"] = [_note_evidence(alignment, n) for n in fresh]
    return Reading(_intents(found), bool(claims) and not notes, notes, tuple(claims))


def _intents(found: dict[str, list[Evidence]]) -> tuple[Intent, ...]:
    labels = [Label(name, tuple(evidence)) for name, evidence in found.items()]
    total = sum(label.weight for label in labels) or 1.0
    intents = []
    for coarse in COARSE_ORDER:
        mine = sorted((label for label in labels if FINE[label.name] == coarse),
                      key=lambda label: (-label.weight, list(FINE).index(label.name)))
        if mine:
            intents.append(Intent(coarse, round(sum(x.weight for x in mine) / total, 3),
                                  tuple(mine)))
    intents.sort(key=lambda i: (-i.weight, COARSE_ORDER.index(i.name)))
    return tuple(intents)


# --- one unit ---------------------------------------------------------------------------

def _unit_labels(unit: Unit, old_body: str, moved_figures: Counter[str]
                 ) -> Iterable[tuple[str, Evidence, bool]]:
    """(label, evidence, is an existing claim changed) for one changed unit."""
    def evidence(words: int) -> Evidence:
        return Evidence(unit.old_index, unit.new_index, unit.old_text, unit.new_text,
                        max(1, words))

    if unit.label in ("added", "deleted"):
        text = unit.new_text if unit.label == "added" else unit.old_text
        size = len(_WORD.findall(text or ""))
        note = find_notes([text or ""]) if unit.label == "added" else ()
        if note and note[0].kind != "update":
            yield "correction", evidence(size), False
            return  # a note on top is not a new lede
        if size:
            yield ("added_information" if unit.label == "added" else "removed_information",
                   evidence(size), False)
        if (unit.new_paragraph if unit.label == "added" else unit.old_paragraph) == 0:
            yield "lede", evidence(size), False
        return
    if unit.label == "moved":
        yield "reordered", evidence(len(_WORD.findall(unit.new_text or ""))), False
        if 0 in (unit.new_paragraph, unit.old_paragraph) and unit.new_index != unit.old_index \
                and 0 in (unit.new_index, unit.old_index):
            yield "lede", evidence(len(_WORD.findall(unit.new_text or ""))), False
    if not unit.words:
        return
    for name, words, claim in edit_labels(unit.words, unit.old_text or "",
                                          unit.new_text or "", old_body, moved_figures):
        yield name, evidence(words), claim
    if unit.new_index == 0 and unit.label == "edited":
        deleted, inserted = _changed(unit.words)
        size = len(_WORD.findall(unit.old_text or "")) + len(_WORD.findall(unit.new_text or ""))
        if min(_content(deleted), _content(inserted)) >= MIN_INFORMATION_WORDS and \
                len(deleted) + len(inserted) >= LEDE_SHARE * size:
            yield "lede", evidence(len(deleted) + len(inserted)), False


def edit_labels(words: Sequence[WordOp], old_text: str, new_text: str,
                old_body: str = "",
                moved_figures: Counter[str] | None = None
                ) -> list[tuple[str, int, bool]]:
    """Labels of one edited sentence from its word diff: (label, words, claim changed)."""
    deleted, inserted = _changed(words)
    if not deleted and not inserted:
        return [("punctuation", 1, False)] if any(w.op != "equal" for w in words) else []
    labels: list[tuple[str, int, bool]] = []
    explained: set[str] = set()
    if is_correction(" ".join(inserted)) and not is_note(old_text):
        return [("correction", len(inserted), False)]
    if is_typo(words) or _respaced(deleted, inserted):  # spelling, even inside a quote
        return [("typo", len(deleted) + len(inserted), False)]

    # Figures and dates.
    old_figures, new_figures = _figures(deleted), _figures(inserted)
    if old_figures and _values(old_figures) == _values(new_figures):  # "nine" → "9"
        return [("typo", len(deleted) + len(inserted), False)]
    if old_figures != new_figures:
        replaced = bool(old_figures and new_figures) and not _updating(old_text, new_text)
        if replaced and moved_figures and all(moved_figures[f] for f in old_figures):
            replaced = False  # the figure went to another sentence: not a change of claim
        labels.append(("figure", len(old_figures) + len(new_figures), replaced))
        explained |= set(old_figures) | set(new_figures)  # lowercased

    # Names: a proper name replaced or respelled; a name for a pronoun is wording.
    gone = [w for w in _names_in(words, "delete") if w.lower() not in explained]
    came = [w for w in _names_in(words, "insert") if w.lower() not in explained]
    if gone and came and not _same_words(gone, came):
        labels.append(("name", len(gone) + len(came), True))
        explained |= {w.lower() for w in gone + came}
    elif came and not gone and not all(_mentioned(w, old_body) for w in came):
        pass  # a new name is new information (counted below)
    else:
        explained |= {w.lower() for w in gone + came}

    # Quotes: words changed inside a quoted passage the old sentence had.
    if quotes(old_text):
        touched = [w for side in ("delete", "insert") for w in _changed_inquotes(words, side)
                   if w.lower() not in explained]
        touched = [w for w in touched if w in deleted or w in inserted]
        if touched:
            labels.append(("quote", len(touched), bool(quotes(new_text))))
            explained |= {w.lower() for w in touched}

    rest_deleted = [w for w in deleted if w.lower() not in explained]
    rest_inserted = [w for w in inserted if w.lower() not in explained]
    if not rest_deleted and not rest_inserted:
        return labels
    if _casing_only(rest_deleted, rest_inserted):
        return [*labels, ("typo", len(rest_deleted), False)]
    hedges = [w for w in rest_deleted + rest_inserted if w.lower() in _HEDGES]
    if labels and not hedges and len(rest_deleted) + len(rest_inserted) <= 2 and \
            not rest_deleted:
        return labels  # a word or two that came with a figure or a name: part of it
    content_in = [w for w in rest_inserted if _is_content(w)]
    content_out = [w for w in rest_deleted if _is_content(w)]
    content = [w for w in rest_deleted + rest_inserted if _is_content(w)]
    if hedges and len(hedges) >= len(content):
        labels.append(("emphasis", len(hedges), False))
    elif _more(content_in, content_out):
        labels.append(("added_information", len(rest_inserted), False))
    elif _more(content_out, content_in):
        labels.append(("removed_information", len(rest_deleted), False))
    elif not labels or content_in or content_out or rest_inserted or rest_deleted:
        labels.append(("wording", len(rest_deleted) + len(rest_inserted), False))
    return labels


def _headline_labels(change: FieldChange) -> list[tuple[str, Evidence]]:
    """A headline's edit read like a sentence's; a reworded headline is emphasis (it
    frames the story), and a changed figure in it is never a silent correction."""
    labels = edit_labels(change.words, change.old or "", change.new or "")
    merged: dict[str, int] = {}
    for name, words, _ in labels:
        # Title Case: capitalised words are not names in a headline; rewording one is
        # a change of emphasis (it frames the story).
        name = "emphasis" if name in ("name", "wording") else name
        merged[name] = merged.get(name, 0) + words
    return [(name, Evidence(None, None, change.old, change.new, max(1, words)))
            for name, words in merged.items()]


def _note_evidence(alignment: Alignment, note: Note) -> Evidence:
    for unit in alignment.units:
        if unit.new_paragraph == note.paragraph and unit.new_text and \
                note.text[:40] in unit.new_text:
            return Evidence(unit.old_index, unit.new_index, unit.old_text, unit.new_text,
                            max(1, len(_WORD.findall(note.text))))
    return Evidence(None, None, None, note.text, max(1, len(_WORD.findall(note.text))))


# --- words ------------------------------------------------------------------------------

def _changed(words: Sequence[WordOp]) -> tuple[list[str], list[str]]:
    deleted = [t for w in words if w.op == "delete" for t in _WORD.findall(w.text)]
    inserted = [t for w in words if w.op == "insert" for t in _WORD.findall(w.text)]
    common = Counter(deleted) & Counter(inserted)  # a word moved inside the sentence
    return _without(deleted, common), _without(inserted, common)


def _without(words: list[str], common: Counter[str]) -> list[str]:
    """``words`` without the first ``common[w]`` occurrences of each ``w``: in one pass
    (a sentence of thousands of repeated words made removing them one by one quadratic)."""
    left = common.copy()
    kept = []
    for word in words:
        if left[word] > 0:
            left[word] -= 1
        else:
            kept.append(word)
    return kept


def _more(gained: list[str], lost: list[str]) -> bool:
    """Enough content words came (or went) and few went the other way: information, not
    a rewording. Two words with nothing lost ("cardiac arrest and"), or three and twice
    as many as were lost."""
    if len(gained) >= MIN_INFORMATION_WORDS - 1 and not lost:
        return True
    return len(gained) >= MIN_INFORMATION_WORDS and len(gained) >= 2 * len(lost) + 2


def _respaced(deleted: list[str], inserted: list[str]) -> bool:
    """Only hyphens or spaces inside words changed: "one-time" → "onetime"."""
    return bool(deleted or inserted) and "".join(deleted).lower() == "".join(inserted).lower()


def _is_content(word: str) -> bool:
    return len(word) > 1 and word.lower() not in _STOPWORDS and word.lower() not in _HEDGES


def _content(words: Iterable[str]) -> int:
    return sum(1 for w in words if _is_content(w))


def _is_figure(word: str) -> bool:
    return bool(_DIGIT.search(word)) or word.lower() in _NUMBER_WORDS


def _figures(words: Iterable[str]) -> Counter[str]:
    return Counter(w.lower() for w in words if _is_figure(w))


_VALUES = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}


def _values(figures: Counter[str]) -> Counter[str]:
    """Figures by value where a word names one ("nine" and "9" are the same figure)."""
    return Counter(str(_VALUES.get(f, f)) for f in figures.elements())


def _inserted_figures(alignment: Alignment) -> Counter[str]:
    """Figures that appear in added sentences: one leaving a sentence may have gone there."""
    found: Counter[str] = Counter()
    for unit in alignment.units:
        if unit.label == "added":
            found.update(_figures(_WORD.findall(unit.new_text or "")))
    return found


def _updating(old: str, new: str) -> bool:
    """The new sentence says the figure moved on ("rose to", "at least", "so far")."""
    before = Counter(m.group().lower() for m in _UPDATE_CUES.finditer(old))
    return bool(Counter(m.group().lower() for m in _UPDATE_CUES.finditer(new)) - before)


def quotes(text: str | None) -> set[str]:
    """The quoted passages of a text (“…”, "…", «…», „…“), on their typographic key."""
    return {typographic_key(next(g for g in m.groups() if g))
            for m in _QUOTED.finditer(text or "")}


def _words_of(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def _names(text: str) -> list[str]:
    """Capitalised words that do not start a sentence: names, most likely."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        if not _CAPITAL.match(word) or len(word) < 2 or _is_figure(word):
            continue
        at = match.start() - 1
        while at >= 0 and text[at].isspace():
            at -= 1
        if at >= 0 and text[at] not in ".!?:“\"«„—":  # not the start of a sentence
            found.append(word)
    return found


def _mentioned(name: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def _side(words: Sequence[WordOp], side: str) -> tuple[str, list[tuple[int, int]]]:
    """One side's text of an edit (``delete``: the old, ``insert``: the new) and the spans
    in it that the edit changed."""
    text = ""
    spans = []
    for op in words:
        if op.op in ("equal", side):
            if op.op == side:
                spans.append((len(text), len(text) + len(op.text)))
            text += op.text
    return text, spans


def _names_in(words: Sequence[WordOp], side: str) -> list[str]:
    """Names among the words one side of an edit changed (``delete`` or ``insert``)."""
    text, spans = _side(words, side)
    names = set(_names(text))
    return [m.group() for m in _WORD.finditer(text)
            if any(a <= m.start() < b for a, b in spans) and m.group() in names]


def _changed_inquotes(words: Sequence[WordOp], side: str) -> list[str]:
    """Changed words of one side that stand inside a quoted passage."""
    text, spans = _side(words, side)
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    return [m.group() for m in _WORD.finditer(text)
            if any(a <= m.start() < b for a, b in spans)
            and any(a <= m.start() < b for a, b in quoted)]


def _same_words(a: list[str], b: list[str]) -> bool:
    return sorted(w.lower() for w in a) == sorted(w.lower() for w in b)


def _casing_only(deleted: list[str], inserted: list[str]) -> bool:
    return bool(deleted) and _same_words(deleted, inserted)


def is_typo(words: Sequence[WordOp], *, strict: bool = True) -> bool:
    """Every change replaces words by near-identical spellings (length within 2, similarity
    at least 0.75), one for one. ``strict``: and none is a figure or a capitalised word
    (a name respelled is a ``name``, "3" for "8" a ``figure``)."""
    ops = list(words)
    pairs = []
    for i, op in enumerate(ops):
        if op.op == "delete":
            following = ops[i + 1] if i + 1 < len(ops) else None
            if following is None or following.op != "insert":
                return False
            pairs.append((op.text, following.text))
        elif op.op == "insert" and (i == 0 or ops[i - 1].op != "delete"):
            return False
    if not pairs:
        return False
    for old, new in pairs:
        a, b = _WORD.findall(old), _WORD.findall(new)
        if len(a) != len(b) or not a:
            return False
        for x, y in zip(a, b, strict=True):
            if x == y:
                continue
            if strict and (_is_figure(x) or _is_figure(y)
                           or (_CAPITAL.match(x) and x.lower() != y.lower())):
                return False
            if abs(len(x) - len(y)) > 2 or SequenceMatcher(None, x, y).ratio() < 0.75:
                return False
    return True
