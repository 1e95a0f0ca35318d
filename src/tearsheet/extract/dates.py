"""Publication dates: the page's declared date, checked against htmldate's, in the page's
own offset.

A page declares its date in JSON-LD, ``<meta>`` tags or ``itemprop`` markup, and these
disagree more often than one would think (a republished article keeps its old JSON-LD
date; a CMS puts the first draft's date in one tag and the publication's in another).
htmldate (trafilatura's date finder, installed with it) weighs the URL, the header's tags,
JSON and the visible dates with its own rules. Measured on trafilatura's evaluation set
(docs/extraction.md), neither alone is best: the declared date is kept when htmldate
agrees with it, or when the page's own ``<time>`` element backs it; otherwise htmldate's
day is taken (in a declared value's offset where one falls on that day). Where the page
declares nothing else, its first ``<time datetime>`` (HTML's machine-readable date) is its
declaration, with its time and offset; htmldate's guess comes only after it. A date
weeks after the one in the URL's path is a republication: the URL's day is the original.

A date keeps the offset the page gives it (UTC when it gives none): never moved to
another day. Where the declared date is in UTC but the page shows readers the same
instant in local time ("2022-05-04T00:44:52Z" beside "03/05/2022 21:44"), the page's
offset is recovered from the two, so the date stays on the day the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, cast

import lxml.html
from lxml import etree

# A full date in a URL's path: "/2017/7/12/slug", "/2017-07-12-slug".
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?=[/_.-]|$)")
_REPUBLISHED = timedelta(days=30)
_MAX_LOCAL = 200  # visible date-and-time strings looked at, at most (a page is hostile)
_TEXT_CHARS = 300_000  # of visible text searched for them
# "03/05/2022 21:44", "3.5.2022, 21:44 Uhr", "2022-05-03 21:44": a numeric date, then a
# 24-hour time (a few words between, "um", "à", "a las", "|").
_LOCAL = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?!\d)[^\d\n]{0,12}?"
                    r"(?<!\d)([01]?\d|2[0-3])[:h.]([0-5]\d)(?![\d:]*\s*[ap]\.?m)",
                    re.IGNORECASE)
# Plain strings, not lxml's "smart" ones (which keep a link to their element): a third of
# the cost on pages of thousands of text nodes.
_VISIBLE_TEXTS = etree.XPath("//body//text()[not(ancestor::script)][not(ancestor::style)]"
                             "[not(ancestor::noscript)]", smart_strings=False)


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware datetime in the page's own offset (UTC when it names none), or
    None; never raises on bad input."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    value = value.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    # The page's own offset is kept: in UTC, a late-evening date in New York or an early
    # morning one in Tokyo would fall on another day than the one the page says.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def published_date(tree: lxml.html.HtmlElement, url: str | None,
                   declared: Iterable[Any]) -> datetime | None:
    """The publication date: ``declared`` are the page's own date values in order of
    trust (JSON-LD, ``<meta>``, ``itemprop``), checked against htmldate's."""
    candidates = [d for d in (parse_date(v) for v in declared) if d is not None]
    own = _local_time(tree, candidates[0]) if candidates else None
    if own is None:  # nothing declared: the page's <time>, before htmldate's guess
        shown = _first_time(tree)
        return _minted(url, shown, candidates) if shown else htmldate(tree, url, extensive=True)
    if (minted := _minted(url, own, candidates)) is not own:
        return minted
    # Another of the page's own values, or its <time>, backing it keeps it whatever
    # htmldate says: asked first, it spares htmldate's pass on most pages. The same
    # instant repeated in another tag is the one declaration written twice, no backing.
    others = [c for c in candidates[1:] if c != candidates[0]]  # not the same value repeated
    if any(b is not None and _same_day(own, b) for b in (*others, _first_time(tree))):
        return own
    found = htmldate(tree, url, extensive=False)
    if found is None or _same_day(own, found):
        return own
    # htmldate's day, in the offset of a declared value that falls on it, if any.
    return next((d for d in candidates if d.date() == found.date()), found)


def _minted(url: str | None, moment: datetime, candidates: list[datetime]) -> datetime:
    """The day in the URL's path ("/2017/7/12/") where ``moment`` is weeks after it: a URL
    is minted when the story first runs, so a date declared long after is a republication
    or a move to a new CMS (a day or two after is a slug made before the story ran). In a
    declared value's offset where one falls on that day."""
    match = _URL_DATE.search(url or "")
    if match is None:
        return moment
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return moment
    if moment.date() - day <= _REPUBLISHED:
        return moment
    return next((d for d in candidates if d.date() == day),
                datetime(day.year, day.month, day.day, tzinfo=UTC))


def htmldate(tree: lxml.html.HtmlElement, url: str | None, *,
             extensive: bool) -> datetime | None:
    """The original publication date htmldate finds (URL, header, JSON, ``<time>``,
    bylines): its quick search, then, with ``extensive``, the one that reads dates in the
    page's text. The tree is not modified (htmldate works on its own copy)."""
    from htmldate import find_date

    for search in (False, True) if extensive else (False,):
        try:
            value = find_date(tree, url=url, original_date=True, extensive_search=search,
                              outputformat="%Y-%m-%dT%H:%M:%S%z")
        except (ValueError, TypeError, OverflowError):
            value = None
        if value:
            return parse_date(value)
    return None


def _days(moment: datetime) -> set[date]:
    return {moment.date(), moment.astimezone(UTC).date()}


def _same_day(a: datetime, b: datetime) -> bool:
    """The same day as either gives it, or in UTC (a date without a time zone is read
    as UTC, though the page may have meant local time)."""
    return bool(_days(a) & _days(b))


def _first_time(tree: lxml.html.HtmlElement) -> datetime | None:
    for value in tree.xpath("//time/@datetime")[:1]:
        return parse_date(str(value))
    return None


def _local_time(tree: lxml.html.HtmlElement, moment: datetime) -> datetime:
    """``moment`` in the page's own offset, where it is given in UTC and the page shows
    the same instant in local time: one whole-quarter-hour offset (up to 14 hours) turns
    the one into the other. Only for a time off the hour (a teaser's "20:00" must not be
    taken for the article's "03:00 UTC"), and only when every match names one offset."""
    if moment.utcoffset() != timedelta(0) or moment.minute == 0:
        return moment
    utc = moment.replace(tzinfo=None, second=0, microsecond=0)
    text = " ".join(cast(list[str], _VISIBLE_TEXTS(tree)))[:_TEXT_CHARS]
    offsets: set[int] = set()
    for number, match in enumerate(_LOCAL.finditer(text)):
        if number >= _MAX_LOCAL:
            break
        for local in _readings(match):
            minutes = round((local - utc).total_seconds() / 60)
            if minutes and abs(minutes) <= 14 * 60 and minutes % 15 == 0:
                offsets.add(minutes)
    if len(offsets) != 1:
        return moment
    return moment.astimezone(timezone(timedelta(minutes=offsets.pop())))


def _readings(match: re.Match[str]) -> list[datetime]:
    """The local times a numeric date and time can mean (day and month both ways)."""
    first, _, second, third, hour, minute = match.groups()
    if len(first) == 4:
        orders = [(int(first), int(second), int(third))]
    elif len(third) in (2, 4):
        year = int(third) + (2000 if len(third) == 2 else 0)
        orders = [(year, int(second), int(first)), (year, int(first), int(second))]
    else:
        return []
    found = []
    for year, month, day in orders:
        try:
            found.append(datetime(year, month, day, int(hour), int(minute)))
        except ValueError:
            continue
    return found
