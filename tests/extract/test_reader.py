"""trafilatura's reading as tearsheet runs it: the body element, whether it fell back on
loose paragraphs, the elements it read from, and its module globals restored after."""

from __future__ import annotations

import threading

import trafilatura.core
import trafilatura.main_extractor

from tearsheet.extract.extraction import extract, parse_page
from tearsheet.extract.reader import read
from tests.support.pages import LOREM

PAGE = ("<html><head><title>T</title></head><body><nav><a href='/'>Home</a></nav>"
        "<article><div class='text'>" + "".join(f"<p>{p}</p>" for p in LOREM)
        + "</div></article></body></html>")
LOOSE = ("<html><head><title>T</title></head><body><table><tr><td>"
         + "".join(f"<p>{p}</p>" for p in LOREM) + "</td></tr></table></body></html>")


# A list-style story whose items say whether they hold a caption: the first, "no_caption",
# holds the opening sentence in an <h2> above its picture; a real caption box goes.
OPENING = ("The mother of a woman who took pills bought online has described how her "
           "daughter was burning up from within moments before her death.")
CAPTIONLESS = ("<html><head><title>T</title></head><body><article><div class='story'>"
               f"<div class='list-item list-item-image no_caption'><h2>{OPENING}</h2>"
               "<img src='a.jpg'></div><div class='list-item list-item-text'>"
               + "".join(f"<p>{p}</p>" for p in LOREM)
               + "</div><div class='image-caption'>Photo: West Mercia Police</div>"
               "</div></article></body></html>")


def test_a_body_in_an_article_is_read_from_it() -> None:
    found = read(parse_page(PAGE))
    assert found.body is not None and not found.recovered
    assert "".join(found.body.itertext()).count(LOREM[0]) == 1
    assert ("article", None, None) in [region[1:] for region in found.regions]


def test_a_body_without_a_container_is_read_from_loose_paragraphs() -> None:
    found = read(parse_page(LOOSE))
    assert found.recovered
    assert found.body is not None and LOREM[-1] in "".join(found.body.itertext())


def test_trafilatura_is_left_as_it_was_after_each_reading() -> None:
    core, main = trafilatura.core, trafilatura.main_extractor
    before = (core.ESCALATION_MAX_LENGTH, core.load_html, main.recover_wild_text,
              main.BODY_XPATH, main.DISCARD_IMAGE_ELEMENTS)
    for page in (PAGE, LOOSE, CAPTIONLESS):
        read(parse_page(page))
    assert (core.ESCALATION_MAX_LENGTH, core.load_html, main.recover_wild_text,
            main.BODY_XPATH, main.DISCARD_IMAGE_ELEMENTS) == before


def test_readings_on_several_threads_do_not_mix() -> None:
    results: dict[int, bool] = {}

    def run(n: int) -> None:
        results[n] = read(parse_page(LOOSE if n % 2 else PAGE)).recovered

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: bool(n % 2) for n in range(8)}


# A header whose menu nests one <aside> in another, then an article with a related-story
# inset and a table in a <figure> (trafilatura keeps a figure holding a table).
NESTED = ("<html><head><title>T</title></head><body><header><aside class='menu'>"
          "<aside class='promo'><a href='/'>Subscribe</a></aside></aside></header>"
          "<article><div class='text'>" + f"<p>{LOREM[0]}</p>"
          + "<aside class='inset'><h6>The related story everyone reads today</h6>"
          "<p>A teaser of another story, set inside this one.</p></aside>"
          + "".join(f"<p>{p}</p>" for p in LOREM[1:])
          + "<figure><figure><table><tr><td>Gmail</td><td>17.8 MB</td></tr></table>"
          "</figure></figure></div></article></body></html>")


def test_an_aside_after_a_nested_one_is_cleaned_as_trafilatura_means() -> None:
    # trafilatura deletes <aside>s while iterating over them; lxml's iterator has the next
    # one already, and when that one is inside the aside deleted, the iteration ends
    # there: the inset would stay in the body.
    found = read(parse_page(NESTED))
    assert found.body is not None
    text = " ".join("".join(found.body.itertext()).split())
    assert LOREM[0] in text and LOREM[-1] in text
    assert "related story" not in text and "teaser" not in text
    assert "17.8 MB" in text  # the table's figures, nested or not, are kept


def test_the_inset_leaves_the_extracted_body() -> None:
    paragraphs = extract(NESTED, "https://news.example.org/a").paragraphs
    assert not any("teaser" in p or "related story" in p for p in paragraphs)


def test_a_block_that_says_it_holds_no_caption_is_not_taken_for_one() -> None:
    found = read(parse_page(CAPTIONLESS))
    assert found.body is not None
    text = " ".join("".join(found.body.itertext()).split())
    assert OPENING in text and LOREM[0] in text
    assert "West Mercia" not in text  # a caption box is still one
