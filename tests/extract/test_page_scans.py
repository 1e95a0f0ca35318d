"""The decision key's raw scans (extract/page_scans.py) cover whatever the byline readers
(extract/bylines.py) can read: the two are written in different languages (a regular
expression over the raw bytes, and lines of the parsed page), so a shape of credit line
added to one and not the other would leave a byline edit outside the key. This walks
every word and shape the reader knows."""

from __future__ import annotations

import itertools
import re

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tearsheet.extract import bylines
from tearsheet.extract.page_scans import _CREDIT_OPENING, credits
from tests.support.fuzz import BOUNDED

NAME = "Jane Doe"
DATES = ("", "12.05.2024 - ", "2024/05/12 | ")
ARTICLES = ("", "a ", "ein ")
# The last two: an indented template (more whitespace than the scan's eight characters
# before the word; an indented "By&nbsp;" went unscanned, and its edit unseen).
WRAPPERS = ("<p>{}</p>", "<div><span>{}</span></div>", "<p>\n  {}</p>", "<p>&nbsp;{}</p>",
            "<p><b>{}</b></p>", "<div>\n" + " " * 16 + "{}</div>",
            "<div>\n\t\t\t\t\t\t\t\t\t&nbsp; {}</div>")


def _shapes() -> list[str]:
    """Each credit line the reader's words make: by-words, labels, leads before a by-word
    (with a date between), after a date line or an article."""
    words = [f"{w} {NAME}" for w in bylines._BY_WORDS]
    words += [f"{label}: {NAME}" for label in bylines._LABELS]
    words += [f"{lead} {by} {NAME}" for lead in bylines._LEADS for by in ("by", "von")]
    words += [f"{lead} on May 1, 2024 by {NAME}" for lead in bylines._LEADS]
    lines = [f"{date}{article}{w}" for date, article, w in itertools.product(
        DATES, ARTICLES, words)]
    return [line[0].upper() + line[1:] for line in lines]


def _page(line: str, wrapper: str) -> str:
    return (f"<html><head><title>A story</title></head><body><header>"
            f"{wrapper.format(line)}</header><main><p>{'Words of the story. ' * 30}</p>"
            "</main></body></html>")


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_every_credit_line_the_reader_reads_is_among_the_scanned_lines(wrapper: str) -> None:
    read = missed = 0
    for line in _shapes():
        html = _page(line, wrapper)
        names = bylines.credit_line(lxml.html.fromstring(html))
        if not names:
            continue  # a shape the reader does not take (then the key need not either)
        read += 1
        raw = html.encode()
        scanned = " ".join(credits(raw, raw.lower()))
        if names.split()[-1] not in scanned:
            missed += 1
            print("not covered:", line)
    assert read > 100  # the walk reached the reader (its words did not all change)
    assert missed == 0


def test_a_link_to_an_author_s_page_the_reader_reads_is_scanned() -> None:
    for path in ("author", "authors", "autor", "autoren", "auteur", "staff", "journalist"):
        html = _page(f"<a href='/{path}/jane-doe/'>{NAME}</a>", "<p>{}</p>")
        assert bylines.author_link(lxml.html.fromstring(html)) == NAME, path
        raw = html.encode()
        assert any(NAME in found for found in credits(raw, raw.lower())), path


@pytest.mark.parametrize("between", [
    "</strong></p>\n\n</div><!-- field -->\n\n" + " " * 14 + "\n<div class=\"field\">\n\n    ",
    '</h3><span class="bar"><div class="card"><img class="card__image lazy" data-url="'
    + "https://media.example/" + "x" * 900 + '" alt="Jane Doe"/><h4 class="card__title">',
], ids=["blank lines and wrappers", "a kilobyte of attributes"])
def test_a_lone_credit_word_s_names_are_scanned_however_far_the_next_line(
        between: str) -> None:
    """The reader takes a lone "By" or "Published By" line's names from the next line of
    text; in the raw page that line may start after closing tags, blank lines, comments
    and long attributes (a lazy image's address): the scan reaches its words."""
    html = (f"<html><body><header><div><p><strong>By{between}<p>{NAME}</p></div></header>"
            f"<main><p>{'Words of the story. ' * 30}</p></main></body></html>")
    assert bylines.credit_line(lxml.html.fromstring(html)) == NAME
    raw = html.encode()
    assert NAME in " ".join(credits(raw, raw.lower()))


# What may stand between a tag and a credit word, and around: spaces of every kind,
# punctuation, entities, dates, articles, words (one with a non-ASCII first byte), tags.
_PIECES = st.sampled_from([">", "<", "<p>", " ", "\n", "\t", "  ", "&nbsp;", "&#8212;", "-",
                           "|", ":", "·", "12.05.2024", "2024/05/12", "a ", "ein ", "by",
                           "von", "écrit", "par", "posted", "Jane", "x", "é", "5"])


@BOUNDED
@given(pieces=st.lists(_PIECES, max_size=24))
def test_the_credit_scan_takes_whitespace_whole_and_finds_what_it_found(
        pieces: list[str]) -> None:
    # Possessive runs of spaces (page_scans) against the same expression without them:
    # giving a run back can never make a match, so the matches must be the same.
    lowered = "".join(pieces).encode().lower()
    plain = re.compile(_CREDIT_OPENING.pattern.replace(rb"\s*+", rb"\s*")
                       .replace(rb"\s++", rb"\s+"))
    assert plain.pattern != _CREDIT_OPENING.pattern
    assert [m.span() for m in _CREDIT_OPENING.finditer(lowered)] == \
        [m.span() for m in plain.finditer(lowered)]
