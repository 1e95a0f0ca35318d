"""A labelled set for edit intents: real article text, one known edit per case.

Each case takes an article's paragraphs, applies one edit of a known intent (a figure
changed, a name respelled, a quote altered, a note appended in one of several wordings and
positions…) and records the fine labels and the silent-correction verdict a correct
labeller gives. Used by the intent tests and by ``bench/intents.py``; the same operators
run on two sources of text: the shared histories (the rules were written against them)
and the extraction corpus' bodies (never used to write a rule: the held-out measure).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tearsheet.diff.align import Document, align
from tearsheet.diff.intents import Reading, read_change
from tearsheet.diff.sentences import split_sentences

Paragraphs = list[str]


@dataclass(frozen=True)
class Case:
    """One labelled pair of versions."""

    name: str  # the operator
    old: Document
    new: Document
    labels: frozenset[str]  # the fine labels a correct reading gives
    silent: bool  # whether it is a silent correction


NOTES = [
    ("bottom", "Correction: An earlier version of this article misstated {what}."),
    ("bottom", "An earlier version of this story misstated {what}."),
    ("bottom", "*This article was amended on 5 June 2024 to correct {what}.*"),
    ("bottom", "CORRECTION, June 5, 2024: Because of an editing error, {what} was wrong."),
    ("top", "Editor’s note: This story has been corrected to fix {what}."),
    ("top", "Clarification: {what} has been made clearer."),
    ("bottom", "Rectificatif : une précédente version de cet article indiquait un mauvais "
               "chiffre."),
    ("bottom", "Korrektur: In einer früheren Version dieses Artikels stand eine falsche Zahl."),
    ("bottom", "Fe de errores: una versión anterior de este artículo daba una cifra errónea."),
    ("top", "Correctie: in een eerdere versie van dit artikel stond een verkeerd getal."),
    ("bottom", "Nota della redazione: una precedente versione di questo articolo riportava "
               "un dato errato."),
    ("inline", "We regret the error."),
]
SYNONYMS = {
    "began": "started", "started": "began", "big": "large", "large": "big",
    "important": "significant", "help": "assist", "showed": "indicated", "buy": "purchase",
    "tried": "attempted", "need": "require", "quickly": "rapidly", "ruling": "governing",
    "main": "principal", "ended": "finished", "begin": "start", "start": "begin",
    "enough": "sufficient", "people": "residents", "group": "organization",
    "area": "region", "job": "post", "plan": "proposal", "move": "step", "hard": "difficult",
    "called": "described", "asked": "urged", "wanted": "sought", "told": "informed",
}
HEDGES = ["reportedly", "allegedly", "apparently"]
SURNAMES = ["Halvorsen", "Okonkwo", "Castellanos", "Brandt", "Nakamura", "Lindqvist"]
NUMBER_SWAP = {"two": "three", "three": "four", "four": "five", "five": "six", "six": "seven",
               "seven": "eight", "eight": "nine", "nine": "ten", "ten": "twelve",
               "Monday": "Tuesday", "Tuesday": "Wednesday", "Wednesday": "Thursday",
               "Thursday": "Friday", "Friday": "Saturday", "Saturday": "Sunday",
               "Sunday": "Monday", "dozens": "hundreds", "hundreds": "thousands"}
_NUMBER = re.compile(r"(?<![\w.,])\d{1,4}(?![\w.,]\d)")
_NAME = re.compile(r"(?<=[a-z,] )(?!(?:Mr|Mrs|Ms|Dr|The|A|I|[A-Z][a-z]+day|January|February|March|"
                   r"April|May|June|July|August|September|October|November|December)\b)"
                   r"[A-Z][a-z]{3,}\b")
_QUOTE = re.compile(r"“([^”]{25,})”|\"([^\"]{25,})\"")
_LOWER = re.compile(r"(?<= )[a-z]{6,}(?= )")
_HEDGEABLE = re.compile(r"(?<=[a-z] )([a-z]{3,}ed)(?= )")


def _sentences(paragraph: str) -> list[str]:
    return list(split_sentences(paragraph, "en"))


def _edit_sentence(paragraphs: Paragraphs, rng: random.Random,
                   edit: Callable[[str], str | None], skip_first: bool = True
                   ) -> tuple[Paragraphs, Paragraphs] | None:
    """Old and new paragraphs with one sentence (not in the lede) changed by ``edit``."""
    spots = [(p, s) for p, para in enumerate(paragraphs) if p > 0 or not skip_first
             for s, _ in enumerate(_sentences(para))]
    rng.shuffle(spots)
    for p, s in spots:
        sentences = _sentences(paragraphs[p])
        changed = edit(sentences[s])
        if changed is None or changed == sentences[s]:
            continue
        new = list(paragraphs)
        new[p] = " ".join([*sentences[:s], changed, *sentences[s + 1:]])
        return list(paragraphs), new
    return None


def _figure(sentence: str, rng: random.Random) -> str | None:
    match = _NUMBER.search(sentence)
    if match:
        value = int(match.group())
        other = str(value + rng.choice([1, 2, 3, 10])) if value < 1900 else str(value - 1)
        return sentence[:match.start()] + other + sentence[match.end():]
    for word, other in NUMBER_SWAP.items():
        found = re.search(rf"(?<= ){word}\b", sentence)
        if found:
            return sentence[:found.start()] + other + sentence[found.end():]
    return None


def _respell(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _name(sentence: str, rng: random.Random) -> str | None:
    names = list(_NAME.finditer(sentence))
    if not names:
        return None
    match = rng.choice(names)
    word = match.group()
    other = _respell(word, rng) if rng.random() < 0.5 else rng.choice(
        [s for s in SURNAMES if s != word])
    if other == word:
        return None
    return sentence[:match.start()] + other + sentence[match.end():]


def _quote(sentence: str, rng: random.Random) -> str | None:
    match = _QUOTE.search(sentence)
    if not match:
        return None
    inner = match.group(1) or match.group(2)
    words = [m for m in re.finditer(r"\b[a-z]{4,}\b", inner)]
    if not words:
        return None
    target = rng.choice(words)
    replacement = SYNONYMS.get(target.group(), "really " + target.group()
                               if rng.random() < 0.5 else "truly")
    start = match.start(1) if match.group(1) else match.start(2)
    return (sentence[:start + target.start()] + replacement
            + sentence[start + target.end():])


def _typo(sentence: str, rng: random.Random) -> str | None:
    words = [m for m in _LOWER.finditer(sentence)]
    if not words:
        return None
    match = rng.choice(words)
    return sentence[:match.start()] + _respell(match.group(), rng) + sentence[match.end():]


def _punctuation(sentence: str, rng: random.Random) -> str | None:
    if ", " in sentence:
        at = rng.choice([m.start() for m in re.finditer(", ", sentence)])
        return sentence[:at] + sentence[at + 1:]
    words = sentence.split(" ")
    if len(words) < 6:
        return None
    k = rng.randrange(2, len(words) - 2)
    if not words[k][-1].isalpha():
        return None
    words[k] += ","
    return " ".join(words)


def _wording(sentence: str, rng: random.Random) -> str | None:
    options = [(m, SYNONYMS[m.group()]) for m in re.finditer(r"\b[a-z]+\b", sentence)
               if m.group() in SYNONYMS and m.start() > 0]
    if not options or _QUOTE.search(sentence):
        return None
    match, other = rng.choice(options)
    return sentence[:match.start()] + other + sentence[match.end():]


def _emphasis(sentence: str, rng: random.Random) -> str | None:
    verbs = [m for m in _HEDGEABLE.finditer(sentence)]
    if not verbs or _QUOTE.search(sentence):
        return None
    match = rng.choice(verbs)
    return sentence[:match.start()] + rng.choice(HEDGES) + " " + sentence[match.start():]


def cases_for(paragraphs: Paragraphs, pool: list[str], rng: random.Random, title: str,
              source: str) -> Iterator[Case]:
    """One case per operator that applies to this article."""
    def case(name: str, pair: tuple[Paragraphs, Paragraphs] | None, labels: set[str],
             silent: bool = False) -> Case | None:
        if pair is None:
            return None
        old, new = pair
        return Case(f"{source}:{name}", Document(tuple(old), title=title),
                    Document(tuple(new), title=title), frozenset(labels), silent)

    middle = list(range(1, len(paragraphs) - 1))
    built = [
        case("figure", _edit_sentence(paragraphs, rng, lambda s: _figure(s, rng)),
             {"figure"}, silent=True),
        case("name", _edit_sentence(paragraphs, rng, lambda s: _name(s, rng)),
             {"name"}, silent=True),
        case("quote", _edit_sentence(paragraphs, rng, lambda s: _quote(s, rng)),
             {"quote"}, silent=True),
        case("typo", _flip(_edit_sentence(paragraphs, rng, lambda s: _typo(s, rng))),
             {"typo"}),
        case("punctuation", _edit_sentence(paragraphs, rng, lambda s: _punctuation(s, rng)),
             {"punctuation"}),
        case("wording", _edit_sentence(paragraphs, rng, lambda s: _wording(s, rng)),
             {"wording"}),
        case("emphasis", _edit_sentence(paragraphs, rng, lambda s: _emphasis(s, rng)),
             {"emphasis"}),
    ]
    if middle:
        at = rng.choice(middle)
        added = [*paragraphs[:at], rng.choice(pool), *paragraphs[at:]]
        built.append(case("added_information", (paragraphs, added), {"added_information"}))
        built.append(case("removed_information",
                          (paragraphs, paragraphs[:at] + paragraphs[at + 1:]),
                          {"removed_information"}))
    if len(middle) >= 3:
        moved = list(paragraphs)
        paragraph = moved.pop(middle[0])
        moved.insert(middle[-1], paragraph)
        built.append(case("reordered", (paragraphs, moved), {"reordered"}))
    built.append(case("lede", (paragraphs, [rng.choice(pool), *paragraphs]),
                      {"lede", "added_information"}))
    where, note = rng.choice(NOTES)
    noted = _with_note(paragraphs, note.format(what="a figure"), where)
    built.append(case("correction", (paragraphs, noted), {"correction"}))
    figure = _edit_sentence(paragraphs, rng, lambda s: _figure(s, rng))
    if figure is not None:
        where, note = rng.choice(NOTES)
        built.append(case("correction+figure",
                          (figure[0], _with_note(figure[1], note.format(what="a figure"), where)),
                          {"correction", "figure"}))
        built.append(case("figure_update", _edit_sentence(
            paragraphs, rng, lambda s: _update(s, rng)), {"figure", "added_information"}))
    yield from (c for c in built if c is not None)


def _update(sentence: str, rng: random.Random) -> str | None:
    changed = _figure(sentence, rng)
    if changed is None:
        return None
    return changed.rstrip(".") + ", officials said as the count rose on Wednesday."


def _flip(pair: tuple[Paragraphs, Paragraphs] | None) -> tuple[Paragraphs, Paragraphs] | None:
    """A typo fixed: the version with the typo comes first."""
    return None if pair is None else (pair[1], pair[0])


def _with_note(paragraphs: Paragraphs, note: str, where: str) -> Paragraphs:
    if where == "top":
        return [note, *paragraphs]
    if where == "inline":
        return [*paragraphs[:-1], paragraphs[-1] + " " + note]
    return [*paragraphs, note]


# --- sources of text ----------------------------------------------------------------------

def history_articles(shared: Path) -> list[tuple[str, Paragraphs]]:
    """Each version (distinct text) of the shared histories, as (title, paragraphs)."""
    found = []
    for path in sorted((shared / "corpora" / "histories").glob("*.json")):
        seen = set()
        for capture in json.loads(path.read_text()):
            article = capture["article"]
            if article["text"] in seen:
                continue
            seen.add(article["text"])
            paragraphs = [p.strip() for p in article["text"].split("\n\n") if p.strip()]
            found.append((article["title"] or "", paragraphs))
    return found


def unseen_articles(shared: Path) -> list[tuple[str, Paragraphs]]:
    """Bodies of the extraction corpus: text no intent rule was written against."""
    truth = json.loads((shared / "corpora" / "extraction" / "ground-truth.json").read_text())
    found = []
    for key in sorted(truth):
        body = truth[key]["articleBody"]
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", body) if len(p.split()) > 5]
        if len(paragraphs) >= 4:
            found.append((key[:12], paragraphs))
    return found


def build(articles: list[tuple[str, Paragraphs]], seed: int = 15) -> list[Case]:
    """The labelled set: every operator on every article it applies to."""
    rng = random.Random(seed)
    pool = [p for _, paragraphs in articles for p in paragraphs if len(p.split()) > 12]
    cases: list[Case] = []
    for k, (title, paragraphs) in enumerate(articles):
        others = [p for p in pool if p not in paragraphs]
        cases.extend(cases_for(paragraphs, others, rng, title, f"{k}"))
    return cases


# --- hand-written pairs: the hard cases for silent corrections --------------------------

_STORY = [
    "HARBOURTON — A passenger ferry ran aground off Gull Point on Sunday evening, and "
    "the coast guard said all 214 people on board were brought ashore by midnight.",
    "The vessel, the Marianne Vos, left the harbour at 6 p.m. in light fog.",
    "“We heard a long scraping sound and then everything tilted,” said Ada Quist, a "
    "teacher travelling with her two sons.",
    "Captain Olaf Brekke, who has commanded the ship for nine years, declined to comment.",
    "The harbour authority said an inquiry would begin on Tuesday.",
]


def _story(*replace: tuple[int, str], add: tuple[int, str] | None = None) -> Document:
    paragraphs = list(_STORY)
    for index, text in replace:
        paragraphs[index] = text
    if add is not None:
        paragraphs.insert(add[0], add[1])
    return Document(tuple(paragraphs), title="Ferry runs aground off Gull Point")


HARD: list[tuple[str, Document, frozenset[str], bool]] = [
    ("figure replaced", _story((0, _STORY[0].replace("214", "241"))), frozenset({"figure"}),
     True),
    ("figure as a word", _story((3, _STORY[3].replace("nine", "9"))), frozenset({"typo"}),
     False),
    ("day replaced", _story((4, _STORY[4].replace("Tuesday", "Wednesday"))),
     frozenset({"figure"}), True),
    ("figure added, none replaced", _story((1, _STORY[1].replace("in light fog",
                                                                  "in light fog with 40 cars"))),
     frozenset({"figure"}), False),
    ("figure removed", _story((3, _STORY[3].replace(", who has commanded the ship for nine "
                                                    "years,", ""))),
     frozenset({"figure", "removed_information"}), False),
    ("toll rises", _story((0, _STORY[0].replace("all 214 people", "at least 230 people"))),
     frozenset({"figure", "emphasis"}), False),
    ("name respelled", _story((3, _STORY[3].replace("Brekke", "Brække"))),
     frozenset({"name"}), True),
    ("name replaced", _story((2, _STORY[2].replace("Ada Quist", "Ada Kvist"))),
     frozenset({"name"}), True),
    ("name dropped", _story((3, _STORY[3].replace("Captain Olaf Brekke", "The captain"))),
     frozenset({"wording"}), False),
    ("quote altered", _story((2, _STORY[2].replace("long scraping", "loud grinding"))),
     frozenset({"quote"}), True),
    ("quote typo", _story((2, _STORY[2].replace("scraping", "scrapping"))),
     frozenset({"typo"}), False),
    ("figure with a note at the bottom",
     _story((0, _STORY[0].replace("214", "241")), add=(5, "Correction: An earlier version "
                                                         "of this article misstated the "
                                                         "number of passengers.")),
     frozenset({"figure", "correction"}), False),
    ("figure with a note on top",
     _story((0, _STORY[0].replace("214", "241")), add=(0, "Editor’s note: This article "
                                                         "has been updated to correct the "
                                                         "number of passengers.")),
     frozenset({"figure", "correction"}), False),
    ("figure with an update note", _story(
        (0, _STORY[0].replace("214", "241")),
        add=(5, "This story has been updated with the latest figures from the coast "
                "guard.")), frozenset({"figure", "added_information"}), False),
    ("headline figure", Document(tuple(_STORY), title="214 rescued as ferry runs aground"),
     frozenset({"figure", "emphasis"}), False),
    ("hedge added", _story((4, _STORY[4].replace("an inquiry would begin",
                                                 "an inquiry would probably begin"))),
     frozenset({"emphasis"}), False),
    ("clause added", _story((1, _STORY[1].replace(
        "in light fog.", "in light fog, an hour later than scheduled because of a "
                         "mechanical fault."))),
     frozenset({"added_information"}), False),
    ("casing", _story((1, _STORY[1].replace("harbour", "Harbour"))), frozenset({"typo"}),
     False),
    ("article corrected in French", Document(tuple([*_STORY, "Rectificatif : une "
                                                    "précédente version de cet article "
                                                    "donnait un mauvais chiffre."]),
                                             title="Ferry runs aground off Gull Point"),
     frozenset({"correction"}), False),
]


def hard_cases() -> list[Case]:
    """Hand-written pairs on text written for them (never seen by any corpus)."""
    old = Document(tuple(_STORY), title="Ferry runs aground off Gull Point")
    return [Case(f"hard:{name}", old, new, labels, silent)
            for name, new, labels, silent in HARD]


# --- scoring ------------------------------------------------------------------------------

@dataclass
class Score:
    """How a labeller did on a set: exact label sets per operator, silent corrections."""

    exact: dict[str, list[int]]  # operator -> [right, total]
    label_hits: dict[str, list[int]]  # fine label -> [true positives, predicted, expected]
    silent: list[int]  # [true positives, false positives, false negatives]

    @property
    def silent_precision(self) -> float:
        tp, fp, _ = self.silent
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def silent_recall(self) -> float:
        tp, _, fn = self.silent
        return tp / (tp + fn) if tp + fn else 1.0

    def accuracy(self, operator: str) -> float:
        right, total = self.exact[operator]
        return right / total

    def overall(self) -> float:
        return sum(r for r, _ in self.exact.values()) / sum(t for _, t in self.exact.values())


def score(cases: list[Case], labeller: Callable[[Document, Document], Reading] | None = None
          ) -> Score:
    """Score a labeller (the rules by default) on labelled cases."""
    def rules(old: Document, new: Document) -> Reading:
        return read_change(align(old, new), old, new)

    label = labeller or rules
    result = Score({}, {}, [0, 0, 0])
    for case in cases:
        reading = label(case.old, case.new)
        operator = case.name.split(":", 1)[1]
        predicted = set(reading.fine)
        exact = result.exact.setdefault(operator, [0, 0])
        exact[0] += predicted == case.labels
        exact[1] += 1
        for name in predicted | case.labels:
            hits = result.label_hits.setdefault(name, [0, 0, 0])
            hits[0] += name in predicted and name in case.labels
            hits[1] += name in predicted
            hits[2] += name in case.labels
        if reading.silent_correction or case.silent:
            slot = 0 if reading.silent_correction and case.silent else (
                1 if reading.silent_correction else 2)
            result.silent[slot] += 1
    return result
