"""The change summary: what the diff engine says of a change, and its stored form.

One type, :class:`ChangeSummary`, from the engine (:func:`tearsheet.diff.changes.diff`)
to the database and back: the tracker stores it with each version so that lists need no
diff at read time. The sentence counts come from the alignment and are not stored: a
summary read back from a row has ``sentences = None``.

The ``kinds``, ``intents`` and ``intent_labels`` columns are written as ``,kind,kind,`` so
one ``LIKE '%,kind,%'`` finds the versions of a kind or intent; :meth:`ChangeSummary.columns`,
:meth:`ChangeSummary.from_row` and :func:`kind_pattern` are the only code that knows that
format. Intents (:mod:`tearsheet.diff.intents`) are stored as their names, coarse
(``fact``, ``style``, ``narrative``, dominant first) and fine (``figure``, ``typo``…); the
sentences that earned them are recomputed where a diff is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SentenceCounts:
    """Sentences added, deleted, edited and moved (whole paragraphs count their sentences)."""

    added: int
    deleted: int
    edited: int
    moved: int


@dataclass(frozen=True)
class ChangeSummary:
    """A change in a few numbers: its kinds (heaviest first), words added and removed, its
    significance in [0, 1], whether it is boring (typography only)."""

    kinds: tuple[str, ...]
    significance: float
    boring: bool
    words_added: int
    words_removed: int
    sentences: SentenceCounts | None = None  # None when read back from the store
    intents: tuple[str, ...] = ()  # coarse intents, dominant first
    intent_labels: tuple[str, ...] = ()  # fine labels, grouped under them
    silent_correction: bool = False  # an existing claim changed with no note
    correction_note: str | None = None  # the note the new version carries, if any

    def columns(self) -> dict[str, Any]:
        """The values of the ``versions`` columns that hold this summary."""
        return {"kinds": _joined(self.kinds), "significance": self.significance,
                "boring": self.boring, "words_added": self.words_added,
                "words_removed": self.words_removed, "intents": _joined(self.intents),
                "intent_labels": _joined(self.intent_labels),
                "silent_correction": self.silent_correction,
                "correction_note": self.correction_note}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ChangeSummary | None:
        """The summary stored with a version's row (what :meth:`columns` wrote); None for a
        first version, or one stored before summaries existed."""
        if row.get("significance") is None:
            return None
        return cls(kinds=_split(row["kinds"]),
                   significance=row["significance"], boring=bool(row["boring"]),
                   words_added=row["words_added"] or 0,
                   words_removed=row["words_removed"] or 0,
                   intents=_split(row.get("intents")),
                   intent_labels=_split(row.get("intent_labels")),
                   silent_correction=bool(row.get("silent_correction")),
                   correction_note=row.get("correction_note"))

    def as_json(self) -> dict[str, Any]:
        """The engine's JSON (``tearsheet diff --format json``): sentence counts flat."""
        counts = self.sentences or SentenceCounts(0, 0, 0, 0)
        return {"words_added": self.words_added, "words_removed": self.words_removed,
                "sentences_added": counts.added, "sentences_deleted": counts.deleted,
                "sentences_edited": counts.edited, "sentences_moved": counts.moved,
                "kinds": list(self.kinds), "significance": self.significance,
                "boring": self.boring, "intents": list(self.intents),
                "intent_labels": list(self.intent_labels),
                "silent_correction": self.silent_correction,
                "correction_note": self.correction_note}

    def describe(self, *, sentences: bool = False) -> str:
        """The summary in one line of plain text, the one wording every surface uses:
        ``numbers changed, quote changed · +3/−2 words · fact (figure, quote) · silent
        correction · significance 0.41``."""
        if sentences and self.sentences is not None:
            kinds = ", ".join(self.kinds) or ("boring (typography only)" if self.boring
                                              else "no change")
            s = self.sentences
            return (f"{kinds} · +{self.words_added}/−{self.words_removed} words · sentences "
                    f"{s.added} added, {s.deleted} deleted, {s.edited} edited, "
                    f"{s.moved} moved{self._meaning()} · significance {self.significance:.2f}")
        if self.boring:
            return "typography only"
        kinds = ", ".join(kind_label(kind) for kind in self.kinds) or "changed"
        return (f"{kinds} · +{self.words_added}/−{self.words_removed} words"
                f"{self._meaning()} · significance {self.significance:.2f}")

    def _meaning(self) -> str:
        """`` · fact (figure), style (typo) · silent correction``, or nothing."""
        if not self.intents:
            return ""
        labels = ", ".join(kind_label(label) for label in self.intent_labels)
        text = f" · {', '.join(self.intents)} ({labels})" if labels else \
            f" · {', '.join(self.intents)}"
        return text + (" · silent correction" if self.silent_correction else "")


UNSUMMARIZED = ChangeSummary(kinds=(), significance=0.0, boring=False, words_added=0,
                             words_removed=0)
"""What a first version (or one stored before summaries existed) is described as."""


def kind_label(kind: str) -> str:
    """A kind as people read it: ``numbers_changed`` → ``numbers changed``."""
    return kind.replace("_", " ")


def _joined(names: tuple[str, ...]) -> str:
    return "," + ",".join(names) + ","


def split_names(stored: str | list[str] | None) -> list[str]:
    """Names as stored (``,a,b,``), or already a list (a record read back), as a list."""
    if isinstance(stored, list):
        return stored
    return [name for name in (stored or "").split(",") if name]


def _split(stored: str | None) -> tuple[str, ...]:
    return tuple(split_names(stored))


def kind_pattern(kind: str) -> str:
    """The ``LIKE`` pattern (escape character ``/``) of the versions of one kind."""
    return "%," + re.sub(r"([/%_])", r"/\1", kind) + ",%"
