"""Correction and editor's notes: wordings, positions, languages; text that is not a note."""

from __future__ import annotations

import pytest

from tearsheet.diff.corrections import (
    _PHRASE_STEMS,
    find_notes,
    is_correction,
    is_note,
)


@pytest.mark.parametrize(("text", "kind", "start"), [
    ("Correction: An earlier version of this article misstated the vote.", "correction",
     "Correction:"),
    ("The council met. An earlier version of this story misspelled the mayor's name.",
     "correction", "An earlier version"),
    ("CORRECTION, June 5, 2012: The vote was 7-4, not 7-3.", "correction", "CORRECTION"),
    ("*This article was amended on 5 June 2024 to correct the spelling of a name.*",
     "correction", "This article"),
    ("Editor’s note: This story has been corrected.", "editors_note", "Editor’s note"),
    ("Editors' Note: A photo caption misidentified the man.", "editors_note", "Editors' Note"),
    ("Clarification: The ferry belongs to the city, not the port.", "clarification",
     "Clarification"),
    ("We regret the error.", "correction", "We regret"),
    ("Update: The road reopened at noon.", "update", "Update:"),
    ("This story has been updated with the latest figures.", "update", "This story"),
    ("Rectificatif : une précédente version de cet article indiquait 300 passagers.",
     "correction", "Rectificatif"),
    ("Précision : le navire appartient à la ville.", "clarification", "Précision"),
    ("In einer früheren Version dieses Artikels hieß es, der Rat habe zugestimmt.",
     "correction", "In einer früheren"),
    ("Anmerkung der Redaktion: Der Text wurde nachträglich ergänzt.", "editors_note",
     "Anmerkung"),
    ("Fe de errores: el alcalde se llama Pérez.", "correction", "Fe de errores"),
    ("Una versión anterior de este artículo daba una cifra errónea.", "correction", "Una"),
    ("Nota della redazione: una precedente versione di questo articolo era errata.",
     "editors_note", "Nota"),
    ("Uma versão anterior deste texto informava outro número.", "correction", "Uma"),
    ("Correctie: in een eerdere versie van dit artikel stond een verkeerd getal.",
     "correction", "Correctie"),
    ("Rättelse: I en tidigare version av denna artikel stod fel siffra.", "correction",
     "Rättelse"),
], ids=lambda v: v if len(v) < 14 else None)
def test_notes_in_many_wordings(text: str, kind: str, start: str) -> None:
    notes = find_notes([text])
    assert len(notes) == 1
    assert notes[0].kind == kind
    assert notes[0].text.startswith(start)
    assert is_correction(text) == (kind != "update")


def test_a_note_is_found_where_it_stands_and_runs_to_the_end_of_its_paragraph() -> None:
    paragraphs = ["Editor's note: This article has been corrected.",
                  "The ferry ran aground on Sunday.",
                  "The inquiry begins Tuesday. Correction: An earlier version of this article "
                  "misstated the day of the inquiry. It is Tuesday."]
    notes = find_notes(paragraphs)
    assert [n.paragraph for n in notes] == [0, 2]
    assert notes[1].text == ("Correction: An earlier version of this article misstated the "
                             "day of the inquiry. It is Tuesday.")
    assert notes[1].as_json()["kind"] == "correction"


@pytest.mark.parametrize("text", [
    "He asked the paper for a correction, and got none.",
    "The newspaper issued a correction: it had the wrong date.",
    "The update to the software caused the outage.",
    "Corrections officers said the prisoner escaped at night.",
    "The market saw a correction of 10 percent, analysts said.",
    "An earlier version of the bill was rejected by the Senate.",
    "Die Korrektur der Prognose kam am Montag.",
    "La rectificación del presupuesto llegó tarde.",
])
def test_text_about_corrections_is_not_a_note(text: str) -> None:
    assert not is_note(text)
    assert find_notes([text]) == ()


def test_every_wording_passes_the_quick_filter() -> None:
    # Paragraphs without a stem are not searched for self-referring phrases: none may
    # be missed.
    samples = ["an earlier version of this story", "this article has been clarified",
               "this story was revised", "we regret the error",
               "has been corrected to fix what misstated", "cet article a été amendé",
               "cet article a été mis à jour", "nous avons corrigé",
               "dieser artikel wurde nachträglich ergänzt", "wir haben den fehler korrigiert",
               "esta nota fue rectificada", "este artículo ha sido corregido",
               "este artículo ha sido actualizado", "questo articolo è stato corretto",
               "esta reportagem foi corrigida", "dit artikel is gewijzigd",
               "i en tidligere versjon av denne artikkelen"]
    for sample in samples:
        assert any(stem in sample for stem in _PHRASE_STEMS), sample
        assert is_note(sample), sample
