"""Correction and editor's notes: found anywhere in a version, in several languages.

A note is how a newsroom tells its readers that a story changed: "Correction: …",
"An earlier version of this article misstated …", "Editor's note: …", an italic footer
"This article was amended on 5 June", or the same in French, German, Spanish, Italian,
Portuguese, Dutch and the Nordic languages. The diff engine needs them twice: a note that
appears is the ``correction`` intent, and a factual claim changed *without* any note in the
new version is a silent correction (:mod:`tearsheet.diff.intents`).

A marker word ("Correction", "Berichtigung"…) counts only where a note starts: at the start
of a paragraph or sentence, followed by a colon, a dash or a date. Self-referring phrases
("an earlier version of this article", "dieser Artikel wurde korrigiert") count anywhere: no
report of some other correction says "this article". The text of the note is taken from its
start to the end of its paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

NoteKind = Literal["correction", "clarification", "editors_note", "update"]

# Marker words that open a note, with the kind they announce. Matched at the start of a
# paragraph or sentence, then ":", a dash, "(" or a date/comma ("CORRECTION, June 5:").
_MARKERS: dict[str, NoteKind] = {
    # English
    "correction": "correction", "corrections": "correction", "correction appended": "correction",
    "clarification": "clarification", "editor's note": "editors_note",
    "editors' note": "editors_note", "editor’s note": "editors_note",
    "editors’ note": "editors_note", "note to readers": "editors_note",
    "update": "update", "updated": "update",
    # French
    "rectificatif": "correction", "correctif": "correction", "erratum": "correction",
    "précision": "clarification", "note de la rédaction": "editors_note",
    "ndlr": "editors_note", "mise à jour": "update",
    # German
    "korrektur": "correction", "berichtigung": "correction", "richtigstellung": "correction",
    "korrekturhinweis": "correction", "transparenzhinweis": "editors_note",
    "anmerkung der redaktion": "editors_note", "hinweis der redaktion": "editors_note",
    "aktualisierung": "update",
    # Spanish
    "corrección": "correction", "fe de errores": "correction", "fe de erratas": "correction",
    "aclaración": "clarification", "nota del editor": "editors_note",
    "nota de la redacción": "editors_note", "actualización": "update",
    # Italian
    "rettifica": "correction", "errata corrige": "correction",
    "nota della redazione": "editors_note", "aggiornamento": "update",
    # Portuguese
    "correção": "correction", "errata": "correction", "nota do editor": "editors_note",
    "nota da redação": "editors_note", "nota da redacção": "editors_note",
    "atualização": "update",
    # Dutch
    "correctie": "correction", "rectificatie": "correction", "verbetering": "correction",
    "noot van de redactie": "editors_note",
    # Swedish, Danish, Norwegian
    "rättelse": "correction", "rettelse": "correction", "korrigering": "correction",
}
_MARKER = re.compile(  # tried only where a paragraph or a sentence starts
    r"[\s*_(\[]*(?P<word>"
    + "|".join(sorted((re.escape(m) for m in _MARKERS), key=len, reverse=True))
    + r")\b[\s*_)\]]*(?:[:—–-]|\(|,\s*(?:\w+\.?\s+)?\d)",
    re.IGNORECASE,
)

# Self-referring sentences: a note wherever they are.
_PHRASES: tuple[tuple[str, NoteKind], ...] = (
    # English
    (r"\b(?:an?|the) (?:earlier|previous|prior|original) version of this "
     r"(?:article|story|report|post|piece|column|headline|photo caption|caption|graphic|"
     r"video|newsletter)", "correction"),
    (r"\bthis (?:article|story|report|post|piece|headline) (?:has been|was|had been|is being) "
     r"(?:corrected|amended|clarified)", "correction"),
    (r"\bthis (?:article|story|report|post|piece) (?:has been|was) (?:updated|revised)",
     "update"),
    (r"\bwe regret the error", "correction"),
    (r"\b(?:has|have) been (?:corrected|amended) (?:to|on|since)\b.{0,60}\b(?:misstated|"
     r"misspelled|misidentified|incorrectly|erroneously|wrongly)", "correction"),
    # French
    (r"\bune (?:précédente|première|ancienne) version de cet (?:article|texte)",
     "correction"),
    (r"\bcet article a été (?:corrigé|rectifié|modifié|amendé)", "correction"),
    (r"\bcet article a été mis à jour", "update"),
    (r"\bnous avons corrigé", "correction"),
    # German
    (r"\bin einer (?:früheren|vorherigen|älteren|ersten) (?:version|fassung) "
     r"(?:dieses|des) (?:artikels|beitrags|textes|berichts)", "correction"),
    (r"\b(?:dieser|der) (?:artikel|beitrag|text) wurde (?:nachträglich )?"
     r"(?:korrigiert|berichtigt)", "correction"),
    (r"\b(?:dieser|der) (?:artikel|beitrag|text) wurde (?:nachträglich )?"
     r"(?:aktualisiert|ergänzt)", "update"),
    (r"\bwir haben (?:den fehler|die stelle|dies) korrigiert", "correction"),
    # Spanish
    (r"\buna versión (?:anterior|previa|original) de (?:este|esta) "
     r"(?:artículo|nota|información|noticia|texto)", "correction"),
    (r"\b(?:este|esta) (?:artículo|nota|información|noticia) (?:ha sido|fue) "
     r"(?:corregid[oa]|rectificad[oa])", "correction"),
    (r"\b(?:este|esta) (?:artículo|nota|información|noticia) (?:ha sido|fue) "
     r"actualizad[oa]", "update"),
    # Italian
    (r"\buna (?:precedente|prima) versione di questo articolo", "correction"),
    (r"\bquesto articolo è stato (?:corretto|rettificato)", "correction"),
    # Portuguese
    (r"\buma versão anterior (?:deste|desta) (?:texto|reportagem|notícia|artigo|matéria)",
     "correction"),
    (r"\b(?:este|esta) (?:texto|reportagem|notícia|artigo|matéria) foi (?:corrigid[oa])",
     "correction"),
    # Dutch
    (r"\bin een eerdere versie van dit (?:artikel|bericht|stuk)", "correction"),
    (r"\bdit (?:artikel|bericht|stuk) is (?:aangepast|gecorrigeerd|gewijzigd)", "correction"),
    # Swedish, Danish, Norwegian
    (r"\bi en tidigare version av (?:denna|den här) artikel", "correction"),
    (r"\bi en tidligere version af denne artikel", "correction"),
    (r"\bi en tidligere versjon av denne artikkelen", "correction"),
)
_PHRASE = re.compile("|".join(f"(?P<p{k}>{p})" for k, (p, _) in enumerate(_PHRASES)),
                     re.IGNORECASE)
# Every self-referring phrase has one of these stems: a paragraph without any is not
# searched for them (the alternation of patterns costs ~30 µs a paragraph; these ~3 µs).
_PHRASE_STEMS = (
    "version", "versie", "versão", "versión", "versjon", "fassung", "regret", "correc",
    "corrig", "correg", "corret", "korrig", "berichtig", "amend", "clarif", "updat",
    "revis", "rectif", "modifi", "mis à jour", "aktualis", "ergänzt", "actualiz",
    "aangepast", "gewijzigd",
)
_SENTENCE_START = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=\S)")


@dataclass(frozen=True)
class Note:
    """A correction or editor's note: its kind, its text, and the paragraph it is in."""

    kind: NoteKind
    text: str
    paragraph: int
    added: bool = True  # new in this version (False: the previous one had it already)

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "paragraph": self.paragraph,
                "added": self.added}


def find_notes(paragraphs: Iterable[str]) -> tuple[Note, ...]:
    """Every note in a version's paragraphs, in reading order (one per paragraph at most:
    a note's text runs to the end of its paragraph)."""
    found = []
    for number, paragraph in enumerate(paragraphs):
        note = _note_in(paragraph, number)
        if note is not None:
            found.append(note)
    return tuple(found)


def is_note(text: str) -> bool:
    """Whether a piece of text (a sentence, a paragraph, an insertion) holds a note."""
    return _note_in(text, 0) is not None


def is_correction(text: str) -> bool:
    """Whether a piece of text holds a note that corrects (any kind but ``update``)."""
    note = _note_in(text, 0)
    return note is not None and note.kind != "update"


def _note_in(paragraph: str, number: int) -> Note | None:
    found = _scan(paragraph)
    if found is None:
        return None
    start, kind = found
    return Note(kind, paragraph[start:].strip().strip("*_ "), number)  # no italic marks


@lru_cache(maxsize=8192)
def _scan(paragraph: str) -> tuple[int, NoteKind] | None:
    """Where a paragraph's note starts and its kind (cached: most paragraphs of a new
    version are those of the old one)."""
    candidates: list[tuple[int, NoteKind]] = []
    starts = [0, *(m.end() for m in _SENTENCE_START.finditer(paragraph))]
    for at in starts:
        marker = _MARKER.match(paragraph, at)
        if marker is not None:
            word = marker.group("word").lower()
            kind = _MARKERS.get(word) or _MARKERS.get(word.replace("'", "’")) or "correction"
            candidates.append((marker.start("word"), kind))
            break
    lowered = paragraph.lower()
    if any(stem in lowered for stem in _PHRASE_STEMS):
        phrase = _PHRASE.search(paragraph)
        if phrase is not None:
            index = next(int(name[1:]) for name, value in phrase.groupdict().items() if value)
            at = max((s for s in starts if s <= phrase.start()), default=0)
            candidates.append((at, _PHRASES[index][1]))
    if not candidates:
        return None
    start, kind = min(candidates, key=lambda c: c[0])  # the earliest; a marker on a tie
    if kind == "update" and len(candidates) > 1:  # "Update: … was corrected" is a correction
        kind = next((k for _, k in candidates if k != "update"), kind)
    return start, kind
