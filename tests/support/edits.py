"""Random edits to real article text, with the truth of what each sentence became.

Used by the diff engine's property test and by ``bench/diff.py``: apply sentence
insertions, deletions, word-level edits and moves, then score an alignment against the
truth as F1 over sentence pairings — (old, new) for a kept or edited sentence, (old, None)
for a deletion, (None, new) for an insertion.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from tearsheet.diff.align import Alignment, Document
from tearsheet.diff.sentences import split_sentences

Pair = tuple[int | None, int | None]

FILLER = ["officials", "reportedly", "late", "new", "several", "local", "senior", "regional",
          "quickly", "publicly", "again", "formally", "still", "largely"]


@dataclass
class Edited:
    old: Document
    new: Document
    truth: set[Pair]


def _edit_words(sentence: str, rng: random.Random) -> str:
    """Change one to three words inside a sentence, keeping its ends (so it stays a sentence)."""
    words = sentence.split(" ")
    if len(words) < 6:
        return sentence.rstrip(".!?") + " " + rng.choice(FILLER) + "."
    for _ in range(rng.randint(1, min(3, len(words) // 5))):
        i = rng.randrange(1, len(words) - 1)
        choice = rng.random()
        if choice < 0.4:
            words[i] = rng.choice(FILLER)
        elif choice < 0.7:
            words.insert(i, rng.choice(FILLER))
        elif len(words) > 6:
            del words[i]
    return " ".join(words)


def apply_edits(paragraphs: list[str], pool: list[str], rng: random.Random, *,
                rate: float = 0.1, language: str = "en") -> Edited:
    """Edit about ``rate`` of the sentences (and move a paragraph now and then)."""
    records: list[list[tuple[int | None, str]]] = []
    index = 0
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph, language)
        records.append([(index + k, s) for k, s in enumerate(sentences)])
        index += len(sentences)
    total = index
    for paragraph in records:
        k = 0
        while k < len(paragraph):
            if rng.random() >= rate:
                k += 1
                continue
            what = rng.random()
            if what < 0.25:  # delete the sentence
                del paragraph[k]
                continue
            if what < 0.5:  # insert a sentence from elsewhere before it
                paragraph.insert(k, (None, rng.choice(pool)))
                k += 2
                continue
            old, text = paragraph[k]
            paragraph[k] = (old, _edit_words(text, rng))
            k += 1
    if len(records) > 3 and rng.random() < 0.5:  # move one paragraph elsewhere
        moved = records.pop(rng.randrange(len(records)))
        records.insert(rng.randrange(len(records) + 1), moved)
    records = [p for p in records if p]
    new_paragraphs = [" ".join(text for _, text in p) for p in records]
    truth: set[Pair] = set()
    seen: set[int] = set()
    j = 0
    for paragraph, text in zip(records, new_paragraphs, strict=True):
        resplit = split_sentences(text, language)
        if list(resplit) != [t for _, t in paragraph]:
            raise ValueError("the edit changed sentence boundaries")
        for old, _ in paragraph:
            truth.add((old, j))
            if old is not None:
                seen.add(old)
            j += 1
    truth |= {(i, None) for i in range(total) if i not in seen}
    return Edited(Document(tuple(paragraphs), language=language),
                  Document(tuple(new_paragraphs), language=language), truth)


def predicted_pairs(alignment: Alignment, old: Document, new: Document) -> set[Pair]:
    """The alignment as sentence pairings, comparable with :attr:`Edited.truth`."""
    old_counts = _sentence_counts(old)
    new_counts = _sentence_counts(new)
    pairs: set[Pair] = set()
    for unit in alignment.units:
        n_old = _span(unit.old_text, unit.whole_paragraph, old_counts, unit.old_paragraph, old)
        n_new = _span(unit.new_text, unit.whole_paragraph, new_counts, unit.new_paragraph, new)
        olds = [unit.old_index + k for k in range(n_old)] if unit.old_index is not None else []
        news = [unit.new_index + k for k in range(n_new)] if unit.new_index is not None else []
        if olds and news:
            if len(olds) == len(news):
                pairs.update(zip(olds, news, strict=True))
            else:
                pairs.update((o, n) for o in olds for n in news)
        else:
            pairs.update((o, None) for o in olds)
            pairs.update((None, n) for n in news)
    return pairs


def _sentence_counts(document: Document) -> list[int]:
    return [len(split_sentences(p, document.language)) for p in document.paragraphs]


def _span(text: str | None, whole: bool, counts: list[int], paragraph: int | None,
          document: Document) -> int:
    if text is None:
        return 0
    if whole and paragraph is not None:
        return counts[paragraph]
    return len(split_sentences(text, document.language))


def f1(truth: set[Pair], predicted: set[Pair]) -> float:
    hits = len(truth & predicted)
    if not truth and not predicted:
        return 1.0
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def paragraphs_of(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
