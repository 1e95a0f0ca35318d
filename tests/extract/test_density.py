"""The second opinion on the body: readability's density scoring where trafilatura finds little."""

from __future__ import annotations

import html
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tearsheet.extract import extract
from tearsheet.extract.blocks import Block
from tearsheet.extract.density import (
    _XML_FOLDED,
    better_of,
    visible_at_most,
    visible_chars,
    wants_second_opinion,
)
from tearsheet.extract.recheck import parse

PARAGRAPHS = [
    f"Paragraph {n} of the essay says what the council decided on Tuesday, why the vote "
    f"was close, and what residents of the northern district can expect next year."
    for n in range(1, 9)
]
INTRO = ["A short introduction to the essay, in one sentence of a few more words than that.",
         "And a second paragraph of the introduction, about as long as the first one is."]


def _page() -> str:
    """An introduction marked up as the article; the essay beside it in <br>-separated text."""
    essay = "".join(f"{p}<br><br>" for p in PARAGRAPHS)
    return ("<html><head><title>Essay</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article class='intro'><h1>The essay</h1><p>{INTRO[0]}</p><p>{INTRO[1]}</p>"
            f"</article><div class='texte'>{essay}</div>"
            "<footer><p>Copyright the publisher.</p></footer></body></html>")


def test_a_body_trafilatura_reads_a_fraction_of_is_read_whole() -> None:
    # trafilatura's fast path keeps the <article> (the introduction) and nothing else.
    assert extract(_page(), "https://example.org/a").paragraphs == [*INTRO, *PARAGRAPHS]


def test_the_second_opinion_is_asked_only_for_a_body_covering_little_of_the_page() -> None:
    body = [Block("p", "x" * 600)]
    assert not wants_second_opinion(body, visible=1300)  # the body is 46 % of the page
    assert wants_second_opinion(body, visible=2100)


def test_the_second_opinion_is_taken_only_when_it_finds_far_more() -> None:
    first = [Block("p", "x" * 500)]
    assert better_of(first, [Block("p", "y" * 900)]) == first
    longer = [Block("p", "y" * 1100)]
    assert better_of(first, longer) == longer


ITEMS = ["The first reply agreed with every word of the essay and said so at length.",
         "The second reply said the author should have tried another player instead.",
         "The third reply asked for a refund of software that had cost nothing at all."]


def _table_page() -> str:
    """An essay laid out in a table cell, no container trafilatura's patterns know: its
    paragraphs, a heading and a list of replies."""
    first, rest = PARAGRAPHS[:4], PARAGRAPHS[4:]
    return ("<html><head><title>Essay</title></head><body><p><a href='/'>Home</a></p>"
            "<table width='90%'><tr><td>"
            + "".join(f"<p>{p}</p>" for p in first)
            + "<h2>What the readers wrote</h2><ul>" + "".join(f"<li>{i}</li>" for i in ITEMS)
            + "</ul>" + "".join(f"<p>{p}</p>" for p in rest)
            + "</td></tr></table></body></html>")


def test_a_body_read_from_loose_paragraphs_keeps_its_lists_and_headings() -> None:
    # trafilatura finds no container and reads the page's paragraphs only: the heading and
    # the list go. The density reading holds all it found and them: the two agree.
    paragraphs = extract(_table_page(), "https://example.org/a").paragraphs
    assert paragraphs == [*PARAGRAPHS[:4], "What the readers wrote", *ITEMS, *PARAGRAPHS[4:]]


def test_the_second_opinion_on_loose_paragraphs_is_taken_only_when_it_agrees() -> None:
    first = [Block("p", p) for p in INTRO]
    other = [first[0], *(Block("item", i) for i in ITEMS)]
    assert better_of(first, other, covered=True) == first  # more, but half of it elsewhere
    more = [first[0], Block("item", ITEMS[0]), first[1]]
    assert better_of(first, more, covered=True) == more
    assert better_of(first, more) == first  # without loose paragraphs: not far more
    captioned = [first[0], Block("p", "File photo: traders on the floor, November 18."), first[1]]
    assert better_of(first, captioned, covered=True) == first  # it adds no list or heading


MENU = " ".join(f"Section {n} Topic {n}" for n in range(120))  # no full stop in 480 words


def test_a_menu_read_as_one_block_is_no_body_to_keep_over_the_article() -> None:
    """trafilatura read a newspaper's menu as its one block of "body" (430 words of links);
    the density reading found the 80-word article. Link text weighs nothing."""
    menu = [Block("p", MENU, link_share=0.8)]
    article = [Block("p", p) for p in PARAGRAPHS[:3]]
    assert better_of(menu, article) == article
    assert wants_second_opinion(menu, visible=len(MENU) + 600)


def test_a_long_run_of_the_page_s_links_has_their_share_and_prose_has_none() -> None:
    from tearsheet.extract.body import _with_links

    anchors = {f"section {n} topic {n}" for n in range(120)}
    # (Only the navigation's links, as a menu written again is: they still make a run.)
    assert _with_links(Block("p", MENU), anchors, set(), {}).link_share >= 0.9
    # A long paragraph of sentences that names some of the links is prose.
    prose = " ".join(f"Section {n} Topic {n} was debated at length by the council." for n in
                     range(10))
    assert _with_links(Block("p", prose), anchors, anchors, {}).link_share == 0


def test_a_body_read_by_either_reading_says_so() -> None:
    # Extraction.body_from: the density reading of the whole page, trafilatura's loose
    # paragraphs, or the container its patterns found.
    assert extract(_page(), "https://example.org/a").body_from == "density"
    assert extract(_table_page(), "https://example.org/a").body_from == "density"
    boxed = _table_page().replace("<table width='90%'><tr><td>", "<article>").replace(
        "</td></tr></table>", "</article>")
    assert extract(boxed, "https://example.org/a").body_from == "container"


# Text for the visible-text bound: words, and every kind of whitespace str.split folds —
# XML's four, the no-break and other Unicode spaces, and control characters lxml keeps.
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_TEXTS = st.text(alphabet=st.sampled_from([*_SPACES, "a", "é", "字", "-"]), max_size=40)


def _tree(parts: list[str], scripts: list[str]) -> etree._Element:
    body = "".join(f"<p>{html.escape(p)}</p><script>{html.escape(s)}</script>"
                   for p, s in itertools.zip_longest(parts, scripts, fillvalue=""))
    tree = parse(f"<html><body>{body}</body></html>")
    assert tree is not None
    return tree


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, max_size=6), st.lists(_TEXTS, max_size=3))
def test_the_bound_on_visible_text_answers_as_the_count_does(
        parts: list[str], scripts: list[str]) -> None:
    """``visible_at_most`` is ``visible_chars(tree) <= limit`` at every limit, whatever
    whitespace the page holds: its shortcut (XPath folding XML's whitespace only) never
    counts fewer characters than the exact count, so it never passes a page that shows
    more."""
    tree = _tree(parts, scripts)
    visible = visible_chars(tree)
    root = tree.find("body")
    assert root is not None
    assert _XML_FOLDED(root) >= visible  # the lemma (scripts are subtracted after)
    for limit in (visible - 1, visible, visible + 1, 0):
        assert visible_at_most(tree, limit) == (visible <= limit)


def test_the_bound_falls_back_to_the_count_where_it_overcounts() -> None:
    """No-break spaces beside spaces are one space to str.split and three characters to
    XPath: within the limit, the page is counted exactly (and passes)."""
    tree = _tree(["word \u00a0 " * 50 + "end"], [])
    visible = visible_chars(tree)
    assert visible == len(" ".join(["word"] * 50 + ["end"]))
    root = tree.find("body")
    assert root is not None and _XML_FOLDED(root) > visible  # the bound alone would refuse
    assert visible_at_most(tree, visible) and not visible_at_most(tree, visible - 1)
