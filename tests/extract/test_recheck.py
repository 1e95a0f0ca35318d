"""Decision keys: the same article in new chrome matches; any edit, a moved or doubled
container, a cut-off page or a key of another version does not (extract in full)."""

from __future__ import annotations

import unicodedata

import pytest
from lxml import etree

from tearsheet.extract import check_capture, extract
from tearsheet.extract.extraction import Parsed
from tearsheet.extract.fast_path import recheck
from tearsheet.extract.page_scans import CORRECTIONS
from tearsheet.extract.recheck import (
    _PARSER,
    KEY_VERSION,
    DecisionKey,
    decision_key,
    parse,
    unchanged,
)
from tearsheet.extract.tree_scans import byline_candidates, metadata_sources
from tests.support.pages import KEYED_HEADLINE as HEADLINE
from tests.support.pages import KEYED_STORY as PARAGRAPHS
from tests.support.pages import article_page


def page(paragraphs: list[str] = PARAGRAPHS, *, headline: str = HEADLINE,
         byline: str = "Jane Doe", noise: int = 0, **options: object) -> str:
    return article_page(headline, paragraphs, byline=byline, noise=noise, **options)


def key_of(html: str) -> DecisionKey:
    parsed: list[Parsed] = []
    extraction = extract(html, "https://news.example/story", parsed=parsed)
    key = decision_key(html, extraction.paragraphs, title=extraction.title,
                       byline=extraction.byline, byline_from=extraction.byline_from,
                       body_from=extraction.body_from, regions=parsed[0].regions,
                       most_visible=parsed[0].most_visible)
    assert key is not None
    return key


def test_the_same_article_in_new_chrome_matches() -> None:
    key = key_of(page(noise=1))
    assert all(unchanged(page(noise=n), key) for n in range(2, 12))
    assert DecisionKey.loads(key.dumps()) == key


@pytest.mark.parametrize("edit", [
    lambda: page([*PARAGRAPHS[:4], PARAGRAPHS[4].replace("council", "committee"),
                  *PARAGRAPHS[5:]], noise=2),
    lambda: page(PARAGRAPHS[:-1], noise=2),
    lambda: page([*PARAGRAPHS, "A new closing paragraph was added to the story."], noise=2),
    lambda: page(headline=HEADLINE + " after a long debate", noise=2),
    lambda: page(byline="John Roe", noise=2),
    lambda: page(published="2026-11-21T08:00:00Z", noise=2),
    lambda: page(noise=2).replace("</article>", "<p class=\"correction\">Correction: an "
                                  "earlier version misstated the budget.</p></article>"),
    lambda: page(noise=2).replace("</main>", "<p>Correction: the vote was on Monday.</p>"
                                  "</main>"),
    lambda: page(noise=2).replace("<main>", "<main><article><p>Another</p></article>"),
    lambda: page(noise=2)[:-200],
], ids=["body word", "paragraph removed", "paragraph added", "headline", "byline", "date",
        "correction inside", "correction outside", "container doubled", "truncated"])
def test_any_edit_means_a_full_extraction(edit: object) -> None:
    key = key_of(page(noise=1))
    assert callable(edit)
    assert not unchanged(edit(), key)


@pytest.mark.parametrize("script", [
    '<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{}"}}'
    "</script>",
    "<script>window.__STATE__ = {{\"body\": \"{}\"}};</script>",
    '<template id="amp-story">{}</template>',
], ids=["json-ld", "state blob", "template"])
def test_a_script_repeating_the_article_is_not_its_container(script: str) -> None:
    """A JSON-LD ``articleBody`` or a state blob inside the article, before its paragraphs,
    holds every paragraph as text: found first, it was taken for the container, whose
    scripts are not serialised, and an edit of the paragraphs the page shows went unseen
    (a missed version, found by mutating the corpora's pages one word at a time)."""
    def with_script(html: str) -> str:
        repeated = script.format(" ".join(PARAGRAPHS))
        return html.replace('<p class="byline">', repeated + '<p class="byline">', 1)

    key = key_of(with_script(page(noise=1)))
    assert unchanged(with_script(page(noise=2)), key)
    edited = page([*PARAGRAPHS[:4], PARAGRAPHS[4].replace("council", "committee"),
                   *PARAGRAPHS[5:]], noise=2)
    assert not unchanged(with_script(edited), key)  # the script still holds the old text


def test_no_key_when_a_paragraph_is_only_in_a_script() -> None:
    """Paragraphs read from a declaration or a state blob (a stub's markup) are not shown
    by any element: no key, so every check extracts in full (the digest could not see
    them change)."""
    html = page(PARAGRAPHS[:2]).replace(
        "</article>", "<script>var s = {\"b\": \"" + " ".join(PARAGRAPHS) + "\"};</script>"
        "</article>")
    assert decision_key(html, PARAGRAPHS) is None


def test_no_key_for_a_stub_or_a_paragraph_not_in_the_page() -> None:
    short = page(PARAGRAPHS[:1])
    extraction = extract(short, "https://news.example/story")
    assert decision_key(short, extraction.paragraphs) is None
    assert decision_key(page(), ["A paragraph the page does not hold at all. " * 40]) is None


def _signed(html: str, when: str) -> str:
    """``html`` as a page cache serves it: signed after its end, anew on every request."""
    assert html.rstrip().endswith("</html>")
    return (f"{html}\n<!-- Cached page generated {when} -->\n<!--\nPerformance optimized "
            f"by W3 Total Cache\nServed from: news.example @ {when} -->\n")


def test_a_page_signed_after_its_end_keeps_its_fast_path() -> None:
    url = "https://news.example/story"
    first = check_capture(_signed(page(noise=1), "2026-12-07 10:06:01").encode(), url,
                          "utf-8", "text/html")
    key = DecisionKey.loads(first.key)
    assert key is not None and key.digest  # not a key of its capture alone
    assert unchanged(_signed(page(noise=2), "2026-12-07 10:21:45"), key)
    assert not unchanged(_signed(page(byline="John Roe", noise=2), "2026-12-07 10:21:45"),
                         key)


@pytest.mark.parametrize("tail", [
    "<!-- Cached page gen",  # cut inside the cache's note
    "<!-- Cached page generated 10:06 -->\n<div>Something after the page</div>",
    "<div>Something after the page</div>\n<!-- Cached page generated 10:06 -->",
    "<!-- one --> a text between <!-->",  # the last "-->" ends no comment that opened
    "".join(f"<!-- note {n} -->" for n in range(65)),
], ids=["cut in a comment", "an element after", "an element before", "no opening",
        "too many"])
def test_a_page_with_more_than_comments_after_its_end_is_extracted(tail: str) -> None:
    key = key_of(page(noise=1))
    assert unchanged(page(noise=2) + "<!-- note -->", key)
    assert not unchanged(page(noise=2) + tail, key)


def test_a_key_of_another_version_or_malformed_never_matches() -> None:
    key = key_of(page())
    stored = key.dumps().replace(f"[{KEY_VERSION},", f"[{KEY_VERSION + 1},", 1)
    assert DecisionKey.loads(stored) is None
    assert DecisionKey.loads("not json") is None
    assert DecisionKey.loads('{"a": 1}') is None


def test_check_capture_skips_extraction_only_on_a_match() -> None:
    first = check_capture(page(noise=1).encode(), "https://news.example/story", "utf-8",
                          "text/html")
    assert first.extraction is not None and first.key is not None
    again = check_capture(page(noise=2).encode(), "https://news.example/story", "utf-8",
                          "text/html", key=first.key)
    assert again.extraction is None and again.key == first.key
    assert again.body_length == first.body_length
    edited = check_capture(page(headline="Another headline", noise=3).encode(),
                           "https://news.example/story", "utf-8", "text/html", key=first.key)
    assert edited.extraction is not None and edited.extraction.title == "Another headline"
    assert edited.key not in (None, first.key)


def test_recheck_alone_then_a_full_extraction_gives_what_check_capture_gives() -> None:
    """The tracker's inline fast path: ``recheck`` on the loop, then, when it finds no
    match, ``check_capture`` without the key in the pool. Same answers as one call."""
    url = "https://news.example/story"
    first = check_capture(page(noise=1).encode(), url, "utf-8", "text/html")
    assert first.key is not None
    pages = [page(noise=2), page(headline="Another headline", noise=3), page(noise=4)[:-200],
             page(noise=5).replace("<main>", "<main><article><p>Another</p></article>")]
    for html in pages:
        body = html.encode()
        whole = check_capture(body, url, "utf-8", "text/html", key=first.key)
        found = recheck(body, url, "utf-8", "text/html", first.key)
        split = found or check_capture(body, url, "utf-8", "text/html", key=None)
        assert split == whole
        assert (found is None) is (whole.extraction is not None)
    assert recheck(page(noise=6).encode(), url, "utf-8", "text/html", first.key) is not None
    # No key of this version, a page that is not HTML, hostile bytes: extract in full.
    assert recheck(page().encode(), url, "utf-8", "text/html", "not json") is None
    assert recheck(page().encode(), url, "utf-8", "application/pdf", first.key) is None
    assert recheck(b"\xff\xfe\x00<" * 100, url, "utf-8", "text/html", first.key) is None


# The byline scan's definition as one XPath (what the key covered when it was one): the
# scan must find the same elements, in the same order.
_WORDS = ("author", "byline", "by-line", "byl", "writer", "contributor", "reporter",
          "creator", "credit", "submitted", "posted-by")
_FOLDED = ("translate(concat(@class, ' ', @id, ' ', @itemprop, ' ', @rel, ' ', @name), "
           "'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
_REFERENCE = ("//address|//*[@class or @id or @itemprop or @rel or @name]["
              + " or ".join(f"contains({_FOLDED}, '{w}')" for w in _WORDS) + "]")
_BYLINE_SPOTS = [
    '<span class="Story-AUTHOR">{}</span>', '<div id="ByLine"><b>{}</b></div>',
    '<a rel="author" class="author-link" href="/x?{}">x</a>', '<address>{}</address>',
    '<p itemprop="Creator" class="note">{}</p>', '<meta name="BYL" content="{}">',
    '<address class="writer">{}</address>', '<em data-author="{}">not a candidate</em>',
]


@pytest.mark.parametrize("spot", _BYLINE_SPOTS)
def test_the_byline_scan_finds_every_candidate_and_only_them(spot: str) -> None:

    html = page(noise=1).replace("</footer>", spot.format("Jane Roe") + "</footer>")
    tree = parse(html)
    assert tree is not None
    assert byline_candidates(tree) == tree.xpath(_REFERENCE)
    key = key_of(html)
    changed = page(noise=2).replace("</footer>", spot.format("John Doe") + "</footer>")
    # A candidate's new text (outside the container) is always a full extraction.
    assert unchanged(changed, key) is ("data-author" in spot or "href" in spot), spot


def test_the_metadata_scan_finds_what_the_key_always_covered() -> None:
    folded = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    reference = ("//title|//meta|//script[contains(" + folded.format("@type") + ", 'ld+json')]"
                 "|//link[contains(" + folded.format("@rel") + ", 'canonical')]|//h1")
    html = page(noise=1).replace("</footer>", (
        '<script type="Application/LD+JSON">{}</script><script>var a = 1;</script>'
        '<link rel="Canonical" href="/a"><link rel="stylesheet" href="/s.css">'
        '<h1>Another heading</h1><title>late</title></footer>'))
    tree = parse(html)
    assert tree is not None
    found = metadata_sources(tree)
    assert found == tree.xpath(reference)
    assert [e.tag for e in found].count("script") >= 2  # the page's own JSON-LD, and this


@pytest.mark.parametrize("word", [w.decode() for w in CORRECTIONS])
def test_every_correction_word_outside_the_container_is_covered(word: str) -> None:
    note = "<div>{} the vote was on Monday</div></footer>"
    key = key_of(page(noise=1).replace("</footer>", note.format("Banana")))
    # The control: another word as long, unchanged (only the note scan sees the word).
    assert unchanged(page(noise=2).replace("</footer>", note.format("Apples")), key)
    assert not unchanged(page(noise=2).replace("</footer>", note.format(word.upper())), key)


@pytest.mark.parametrize("declared", [
    '<meta charset="iso-8859-1">',
    '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
    '<?xml version="1.0" encoding="iso-8859-1"?>',
])
def test_the_cheap_parse_keeps_a_decoded_page_whatever_it_declares(declared: str) -> None:
    """The page is parsed as UTF-8 bytes (faster than a wide ``str``): a charset the page
    declares must not re-decode the text the tracker already decoded."""
    words = "Déjà vu — “quoted” ünïcode 日本語"
    html = page([f"{words} {p}" for p in PARAGRAPHS])
    html = (declared + html) if declared.startswith("<?xml") else \
        html.replace("<head>", "<head>" + declared, 1)
    tree = parse(html)
    assert tree is not None
    assert words in "".join(tree.itertext())
    key = key_of(html)
    assert unchanged(html, key)
    assert not unchanged(html.replace("日本語", "日本", 1), key)


def test_a_page_with_a_lone_surrogate_is_parsed_from_the_str_as_before() -> None:
    """Not UTF-8: parsed from the ``str`` (where lxml stops at the surrogate), as always."""
    html = page([f"odd \udc80 text {p}" for p in PARAGRAPHS])
    tree = parse(html)
    assert tree is not None
    assert etree.tostring(tree) == etree.tostring(etree.fromstring(html, _PARSER))


def test_a_page_with_characters_xml_cannot_hold_keeps_its_fast_path() -> None:
    """Extraction drops them before its parse (encoding.xml_safe), and its key says so:
    each check drops them too before the cheap parse (which would otherwise keep them,
    or replace them), so the page in new chrome is the page the key was made from, and an
    edit is still seen."""
    paragraphs = [f"{p} \x04" for p in PARAGRAPHS]
    html = page(paragraphs, noise=1).encode()
    first = check_capture(html, "https://news.example/story", "utf-8", "text/html")
    assert first.extraction is not None and first.key is not None
    assert "\x04" not in first.extraction.text
    key = DecisionKey.loads(first.key)
    assert key is not None and key.digest and key.rewritten
    again = check_capture(page(paragraphs, noise=2).encode(), "https://news.example/story",
                          "utf-8", "text/html", key=first.key)
    assert again.extraction is None and again.key == first.key
    edited = [*paragraphs[:-1], paragraphs[-1].replace(" \x04", " and more \x04")]
    assert edited != paragraphs
    changed = check_capture(page(edited, noise=2).encode(), "https://news.example/story",
                            "utf-8", "text/html", key=first.key)
    assert changed.extraction is not None
    assert changed.extraction.paragraphs != first.extraction.paragraphs


@pytest.mark.parametrize("html", [
    page(noise=1),
    '<?xml version="1.0" encoding="utf-8"?>\n' + page(noise=2),
    page(noise=3).replace("</h1>", " \u00e9t\u00e9 \u2014 caf\u00e9</h1>"),
], ids=["plain", "xml declaration", "wide characters"])
def test_the_key_from_extractions_parse_is_the_key_from_its_own(html: str) -> None:
    """check_capture parses the page once: extraction hands the key a copy of its tree as
    parsed. The key is the one a parse of its own gives (stored keys stay valid)."""
    parsed: list[Parsed] = []
    extraction = extract(html, "https://news.example/story", parsed=parsed)
    assert len(parsed) == 1 and parsed[0].tree.find("body") is not None
    alone = decision_key(html, extraction.paragraphs, title=extraction.title,
                         byline=extraction.byline, byline_from=extraction.byline_from,
                         regions=parsed[0].regions)
    shared = decision_key(html, extraction.paragraphs, title=extraction.title,
                          byline=extraction.byline, byline_from=extraction.byline_from,
                          regions=parsed[0].regions, tree=parsed[0].tree)
    assert alone is not None and shared == alone
    checked = check_capture(html.encode(), "https://news.example/story", "utf-8",
                            "text/html")
    assert checked.key is not None and DecisionKey.loads(checked.key) is not None
    assert DecisionKey.loads(checked.key).digest == alone.digest  # type: ignore[union-attr]


def _credited(credit: str, *, link: str = "") -> str:
    """A page that marks no author up: its byline is a line of text above the body."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f"<html><head><title>{HEADLINE}</title></head><body><header>"
            f"<p>{credit}</p>{link}</header><main><div class=\"story\">{body}</div></main>"
            f"<footer><p>Contact us</p></footer></body></html>")


@pytest.mark.parametrize(("before", "after"), [
    ("By Jane Doe", "By John Roe"),
    ("<b>Von</b> Jane Doe und Bo Li", "<b>Von</b> Jane Doe und Bo Lu"),
    ("Posted on May 1, 2026 by Jane Doe", "Posted on May 1, 2026 by John Roe"),
    ("Autor:</p><p>Jane Doe", "Autor:</p><p>John Roe"),
])
def test_a_byline_read_from_a_credit_line_outside_the_container_is_covered(
        before: str, after: str) -> None:
    """The credit line is a byline source (extract/bylines.py): its edit is no match."""
    html = _credited(before)
    assert extract(html, "https://news.example/story").byline  # read from the line
    key = key_of(html)
    assert unchanged(_credited(before), key)
    assert not unchanged(_credited(after), key)


def test_a_byline_read_from_a_link_to_the_author_s_page_is_covered() -> None:
    link = '<a href="/authors/{}/">{}</a>'
    html = _credited("Share", link=link.format("jane-doe", "Jane Doe"))
    assert extract(html, "https://news.example/story").byline == "Jane Doe"
    key = key_of(html)
    assert unchanged(_credited("Share", link=link.format("jane-doe", "Jane Doe")), key)
    assert not unchanged(_credited("Share", link=link.format("john-roe", "John Roe")), key)


def test_credit_lines_are_not_covered_when_markup_names_the_byline() -> None:
    """A byline the markup names (a meta here) is read before any credit line: a site's
    rotating "By …" teasers then change nothing, and the key still matches."""
    meta = '<meta name="author" content="Jane Doe"></head>'
    html = _credited("By John Roe").replace("</head>", meta)
    assert extract(html, "https://news.example/story").byline == "Jane Doe"
    key = key_of(html)
    assert not key.credits
    assert unchanged(_credited("By Bo Li").replace("</head>", meta), key)
    assert not unchanged(_credited("By John Roe").replace("</head>", meta.replace(
        "Jane Doe", "Bo Li")), key)


def test_a_byline_that_is_the_site_s_name_keeps_the_credit_lines_covered() -> None:
    """The site named as the byline gives way to a credit line that appears; so does no
    byline at all: the key covers the credit lines of both."""
    site = '<meta property="og:site_name" content="Harbour News"></head>'
    html = _credited("Share").replace("</head>", site)
    named = decision_key(html, PARAGRAPHS, byline="Harbour News")
    unnamed = decision_key(html, PARAGRAPHS, byline=None)
    assert named is not None and unnamed is not None and named.credits and unnamed.credits
    edited = _credited("By Jane Doe").replace("</head>", site)
    assert not unchanged(edited, named) and not unchanged(edited, unnamed)


def test_a_credited_name_in_a_description_keeps_the_credit_lines_covered() -> None:
    """A name the description mentions is no markup naming the author."""
    about = '<meta name="description" content="Jane Doe on the budget vote"></head>'
    html = _credited("By Jane Doe").replace("</head>", about)
    key = key_of(html)
    assert key.credits
    assert not unchanged(_credited("By John Roe").replace("</head>", about), key)
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Vote", '
          '"author": {"@type": "Person", "name": "Jane Doe"}}</script></head>')
    assert not key_of(_credited("By Jane Doe").replace("</head>", ld)).credits


def test_credit_lines_stay_covered_when_extraction_read_them_beside_an_author_it_did_not() -> None:
    """The key is told where extraction read the byline (Extraction.byline_from), not left
    to guess it. A JSON-LD block naming the author that extraction does not read as an
    article's (no headline, body or date) made the old guess skip the credit lines, and an
    edit of the one extraction read went unseen."""
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
          '{"@type": "Person", "name": "Jane Doe"}}</script></head>')
    html = _credited("By Jane Doe").replace("</head>", ld)
    assert extract(html, "https://news.example/story").byline_from == "credit"
    key = key_of(html)
    assert key.credits
    edited = _credited("By John Roe").replace("</head>", ld)
    assert extract(edited, "https://news.example/story").byline == "John Roe"
    assert not unchanged(edited, key)


# One element of each shape the byline expressions read (metadata.py's and trafilatura's
# AUTHOR_XPATHS, which extract_author applies): class, id, rel, itemprop, data-testid,
# data-component, and <author>.
AUTHOR_MARKUP = [
    '<span rel="author">Ana Ruiz</span>', '<div id="author">Ana Ruiz</div>',
    '<p class="author">Ana Ruiz</p>', '<span itemprop="author name">Ana Ruiz</span>',
    '<a data-testid="AuthorCard">Ana Ruiz</a>', '<a data-testid="AuthorURL">Ana Ruiz</a>',
    '<span class="author-name">Ana Ruiz</span>', '<span class="AuthorName">Ana Ruiz</span>',
    "<author>Ana Ruiz</author>", '<span class="byline">Ana Ruiz</span>',
    '<span class="username">ana</span>', '<span class="byl">Ana Ruiz</span>',
    '<span class="BBL">Ana Ruiz</span>', '<div itemprop="author"><b>Ana Ruiz</b></div>',
    '<div id="zuozhe">Ana Ruiz</div>', '<div id="bianji">Ana Ruiz</div>',
    '<div id="xiaobian">Ana Ruiz</div>', '<span class="channel-name">Ana Ruiz</span>',
    '<span class="submitted-by">Ana Ruiz</span>', '<span class="posted-by">Ana Ruiz</span>',
    '<span class="journalist-name">Ana Ruiz</span>',
    '<div data-component="Byline">Ana Ruiz</div>', '<span class="screenname">ana</span>',
    '<span class="writer">Ana Ruiz</span>', '<span class="pb-byline">Ana Ruiz</span>',
    '<a rel="author" href="/ana">Ana Ruiz</a>',
]


def test_every_element_a_byline_expression_reads_is_a_byline_candidate() -> None:
    """A byline read from markup leaves the credit lines unread (the key's ``credits``):
    only safe if every element extraction's byline expressions can read is hashed as a
    candidate. trafilatura's expressions read class="username" or data-testid="AuthorCard",
    which the candidates once missed."""
    from trafilatura.xpaths import AUTHOR_XPATHS

    from tearsheet.extract import metadata

    html = page(noise=1).replace("<main>", "<aside>" + "".join(
        f"<div>{markup}</div>" for markup in AUTHOR_MARKUP) + "</aside><main>")
    tree = parse(html)
    assert tree is not None
    candidates = set(byline_candidates(tree))
    expressions = [*AUTHOR_XPATHS, metadata._MARKED_AUTHORS, metadata._BYLINE_CLASS]
    read = [e for expression in expressions for e in expression(tree)]
    assert len({id(e) for e in read}) >= len(AUTHOR_MARKUP)
    assert [etree.tostring(e) for e in read if e not in candidates] == []


def _beside(line: str, *, comments: int = 31) -> str:
    """The story's container with a sibling holding a source line and a counter."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f"<html><head><title>{HEADLINE}</title></head><body><main><div class=\"post\">"
            f"<div class=\"story\">{body}</div><div class=\"info\"><p class=\"source\">{line}"
            f"</p><p>{comments} comments</p></div></div></main></body></html>")


def test_the_words_beside_the_container_are_covered_its_counters_not() -> None:
    """A line beside the body that extraction leaves out ("Quelle: dpa") is read once its
    words change (found by mutating the corpora's pages): its words are in the key, its
    numbers (a comment counter) are not."""
    key = key_of(_beside("Quelle: dpa"))
    assert unchanged(_beside("Quelle: dpa", comments=32), key)
    assert not unchanged(_beside("Bericht: dpa"), key)
    assert not unchanged(_beside("Quelle: Reuters"), key)


def _linked(follow: str, teaser: str) -> str:
    """A container holding a "Read more" teaser and a "Follow us" line, both left out."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f"<html><head><title>{HEADLINE}</title></head><body><main><div class=\"story\">"
            f"{body[:len(body) // 2]}<p><strong>Read more:</strong> <a href=\"/x\">{teaser}"
            f"</a></p>{body[len(body) // 2:]}<p><em>Follow the Harbour Gazette on <a href=\""
            f"/f\">{follow}</a>, <a href=\"/t\">Twitter</a> and <a href=\"/i\">Instagram</a>."
            "</em></p></div></main></body></html>")


def test_link_texts_are_noise_in_a_line_of_links_not_in_a_line_of_words() -> None:
    """A rotating teaser's link is page noise; a link inside a line of words is not: that
    line was left out by its words (a "follow us" line), links' included, and once they
    change it may be the article's (NYT's "Follow … on Facebook", mutated, was)."""
    html = _linked("Facebook", "Budget talks resume")
    extraction = extract(html, "https://news.example/story")
    assert not any("Follow" in p or "Read more" in p for p in extraction.paragraphs)
    key = key_of(html)
    assert unchanged(_linked("Facebook", "Ferry fares rise again next month"), key)
    assert not unchanged(_linked("Mastodon", "Budget talks resume"), key)


def test_a_page_written_decomposed_keeps_its_fast_path_and_its_edits_are_seen() -> None:
    # Extraction reads the page rewritten; so does every check of its key (else the
    # decomposed text, never in the key's tree, would fail every check).
    story = [p.replace("council", "Bürgerrat") for p in PARAGRAPHS]

    def decomposed(paragraphs: list[str], noise: int = 1) -> str:
        return unicodedata.normalize("NFD", page(paragraphs, noise=noise))

    first = check_capture(decomposed(story).encode(), "https://news.example/story", "utf-8",
                          "text/html")
    key = DecisionKey.loads(first.key)
    assert key is not None and key.rewritten
    assert first.extraction is not None and "Bürgerrat" in first.extraction.text
    assert unchanged(decomposed(story, noise=2), key)
    assert unchanged(unicodedata.normalize("NFC", page(story, noise=2)), key)
    edited = [story[0].replace("Bürgerrat", "Stadtrat"), *story[1:]]
    assert edited != story
    assert not unchanged(decomposed(edited, noise=2), key)
    # A page written composed is not rewritten, and gets a key that says so.
    plain = DecisionKey.loads(check_capture(page(story).encode(), "https://news.example/story",
                                            "utf-8", "text/html").key)
    assert plain is not None and not plain.rewritten


def _gallery(href: str, noise: int) -> str:
    """A slide a script drives: a link around whole paragraphs of the story."""
    slides = f"<p>{PARAGRAPHS[2]}</p><p>Slide two of the gallery shows the new bus depot.</p>"
    return page(noise=noise).replace(f"<p>{PARAGRAPHS[2]}</p>", f'<a href="{href}">{slides}</a>')


def test_of_a_link_s_address_the_key_covers_whether_it_leads_to_a_page() -> None:
    """Extraction unwraps a link that goes nowhere around blocks (markup.control_links) and
    counts a link by its having an address: where it leads is noise, whether it leads
    anywhere is not."""
    key = key_of(_gallery("#", noise=1))
    assert unchanged(_gallery("javascript:void(0)", noise=2), key)
    assert not unchanged(_gallery("/gallery/2", noise=2), key)
    assert not unchanged(_gallery("#", noise=2).replace(' href="#"', ""), key)
    linked = key_of(_gallery("/gallery/1", noise=1))
    assert unchanged(_gallery("/gallery/2?ref=home", noise=2), linked)
