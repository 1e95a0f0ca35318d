"""A NewsEdits-style SQLite dataset, so research code written for NewsEdits runs on ours.

NewsEdits (Spangher et al., NAACL 2022) ships, per source, SQLite files whose tables are
``entryversion`` (one row per version: ``entry_id``, ``version`` counted from 0,
``num_versions``, ``title``, ``url``, ``created``, ``summary`` = the body with paragraphs
joined by ``</p><p>``), ``split_sentences`` (``entry_id``, ``version``, ``sent_idx``,
``sentence``) and ``matched_sentences`` (``entry_id``, ``version_x``, ``version_y``,
``sent_idx_x``, ``sent_idx_y``, ``avg_sentence_distance_x``, ``avg_sentence_distance_y``;
an added sentence has no ``sent_idx_x``, a deleted one no ``sent_idx_y``). This writes the
same tables and columns — plus ``source`` everywhere, as in the merged NewsEdits files, and
``entry`` for articles, and on ``entryversion`` the intents of the change into each version
(``intents``, ``intent_labels`` comma-separated, ``silent_correction``, ``correction_note``)
— with the alignment of consecutive versions made by tearsheet's own
diff engine (:func:`tearsheet.diff.align.align`), whose label each matched row carries
(``label``: ``unchanged``, ``edited``, ``added``, ``deleted``, ``moved``; NewsEdits calls
them unchanged, edit, addition, deletion and refactor).

Streamed: rows arrive in article then version order and only the previous version of the
current article is kept.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tearsheet.diff.align import Document, align, similarity, typographic_key
from tearsheet.diff.sentences import split_sentences
from tearsheet.export.versions import Progress, _iso, meaning

SCHEMA = """
CREATE TABLE entry (id INTEGER PRIMARY KEY, source TEXT, url TEXT, title TEXT,
                    num_versions INTEGER);
CREATE TABLE entryversion (id INTEGER PRIMARY KEY, source TEXT, entry_id INTEGER,
                           version INTEGER, num_versions INTEGER, title TEXT, byline TEXT,
                           url TEXT, created TEXT, summary TEXT, intents TEXT,
                           intent_labels TEXT, silent_correction INTEGER,
                           correction_note TEXT);
CREATE TABLE split_sentences (source TEXT, entry_id INTEGER, version INTEGER,
                              sent_idx INTEGER, sentence TEXT);
CREATE TABLE matched_sentences (source TEXT, entry_id INTEGER, version_x INTEGER,
                                version_y INTEGER, sent_idx_x INTEGER, sent_idx_y INTEGER,
                                avg_sentence_distance_x REAL, avg_sentence_distance_y REAL,
                                label TEXT);
"""
INDEXES = """
CREATE INDEX ix_entryversion ON entryversion (entry_id, version);
CREATE INDEX ix_split_sentences ON split_sentences (entry_id, version, sent_idx);
CREATE INDEX ix_matched_sentences ON matched_sentences (entry_id, version_x, version_y);
"""
COMMIT_EVERY = 500  # versions per transaction
_WORD = re.compile(r"\w+")


def sentences_of(document: Document, language: str | None) -> list[str]:
    """The sentences of a version, indexed as the diff engine indexes them."""
    return [sentence for paragraph in document.paragraphs
            for sentence in split_sentences(paragraph, language)]


def _words(text: str | None) -> Counter[str]:
    return Counter(_WORD.findall(typographic_key(text or "").lower()))


def write_newsedits(rows: Iterable[dict[str, Any]], path: Path,
                    progress: Progress | None = None) -> int:
    """Write the dataset to a new SQLite file at ``path``; returns versions written."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(SCHEMA)
        count = _fill(conn, rows, progress)
        conn.executescript(INDEXES)
        conn.commit()
    finally:
        conn.close()
    return count


def _fill(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]],
          progress: Progress | None) -> int:
    count = 0
    previous: tuple[int, Document] | None = None  # (article id, its last version)
    for row in rows:
        article, number = int(row["article_id"]), int(row["number"])
        document = Document.from_version(row)
        version = number - 1  # NewsEdits counts versions from 0
        if number == 1:
            conn.execute("INSERT INTO entry VALUES (?, ?, ?, ?, 0)",
                         (article, row["source"], row["url"], row["title"]))
        conn.execute("UPDATE entry SET num_versions = ?, title = ? WHERE id = ?",
                     (number, row["title"], article))
        meant = meaning(row)  # the change into this version: intents, silent correction
        conn.execute(
            "INSERT INTO entryversion (source, entry_id, version, num_versions, title, byline, "
            "url, created, summary, intents, intent_labels, silent_correction, "
            "correction_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row["source"], article, version, number, row["title"], row["byline"],
             row["url"], _iso(row["captured_at"]), "</p><p>".join(document.paragraphs),
             ",".join(meant["intents"]), ",".join(meant["intent_labels"]),
             meant["silent_correction"], meant["correction_note"]))
        language = row["language"]
        conn.executemany(
            "INSERT INTO split_sentences VALUES (?, ?, ?, ?, ?)",
            [(row["source"], article, version, index, sentence)
             for index, sentence in enumerate(sentences_of(document, language))])
        if previous is not None and previous[0] == article:
            conn.executemany("INSERT INTO matched_sentences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             _matches(row["source"], article, version, previous[1], document))
        previous = (article, document)
        count += 1
        if progress is not None:
            progress(1)
        if count % COMMIT_EVERY == 0:
            conn.commit()
    # num_versions of every row of an article: its final count, as in NewsEdits.
    conn.execute("UPDATE entryversion SET num_versions = (SELECT num_versions FROM entry "
                 "WHERE entry.id = entryversion.entry_id)")
    return count


def _matches(source: str, article: int, version: int, old: Document, new: Document,
             ) -> list[tuple[Any, ...]]:
    """One row per aligned unit of ``old`` → ``new`` (version numbers from 0)."""
    found = []
    for unit in align(old, new).units:
        distance = None if unit.old_text is None or unit.new_text is None else \
            round(1.0 - similarity(_words(unit.old_text), _words(unit.new_text)), 6)
        found.append((source, article, version - 1, version, unit.old_index, unit.new_index,
                      distance, distance, unit.label))
    return found
