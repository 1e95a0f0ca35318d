"""What a change is: its kinds, its weight, and whether it is worth showing.

:func:`diff` is the diff engine's public entry point, used by the CLI, the web UI, the
feeds, the notifications and the exports: it aligns two versions
(:func:`tearsheet.diff.align.align`) and summarises the change. The rules are documented in
``docs/diff.md``; in short:

- counts: words added and removed, sentences added, deleted, edited and moved;
- kinds: ``headline_changed``, ``standfirst_changed``, ``byline_changed``, ``date_changed``,
  ``correction_appended``, ``update``, ``removal``, ``quote_changed``,
  ``numbers_changed``, ``names_changed``, ``rewording``, ``typo``, ``punctuation``,
  ``reordering``;
- ``boring``: only typography or paragraph breaks changed — stored, hidden by default;
- ``significance`` in [0, 1]: the share of the text touched, raised by the weight of each
  kind (a corrected figure in a quote matters more than a fixed typo).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tearsheet.diff.align import Alignment, Document, Unit, WordOp, align
from tearsheet.diff.corrections import is_correction
from tearsheet.diff.intents import NO_READING, Reading, is_typo, quotes, read_change
from tearsheet.diff.sentences import split_sentences
from tearsheet.diff.summary import ChangeSummary, SentenceCounts
from tearsheet.diff.tokens import WORD

KIND_WEIGHTS: dict[str, float] = {
    "correction_appended": 0.45,
    "headline_changed": 0.35,
    "quote_changed": 0.25,
    "standfirst_changed": 0.2,
    "numbers_changed": 0.2,
    "names_changed": 0.2,
    "update": 0.15,
    "removal": 0.15,
    "rewording": 0.08,
    "byline_changed": 0.08,
    "reordering": 0.04,
    "date_changed": 0.02,
    "typo": 0.01,
    "punctuation": 0.005,
}
"""How much each kind raises the significance (see :func:`significance`)."""

MIN_NEWS_WORDS = 8  # added sentences with fewer words in all are not an "update"
MIN_REMOVED_WORDS = 3  # nor deleted ones a "removal"
_WORD = WORD  # unspaced scripts: a word per character (tearsheet.diff.tokens)
_DIGIT = re.compile(r"\d")
_NAME = re.compile(r"^[^\W\d_a-zà-ÿ][^\W\d_]+$")


@dataclass(frozen=True)
class Change:
    """Two versions aligned, with the summary of what changed."""

    alignment: Alignment
    summary: ChangeSummary
    reading: Reading = NO_READING  # the intents with the sentences that earned them

    def as_json(self) -> dict[str, Any]:
        return {
            "units": [unit.as_json() for unit in self.alignment.units],
            "metadata": [change.as_json() for change in self.alignment.metadata],
            "summary": self.summary.as_json(),
            # The intents with the sentences that earned them, and the notes found.
            "intents": [intent.as_json() for intent in self.reading.intents],
            "notes": [note.as_json() for note in self.reading.notes],
        }


def diff(old: Document, new: Document) -> Change:
    """Align two versions and say what kind of change it is, and what it means."""
    alignment = align(old, new)
    reading = NO_READING if is_boring(alignment) else read_change(alignment, old, new)
    return Change(alignment, _summarize(alignment, old, new, reading), reading)


def summarize(old: Document, new: Document) -> ChangeSummary:
    """Only the summary of :func:`diff`: what the tracker stores with a new version (a
    module-level function, so an extraction worker process can run it)."""
    return diff(old, new).summary


def is_boring(alignment: Alignment) -> bool:
    """Only typography, whitespace or paragraph breaks differ, and no metadata.

    Sentences are aligned on their typographic key, so this is: every sentence unchanged,
    in the same order, and no headline, byline or date change.
    """
    return not alignment.metadata and all(u.label == "unchanged" for u in alignment.units)


def _summarize(alignment: Alignment, old: Document, new: Document,
               reading: Reading) -> ChangeSummary:
    language = new.language or old.language
    counts = {"added": 0, "deleted": 0, "edited": 0, "moved": 0}
    added = removed = news = gone = 0
    kinds: set[str] = set()
    for unit in alignment.units:
        if unit.label == "unchanged":
            continue
        text = unit.new_text if unit.label == "added" else unit.old_text
        counts[unit.label] += len(split_sentences(text or "", language)) \
            if unit.whole_paragraph else 1
        if unit.label == "added":
            added += _words(unit.new_text)
            if not is_correction(unit.new_text or ""):
                news += _words(unit.new_text)
        elif unit.label == "deleted":
            removed += _words(unit.old_text)
            gone += _words(unit.old_text)
        else:
            plus, minus = _word_counts(unit.words)
            added, removed = added + plus, removed + minus
        kinds.update(_unit_kinds(unit))
    for change in alignment.metadata:
        kinds.add({"title": "headline_changed", "standfirst": "standfirst_changed",
                   "byline": "byline_changed"}.get(change.field, "date_changed"))
        if change.field == "title" and "numbers_changed" in _word_kinds(change.words):
            kinds.add("numbers_changed")  # (names cannot be told apart in Title Case)
    if news >= MIN_NEWS_WORDS:
        kinds.add("update")
    if gone >= MIN_REMOVED_WORDS:
        kinds.add("removal")
    boring = is_boring(alignment)
    if boring:
        kinds = set()
    total = max(1, alignment.old_words + alignment.new_words)
    ordered = tuple(sorted(kinds, key=lambda k: (-KIND_WEIGHTS.get(k, 0), k)))
    return ChangeSummary(
        kinds=ordered,
        significance=0.0 if boring else significance(ordered, (added + removed) / total),
        boring=boring, words_added=added, words_removed=removed,
        sentences=SentenceCounts(added=counts["added"], deleted=counts["deleted"],
                                 edited=counts["edited"], moved=counts["moved"]),
        intents=reading.coarse, intent_labels=reading.fine,
        silent_correction=reading.silent_correction,
        correction_note=reading.new_note.text if reading.new_note else None,
    )


def significance(kinds: Sequence[str], touched: float) -> float:
    """``1 - (1 - base) × Π(1 - weight)``: each kind adds its weight to what is left.

    ``base`` is twice the share of words added or removed (capped at 1), so rewriting half
    an article is significant whatever its kinds.
    """
    remaining = 1.0 - min(1.0, 2 * touched)
    for kind in kinds:
        remaining *= 1.0 - KIND_WEIGHTS.get(kind, 0.0)
    return round(1.0 - remaining, 3)


def _unit_kinds(unit: Unit) -> set[str]:
    kinds: set[str] = set()
    inserted = unit.new_text if unit.label == "added" else "".join(
        w.text for w in unit.words if w.op == "insert")
    if inserted and is_correction(inserted) and not (
            unit.old_text and is_correction(unit.old_text)):
        kinds.add("correction_appended")
    if unit.label == "moved":
        kinds.add("reordering")
    if unit.words:
        kinds.update(_word_kinds(unit.words))
        if quotes(unit.old_text) != quotes(unit.new_text):
            kinds.add("quote_changed")
    return kinds


def _word_kinds(words: Sequence[WordOp]) -> set[str]:
    """Kinds from the word operations of one edited unit."""
    kinds: set[str] = set()
    deleted = [w.text for w in words if w.op == "delete"]
    inserted = [w.text for w in words if w.op == "insert"]
    if not deleted and not inserted:
        return kinds
    changed_words = [t for text in deleted + inserted for t in _WORD.findall(text)]
    if not changed_words:
        return {"punctuation"}
    if any(_DIGIT.search(t) for t in changed_words):
        kinds.add("numbers_changed")
    if _names(words):
        kinds.add("names_changed")
    if is_typo(words, strict=False):
        kinds.add("typo")
    elif not kinds:
        kinds.add("rewording")
    return kinds


def _names(words: Sequence[WordOp]) -> bool:
    """A capitalised word changed that does not start a sentence: a name, most likely."""
    before = {"delete": "", "insert": ""}  # the text before each op, on its own side
    for op in words:
        if op.op != "equal":
            prefix = before[op.op].rstrip()
            starts_sentence = not prefix or prefix[-1] in ".!?:“\"«"
            tokens = _WORD.findall(op.text)
            names = [t for t in tokens if _NAME.match(t)]
            if names and not (starts_sentence and names == [tokens[0]]):
                return True
        for side in before:
            if op.op in ("equal", side):
                before[side] += op.text
    return False


def _word_counts(words: Sequence[WordOp]) -> tuple[int, int]:
    plus = sum(_words(w.text) for w in words if w.op == "insert")
    minus = sum(_words(w.text) for w in words if w.op == "delete")
    return plus, minus


def _words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


# --- histories ------------------------------------------------------------------------

def history_labels(fingerprints: Sequence[str]) -> list[str]:
    """Per version of an article: ``new``, ``revert`` or ``flip_flop``.

    A version whose text is that of an earlier version (not the one just before) is a
    ``revert``. When the text alternates between two states — A, B, A, B, as in a headline
    A/B test — the change is shown once: from the third version of the alternation on,
    versions are ``flip_flop`` (stored, hidden by default).
    """
    labels = []
    for k, fingerprint in enumerate(fingerprints):
        if fingerprint not in fingerprints[:max(0, k - 1)]:
            labels.append("new")
        elif k >= 3 and fingerprint == fingerprints[k - 2] and \
                fingerprints[k - 1] == fingerprints[k - 3]:
            labels.append("flip_flop")
            if labels[k - 1] == "revert":
                labels[k - 1] = "flip_flop"
        else:
            labels.append("revert")
    return labels
