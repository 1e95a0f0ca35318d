"""Extraction: decoding, the article body, metadata from JSON-LD and meta tags, refusals."""

from __future__ import annotations

import codecs
import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract.extraction import decode_html, extract
from tests.support.pages import LOREM, article_page
from tests.support.shared import shared_path

PHRASE = "café ‘quoted’ – dash"
WESTERN = "Señor Müller’s “café” serves crème brûlée"


def bare_page(head: str = "", *, h1: str = "Council approves budget", lang: str = "en",
              extra_body: str = "") -> str:
    """An article page with no JSON-LD: metadata comes only from ``head``."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in LOREM)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
            f"<body><article><h1>{escape(h1)}</h1>{extra_body}{body}</article></body></html>")


def ld_page(data: Any, *, h1: str = "Council approves budget") -> str:
    return bare_page(f'<script type="application/ld+json">{json.dumps(data)}</script>', h1=h1)


# --- decoding ----------------------------------------------------------------------------


def _doc(text: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        pytest.param(_doc(PHRASE).encode("utf-8"), None, PHRASE, id="utf-8-undeclared"),
        pytest.param(codecs.BOM_UTF8 + _doc(PHRASE).encode("utf-8"), None, PHRASE,
                     id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + _doc(PHRASE).encode("utf-16-le"), None, PHRASE,
                     id="utf-16-bom"),
        pytest.param(codecs.BOM_UTF8 + _doc(PHRASE).encode("utf-8"), "windows-1252", PHRASE,
                     id="bom-beats-http"),
        pytest.param(_doc(PHRASE).encode("cp1252"), "windows-1252", PHRASE, id="http-charset"),
        pytest.param(_doc(PHRASE).encode("cp1252"), "ISO-8859-1", PHRASE,
                     id="http-latin-1-is-cp1252"),
        pytest.param(_doc(PHRASE, '<meta charset="windows-1252">').encode("cp1252"), None,
                     PHRASE, id="meta-charset"),
        pytest.param(_doc(PHRASE, '<meta http-equiv="Content-Type" '
                                  'content="text/html; charset=iso-8859-1">').encode("cp1252"),
                     None, PHRASE, id="meta-latin-1-is-cp1252"),
        pytest.param(_doc(PHRASE, '<meta charset="windows-1252">').encode("utf-8"), "utf-8",
                     PHRASE, id="http-beats-meta"),
        pytest.param(_doc(PHRASE).encode("utf-8"), "x-no-such-charset", PHRASE,
                     id="unknown-label"),
        pytest.param(f"<html><body><p>{PHRASE}</p></body></html>".encode("cp1252"), None,
                     PHRASE, id="cp1252-undeclared"),
        pytest.param(article_page("Headline", [*LOREM, WESTERN], charset=None).encode("cp1252"),
                     None, WESTERN, id="cp1252-undeclared-article"),
    ],
)
def test_decode_html(body: bytes, charset: str | None, expected: str) -> None:
    text = decode_html(body, charset)
    assert expected in text, text[-200:]
    assert "\ufeff" not in text


@pytest.mark.parametrize(
    ("headers_charset", "meta"),
    [("windows-1252", ""), (None, '<meta charset="iso-8859-1">')],
)
def test_extract_decodes_bytes(headers_charset: str | None, meta: str) -> None:
    page = article_page(WESTERN, [*LOREM, PHRASE + " " + LOREM[0]], charset=None)
    page = page.replace("<head>", "<head>" + meta)
    found = extract(page.encode("cp1252"), "https://news.example/a", headers_charset)
    assert found.title == WESTERN
    assert found.paragraphs[-1].startswith(PHRASE)


# --- the article -------------------------------------------------------------------------


@pytest.mark.parametrize("noise", [0, 1, 2])
def test_extract_article_page(noise: int) -> None:
    found = extract(article_page("Council approves budget", LOREM, noise=noise))
    assert found.paragraphs == LOREM  # no chrome: no menu, byline, clock, ads or comments
    assert found.text == "\n\n".join(LOREM)
    assert found.title == "Council approves budget"
    assert found.byline == "Jane Doe"
    assert found.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert found.published_at is not None and found.published_at.utcoffset() == timedelta(0)
    assert found.language == "en"
    assert found.canonical_url is None


def test_extraction_as_json() -> None:
    data = extract(article_page("Council approves budget", LOREM)).as_json()
    assert data["published_at"] == "2026-11-20T08:00:00+00:00"
    assert data["modified_at"] is None
    assert data["paragraphs"] == LOREM
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize(
    ("byline", "expected"),
    [("Jane Doe and John Roe", "Jane Doe, John Roe"),
     ("Ann One and Bob Two and Cy Three", "Ann One, Bob Two, Cy Three")],
)
def test_several_authors(byline: str, expected: str) -> None:
    assert extract(article_page("Headline", LOREM, byline=byline)).byline == expected


def test_authors_as_strings_and_duplicates() -> None:
    data = {"@context": "https://schema.org", "@type": "NewsArticle",
            "headline": "Council approves budget",
            "author": ["Ann  One", {"@type": "Person", "name": "Ann One"}, {"name": "Bob Two"}]}
    assert extract(ld_page(data)).byline == "Ann One, Bob Two"


def test_json_ld_graph() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "The Daily Example", "headline": "Not this"},
            {"@type": "Organization", "name": "Example Media"},
            {"@type": ["ReportageNewsArticle"], "headline": "Council approves budget",
             "author": [{"@type": "Person", "name": "Ann One"},
                        {"@type": "Person", "name": "Bob Two"}],
             "datePublished": "2026-01-02T03:04:05+02:00",
             "dateModified": "2026-01-03T00:00:00Z", "inLanguage": "en-GB"},
        ],
    }
    found = extract(ld_page(data))
    assert found.title == "Council approves budget"
    assert found.byline == "Ann One, Bob Two"
    assert found.published_at == datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert found.modified_at == datetime(2026, 1, 3, tzinfo=UTC)
    assert found.language == "en-GB"
    assert found.paragraphs == LOREM


def test_meta_tags_without_json_ld() -> None:
    head = ('<meta property="og:title" content="Council approves budget">'
            '<meta property="article:published_time" content="2025-05-06T07:08:09-04:00">'
            '<meta property="article:modified_time" content="Tue, 06 May 2025 14:00:00 GMT">'
            '<meta name="author" content="Meta Author">')
    found = extract(bare_page(head, lang="fr"))
    assert found.title == "Council approves budget"
    assert found.byline == "Meta Author"
    assert found.published_at == datetime(2025, 5, 6, 11, 8, 9, tzinfo=UTC)
    assert found.modified_at == datetime(2025, 5, 6, 14, 0, tzinfo=UTC)
    assert found.language == "fr"
    assert found.paragraphs == LOREM


def test_json_ld_beats_meta_tags() -> None:
    data = {"@type": "NewsArticle", "headline": "Council approves budget",
            "datePublished": "2026-11-20T08:00:00Z"}
    head = ('<meta property="og:title" content="Budget | The Daily Example">'
            '<meta property="article:published_time" content="2026-11-20T00:00:00Z">'
            f'<script type="application/ld+json">{json.dumps(data)}</script>')
    # (the same day: a lone JSON-LD date contradicted by htmldate gives way, test_dates.py)
    found = extract(bare_page(head))
    assert found.title == "Council approves budget"
    assert found.published_at == datetime(2026, 11, 20, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "extra_body", "published"),
    [
        ("", '<time datetime="2024-02-03T10:00:00">3 Feb</time>',
         datetime(2024, 2, 3, 10, tzinfo=UTC)),  # a naive time is taken as UTC
        ('<script type="application/ld+json">{not json</script>'
         '<meta property="article:published_time" content="2024-02-03T10:00:00Z">', "",
         datetime(2024, 2, 3, 10, tzinfo=UTC)),  # broken JSON-LD is skipped
        ('<meta property="article:published_time" content="last Tuesday">', "", None),
    ],
    ids=["time-element", "broken-json-ld", "unparseable-date"],
)
def test_published_at_fallbacks(head: str, extra_body: str, published: datetime | None) -> None:
    assert extract(bare_page(head, extra_body=extra_body)).published_at == published


@pytest.mark.parametrize(
    ("href", "page_url", "expected"),
    [
        ("https://news.example/2026/budget", "https://news.example/2026/budget?utm_source=rss",
         "https://news.example/2026/budget"),
        ("/2026/budget", "https://news.example/amp/2026/budget",
         "https://news.example/2026/budget"),
        ("https://elsewhere.example/copy", "https://news.example/2026/budget", None),
        ("https://news.example/2026/budget", None, None),
    ],
    ids=["absolute", "relative", "other-site", "no-page-url"],
)
def test_canonical_url(href: str, page_url: str | None, expected: str | None) -> None:
    page = article_page("Council approves budget", LOREM, canonical=href)
    assert extract(page, page_url).canonical_url == expected


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        pytest.param("", id="empty"),
        pytest.param(b"", id="empty-bytes"),
        pytest.param(" \n\t ", id="blank"),
        pytest.param("<html><body><p>Subscribe to read.</p></body></html>", id="paywall"),
        pytest.param(bare_page().split("<p>")[0] + "<p>Please accept cookies to continue "
                     "reading this article.</p></article></body></html>", id="consent"),
        pytest.param('{"not": "html", "items": [1, 2, 3]}', id="json"),
        pytest.param(random.Random(0).randbytes(4000), id="random-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, id="png"),
    ],
)
def test_no_article_raises(page: str | bytes) -> None:
    with pytest.raises(ExtractionError):
        extract(page, "https://news.example/a")


# --- real pages --------------------------------------------------------------------------


def test_real_pages_from_the_shared_corpus() -> None:
    folder = shared_path("corpora", "extraction", "html")
    files = sorted(folder.glob("*.html.gz"))[:3]
    assert len(files) == 3
    for path in files:
        found = extract(gzip.decompress(path.read_bytes()), check_captures=False)
        assert len(found.paragraphs) >= 2, path.name
        assert found.title, path.name
        assert all(p == p.strip() and p for p in found.paragraphs), path.name


def test_body_f1_on_the_shared_corpus() -> None:
    """The issue's floor: body F1 >= 0.97 over word 4-gram shingles (bench/extraction.py)."""
    from bench.extraction import corpus_score, load_corpus

    pages = load_corpus(shared_path("corpora", "extraction"))
    assert len(pages) == 60
    predicted = [extract(page.html, page.url, check_captures=False).text for page in pages]
    score = corpus_score(zip(predicted, (p.body for p in pages), strict=True))
    assert score.f1 >= 0.97, score
    assert min(score.precision, score.recall) >= 0.96, score


def test_only_the_paywall_teaser_of_the_corpus_is_refused() -> None:
    """The corpus's WSJ page is a teaser ("All..."): refused as such; nothing else is."""
    from bench.extraction import load_corpus

    refused = {}
    for page in load_corpus(shared_path("corpora", "extraction")):
        try:
            extract(page.html, page.url)
        except ExtractionError as exc:
            refused[page.url.split("/")[2]] = exc.reason
    assert refused == {"www.wsj.com": "paywall"}


def test_scoring_matches_the_issue() -> None:
    from bench.extraction import corpus_score, page_scores

    assert page_scores("a b c d e", "a b c d e") == (1.0, 1.0)
    # 2 shingles predicted, 1 right; 1 expected, found.
    assert page_scores("a b c d e", "a b c d") == (0.5, 1.0)
    assert page_scores("A b c d", "a b c d") == (0.0, 0.0)  # case is kept
    assert page_scores("", "a b c d") == (0.0, 0.0)
    score = corpus_score([("a b c d e", "a b c d"), ("a b c d", "a b c d")])
    assert (score.precision, score.recall) == (0.75, 1.0)
    assert abs(score.f1 - 6 / 7) < 1e-12


FORM_PAGE = ("<html><body><form><label>Name <input name=q></label><select><option>a</option>"
             "</select><textarea></textarea></form><div><a href=/x>x</a><ul><li>y</li></ul>"
             "</div></body></html>")


def _classes(parser: Any) -> list[tuple[str, type]]:
    import lxml.etree

    root = lxml.etree.fromstring(FORM_PAGE, parser)
    return [(str(e.tag), type(e)) for e in root.iter()]


def test_the_parser_makes_lxml_html_s_own_element_classes() -> None:
    """The C lookup (a table) gives each element the class lxml.html's Python lookup would."""
    import lxml.html

    from tearsheet.extract import extraction

    ours, theirs = _classes(extraction._PARSER), _classes(lxml.html.HTMLParser())
    assert ours == theirs
    assert dict(ours)["form"] is lxml.html.FormElement  # not every element the same class


def test_without_lxml_s_table_the_python_lookup_is_used() -> None:
    """Should an lxml release rename the private table, importing extraction still works:
    lxml.html's own lookup is used, as before."""
    import lxml.html

    from tearsheet.extract import extraction

    assert isinstance(extraction._html_classes(None), lxml.html.HtmlElementClassLookup)
    assert not isinstance(extraction._html_classes(), lxml.html.HtmlElementClassLookup)
