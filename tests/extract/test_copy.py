"""Reading a copy to trace: pasted text, a saved page."""

from __future__ import annotations

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract.copy import copy_document, looks_like_html
from tests.support.pages import LOREM, article_page


def test_text_paragraphs_are_blank_line_separated_or_line_separated() -> None:
    assert copy_document("One.\n\nTwo,\nstill two.\n\n\nThree.").paragraphs == (
        "One.", "Two,\nstill two.", "Three.")
    # Pasted into a form, paragraphs are often single lines: then each line is one.
    assert copy_document("One.\r\nTwo.\r\n").paragraphs == ("One.", "Two.")


def test_a_saved_page_is_extracted_as_the_tracker_would() -> None:
    page = article_page("Council approves budget", LOREM).encode()
    assert looks_like_html(page) and not looks_like_html(b"The <p> tag is HTML.")
    document = copy_document(page, "https://news.example/budget")
    assert document.title == "Council approves budget"
    assert document.paragraphs[0] == LOREM[0]


def test_a_page_without_an_article_says_so() -> None:
    with pytest.raises(ExtractionError, match="no article text in this page"):
        copy_document(b"<html><body><nav><a href='/'>Home</a></nav><p>Hi</p></body></html>")


def test_a_lone_surrogate_or_control_character_in_pasted_text_is_dropped() -> None:
    # From a caller that decoded JSON itself; hashing the text for the trace raised.
    document = copy_document(f"{LOREM[0]} \ud800\n\n{LOREM[1]}\x04")
    assert document.paragraphs == (f"{LOREM[0]} \ufffd", LOREM[1])
    "\n\n".join(document.paragraphs).encode("utf-8")  # what the trace hashes


def test_a_fetched_copy_s_hostile_charset_is_ignored() -> None:
    document = copy_document(f"{LOREM[0]}\n\nCafé au lait.".encode(), None, "undefined")
    assert document.paragraphs == (LOREM[0], "Café au lait.")
