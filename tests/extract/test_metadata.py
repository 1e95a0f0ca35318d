"""Metadata precedence: JSON-LD, then OpenGraph and meta tags, then the page itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tearsheet.extract.extraction import extract
from tearsheet.extract.metadata import parse_date
from tests.support.pages import ld
from tests.support.pages import metadata_page as page

ALL = (ld({"@type": "NewsArticle", "headline": "From JSON-LD", "author": {"name": "Ld Author"},
           "datePublished": "2026-01-01T10:00:00+01:00", "dateModified": "2026-01-02T00:00:00Z",
           "inLanguage": "de"})
       + '<meta property="og:title" content="From OpenGraph">'
       + '<meta name="author" content="Meta Author">'
       # The same day as the JSON-LD's (another would be a contradiction: test_dates.py).
       + '<meta property="article:published_time" content="2026-01-01T00:00:00Z">'
       + '<meta property="article:modified_time" content="2025-01-02T00:00:00Z">'
       + '<meta property="og:locale" content="fr_FR">')
TIME = '<time datetime="2024-01-01T00:00:00Z">1 Jan</time><p class="byline">By Page Author</p>'


def test_json_ld_wins_over_everything() -> None:
    found = extract(page(ALL, before_body=TIME))
    assert found.title == "From JSON-LD"
    assert found.byline == "Ld Author"
    assert found.published_at == datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert found.modified_at == datetime(2026, 1, 2, tzinfo=UTC)
    assert found.language == "de"


def test_meta_tags_come_next() -> None:
    head = ALL.split("</script>", 1)[1]
    found = extract(page(head, before_body=TIME))
    assert found.title == "From OpenGraph"
    assert found.byline == "Meta Author"
    assert found.published_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert found.modified_at == datetime(2025, 1, 2, tzinfo=UTC)
    assert found.language == "en"  # <html lang> before og:locale


def test_then_the_page_itself() -> None:
    found = extract(page(before_body=TIME, html_attrs=""))
    assert found.title == "Budget vote"  # nothing agrees: the <title> less the site's name
    assert found.byline == "Page Author"
    assert found.published_at == datetime(2024, 1, 1, tzinfo=UTC)
    assert found.modified_at is None
    assert found.language is None


def test_title_without_h1_is_the_title_tag_without_the_site_name() -> None:
    assert extract(page(h1=None)).title == "Budget vote"


def test_broken_json_ld_loses_only_itself() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
            + ld({"@type": "NewsArticle", "datePublished": "2026-03-04"}))
    found = extract(page(head))
    assert found.title == "Budget vote"
    assert found.published_at == datetime(2026, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "before_body", "expected"),
    [
        (ld({"@type": "NewsArticle", "headline": "x", "author": [
            {"@type": "Person", "name": "Ann One"}, {"@type": "Person", "name": "Bob Two"},
            {"@type": "Person", "name": "https://news.example/staff/bob"}]}),
         "", "Ann One, Bob Two"),
        (ld({"@type": "NewsArticle", "headline": "x", "author": "Ann One and Bob Two"}),
         "", "Ann One, Bob Two"),
        ('<meta name="author" content="Ann One"><meta name="author" content="Bob Two">',
         "", "Ann One, Bob Two"),
        ('<meta property="article:author" content="https://facebook.com/ann">',
         '<p class="byline">By Ann One, Bob Two and Cy Three</p>', "Ann One, Bob Two, Cy Three"),
        ("", '<a rel="author" href="/a">Ann One</a> <a rel="author" href="/b">Bob Two</a>',
         "Ann One, Bob Two"),
        ("", "", None),
    ],
    ids=["json-ld-list", "json-ld-string", "meta-tags", "byline-element", "rel-author",
         "none"],
)
def test_all_authors(head: str, before_body: str, expected: str | None) -> None:
    assert extract(page(head, before_body=before_body)).byline == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T08:00:00Z", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("2026-11-20T09:30:00+01:30", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("2026-11-20T08:00:00", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 03:00:00 -0500", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        (["2026-11-20T08:00:00Z"], datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("yesterday", None), ("", None), (None, None), (12345, None), ("9" * 500, None),
    ],
)
def test_dates_are_aware_or_none(value: object, expected: datetime | None) -> None:
    parsed = parse_date(value)
    assert parsed == expected  # the same instant
    if parsed is not None:
        assert parsed.tzinfo is not None


@pytest.mark.parametrize(("value", "day", "offset"), [
    ("2026-11-20T23:30:00-05:00", 20, -5 * 3600),  # 04:30 on the 21st in UTC
    ("2026-11-21T07:00:00+09:00", 21, 9 * 3600),   # 22:00 on the 20th in UTC
    ("2026-11-20T23:30:00", 20, 0),                # no offset: taken as UTC, not moved
])
def test_a_date_keeps_its_own_offset_and_day(value: str, day: int, offset: int) -> None:
    parsed = parse_date(value)
    assert parsed is not None and parsed.day == day
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == offset


@pytest.mark.parametrize(
    ("head", "attrs", "expected"),
    [
        ('<meta property="og:locale" content="en_GB">', "", "en-GB"),
        ('<meta http-equiv="content-language" content="pt-BR">', "", "pt-BR"),
        ("", 'lang="<script>"', None),
        ("", 'lang="fr"', "fr"),
    ],
)
def test_language(head: str, attrs: str, expected: str | None) -> None:
    assert extract(page(head, html_attrs=attrs)).language == expected


def test_hostile_metadata_is_cleaned() -> None:
    head = ld({"@type": "NewsArticle", "headline": "Budget\x1b[31m vote\x00 ",
               "author": {"name": "Ann\nOne"}})
    found = extract(page(head))
    assert found.title == "Budget vote"
    assert found.byline == "Ann One"
