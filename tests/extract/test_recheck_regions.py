"""Decision keys where trafilatura read more than the body's container: the element it
read the body from, the elements it read elsewhere first, and what the edge rules cut
there by its words. A paragraph or a word added there that the full extraction takes into
the body is seen; chrome beside it still rotates freely."""

from __future__ import annotations

import re

from tearsheet.extract import check_capture, extract
from tearsheet.extract.extraction import Parsed
from tearsheet.extract.recheck import DecisionKey, unchanged
from tests.support.pages import KEYED_HEADLINE as HEADLINE
from tests.support.pages import KEYED_STORY as PARAGRAPHS

ESSAY = [f"Paragraph {n} of the essay says what the council decided on Tuesday, why the vote "
         "was close, and what residents of the northern district can expect next year."
         for n in range(1, 12)]
ADDED = ("Zorblat quimbering, the committee said on Tuesday that the harbour repairs would "
         "take another three years.")


def _loose(extra: str = "") -> str:
    """An essay laid out in a table: no container trafilatura's patterns know."""
    return ("<html><head><title>Essay</title></head><body><p><a href='/'>Home</a></p>"
            "<table width='90%'><tr><td>" + "".join(f"<p>{p}</p>" for p in ESSAY)
            + "</td></tr></table>" + extra + "</body></html>")


def test_a_body_read_from_the_whole_page_is_keyed_by_the_whole_page() -> None:
    # trafilatura read the page's paragraphs wherever they were: one added anywhere (a note
    # below the table) joins the body, and no digest of a smaller container could see it
    # coming (the corpora's insertion sweep found 63 such misses on 19 pages, key version
    # 3). Since key version 8 the container of such a body is the whole <body>.
    first = check_capture(_loose().encode(), "https://news.example/story", "utf-8",
                          "text/html")
    assert first.extraction is not None and first.extraction.body_from == "loose"
    key = DecisionKey.loads(first.key)
    assert key is not None and key.locator[-1].startswith("body.") and key.digest
    assert unchanged(_loose(), key)
    noted = _loose(f"<div class='aside'><p>{ADDED}</p></div>")
    footer = extract(noted, "https://news.example/story")
    assert ADDED in footer.paragraphs
    assert not unchanged(noted, key)
    # The same essay in an <article> is read from there, and has its key.
    framed = _loose().replace("<table width='90%'><tr><td>", "<article>").replace(
        "</td></tr></table>", "</article>")
    boxed = check_capture(framed.encode(), "https://news.example/story", "utf-8", "text/html")
    assert boxed.extraction is not None and boxed.extraction.body_from == "container"
    boxed_key = DecisionKey.loads(boxed.key)
    assert boxed_key is not None and boxed_key.locator[-1].startswith("article.")


def _in_article(extra: str = "") -> str:
    """The story's paragraphs three levels inside an <article>, a box beside them there."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f"<html><head><title>{HEADLINE}</title></head><body><nav><a href='/'>Home</a>"
            "</nav><article><div class='a'><div class='b'><div class='text'>" + body
            + "</div><div class='share'>Share</div></div><div class='meta'>Filed under news"
            "</div></div><div class='after'><div class='box'>" + extra + "</div></div>"
            "</article><footer><p>Copyright</p></footer></body></html>")


def test_a_paragraph_added_where_trafilatura_reads_the_body_is_seen() -> None:
    # trafilatura reads the <article>; the kept paragraphs' smallest container is three
    # levels down. A paragraph added in the article's other box joins the body: the key
    # counts the paragraphs of the element trafilatura read (key version 3 missed this).
    parsed: list[Parsed] = []
    extract(_in_article(), "https://news.example/story", parsed=parsed)
    assert ("article", None, None) in [region[1:] for region in parsed[0].regions]
    first = check_capture(_in_article().encode(), "https://news.example/story", "utf-8",
                          "text/html")
    key = DecisionKey.loads(first.key)
    assert key is not None and key.region == 3
    added = _in_article(f"<p>{ADDED}</p>")
    assert ADDED in extract(added, "https://news.example/story").paragraphs
    assert not unchanged(added, key)
    # Chrome beside it still rotates freely: a new nav link, a new footer line.
    assert unchanged(_in_article().replace("Home</a>", "Home</a><a href='/x'>X</a>"), key)


def _teaser_first(extra: str = "", *, cards: int = 1, menu: str = "Home") -> str:
    """A teaser card, the page's first <article>, before the story's <div id="content">:
    trafilatura reads the card first (too little), then the story."""
    card = "<article class='card'><h3><a href='/other'>Another story</a></h3>{}</article>"
    return (f"<html><head><title>{HEADLINE}</title></head><body><nav><a href='/'>{menu}</a>"
            "</nav><div class='cols'><div class='left'><div class='rail'>" + card.format(extra)
            + card.format("") * (cards - 1) + "</div></div><div class='right'><div class='main'>"
            f"<div id='content'><h1>{HEADLINE}</h1>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
            + "</div></div></div></div><footer><p>Copyright</p></footer></body></html>")


def test_a_paragraph_added_where_trafilatura_read_first_is_seen() -> None:
    # trafilatura keeps what each element it reads gives: a paragraph added to the card
    # it read first joins the body, far from the container (key version 4 missed this,
    # found by inserting paragraphs at random places of the corpora's pages).
    parsed: list[Parsed] = []
    extract(_teaser_first(), "https://news.example/story", parsed=parsed)
    assert ("article", "card", None) in [region[1:] for region in parsed[0].regions]
    first = check_capture(_teaser_first().encode(), "https://news.example/story", "utf-8",
                          "text/html")
    key = DecisionKey.loads(first.key)
    assert key is not None and key.others == (
        (0, ("html.#", "body.#", "div.cols#", "div.left#", "div.rail#", "article.card#")),)
    added = _teaser_first(f"<p>{ADDED}</p>")
    assert ADDED in extract(added, "https://news.example/story").paragraphs
    assert not unchanged(added, key)
    assert unchanged(_teaser_first(menu="Start"), key)  # chrome elsewhere still rotates
    assert unchanged(_teaser_first(cards=3), key)  # more cards after it: it is still read


def test_the_first_of_several_cards_alike_is_the_one_covered() -> None:
    # trafilatura's expressions take the first card; the key finds it again by its place.
    cards = _teaser_first(cards=3)
    key = DecisionKey.loads(check_capture(cards.encode(), "https://news.example/story",
                                          "utf-8", "text/html").key)
    assert key is not None and [place for place, _ in key.others] == [0]
    first = cards.replace("Another story</a></h3>", f"Another story</a></h3><p>{ADDED}</p>", 1)
    assert ADDED in extract(first, "https://news.example/story").paragraphs
    assert not unchanged(first, key)
    gone = re.sub("<article class='card'>.*?</article>", "", cards)
    assert not unchanged(gone, key)  # no card where one was read: extracted in full


CONTACTS = ("<h2>Media contact</h2><p>Jane Roe, head of the council's press office, "
            "telephone 089 1234 567</p>")


def test_an_edit_of_a_line_the_body_was_cut_at_by_its_words_is_seen() -> None:
    # trafilatura reads the <article>; the body ends at the contacts' heading in its other
    # box (a press release's contacts are not the article). The heading is far from the
    # container: an edit of its words makes the contacts the body's (key version 5 counted
    # the paragraphs there, and missed it).
    first = check_capture(_in_article(CONTACTS).encode(), "https://news.example/story",
                          "utf-8", "text/html")
    key = DecisionKey.loads(first.key)
    assert key is not None and key.region == 3 and first.extraction is not None
    assert "Jane Roe" not in first.extraction.text
    edited = _in_article(CONTACTS.replace("Media contact", "Media contract"))
    assert "Jane Roe" in extract(edited, "https://news.example/story").text
    assert not unchanged(edited, key)
    # Its digits, and chrome beside it, are noise.
    assert unchanged(_in_article(CONTACTS.replace("1234 567", "7654 321")), key)


def test_an_empty_element_alike_before_the_one_read_is_passed_over_and_covered() -> None:
    # trafilatura prunes empty elements from its copy: with an empty card first, it reads
    # the second (vogelwarte.ch: an empty search box before the language menu, alike).
    page = _teaser_first(cards=2).replace("<article class='card'><h3><a href='/other'>"
                                          "Another story</a></h3></article>",
                                          "<article class='card'></article>", 1)
    key = DecisionKey.loads(check_capture(page.encode(), "https://news.example/story",
                                          "utf-8", "text/html").key)
    assert key is not None and [place for place, _ in key.others] == [0, 1]
    second = page.replace("Another story</a></h3>", f"Another story</a></h3><p>{ADDED}</p>", 1)
    assert ADDED in extract(second, "https://news.example/story").paragraphs
    assert not unchanged(second, key)
    # The empty one filled: trafilatura reads it first now.
    filled = page.replace("<article class='card'></article>",
                          f"<article class='card'><p>{ADDED}</p></article>", 1)
    assert ADDED in extract(filled, "https://news.example/story").paragraphs
    assert not unchanged(filled, key)


def test_an_edit_of_the_headline_s_heading_above_the_container_is_seen() -> None:
    # The story's headline is an <h2> above the container in the <article> trafilatura
    # reads, under a section's <h1>: both leave the body for being the headline and what
    # is above it. Edited, the <h2> is no longer the headline, and the <h1> stays as the
    # body's own heading (deutscheweine.de, found by a word sweep).
    page = _in_article().replace("<article>", f"<article><h1>Details</h1><h2>{HEADLINE}</h2>")
    first = check_capture(page.encode(), "https://news.example/story", "utf-8", "text/html")
    key = DecisionKey.loads(first.key)
    assert key is not None and key.region > 0 and first.extraction is not None
    assert "Details" not in first.extraction.paragraphs
    edited = page.replace(f"<h2>{HEADLINE}", f"<h2>{HEADLINE.replace('budget', 'tegdub')}")
    assert extract(edited, "https://news.example/story").paragraphs[0] == "Details"
    assert not unchanged(edited, key)
