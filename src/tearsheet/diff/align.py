"""The diff engine: what changed between two versions of an article.

A pure function of two documents. Versions are aligned as a reader sees them:

1. both bodies are split into sentences (per language, see :mod:`tearsheet.diff.sentences`);
2. identical sentences in the same order are ``unchanged`` (a sequence match on
   normalised sentence keys);
3. identical sentences elsewhere are ``moved`` (a paragraph relocated is one move);
4. between two unchanged anchors, the remaining sentences are paired by word overlap with
   an order-keeping dynamic programme that also pairs one sentence with two (a sentence
   split or merged): ``edited``;
5. leftovers that closely match a sentence in another place are ``moved`` and edited;
6. the rest is ``added`` or ``deleted`` — a whole paragraph as one unit.

Inside edited units a word-level diff with semantic cleanup (small equal islands between
changes are folded in) gives ``words``. Headline, byline and date changes are reported on
their own. Kinds and significance are in :mod:`tearsheet.kinds`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from tearsheet.diff.fingerprint import normalize
from tearsheet.diff.matching import Meter, matching_blocks, opcodes
from tearsheet.diff.sentences import split_sentences
from tearsheet.diff.tokens import inside_word, tokens, words
from tearsheet.extract.extraction import Extraction

Label = Literal["unchanged", "edited", "added", "deleted", "moved"]
Op = Literal["equal", "delete", "insert"]

EDIT_THRESHOLD = 0.5  # word overlap (Dice) for two sentences to be one edited sentence
MOVE_THRESHOLD = 0.75  # stricter for an edited sentence that also moved
DP_CELLS = 4000  # larger gaps are paired greedily through an index of shared words

_TYPOGRAPHY = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"',
    "‟": '"', "″": '"', "«": '"', "»": '"', "–": "-", "—": "-", "‒": "-", "−": "-",
    "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
}
_TYPOGRAPHIC = re.compile("[" + "".join(_TYPOGRAPHY) + "]")


@dataclass(frozen=True)
class Document:
    """One version as the diff engine sees it."""

    paragraphs: tuple[str, ...]
    title: str | None = None
    byline: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    standfirst: str | None = None  # the dek; None: unknown (a version stored before it was)

    @classmethod
    def from_text(cls, text: str, **metadata: Any) -> Document:
        """Paragraphs separated by blank lines, as versions are stored and exported."""
        paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())
        return cls(paragraphs=paragraphs, **metadata)

    @classmethod
    def from_extraction(cls, extraction: Extraction) -> Document:
        """A fresh fetch, to compare with the stored version (tracker and import alike)."""
        return cls(tuple(extraction.paragraphs), title=extraction.title,
                   byline=extraction.byline, published_at=extraction.published_at,
                   language=extraction.language, standfirst=extraction.standfirst or "")

    @classmethod
    def from_version(cls, row: Mapping[str, Any], language: str | None = None) -> Document:
        """A stored version (a row of ``versions``)."""
        return cls.from_text(row["text"], title=row["title"], byline=row["byline"],
                             published_at=row["published_at"],
                             language=language or row["language"],
                             standfirst=row.get("standfirst"))


@dataclass(frozen=True)
class WordOp:
    op: Op
    text: str


@dataclass(frozen=True)
class Unit:
    """One aligned piece: a sentence, or a whole paragraph added, deleted or moved."""

    label: Label
    old_index: int | None  # index of the (first) sentence in the old version
    new_index: int | None
    old_text: str | None
    new_text: str | None
    old_paragraph: int | None = None
    new_paragraph: int | None = None
    words: tuple[WordOp, ...] = ()
    whole_paragraph: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label, "old_index": self.old_index, "new_index": self.new_index,
            "old_text": self.old_text, "new_text": self.new_text,
            "old_paragraph": self.old_paragraph, "new_paragraph": self.new_paragraph,
            "whole_paragraph": self.whole_paragraph,
            "words": [{"op": w.op, "text": w.text} for w in self.words],
        }


@dataclass(frozen=True)
class FieldChange:
    """A headline, standfirst, byline or date change."""

    field: str
    old: str | None
    new: str | None
    words: tuple[WordOp, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new,
                "words": [{"op": w.op, "text": w.text} for w in self.words]}


@dataclass(frozen=True)
class Alignment:
    units: tuple[Unit, ...]
    metadata: tuple[FieldChange, ...] = field(default=())
    old_words: int = 0  # words in the old body
    new_words: int = 0

    def changed(self) -> list[Unit]:
        return [u for u in self.units if u.label != "unchanged"]


def typographic_key(text: str) -> str:
    """The form sentences are matched on: typography folded, whitespace normalised."""
    # A regex substitution: str.translate with a dict is several times slower here.
    return normalize(_TYPOGRAPHIC.sub(lambda m: _TYPOGRAPHY[m.group()], text))


def align(old: Document, new: Document, *, quick: bool = False) -> Alignment:
    """Align two versions: metadata changes and the labelled units of the body.

    ``quick`` pairs every gap greedily (step 4 as for large gaps) and leaves the word diffs
    out (units carry no ``words``): the same pairs on most texts, several times faster on
    a long or heavily reworded pair — what tracing a copy against many candidate versions
    needs (:mod:`tearsheet.diff.trace`), which only asks which sentences pair.
    """
    aligner = _Aligner(old, new, new.language or old.language,
                       0 if quick else DP_CELLS, words=not quick)
    return Alignment(tuple(aligner.run()), tuple(_metadata(old, new)),
                     old_words=sum(s.size for s in aligner.old),
                     new_words=sum(s.size for s in aligner.new))


# --- words ----------------------------------------------------------------------------

def word_diff(old: str, new: str, meter: Meter | None = None) -> tuple[WordOp, ...]:
    """Word-level operations turning ``old`` into ``new``, cleaned up for reading
    (``meter``: what the whole diff's searches may still cost, see
    :class:`~tearsheet.diff.matching.Meter`)."""
    a, b = tokens(old), tokens(new)
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b, meter=meter):
        if tag == "equal":
            ops.append(WordOp("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(WordOp("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(WordOp("insert", "".join(b[j1:j2])))
    return tuple(_cleanup(ops))


def _cleanup(ops: list[WordOp]) -> list[WordOp]:
    """Fold small equal islands between changes into them (no confetti), then merge.

    An equality of whitespace and punctuation, or of one short word, between two changes
    reads better as part of one replacement: "the [-big-]{+large+} [-red-]{+blue+} car"
    becomes "the [-big red-]{+large blue+} car".
    """
    changed = True
    while changed:
        changed = False
        for i in range(1, len(ops) - 1):
            op = ops[i]
            if op.op != "equal" or ops[i - 1].op == "equal" or ops[i + 1].op == "equal":
                continue
            found = words(op.text)
            if len(found) > 1 or (found and len(found[0]) > 3):
                continue
            ops[i:i + 1] = [WordOp("delete", op.text), WordOp("insert", op.text)]
            changed = True
            break
        ops = _merge(ops)
    return ops


def _merge(ops: list[WordOp]) -> list[WordOp]:
    """Runs of changes become one delete followed by one insert."""
    merged: list[WordOp] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        gone, came = "".join(deleted), "".join(inserted)
        head, tail = _shared_words(gone, came)
        if head:
            merged.append(WordOp("equal", head))
        if len(gone) > len(head) + len(tail):
            merged.append(WordOp("delete", gone[len(head):len(gone) - len(tail)]))
        if len(came) > len(head) + len(tail):
            merged.append(WordOp("insert", came[len(head):len(came) - len(tail)]))
        if tail:
            merged.append(WordOp("equal", tail))
        deleted.clear()
        inserted.clear()

    for op in ops:
        if op.op == "equal":
            flush()
            if merged and merged[-1].op == "equal":
                merged[-1] = WordOp("equal", merged[-1].text + op.text)
            elif op.text:
                merged.append(op)
        else:
            (deleted if op.op == "delete" else inserted).append(op.text)
    flush()
    joined: list[WordOp] = []
    for op in merged:  # trimming may have put two equal runs side by side
        if joined and op.op == "equal" and joined[-1].op == "equal":
            joined[-1] = WordOp("equal", joined[-1].text + op.text)
        else:
            joined.append(op)
    return joined


def _shared_words(a: str, b: str) -> tuple[str, str]:
    """Whole words that a replacement keeps at its start and end ("Tuesday" → "Tuesday
    night" inserts " night"), so a change never claims text that did not change."""
    if not a or not b:
        return "", ""
    head = _common_prefix(a, b)
    while head and not _at_boundary(a, b, len(head)):
        head = head[:-1]
    limit = min(len(a), len(b)) - len(head)
    tail = _common_prefix(a[::-1], b[::-1])[:limit][::-1]
    while tail and not _at_boundary(a, b, -len(tail)):
        tail = tail[1:]
    return head, tail


def _common_prefix(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


def _at_boundary(a: str, b: str, cut: int) -> bool:
    """Cutting both strings at ``cut`` (from the end if negative) splits no word."""
    return not any(inside_word(text, cut if cut >= 0 else len(text) + cut)
                   for text in (a, b))


def _metadata(old: Document, new: Document) -> list[FieldChange]:
    changes = []
    for name in ("title", "standfirst", "byline"):
        before, after = getattr(old, name), getattr(new, name)
        if name == "standfirst" and None in (before, after):
            continue  # unknown on a version stored before standfirsts were: not a change
        if typographic_key(before or "") != typographic_key(after or ""):
            changes.append(FieldChange(name, before, after, word_diff(before or "", after or "")))
    if old.published_at != new.published_at and None not in (old.published_at, new.published_at):
        changes.append(FieldChange(
            "published_at", old.published_at.isoformat() if old.published_at else None,
            new.published_at.isoformat() if new.published_at else None))
    return changes


# --- sentences ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Sentence:
    index: int
    paragraph: int
    text: str
    key: str
    words: Counter[str]
    size: int  # number of words


def _sentences(document: Document, language: str | None) -> list[_Sentence]:
    found: list[_Sentence] = []
    for number, paragraph in enumerate(document.paragraphs):
        for text in split_sentences(paragraph, language):
            key = typographic_key(text)
            keys = words(key.lower())
            found.append(_Sentence(len(found), number, text, key, Counter(keys), len(keys)))
    return found


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Dice coefficient over word multisets: 1.0 for the same words, 0.0 for none shared."""
    return _dice(_overlap(a, b), a.total() + b.total())


def _dice(shared: int, total: int) -> float:
    return 1.0 if total == 0 else 2 * shared / total


def _overlap(a: Counter[str], b: Counter[str]) -> int:
    """The size of ``a & b`` (words shared, with their counts), without building it: the
    alignment asks it of every pair of a gap."""
    if len(a) > len(b):
        a, b = b, a
    return sum(min(n, b[w]) for w, n in a.items() if w in b)


class _Aligner:
    def __init__(self, old: Document, new: Document, language: str | None,
                 dp_cells: int = DP_CELLS, words: bool = True) -> None:
        self.dp_cells = dp_cells
        self.words = words
        self.old = _sentences(old, language)
        self.new = _sentences(new, language)
        self.old_paragraphs = old.paragraphs
        self.new_paragraphs = new.paragraphs
        # Pairs found so far: old sentence indices -> new sentence indices, with a label.
        self.pairs: list[tuple[tuple[int, ...], tuple[int, ...], Label]] = []
        self.old_done: set[int] = set()
        self.new_done: set[int] = set()
        self.meter = Meter()  # what all of this diff's searches may cost

    def run(self) -> list[Unit]:
        anchors = self._unchanged()
        self._exact_moves()
        previous = (0, 0)
        for i, j in [*anchors, (len(self.old), len(self.new))]:
            self._pair_gap(range(previous[0], i), range(previous[1], j))
            previous = (i + 1, j + 1)
        self._edited_moves()
        return self._units()

    def _pair(self, olds: Sequence[int], news: Sequence[int], label: Label) -> None:
        self.pairs.append((tuple(olds), tuple(news), label))
        self.old_done.update(olds)
        self.new_done.update(news)

    def _unchanged(self) -> list[tuple[int, int]]:
        anchors = []
        for i, j, size in matching_blocks([s.key for s in self.old], [s.key for s in self.new],
                                          meter=self.meter):
            for k in range(size):
                self._pair([i + k], [j + k], "unchanged")
                anchors.append((i + k, j + k))
        return anchors

    def _exact_moves(self) -> None:
        waiting: dict[str, deque[int]] = defaultdict(deque)  # (a page of repeats: O(1) pops)
        for s in self.old:
            if s.index not in self.old_done:
                waiting[s.key].append(s.index)
        for s in self.new:
            if s.index not in self.new_done and waiting.get(s.key):
                self._pair([waiting[s.key].popleft()], [s.index], "moved")

    def _pair_gap(self, olds: range, news: range) -> None:
        a = [i for i in olds if i not in self.old_done]
        b = [j for j in news if j not in self.new_done]
        if not a or not b:
            return
        if len(a) * len(b) > self.dp_cells:
            self._pair_greedy(a, b, EDIT_THRESHOLD, "edited")
            return
        for olds_, news_ in _best_path(a, b, self.old, self.new):
            self._pair(olds_, news_, "edited")

    def _edited_moves(self) -> None:
        a = [s.index for s in self.old if s.index not in self.old_done]
        b = [s.index for s in self.new if s.index not in self.new_done]
        if a and b:
            self._pair_greedy(a, b, MOVE_THRESHOLD, "moved")

    def _pair_greedy(self, a: list[int], b: list[int], threshold: float, label: Label) -> None:
        """Best-first pairing through an index of shared words: near n·log n on real text."""
        index: dict[str, list[int]] = defaultdict(list)
        for j in b:
            for word in self.new[j].words:
                index[word].append(j)
        limit = max(8, int(len(b) ** 0.5))  # words in more sentences than this say little
        candidates = []
        for i in a:
            shared: Counter[int] = Counter()
            for word in self.old[i].words:
                postings = index.get(word, ())
                if len(postings) <= limit:
                    shared.update(postings)
            for j, _ in shared.most_common(5):
                score = similarity(self.old[i].words, self.new[j].words)
                if score >= threshold:
                    candidates.append((score, i, j))
        for _, i, j in sorted(candidates, reverse=True):
            if i not in self.old_done and j not in self.new_done:
                self._pair([i], [j], label)

    def _units(self) -> list[Unit]:
        units = [self._unit(olds, news, label) for olds, news, label in self.pairs]
        units += self._singles("deleted", self.old, self.old_done, self.old_paragraphs)
        units += self._singles("added", self.new, self.new_done, self.new_paragraphs)
        units = _group_moved_paragraphs(units, self.old_paragraphs, self.new_paragraphs,
                                        self.old, self.new)
        # Reading order is the new version's, with each deletion after the new position
        # of the nearest earlier old sentence that survived.
        survived_at = [-0.5] * (len(self.old) + 1)
        for olds, news, _ in self.pairs:
            survived_at[olds[-1] + 1] = max(survived_at[olds[-1] + 1], news[-1] + 0.5)
        for i in range(1, len(survived_at)):
            survived_at[i] = max(survived_at[i], survived_at[i - 1])

        def position(unit: Unit) -> tuple[float, int]:
            if unit.new_index is not None:
                return (unit.new_index, 1)
            assert unit.old_index is not None
            return (survived_at[unit.old_index], 0)

        return sorted(units, key=position)

    def _unit(self, olds: tuple[int, ...], news: tuple[int, ...], label: Label) -> Unit:
        old_text = " ".join(self.old[i].text for i in olds)
        new_text = " ".join(self.new[j].text for j in news)
        words: tuple[WordOp, ...] = ()
        if self.words and label in ("edited", "moved") and old_text != new_text:
            words = word_diff(old_text, new_text, self.meter)
        return Unit(label, olds[0], news[0], old_text, new_text,
                    self.old[olds[0]].paragraph, self.new[news[0]].paragraph, words)

    def _singles(self, label: Label, sentences: list[_Sentence], done: set[int],
                 paragraphs: tuple[str, ...]) -> list[Unit]:
        """Unpaired sentences; a paragraph none of whose sentences is paired is one unit."""
        units = []
        by_paragraph: dict[int, list[_Sentence]] = defaultdict(list)
        for s in sentences:
            by_paragraph[s.paragraph].append(s)
        for number, members in by_paragraph.items():
            left = [s for s in members if s.index not in done]
            whole = len(left) == len(members)
            groups = [left] if whole else [[s] for s in left]
            for group in groups:
                text = paragraphs[number] if whole else group[0].text
                old_side = label == "deleted"
                units.append(Unit(
                    label, group[0].index if old_side else None,
                    None if old_side else group[0].index,
                    text if old_side else None, None if old_side else text,
                    number if old_side else None, None if old_side else number,
                    whole_paragraph=whole))
        return units


def _best_path(a: list[int], b: list[int], old: list[_Sentence],
               new: list[_Sentence]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Order-keeping pairing of a gap maximising overlap; 1-1, 1-2 and 2-1 steps."""
    n, m = len(a), len(b)
    # The words of each sentence and of each two in a row, summed once, not per cell.
    olds, news = _runs([old[k].words for k in a]), _runs([new[k].words for k in b])
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    step: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for x in range(n + 1):
        for y in range(m + 1):
            if x == 0 and y == 0:
                continue
            best, move = -1.0, None
            if x and score[x - 1][y] > best:
                best, move = score[x - 1][y], (1, 0)
            if y and score[x][y - 1] > best:
                best, move = score[x][y - 1], (0, 1)
            for dx, dy in ((1, 1), (1, 2), (2, 1)):
                if x < dx or y < dy:
                    continue
                old_words, old_size = olds[dx - 1][x - 1]
                new_words, new_size = news[dy - 1][y - 1]
                value = _dice(_overlap(old_words, new_words), old_size + new_size)
                if dx + dy == 3:  # a split or merge must explain both parts
                    value = value if _covers(olds, news, x, y, dy) else 0
                if value >= EDIT_THRESHOLD and score[x - dx][y - dy] + value * (dx + dy) > best:
                    best, move = score[x - dx][y - dy] + value * (dx + dy), (dx, dy)
            score[x][y], step[x][y] = best, move
    pairs = []
    x, y = n, m
    while x or y:
        move = step[x][y]
        assert move is not None
        dx, dy = move
        if dx and dy:
            pairs.append((tuple(a[x - dx:x]), tuple(b[y - dy:y])))
        x, y = x - dx, y - dy
    return pairs[::-1]


_Run = tuple[Counter[str], int]  # words and their number


def _runs(bags: list[Counter[str]]) -> tuple[list[_Run], list[_Run]]:
    """Each sentence's words, and (at index k, from k = 1) those of sentences k-1 and k."""
    ones = [(bag, bag.total()) for bag in bags]
    twos = [(bags[k - 1] + bags[k], ones[k - 1][1] + ones[k][1]) if k else (Counter(), 0)
            for k in range(len(bags))]
    return ones, twos


def _covers(olds: tuple[list[_Run], list[_Run]], news: tuple[list[_Run], list[_Run]],
            x: int, y: int, dy: int) -> bool:
    """In a 1-2 or 2-1 pair, each part of the split side shares words with the other side."""
    split, whole = (news, olds[0][x - 1][0]) if dy == 2 else (olds, news[0][y - 1][0])
    end = y if dy == 2 else x
    return all(_overlap(part, whole) >= 0.5 * size
               for part, size in (split[0][end - 2], split[0][end - 1]))


def _group_moved_paragraphs(units: list[Unit], old_paragraphs: tuple[str, ...],
                            new_paragraphs: tuple[str, ...], old: list[_Sentence],
                            new: list[_Sentence]) -> list[Unit]:
    """A paragraph whose sentences all moved, together and unedited, is one moved unit."""
    moved: dict[tuple[int, int], list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.label == "moved" and not unit.words:
            assert unit.old_paragraph is not None and unit.new_paragraph is not None
            moved[(unit.old_paragraph, unit.new_paragraph)].append(unit)
    old_counts = Counter(s.paragraph for s in old)
    new_counts = Counter(s.paragraph for s in new)
    grouped: set[int] = set()
    result = []
    for (p_old, p_new), members in moved.items():
        if len(members) == old_counts[p_old] == new_counts[p_new]:
            first = min(members, key=lambda u: u.new_index or 0)
            result.append(Unit("moved", min(u.old_index or 0 for u in members),
                               first.new_index, old_paragraphs[p_old], new_paragraphs[p_new],
                               p_old, p_new, whole_paragraph=True))
            grouped.update(id(u) for u in members)
    return result + [u for u in units if id(u) not in grouped]
