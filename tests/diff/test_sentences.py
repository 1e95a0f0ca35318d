"""Sentence splitting: the boundaries news text has, in four languages."""

from __future__ import annotations

import pytest

from tearsheet.diff.sentences import language_code, split_sentences


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "Mr. Smith went to Washington. He met Sen. Jones at 3 p.m. Friday. It was fine.",
         ["Mr. Smith went to Washington.", "He met Sen. Jones at 3 p.m. Friday.", "It was fine."]),
        ("en", "The U.S. economy grew 3.5 percent. “It is good,” he said. “Very good.” "
               "Then he left!",
         ["The U.S. economy grew 3.5 percent.", "“It is good,” he said.", "“Very good.”",
          "Then he left!"]),
        ("en", "David D. Kirkpatrick reported from Cairo. Mayy El Sheikh contributed reporting.",
         ["David D. Kirkpatrick reported from Cairo.", "Mayy El Sheikh contributed reporting."]),
        ("en", 'He said "yes." Then he left.', ['He said "yes."', "Then he left."]),
        ("en", "Wait... What happened? Nobody knows (yet). 2024 was worse.",
         ["Wait...", "What happened?", "Nobody knows (yet).", "2024 was worse."]),
        ("en", "Prices rose, e.g. for bread and milk. Officials were surprised.",
         ["Prices rose, e.g. for bread and milk.", "Officials were surprised."]),
        ("en", "He works for Acme Inc. in Ohio. no split before lowercase.",
         ["He works for Acme Inc. in Ohio. no split before lowercase."]),
        ("fr", "M. Macron a parlé mardi. Mme Dupont a répondu. « C'est faux », dit-elle.",
         ["M. Macron a parlé mardi.", "Mme Dupont a répondu.", "« C'est faux », dit-elle."]),
        ("de", "Herr Dr. Müller kam z.B. am 3. Mai. Er ging dann nach Hause. Es kamen 2.000 Leute.",
         ["Herr Dr. Müller kam z.B. am 3. Mai.", "Er ging dann nach Hause.",
          "Es kamen 2.000 Leute."]),
        ("es", "El Sr. García llegó a EE.UU. ayer. ¿Qué pasó? ¡Nada! La Sra. López habló.",
         ["El Sr. García llegó a EE.UU. ayer.", "¿Qué pasó?", "¡Nada!", "La Sra. López habló."]),
    ],
    ids=["titles", "quotes-decimals", "initials", "closing-quote", "ellipsis-brackets-digits",
         "latin", "lowercase-after", "french", "german-ordinal", "spanish"],
)
def test_split(language: str, text: str, expected: list[str]) -> None:
    assert list(split_sentences(text, language)) == expected


def test_splitting_loses_no_text() -> None:
    text = "One. Two! Three? “Four.” (Five.) Mr. Six."
    assert " ".join(split_sentences(text)) == text


@pytest.mark.parametrize(("given", "code"), [("en-GB", "en"), ("fr_FR", "fr"), ("DE", "de"),
                                               (None, "en"), ("xx", "en"), ("es", "es")])
def test_language_code(given: str | None, code: str) -> None:
    assert language_code(given) == code


def test_empty() -> None:
    assert split_sentences("   ") == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("谷歌收购了这家公司。它开发了一台新电脑！研究人员满意吗？是的。",
     ("谷歌收购了这家公司。", "它开发了一台新电脑！", "研究人员满意吗？", "是的。")),
    ("トレンドマイクロは新しいアプリを発表した。「無料です」と述べた。",
     ("トレンドマイクロは新しいアプリを発表した。", "「無料です」と述べた。")),
    ("هل وافق المجلس؟ نعم، وافق على الميزانية. وسيبدأ العمل قريبا.",
     ("هل وافق المجلس؟", "نعم، وافق على الميزانية.", "وسيبدأ العمل قريبا.")),
    ("परिषद ने बजट को मंजूरी दी। काम अगले साल शुरू होगा।",
     ("परिषद ने बजट को मंजूरी दी।", "काम अगले साल शुरू होगा।")),
])
def test_sentences_in_other_scripts(text: str, expected: tuple[str, ...]) -> None:
    assert split_sentences(text, "und") == expected
