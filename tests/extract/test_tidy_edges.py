"""Above the body: the headline and the standfirst go, the body's own first heading stays."""

from __future__ import annotations

import pytest

from tearsheet.extract.blocks import Block
from tearsheet.extract.body import tidy

PARAGRAPHS = ["The council voted on Tuesday to rebuild the old bridge over the river.",
              "Work starts next spring, after a year of public hearings on the plan."]
BODY = [Block("p", p) for p in PARAGRAPHS]
DEK = "A long-awaited vote ends ten years of argument over the crossing, and its cost"


def test_a_standfirst_heading_that_is_the_page_description_goes() -> None:
    blocks = [Block("head", "Bridge vote"), Block("head", DEK), *BODY]
    assert tidy(blocks, headlines=["Bridge vote"], summaries=[DEK + "…"]) == PARAGRAPHS
    # A description cut short still names its standfirst.
    assert tidy(blocks, headlines=["Bridge vote"], summaries=[DEK[:60]]) == PARAGRAPHS


def test_the_body_s_first_section_heading_stays() -> None:
    section = "How the council came to vote on the bridge after ten years of argument"
    blocks = [Block("head", "Bridge vote"), Block("head", section), *BODY]
    assert tidy(blocks, headlines=["Bridge vote"], summaries=[DEK]) == [section, *PARAGRAPHS]


def test_a_lede_that_is_the_page_description_stays() -> None:
    assert tidy(BODY, headlines=["Bridge vote"], summaries=[PARAGRAPHS[0]]) == PARAGRAPHS


def test_the_standfirst_is_its_own_field() -> None:
    from tearsheet.extract import extract

    html = (f'<html><head><title>Bridge vote</title><meta name="description" content="{DEK}">'
            f"</head><body><article><h1>Bridge vote</h1><h2>{DEK}</h2>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3) + "</article></body></html>")
    found = extract(html, "https://news.example.org/a")
    assert found.standfirst == DEK
    assert DEK not in found.text
    plain = extract(html.replace(f"<h2>{DEK}</h2>", ""), "https://news.example.org/a")
    assert plain.standfirst is None


def test_an_h1_in_the_body_unlike_the_headline_is_the_body_s_own() -> None:
    # A one-word heading would be a label; as an <h1> sharing no word with the headline
    # it is the article's own (Readability keeps it; trafilatura-eval's annotations too).
    blocks = [Block("head", "Lorem"), *BODY]
    assert tidy(blocks, headlines=["RTL Test", "Lorem"]) == ["Lorem", *PARAGRAPHS]
    # The headline's <h1>, and one sharing its words, are the headline told again.
    told = [Block("head", "Bridge vote"), *BODY]
    assert tidy(told, headlines=["Bridge vote", "Bridge vote"]) == PARAGRAPHS
    again = [Block("head", "The bridge vote, live"), *BODY]
    assert tidy(again, headlines=["Bridge vote", "The bridge vote, live"]) == PARAGRAPHS
    # Without a headline nothing is told apart: a label stays a label.
    assert tidy(blocks, headlines=["", "Lorem"]) == PARAGRAPHS


def test_the_headline_under_a_dek_set_above_it_is_not_the_body() -> None:
    headline = Block("head", "Council approves bridge rebuild")
    dek = Block("p", "The old bridge will be rebuilt after a long argument over its cost.")
    assert tidy([dek, headline, *BODY], headlines=[headline.text]) == [dek.text, *PARAGRAPHS]
    # Further down, a heading is the body's own, whatever it says.
    body = [dek, *BODY, *BODY, headline, *BODY]
    assert tidy(body, headlines=[headline.text]) == [dek.text, *PARAGRAPHS * 2,
                                                     headline.text, *PARAGRAPHS]


@pytest.mark.parametrize("first", [
    "市长说：“不行。”他拒绝了。", "他拒绝了这个计划。", "لماذا رفض المجلس الخطة؟",
    "परिषद ने योजना को मंजूरी दी।", "議会は計画を承認した。"])
def test_a_short_first_sentence_in_any_script_is_no_label(first: str) -> None:
    # Its full stop (。 ？ ؟ ।) says it is a sentence, as "." does in English: a label is
    # words without one.
    assert tidy([Block("p", first), *BODY], headlines=["Bridge vote"]) == [first, *PARAGRAPHS]
