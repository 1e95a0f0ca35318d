"""Diff: what changed between two versions, and how much it matters (pure).

:func:`diff` is the entry point: :mod:`.align` pairs the sentences of two
:class:`Document` s (moves, splits, word diffs; sentences from :mod:`.sentences`),
:mod:`.changes` names the kinds and the significance, :mod:`.summary` is the
:class:`ChangeSummary` stored with each version, :mod:`.intents` says what a change means
(fact, style, narrative; silent corrections) with the notes :mod:`.corrections` finds,
:mod:`.render` shows a change in a
terminal or as HTML, and :mod:`.fingerprint` decides whether two extractions are the same
version at all. :func:`trace` says which stored version a copy came from (:mod:`.trace`),
with the features and MinHash keys of :mod:`.sketch`.
"""

from tearsheet.diff.align import Alignment, Document, align
from tearsheet.diff.changes import Change, diff, history_labels, summarize
from tearsheet.diff.corrections import Note, find_notes
from tearsheet.diff.fingerprint import (
    Verdict,
    confirms,
    fingerprint,
    is_new_version,
    judge,
    normalize,
    shrank,
)
from tearsheet.diff.intents import Reading, read_change
from tearsheet.diff.render import html_document, terminal
from tearsheet.diff.sentences import split_sentences
from tearsheet.diff.summary import ChangeSummary, SentenceCounts
from tearsheet.diff.trace import Candidate, Fit, index_keys, trace

__all__ = [
    "Alignment", "Candidate", "Change", "ChangeSummary", "Document", "Fit", "Note", "Reading",
    "SentenceCounts", "Verdict", "align", "confirms", "diff", "find_notes", "fingerprint",
    "history_labels", "html_document", "index_keys", "is_new_version", "judge", "normalize",
    "read_change", "shrank", "split_sentences", "summarize", "terminal", "trace",
]
