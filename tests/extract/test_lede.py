"""The lede the body extractor drops, found again by the page's own description."""

from __future__ import annotations

from html import escape

from tearsheet.extract import extract, lede, parse_page
from tests.support.pages import LOREM

LEDE = ("Three people died on Tuesday in clashes near a fuel plant outside the capital, "
        "the public defender's office said, as protests against the interim government "
        "entered their second week.")
# Long enough for trafilatura to take the text container alone as the body.
BODY = [*LOREM, *(p.replace("council", "committee") for p in LOREM),
        "Residents said the queues at petrol stations had grown longer every day since the "
        "blockade began, and that several shops had closed early."]


def _page(article: str, *, description: str = LEDE, rail: str = "") -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in BODY)
    return f"""<!doctype html><html lang="en"><head><title>Clashes at the fuel plant</title>
<meta property="og:description" content="{escape(description)}">
<meta property="og:title" content="Clashes at the fuel plant"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<main><div class="columns"><div class="article">
<h1 class="article__heading">Clashes at the fuel plant</h1>
<div class="article__date">20 Nov, 2019 05:47</div>
{article.replace("PARAGRAPHS", paragraphs)}
</div>{rail}</div></main>
<footer><p>© 2019 The Daily Example. All rights reserved.</p></footer></body></html>"""


SUMMARY_DIV = (f'<div class="article__summary summary">{escape(LEDE)}</div>'
               '<div class="article__cover"><img src="/cover.jpg" alt=""></div>'
               '<div class="article__text text">PARAGRAPHS</div>')


def test_a_lede_set_apart_in_a_summary_block_is_the_body_s_first_paragraph() -> None:
    found = extract(_page(SUMMARY_DIV), "https://example.com/news/clashes")
    assert found.paragraphs == [LEDE, *BODY]


def test_a_description_cut_short_still_names_the_lede() -> None:
    cut = LEDE[:120].rsplit(" ", 1)[0] + "..."
    found = extract(_page(SUMMARY_DIV, description=cut), "https://example.com/news/clashes")
    assert found.paragraphs == [LEDE, *BODY]


def test_a_description_an_editor_retouched_still_names_the_lede() -> None:
    # A word added, the last clause cut: the paragraph is still the one it describes.
    retouched = ("Three people died on Tuesday in violent clashes near a fuel plant outside "
                 "the capital, the public defender's office said.")
    found = extract(_page(SUMMARY_DIV, description=retouched), "https://example.com/news/c")
    assert found.paragraphs == [LEDE, *BODY]
    other = "Three people died on Tuesday, officials said; the capital was calm overnight."
    found = extract(_page(SUMMARY_DIV, description=other), "https://example.com/news/c")
    assert found.paragraphs == BODY


def test_a_lede_in_bare_text_before_a_line_break_is_found_and_placed() -> None:
    bare = (f'<div class="content">{escape(LEDE)}<br> <br><img src="/a.jpg" alt="">'
            + "".join(f"<br><br>{escape(p)}" for p in BODY) + "</div>")
    found = lede.find(parse_page(_page(bare)), LEDE[:100] + "…")
    assert [f.text for f in found] == [LEDE]
    # It goes before the body's block that follows it, unless the body holds it already.
    assert lede.place(found, ["Clashes at the fuel plant", *BODY]) == (1, found[0])
    assert lede.place(found, [LEDE, *BODY]) is None


def test_the_description_quoted_in_a_rail_teaser_is_not_taken_for_the_lede() -> None:
    rail = (f'<aside class="rail"><div class="teaser"><h3><a href="/other">Other story</a>'
            f'</h3><div class="teaser__text">{escape(LEDE)}</div></div>'
            '<div class="teaser"><h3><a href="/more">More news</a></h3>'
            '<div class="teaser__text">Nothing of note happened anywhere today at all, '
            'officials said on Wednesday.</div></div></aside>')
    article = '<div class="article__text text">PARAGRAPHS</div>'
    found = extract(_page(article, rail=rail), "https://example.com/news/clashes")
    assert found.paragraphs == BODY


TWO_SENTENCES = LEDE + " Police said two more people were injured overnight."


def _set_apart(summary: str) -> str:
    """A summary in the article's header, a date line and a picture between it and the
    body's container: further from the body than a lede beside it."""
    return _page(f'''<header class="entry-header"><div class="entry-excerpt"><p>{escape(summary)}
</p></div><div class="entry-meta">20.11.2019 um 05:47 Uhr - Ana Ruiz - 91 Kommentare
</div></header><figure><img src="/cover.jpg" alt=""><figcaption>The plant on Monday.
</figcaption></figure><div class="entry-content">PARAGRAPHS</div>''', description=summary)


def test_a_lede_of_two_sentences_set_apart_in_the_header_is_the_body_s_first() -> None:
    found = extract(_set_apart(TWO_SENTENCES), "https://example.com/news/clashes")
    assert found.paragraphs == [TWO_SENTENCES, *BODY]


def test_a_one_sentence_summary_set_apart_in_the_header_is_a_standfirst_not_the_lede() -> None:
    # A dek under the headline: corpora that leave standfirsts out of the body leave it out.
    found = extract(_set_apart(LEDE), "https://example.com/news/clashes")
    assert found.paragraphs == BODY
