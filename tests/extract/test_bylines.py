"""Bylines: people, not publishers; several kept apart; no "By", no dates; CDATA JSON-LD."""

from __future__ import annotations

import pytest

from tearsheet.extract import extract

TEXT = "".join(f"<p>Paragraph {n}: the council voted on Tuesday to rebuild the old bridge, "
               f"and the work will start next spring after a year of hearings.</p>"
               for n in range(6))


def _page(head: str = "", byline: str = "") -> str:
    return (f"<html><head><title>Bridge vote</title>{head}</head><body><article>"
            f"<h1>Bridge vote</h1>{byline}{TEXT}</article></body></html>")


def test_json_ld_in_cdata_names_the_authors_and_the_date() -> None:
    ld = ('<script type="application/ld+json">//<![CDATA[\n{"@type": "NewsArticle", '
          '"headline": "Bridge vote", "datePublished": "2024-05-01T23:30:00-05:00", '
          '"author": [{"@type": "Person", "name": "Ana Ruiz"}, '
          '{"@type": "Person", "name": "Bo Li"}]}\n//]]></script>')
    found = extract(_page(ld), "https://news.example.org/a")
    assert found.byline == "Ana Ruiz, Bo Li"
    assert found.published_at is not None and found.published_at.day == 1  # not moved


def test_the_publisher_is_not_an_author() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge '
          'vote", "author": {"@type": "Organization", "name": "Example News"}, '
          '"publisher": {"@type": "Organization", "name": "Example News"}}</script>')
    byline = '<div class="author-name">By Ana Ruiz</div>'
    assert extract(_page(ld, byline), "https://news.example.org/a").byline == "Ana Ruiz"
    site = '<meta property="og:site_name" content="Example News">' \
           '<meta name="author" content="Example News">'
    assert extract(_page(site, byline), "https://news.example.org/a").byline == "Ana Ruiz"


def test_a_visible_byline_without_markup_is_found_without_by() -> None:
    byline = '<p class="byline">Written by Ana Ruiz and Bo Li</p>'
    assert extract(_page("", byline), "https://news.example.org/a").byline == "Ana Ruiz, Bo Li"


@pytest.mark.parametrize(("byline", "expected"), [
    ('<p class="byline">By Ana Ruiz, May 1, 2024</p>', "Ana Ruiz"),
    ('<p class="byline">Von Ana Ruiz | 01.05.2024, 18:30 Uhr</p>', "Ana Ruiz"),
    ('<div class="byline">By Ana Ruiz and Bo Li Updated 3 hours ago</div>', "Ana Ruiz, Bo Li"),
    ('<div class="byline">By Ana Ruiz Published on May 3, 2024</div>', "Ana Ruiz"),
    ('<div class="byline">Ana Ruiz · 5 min read</div>', "Ana Ruiz"),
    ('<div class="byline">Christian Thiele, 07 Dezember, 2022</div>', "Christian Thiele"),
    # Names that look like a date's words stay, and so does a handle's number.
    ('<div class="byline">By Marc Stand and March Smith</div>', "Marc Stand, March Smith"),
    ('<div class="byline">Von Jan Müller und Mai Thi Nguyen</div>', "Jan Müller, Mai Thi Nguyen"),
    ('<div class="byline">freeman1984</div>', "freeman1984"),
    # An avatar's initials are no name: the visible byline is read instead.
    ('<div class="byline"><div class="avatar-text">J J</div></div>'
     '<div class="author-name">By Ana Ruiz</div>', "Ana Ruiz"),
])
def test_a_date_or_reading_time_after_the_names_is_no_author(byline: str, expected: str) -> None:
    assert extract(_page("", byline), "https://news.example.org/a").byline == expected


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ('<span class="author-name">Ana Ruiz</span>', "Ana Ruiz"),
        # In what trafilatura's prune removes (a sidebar): passed over for the next one.
        ('<div class="sidebar"><span class="author">Bo Li</span></div>'
         '<p class="byline">Ana Ruiz</p>', "Ana Ruiz"),
        ('<figure><span class="author">Photo: Bo Li</span></figure>', None),
        # Text the prune cuts (a date inside the byline): trafilatura's own reading.
        ('<div class="author">Ana Ruiz <time>1 May 2024, a date long enough to make the '
         'byline longer than any name would be, and longer still</time></div>', "Ana Ruiz"),
        ('<span class="author">' + "A very long byline " * 8 + '</span>'
         '<span class="writer">Ana Ruiz</span>', "Ana Ruiz"),
        ("", None),
    ],
)
def test_the_visible_byline_is_trafilaturas_without_its_copy(
    byline: str, expected: str | None,
) -> None:
    """The byline read in place (no copy of the page, no prune) is the one trafilatura's
    extract_author finds, on each path: kept, inside a pruned element, cut by the prune."""
    from trafilatura.metadata import extract_author

    from tearsheet.extract.extraction import parse_page
    from tearsheet.extract.metadata import _UNDECIDED, _byline_in_place, _visible_byline

    tree = parse_page(_page(byline=byline))
    assert extract_author(parse_page(_page(byline=byline))) == expected
    assert _visible_byline(tree) == ([expected] if expected else [])
    cut = "<time>" in byline
    assert (_byline_in_place(tree) is _UNDECIDED) == cut


def test_a_json_ld_author_given_by_reference_is_the_person_it_names() -> None:
    """Yoast and others write ``"author": {"@id": …}`` and the Person in another node."""
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
          '{"@type": "Article", "headline": "Bridge vote", "author": {"@id": '
          '"https://news.example.org/#/schema/person/1"}}, {"@type": "Person", "@id": '
          '"https://news.example.org/#/schema/person/1", "name": "Ana Ruiz"}]}</script>')
    byline = '<a rel="author" href="/other">Someone Else</a>'
    assert extract(_page(ld, byline), "https://news.example.org/a").byline == "Ana Ruiz"


@pytest.mark.parametrize(("head", "expected"), [
    # A meta that names only the site gives way to the next that names a person.
    ('<meta property="og:site_name" content="Example News">'
     '<meta name="author" content="Example News">'
     '<meta property="cXenseParse:author" content="Ana Ruiz">', "Ana Ruiz"),
    ('<meta name="citation_author" content="Ana Ruiz">', "Ana Ruiz"),
    # Dublin Core's creator before a theme's "author" meta.
    ('<meta name="author" content="Theme Default"><meta property="dc:creator" '
     'content="Ana Ruiz">', "Ana Ruiz"),
    # Yoast's "Written by" label and its value; another label's value is no author.
    ('<meta name="twitter:label1" content="Verfasst von">'
     '<meta name="twitter:data1" content="Ana Ruiz">', "Ana Ruiz"),
    ('<meta name="twitter:label1" content="Est. reading time">'
     '<meta name="twitter:data1" content="4 minutes">', None),
    # A copyright line is no author.
    ('<meta name="dcterms.creator" content="Copyright Example GmbH - all rights reserved">',
     None),
])
def test_author_metas(head: str, expected: str | None) -> None:
    assert extract(_page(head), "https://news.example.org/a").byline == expected


@pytest.mark.parametrize(("head", "byline", "expected"), [
    # A widget's or a form's label is passed over for the byline after it.
    ("", '<span class="meta-author">Posted</span> <span class="author">Ana Ruiz</span>',
     "Ana Ruiz"),
    ("", '<div class="author-info"><a class="author-follow">Follow</a></div>', None),
    ("", '<p class="comment-form-author">Name (required)</p>', None),
    # A social handle is no name: the next source names the person.
    ('<meta property="article:author" content="@ExampleNews">',
     '<div class="byline">By Ana Ruiz</div>', "Ana Ruiz"),
])
def test_labels_and_handles_are_no_authors(head: str, byline: str,
                                           expected: str | None) -> None:
    assert extract(_page(head, byline), "https://news.example.org/a").byline == expected


@pytest.mark.parametrize(("byline", "expected"), [
    ('<span class="pb-byline">By Ana Ruiz</span>', "Ana Ruiz"),
    ('<div class="article_byline">Von Ana Ruiz</div>', "Ana Ruiz"),
    # the label's colon is dropped by trafilatura's normaliser: the label still goes
    ('<p class="author"> Author: Ana Ruiz (eg) </p>', "Ana Ruiz"),
    ('<p class="author">Auteur : Ana Ruiz</p>', "Ana Ruiz"),
])
def test_a_prefixed_byline_class_is_a_byline(byline: str, expected: str) -> None:
    assert extract(_page("", byline), "https://news.example.org/a").byline == expected


def test_escaped_entities_in_an_author_meta_are_read_before_the_split() -> None:
    head = '<meta name="author" content="Redacci&amp;oacute;n Diario Example">'
    assert extract(_page(head), "https://news.example.org/a").byline == \
        "Redacción Diario Example"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        # A credit line without any author markup: by-word or label, then names, then a date.
        ("<p><em>By Ana Ruiz</em></p>", "Ana Ruiz"),
        ("<p>Von Jan Müller, Eva Roth und Bo Li, NDR</p>", "Jan Müller, Eva Roth, Bo Li, NDR"),
        ("<div>Ein Artikel von <b>Ana Ruiz</b> | 27.01.2024 - 12:45</div>", "Ana Ruiz"),
        ("<div>Posted on May 1, 2024 by Ana Ruiz</div>", "Ana Ruiz"),
        ("<div>01.05.2024 - Redaktion: Ana Ruiz (Sprecherin)</div>", "Ana Ruiz"),
        ('<span>Par&nbsp;<a href="/a/ana">Ana Ruiz</a></span> <span>le 7 mai 2024</span>',
         "Ana Ruiz"),
        ("<p>Text von Ursula von der Leyen</p>", "Ursula von der Leyen"),
        # A lone by-word or label: its names are on the next line (or in the next element).
        ("<p><b>Von:</b><br><br>Ana Ruiz</p>", "Ana Ruiz"),
        ("<div><h5>Autor:</h5>Ana Ruiz/SP-X</div>", "Ana Ruiz"),
        ('<div><span>By</span><span><a href="/staff/ana">Ana Ruiz</a></span></div>', "Ana Ruiz"),
        # Lines that start like a credit but name no one.
        ("<p>Von Montag bis Freitag</p>", None),
        ("<p>By clicking Submit you agree</p>", None),
        ("<p>Von Hamburg</p>", None),
        ("<h2>Die Haus der Kunst Ausstellung</h2><p>Partner Seiten</p>", None),
        ("<nav>By Ana Ruiz</nav>", None),
        ("<p>By " + "Ana Ruiz and " * 20 + "Bo Li</p>", None),
    ],
)
def test_a_credit_line_names_the_authors_where_nothing_marks_them(
    byline: str, expected: str | None,
) -> None:
    assert extract(_page("", byline), "https://news.example.org/a").byline == expected


def test_marked_authors_come_before_a_credit_line() -> None:
    head = '<meta name="author" content="Bo Li">'
    assert extract(_page(head, "<p>By Ana Ruiz</p>"), "https://news.example.org/a").byline \
        == "Bo Li"


def test_the_first_credit_line_is_the_articles() -> None:
    """The article's credit comes before its comments'."""
    from tearsheet.extract.bylines import credit_line
    from tearsheet.extract.extraction import parse_page

    page = _page("", "<p>By Ana Ruiz</p>").replace(
        "</article>", "</article><section><p>By Bo Li</p><p>Great piece.</p></section>")
    assert credit_line(parse_page(page)) == "Ana Ruiz"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # An organisation in the author field gives way to the person the page credits.
        ('<meta name="author" content="Bund der Leser e.V.">', "Ana Ruiz"),
        ('<meta name="author" content="Example Media GmbH">', "Ana Ruiz"),
        ('<meta name="author" content="Magazin für Stadt und Land">', "Ana Ruiz"),
        # The site's name, "&" and all, is not split into two "authors".
        ('<meta property="og:site_name" content="Nuts &amp; Bolts">'
         '<meta name="author" content="Nuts &amp; Bolts">', "Ana Ruiz"),
        # People stay: particles, a user name in lower case.
        ('<meta name="author" content="Ursula von der Leyen">', "Ursula von der Leyen"),
        ('<meta name="author" content="María de los Ángeles">', "María de los Ángeles"),
        ('<meta name="author" content="uriebe">', "uriebe"),
    ],
)
def test_an_organisation_named_as_author_gives_way(head: str, expected: str) -> None:
    page = _page(head, "<p>Von Ana Ruiz</p>")
    assert extract(page, "https://news.example.org/a").byline == expected


def test_a_comments_header_is_no_byline() -> None:
    """WordPress's "Ana Ruiz says:" above a comment, in a class trafilatura reads."""
    comments = ('<div class="comment-author"><cite>Bo Li</cite> says</div>'
                '<p>Great piece, thank you.</p>')
    page = _page("", "<p>By Ana Ruiz</p>").replace("</article>", f"</article>{comments}")
    assert extract(page, "https://news.example.org/a").byline == "Ana Ruiz"


@pytest.mark.parametrize("site", ["Nuts &amp; Bolts", "Ana Ruiz"])
def test_the_site_is_the_byline_where_no_one_else_is_named(site: str) -> None:
    """A magazine that credits itself, or a personal blog named after its author."""
    head = (f'<meta property="og:site_name" content="{site}">'
            f'<meta name="author" content="{site}">')
    assert extract(_page(head), "https://news.example.org/a").byline \
        == site.replace("&amp;", "&")


def test_metas_that_list_the_json_ld_author_and_more_name_them_all() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge '
          'vote", "author": {"@type": "Person", "name": "Ana Ruiz"}}</script>')
    both = ld + '<meta name="author" content="Ana Ruiz, Bo Li">'
    assert extract(_page(both), "https://news.example.org/a").byline == "Ana Ruiz, Bo Li"
    initials = ld + '<meta name="author" content="Ana Ruiz, AR">'  # initials: no second name
    assert extract(_page(initials), "https://news.example.org/a").byline == "Ana Ruiz"
    other = ld + '<meta name="author" content="Bo Li, Cy Twombly">'  # not a longer list of hers
    assert extract(_page(other), "https://news.example.org/a").byline == "Ana Ruiz"


def test_a_first_name_alone_is_completed_by_the_credit_line() -> None:
    head = '<meta name="author" content="Ana">'
    assert extract(_page(head, "<p>By Ana Ruiz</p>"), "https://news.example.org/a").byline \
        == "Ana Ruiz"
    assert extract(_page(head, "<p>By Bo Li</p>"), "https://news.example.org/a").byline \
        == "Ana"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ('<p><a href="/autoren/ana-ruiz/">Ana Ruiz</a>, 21. Jan. 2015</p>', "Ana Ruiz"),
        ('<li><a href="https://news.example.org/staff/ana-ruiz">Ana Ruiz</a></li>', "Ana Ruiz"),
        ('<p><a href="/autoren/">Unsere Autoren</a></p>', None),  # the index, no author's
        ('<p><a href="/author/ana-ruiz/">Alle Artikel</a></p>', None),  # no name
    ],
)
def test_a_link_to_an_authors_page_names_the_author(byline: str, expected: str | None) -> None:
    assert extract(_page("", byline), "https://news.example.org/a").byline == expected


def test_a_title_in_an_author_class_is_no_byline() -> None:
    byline = '<div class="author">Eine Interpretation des Multiplikators</div>'
    assert extract(_page("", byline), "https://news.example.org/a").byline is None
