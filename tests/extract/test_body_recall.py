"""Text of the article that the body used to lose: one test per kind of markup."""

from __future__ import annotations

from tearsheet.extract import extract
from tests.support.pages import LOREM

URL = "https://example.org/2024/05/a-story"


def _page(body: str, head: str = "") -> str:
    return (f"<html><head><title>A story</title>{head}</head><body><nav><a href='/'>Home</a>"
            f"<a href='/news'>News</a></nav><article><h1>A story</h1>{body}</article>"
            "<footer><p>Copyright the publisher.</p></footer></body></html>")


def test_bare_text_between_blocks_is_a_paragraph() -> None:
    # A deals post: each item's blurb sits loose in the container after the item's <div>.
    blurb = ("Save $31 if you get the turquoise console with your choice of game and a "
             "case; this is the lowest price we have seen so far this year.")
    page = _page(f"<p>{LOREM[0]}</p><div>Console bundle for $238.99</div>{blurb}"
                 f"<p>{LOREM[1]}</p><p>{LOREM[2]}</p>")
    assert extract(page, URL).paragraphs == [LOREM[0], "Console bundle for $238.99", blurb,
                                             *LOREM[1:3]]


def test_bare_text_above_the_first_paragraph_is_not() -> None:
    # A date and category line under the headline, loose in the container.
    line = "January 13, 2020 at 08:45 AM | categories: Python, Mercurial | View Comments"
    page = _page(f"<small>{line}</small>" + "".join(f"<p>{p}</p>" for p in LOREM))
    assert extract(page, URL).paragraphs == LOREM
