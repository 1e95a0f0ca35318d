"""What the page's markup says the body holds, where trafilatura alone loses it:
paragraphs the page repeats, formulas written in MathML, captions a browser shows as text."""

from __future__ import annotations

import lxml.html

from tearsheet.extract import extract, markup
from tests.support.pages import LOREM
from tests.support.pages import html_paragraphs as _paragraphs
from tests.support.pages import story_page as _page

URL = "https://example.org/2024/05/a-story"
CHORUS = ("We shall not be moved, the marchers sang again and again as they crossed the "
          "bridge into the old town, their banners held high above the crowd.")


def test_a_paragraph_the_page_repeats_is_repeated_in_the_body() -> None:
    page = _page(_paragraphs(LOREM[0], CHORUS, CHORUS, LOREM[1], LOREM[2], LOREM[3]))
    assert extract(page, URL).paragraphs == [LOREM[0], CHORUS, CHORUS, *LOREM[1:]]


def test_copies_apart_in_one_container_are_all_kept() -> None:
    page = _page(_paragraphs(LOREM[0], CHORUS, CHORUS) + "<div class='share'><h3>Like this:"
                 "</h3><span>Like</span></div>" + _paragraphs(CHORUS, *LOREM[1:]))
    assert extract(page, URL).paragraphs.count(CHORUS) == 3


def test_a_hidden_copy_is_not_a_repeat() -> None:
    page = _page(_paragraphs(LOREM[0], CHORUS) + f"<p style='display: none'>{CHORUS}</p>"
                 f"<p hidden>{CHORUS}</p>" + _paragraphs(*LOREM[1:]))
    assert extract(page, URL).paragraphs == [LOREM[0], CHORUS, *LOREM[1:]]


def test_the_same_paragraph_in_another_container_is_not_a_repeat() -> None:
    # A teaser of the story's first paragraph beside it is the page's, not the body's.
    page = _page(_paragraphs(CHORUS, *LOREM)).replace(
        "<footer>", f"<footer><div class='teaser'><p>{CHORUS}</p></div>")
    assert extract(page, URL).paragraphs.count(CHORUS) == 1


MATHML = "http://www.w3.org/1998/Math/MathML"
INLINE = (f"<math xmlns='{MATHML}'><mi>a</mi><mo>≠</mo><mn>0</mn></math>")
DISPLAY = (f"<math xmlns='{MATHML}' display='block'><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo>"
           "<mi>b</mi></mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac></math>")


def test_mathml_formulas_are_read_as_their_symbols() -> None:
    # As MathJax renders them: a visual copy hidden from readers, the MathML beside it,
    # both in custom elements.
    def rendered(math: str) -> str:
        return (f"<mjx-container class='MathJax'><mjx-math aria-hidden='true'><mjx-c>"
                f"</mjx-c></mjx-math><mjx-assistive-mml>{math}</mjx-assistive-mml>"
                "</mjx-container>")
    page = _page(_paragraphs(LOREM[0]) + f"<p>When {rendered(INLINE)} the equation has two "
                 f"roots, the larger of which is</p>{rendered(DISPLAY)}"
                 + _paragraphs(*LOREM[1:]))
    assert extract(page, URL).paragraphs == [
        LOREM[0], "When a ≠ 0 the equation has two roots, the larger of which is",
        "x = − b 2 a", *LOREM[1:]]


def test_a_formula_with_a_tex_source_keeps_it() -> None:
    math = (f"<math xmlns='{MATHML}'><semantics><mi>x</mi><annotation "
            "encoding='application/x-tex'>x^2</annotation></semantics></math>")
    page = _page(_paragraphs(LOREM[0], f"The area grows as {math} does, the report says.",
                             *LOREM[1:]))
    assert r"The area grows as \(x^2\) does, the report says." in extract(page, URL).paragraphs


def test_text_divs_the_page_repeats_are_paragraphs_too() -> None:
    page = _page("".join(f"<div>{t}</div>" for t in (CHORUS, CHORUS)))
    assert extract(page, URL, check_captures=False).paragraphs == [CHORUS, CHORUS]


def test_a_table_cell_that_is_a_link_keeps_its_text() -> None:
    # Names linking to their pages, beside figures (an app store's, a league table's).
    rows = "".join(f"<tr><td><div><p><a href='/app/{n}'>{name}</a></p></div></td>"
                   f"<td><p>{size} MB</p></td></tr>"
                   for n, (name, size) in enumerate([("Maps", 32), ("Notes", 17), ("Books", 52)]))
    page = _page(_paragraphs(*LOREM[:2]) + f"<table><tr><th>App</th><th>Size</th></tr>{rows}"
                 "</table>" + _paragraphs(*LOREM[2:]))
    assert extract(page, URL).paragraphs == [
        *LOREM[:2], "App Size", "Maps 32 MB", "Notes 17 MB", "Books 52 MB", *LOREM[2:]]


def test_a_nested_list_is_read_once() -> None:
    page = _page(_paragraphs(*LOREM[:2]) + "<ul><li>DevTools are now ready for the new process "
                 "model, the team said on Monday.<ul><li>Nightly users can help by testing it "
                 "and filing bugs.</li></ul></li><li>Printing page ranges is supported "
                 "from this release on.</li></ul>" + _paragraphs(*LOREM[2:]))
    assert extract(page, URL).paragraphs == [
        *LOREM[:2], "DevTools are now ready for the new process model, the team said on Monday.",
        "Nightly users can help by testing it and filing bugs.",
        "Printing page ranges is supported from this release on.", *LOREM[2:]]


def test_a_paragraph_held_in_a_jump_target_is_no_link() -> None:
    # <a name> (or an <a id>) without href marks a place to jump to, as a transcript's
    # questions are marked: the paragraph is the article's, not a link line.
    question = "<p><a name='q1'>One of the questions asked most: what does the mayor say?</a></p>"
    page = _page(_paragraphs(*LOREM[:2]) + question + _paragraphs(*LOREM[2:]))
    assert extract(page, URL).paragraphs == [
        *LOREM[:2], "One of the questions asked most: what does the mayor say?", *LOREM[2:]]
    linked = question.replace("name='q1'", "href='/q1'")
    page = _page(_paragraphs(*LOREM[:2]) + linked + _paragraphs(*LOREM[2:]))
    assert extract(page, URL).paragraphs == LOREM


TWEET = ("The bridge is finally open and the first bus just crossed it, twenty years after "
         "the council first voted for it.")


def _tweet(wrapper: str) -> str:
    post = (f'<blockquote class="twitter-tweet"><p lang="en">{TWEET}</p>'
            f'— A. Reporter (@areporter) <a href="https://twitter.com/x/status/1">May 5, '
            f'2024</a></blockquote><script async src="https://platform.twitter.com/'
            f'widgets.js"></script>')
    return wrapper.format(post=post)


def test_an_embedded_post_in_a_cms_wrapper_is_kept_where_the_article_quotes_it() -> None:
    for wrapper in ('<figure class="wp-block-embed is-provider-twitter"><div class='
                    '"wp-block-embed__wrapper">{post}</div></figure>',
                    '<div class="social-media-embed">{post}</div>'):
        page = _page(_paragraphs(*LOREM[:2]) + _tweet(wrapper) + _paragraphs(*LOREM[2:]))
        paragraphs = extract(page, URL).paragraphs
        quoted = [n for n, p in enumerate(paragraphs) if "first bus just crossed" in p]
        assert quoted == [2], wrapper  # between the paragraphs around it


def test_a_wrapper_holding_more_than_the_post_is_left_to_judge() -> None:
    # A sidebar of posts beside a "follow us" box is furniture, not a quote.
    sidebar = '<div class="social-sidebar"><p>Follow us on every network!</p>{post}</div>'
    page = _page(_paragraphs(*LOREM)).replace("<footer>", "<footer>" + _tweet(sidebar))
    assert "first bus just crossed" not in extract(page, URL).text


def test_what_the_page_hides_from_its_readers_is_not_the_body() -> None:
    # The hidden attribute (a pop-up's text), and an inline span kept from screen readers
    # (Readability's own test: a decoration glued to the paragraph's first word).
    popup = "Subscribe to bookmark this article and read it later on any device you own."
    page = _page(_paragraphs(LOREM[0]) + f"<div hidden><p>{popup}</p></div>"
                 f"<p><span aria-hidden='true'>**WRONG**</span>{CHORUS}</p>"
                 + _paragraphs(*LOREM[1:]))
    assert extract(page, URL).paragraphs == [LOREM[0], CHORUS, *LOREM[1:]]


def test_a_section_hidden_until_found_is_the_articles() -> None:
    # hidden="until-found": collapsed, and opened by the browser's find.
    page = _page(_paragraphs(LOREM[0]) + f"<section hidden='until-found'><p>{CHORUS}</p>"
                 "</section>" + _paragraphs(*LOREM[1:]))
    assert CHORUS in extract(page, URL).paragraphs


def test_an_article_the_page_hides_whole_is_still_read() -> None:
    # A page that reveals its article by script, or marks it aria-hidden while a dialog
    # is open: what is hidden is most of the page, so it stays.
    for hiding in ("hidden", "aria-hidden='true'"):
        page = _page(f"<div {hiding}>" + _paragraphs(*LOREM) + "</div>")
        assert extract(page, URL).paragraphs == list(LOREM), hiding


def test_a_sentence_in_a_link_that_goes_nowhere_is_text() -> None:
    # An annotated story: a javascript: link opens a note on the sentence itself. A link
    # line to another page ("Read more") is still furniture, and so is a control's label.
    quote = "\"Mr. Nippers,\" said I, \"I'd prefer that you would withdraw for the present.\""
    page = _page(_paragraphs(LOREM[0]) + f"<p><a href='javascript:void(0);'>{quote}</a></p>"
                 "<p><a href='#'>Kommentieren</a></p>"
                 "<p><a href='/2024/05/another-story'>Council rejects the bridge plan after "
                 "a long night of debate</a></p>" + _paragraphs(*LOREM[1:]))
    assert extract(page, URL).paragraphs == [LOREM[0], quote, *LOREM[1:]]


def test_hidden_text_is_counted_once_however_nested() -> None:
    from tearsheet.extract import markup
    from tearsheet.extract.extraction import parse_page

    tree = parse_page("<html><body><div hidden>outer <span aria-hidden='true'>inner</span>"
                      "</div><p>" + " ".join(LOREM) + "</p></body></html>")
    assert markup.hidden_elements(tree, 10_000) == len("outer inner")


def test_captions_outside_a_table_are_read_as_a_browser_shows_them() -> None:
    # A slideshow whose slides' text is in a <caption> inside a paragraph: a browser
    # ignores the tag and shows the text; libxml2 keeps the element, which no reading
    # takes for text, and the page was refused as a gallery without text.
    slides = "".join(
        f"<section class='slides'><img src='/{n}.jpg' alt='Slide {n}'><h2>Slide {n}</h2>"
        f"<p class='s_des'><caption>{text}<br><br><em>Image credit: Apple</em></caption></p>"
        "</section>" for n, text in enumerate(LOREM))
    page = ("<html><head><title>The phone, slide by slide</title></head><body><nav>"
            "<a href='/'>Home</a></nav><div class='slideshow'><h1>The phone, slide by "
            f"slide</h1>{slides}</div><footer>About us</footer></body></html>")
    found = extract(page, URL)
    # Each slide's text a paragraph of its own, not the page's text run together.
    assert set(LOREM) <= set(found.paragraphs) and "Home" not in found.text
    # A table's own caption is the table's.
    tree = lxml.html.document_fromstring(
        "<html><body><p><caption>Stray</caption></p><table><caption>Votes by ward</caption>"
        "<tr><td>North</td><td>12</td></tr></table></body></html>")
    markup.stray_captions(tree)
    assert [(e.tag, e.text) for e in tree.iter("p", "caption")] == [
        ("p", None), ("p", "Stray"), ("caption", "Votes by ward")]


def test_text_written_straight_into_the_body_is_read_as_paragraphs() -> None:
    # No markup around the words: a browser shows them; the readings read elements only.
    tree = lxml.html.document_fromstring(
        "<html><body>One <b>bold</b> line<br>and more<div>A block.</div> After it "
        "<a href='/x'>a link</a>.<p>A paragraph.</p><a href='/'>Home</a></body></html>")
    markup.bare_text(tree)
    body = tree.find("body")
    assert [lxml.html.tostring(child, encoding="unicode", with_tail=True)
            for child in body] == [
        "<p>One <b>bold</b> line<br>and more</p>", "<div>A block.</div>",
        '<p> After it <a href="/x">a link</a>.</p>', "<p>A paragraph.</p>",
        '<a href="/">Home</a>']  # links alone, a menu: left as they are
    page = ("<html><head><title>Notes</title></head><body>" + "<br>".join(LOREM)
            + "</body></html>")
    assert extract(page, URL).paragraphs == LOREM


def test_a_page_written_in_paragraphs_is_left_as_it_is() -> None:
    html = "<html><body><p>One.</p><div><p>Two.</p></div></body></html>"
    tree = lxml.html.document_fromstring(html)
    markup.bare_text(tree)
    assert lxml.html.tostring(tree, encoding="unicode") == html


def test_a_link_to_no_page_around_paragraphs_is_unwrapped() -> None:
    # A slide or toggle a script drives: a browser shows its paragraphs, and the text
    # between them, as the page's; a reading took the link's blocks for a teaser's.
    page = ("<html><head><title>Notes</title></head><body><a href='javascript:'>"
            "<p>One line.</p><p>Another line.</p>And a third.</a></body></html>")
    assert extract(page, URL).paragraphs == ["One line.", "Another line.", "And a third."]
    tree = lxml.html.document_fromstring(
        "<html><body><a href='#'><div>Shown</div></a><a href='/story'><p>Teaser</p></a>"
        "<a><p>No address: broken markup, left</p></a><p>A <a href='#'>toggle</a>.</p>"
        "</body></html>")
    markup.control_links(tree)
    assert [a.get("href") for a in tree.iter("a")] == ["/story", None, "#"]
    assert tree.find(".//div").getparent().tag == "body"
