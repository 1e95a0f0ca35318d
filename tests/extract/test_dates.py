"""Publication dates: the declared date checked against htmldate's, the page's own offset
recovered from the local time it shows, never a date moved to another day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tearsheet.extract.extraction import extract
from tests.support.pages import ld
from tests.support.pages import metadata_page as page


def published(head: str = "", before_body: str = "", url: str | None = None) -> datetime | None:
    return extract(page(head, before_body=before_body), url).published_at


def test_the_local_time_a_page_shows_gives_its_utc_date_its_offset() -> None:
    # Declared in UTC (the 4th), shown to readers in Brasília time (the 3rd).
    head = ld({"@type": "NewsArticle", "headline": "Council approves budget",
               "datePublished": "2022-05-04T00:44:52Z"})
    found = published(head, '<ul class="date"><li>Brasília</li><li>03/05/2022 21:44</li></ul>')
    assert found == datetime(2022, 5, 4, 0, 44, 52, tzinfo=UTC)  # the same instant
    assert found is not None and found.utcoffset() == timedelta(hours=-3)
    assert found.isoformat() == "2022-05-03T21:44:52-03:00"


@pytest.mark.parametrize("shown", [
    "18.10.2019, 20:00 Uhr",  # another story's teaser: on the hour, like the article
    "Updated 03/05/2022 21:44 and 04/05/2022 09:14",  # two offsets: none is believed
    "9:44 pm, 3/5/2022",  # a 12-hour clock is not read
])
def test_no_offset_is_guessed_from_ambiguous_times(shown: str) -> None:
    utc = "2019-10-19T03:00:00Z" if "Uhr" in shown else "2022-05-04T00:44:52Z"
    head = ld({"@type": "NewsArticle", "headline": "Council approves budget",
               "datePublished": utc})
    found = published(head, f"<p class='teaser'>{shown}</p>")
    assert found is not None and found.utcoffset() == timedelta(0)


def test_a_date_declared_twice_stands_against_htmldate() -> None:
    # JSON-LD and the page's <time> agree; a "date" meta (the last change) does not.
    head = ld({"@type": "NewsArticle", "headline": "Council approves budget",
               "datePublished": "2020-04-27T18:50:24+02:00"}) + \
        '<meta name="date" content="2020-07-08">'
    found = published(head, '<time datetime="2020-04-27T18:50:24+02:00">27.04.2020</time>')
    assert found is not None and found.isoformat() == "2020-04-27T18:50:24+02:00"


def test_a_lone_declared_date_that_htmldate_contradicts_gives_way() -> None:
    # The JSON-LD names a republication; the URL and the published meta name the original.
    head = ld({"@type": "NewsArticle", "headline": "Council approves budget",
               "datePublished": "2019-06-17T18:28:00+02:00"})
    found = published(head, url="https://news.example/home/2017/7/12/council-budget")
    assert found is not None and found.date() == datetime(2017, 7, 12).date()


def test_the_same_value_repeated_in_several_tags_is_one_declaration() -> None:
    # A CMS writes its one value into JSON-LD and two metas: no second opinion.
    value = "2019-06-17T18:28:00+02:00"
    head = (ld({"@type": "NewsArticle", "headline": "Council approves budget",
                "datePublished": value})
            + f'<meta property="article:published_time" content="{value}">'
            + f'<meta name="pubdate" content="{value}">')
    found = published(head, url="https://news.example/home/2017/7/12/council-budget")
    assert found is not None and found.date() == datetime(2017, 7, 12).date()


def test_htmldates_day_keeps_a_declared_offset_on_that_day() -> None:
    head = (ld({"@type": "NewsArticle", "headline": "Council approves budget",
                "datePublished": "2023-11-06T18:19:00+01:00"})
            + '<meta name="dc.date" content="2023-11-07T07:30+01:00">'
            + '<meta property="article:published_time" content="2023-11-07T07:30:00+01:00">')
    found = published(head)
    assert found == datetime(2023, 11, 7, 7, 30, tzinfo=timezone(timedelta(hours=1)))


def test_a_page_without_a_declared_date_gets_htmldates() -> None:
    found = published(before_body="<p class='byline'>Published 12 March 2024</p>")
    assert found is not None and found.date() == datetime(2024, 3, 12).date()


def test_a_pages_own_time_element_is_its_declaration_where_it_declares_nothing_else() -> None:
    # No JSON-LD, meta or itemprop date: the <time>'s instant and offset, not htmldate's
    # guess (which would read the later "updated" day, at midnight UTC).
    shown = ('<time datetime="2024-05-04T07:59:48-04:00">May 4, 2024</time>'
             '<p class="updated">Updated 9 May 2024</p>')
    found = published(before_body=shown)
    assert found is not None and found.isoformat() == "2024-05-04T07:59:48-04:00"


def test_a_time_element_that_is_no_date_leaves_htmldate_to_decide() -> None:
    found = published(before_body='<time datetime="PT5M">5 min read</time>'
                                  "<p class='byline'>Published 12 March 2024</p>")
    assert found is not None and found.date() == datetime(2024, 3, 12).date()


def test_a_date_declared_weeks_after_the_urls_is_a_republication() -> None:
    # JSON-LD and the <time> agree on the day the CMS moved the story; the URL keeps the
    # day it first ran.
    head = ld({"@type": "NewsArticle", "headline": "Council approves budget",
               "datePublished": "2019-06-17T18:28:00+02:00"})
    shown = '<time datetime="2019-06-17">17 June 2019</time>'
    found = published(head, shown, url="https://news.example/home/2017/7/12/council-budget")
    assert found is not None and found.date() == datetime(2017, 7, 12).date()
    # A day after the URL's: the slug was made the day before the story ran.
    head = ld({"@type": "NewsArticle", "headline": "Council approves budget",
               "datePublished": "2017-07-13T08:00:00+02:00"})
    shown = '<time datetime="2017-07-13">13 July 2017</time>'
    found = published(head, shown, url="https://news.example/2017/07/12/council-budget")
    assert found is not None and found.isoformat() == "2017-07-13T08:00:00+02:00"
