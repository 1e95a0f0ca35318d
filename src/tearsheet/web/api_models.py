"""The JSON API's request and response bodies, as pydantic models.

They are the contract: FastAPI validates every response against them and writes them into
``/openapi.json``, so the published schema is what the server really sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tearsheet.config import HttpUrls, Pattern
from tearsheet.diff.align import FieldChange, Unit

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(Model):
    """Every error: what went wrong, in words a person can act on."""

    detail: str


class Page(Model, Generic[T]):
    """One page of a list. Pass ``next_cursor`` back as ``cursor`` for the next; null: the
    last page. Cursors are opaque and stay valid while rows are added."""

    items: list[T]
    next_cursor: str | None


class Source(Model):
    name: str
    origin: Literal["config", "api"]
    removed: bool
    articles: int
    changes: int
    changed_articles: int
    last_changed_at: datetime | None


class SourceHealth(Model):
    """A source's health: its checks and refusals by reason in the last day and week, its
    new articles' median body length this week and usually (the four weeks before), and
    the "extraction broken since …" flag (see docs/health.md)."""

    name: str
    checks_day: int
    checks_week: int
    refused_day: dict[str, int]
    refused_week: dict[str, int]
    daily: list[tuple[int, int]]  # (checks, refused) per day, the oldest of 7 first
    median_length: float | None
    usual_length: float | None
    last_good_at: datetime | None
    broken_since: datetime | None
    broken_reason: str | None
    notes: list[str]  # what to know or do, in words, most urgent first


class NewSource(Model):
    """A source added through the API (stored in the database; see docs/guide.md)."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")
    feeds: Annotated[HttpUrls, Field(max_length=100)] = []
    sitemaps: Annotated[HttpUrls, Field(max_length=100)] = []
    section_pages: Annotated[HttpUrls, Field(max_length=100)] = []
    article_pattern: Annotated[Pattern, Field(max_length=1000)] = ""



class ArticleBrief(Model):
    id: int
    source: str
    url: str
    title: str | None
    version_count: int
    first_seen_at: datetime
    last_changed_at: datetime | None
    next_check_at: datetime | None  # null: retired, no longer checked
    hidden: bool


class ChangeSummary(Model):
    """The diff engine's summary of a change from the previous version."""

    kinds: list[str]
    significance: float
    boring: bool
    words_added: int
    words_removed: int
    intents: list[str]  # fact, style, narrative: dominant first (see docs/intents.md)
    intent_labels: list[str]  # figure, name, quote, … typo, … reordered, lede
    silent_correction: bool  # an existing claim changed and no note says so
    correction_note: str | None  # the correction or editor's note this change added


class VersionBrief(Model):
    number: int
    captured_at: datetime
    title: str | None
    byline: str | None
    change: ChangeSummary | None  # null for version 1 (or not yet summarised)


class ArticleEvent(Model):
    """What happened to an article besides its versions."""

    kind: Literal["unpublished", "moved", "paywalled", "blocked", "returned"]
    at: datetime
    http_status: int | None
    detail: str | None  # the new address, where it was redirected, why


class HeadlineVariant(Model):
    """A headline the page alternates with others (an A/B test), and how often it was seen."""

    headline: str | None
    seen: int


class Article(ArticleBrief):
    published_at: datetime | None
    last_checked_at: datetime | None
    status: str | None  # null: live; unpublished, paywalled, blocked, moved
    versions: list[VersionBrief]
    events: list[ArticleEvent]
    headline_test: list[HeadlineVariant]  # empty: no A/B test recorded


class Version(Model):
    article_id: int
    number: int
    captured_at: datetime
    url: str  # the URL actually fetched
    title: str | None
    # The dek above the body: "" when the page has none, null when the version was stored
    # before standfirsts were read.
    standfirst: str | None
    byline: str | None
    published_at: datetime | None  # in the offset the page gave it
    modified_at: datetime | None
    language: str | None
    text: str  # paragraphs separated by a blank line
    memento_url: str | None = None  # the Wayback Machine's copy (sources with wayback = true)
    # The revision of the extractor that read it (tearsheet.extract.extractor_revision):
    # versions read by different revisions may differ by the reading, not the page. Null:
    # stored before revisions were recorded.
    extractor: str | None = None


class Change(Model):
    """One change in the list of latest changes."""

    article_id: int
    source: str
    url: str
    number: int
    captured_at: datetime
    title: str | None
    previous_title: str | None
    change: ChangeSummary | None


class Diff(Model):
    """The diff engine's JSON (as ``tearsheet diff --format json``), with its versions."""

    article_id: int
    old: int
    new: int
    units: list[Unit]
    metadata: list[FieldChange]
    summary: Summary
    intents: list[Intent]
    notes: list[Note]


class Summary(Model):
    """The diff engine's summary of a change, with its sentence counts."""

    words_added: int
    words_removed: int
    sentences_added: int
    sentences_deleted: int
    sentences_edited: int
    sentences_moved: int
    kinds: list[str]
    significance: float
    boring: bool
    intents: list[str]
    intent_labels: list[str]
    silent_correction: bool
    correction_note: str | None


class Evidence(Model):
    """A sentence that earned a label: its old and new text and indices."""

    old_index: int | None
    new_index: int | None
    old_text: str | None
    new_text: str | None


class IntentLabel(Model):
    label: str
    sentences: list[Evidence]


class Intent(Model):
    """A coarse intent, its share of the change, and its fine labels with their sentences."""

    intent: Literal["fact", "style", "narrative"]
    weight: float
    labels: list[IntentLabel]


class Note(Model):
    """A correction or editor's note found in the new version."""

    kind: Literal["correction", "clarification", "editors_note", "update"]
    text: str
    paragraph: int
    added: bool  # new in this change (false: an earlier version had it)


class SearchHit(Model):
    article_id: int
    number: int
    source: str
    captured_at: datetime
    title: str | None
    snippet: str  # matches between « and »


class DayCount(Model):
    source: str
    day: str
    changes: int


class MostEdited(Model):
    id: int
    source: str
    url: str
    title: str | None
    version_count: int


class Statistics(Model):
    since: datetime
    sources: list[Source]
    changes_per_day: list[DayCount]
    most_edited: list[MostEdited]
    median_seconds_to_first_change: dict[str, float]


class ArticleState(Model):
    """An article after a write: re-check asked, hidden or shown."""

    id: int
    hidden: bool
    next_check_at: datetime | None


class Lookup(Model):
    """Whether a URL is tracked (``/api/v1/lookup``), for readers' tools."""

    url: str  # as canonicalised for tracking
    tracked: bool
    article_id: int | None = None
    source: str | None = None
    title: str | None = None
    versions: int = 0
    changes: int = 0
    first_seen_at: datetime | None = None
    last_changed_at: datetime | None = None
    page: str | None = None  # the article's history on this site
    badge: str | None = None  # an SVG badge to embed
