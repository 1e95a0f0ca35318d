"""The plain values the store takes and returns: what a check needs, what it records.

Apart from :mod:`tearsheet.store.store` so that the tracker, the archive and the exports can
name them without the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tearsheet.config import FeedKind
from tearsheet.diff.summary import ChangeSummary

if TYPE_CHECKING:
    from tearsheet.extract.extraction import Extraction


class Outcome(StrEnum):
    """What one check of an article came to (``checks.outcome``; ``merged`` is never stored:
    the URL turned out to be another article's)."""

    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    MERGED = "merged"


@dataclass(frozen=True)
class DueArticle:
    """What a check needs to know about an article."""

    id: int
    source_id: int
    url: str
    check_interval: float
    first_seen_at: datetime
    last_changed_at: datetime | None
    version_count: int
    content_hash: str | None
    etag: str | None
    last_modified: str | None
    error_count: int
    status: str | None = None  # unpublished, paywalled, blocked since its last event
    decision_key: str | None = None  # what its last full extraction depended on (recheck)


@dataclass(frozen=True)
class DueFeed:
    id: int
    source_id: int
    kind: FeedKind
    url: str
    article_pattern: str
    etag: str | None
    last_modified: str | None
    error_count: int


@dataclass(frozen=True)
class NewVersion:
    """The content of a version to store (the extraction, as plain values)."""

    url: str
    title: str | None
    byline: str | None
    published_at: datetime | None
    modified_at: datetime | None
    language: str | None
    text: str
    content_hash: str
    summary: ChangeSummary | None = None  # the change from the previous version
    capture: WarcPointer | None = None  # where the raw response is archived
    # Its MinHash keys for the trace index (tearsheet.diff.trace.index_keys), computed off
    # the writer thread by the tracker; None: the store computes them.
    trace_keys: tuple[int, ...] | None = None
    # The dek above the body: "" when the page has none, None when unknown (stored before
    # migration 0014; see tearsheet.diff.fingerprint).
    standfirst: str | None = None
    # The revision of the extractor that read it (tearsheet.extract.revision); None: unknown.
    extractor: str | None = None

    @classmethod
    def of(cls, extraction: Extraction, url: str, summary: ChangeSummary | None,
           capture: WarcPointer | None,
           trace_keys: tuple[int, ...] | None = None,
           content_hash: str | None = None) -> NewVersion:
        """The version an extraction makes: the one constructor of the tracker and the
        import, so that a field added to the extraction is stored by both.

        Its hash is always the full fingerprint, standfirst included, even when the check
        compared without it (against a version stored before standfirsts were): the next
        check compares with the standfirst known. ``content_hash``: that fingerprint, when
        the caller has it already (it is not computed twice). Its ``extractor`` is this
        process's: the one that made ``extraction`` (computed once, some milliseconds: a
        caller on an event loop asks for it beforehand, off the loop)."""
        from tearsheet.diff.fingerprint import fingerprint  # loads the extractor's modules
        from tearsheet.extract.revision import extractor_revision

        return cls(url=url, title=extraction.title, byline=extraction.byline,
                   published_at=extraction.published_at, modified_at=extraction.modified_at,
                   language=extraction.language, text=extraction.text,
                   content_hash=content_hash or fingerprint(extraction), summary=summary,
                   capture=capture,
                   trace_keys=trace_keys, standfirst=extraction.standfirst or "",
                   extractor=extractor_revision())


@dataclass(frozen=True)
class WarcPointer:
    """Where a raw response is archived: a WARC file (relative to ``archive.dir``), and
    the offset and length of its ``response`` record in it."""

    file: str
    offset: int
    length: int
    # "sha256:…" of the record's bytes as stored, when it is to be timestamped (the store
    # queues it for the timestamping authority with the version: see archive/timestamps.py).
    digest: str | None = None

    def columns(self) -> dict[str, Any]:
        return {"warc_file": self.file, "warc_offset": self.offset, "warc_length": self.length}


@dataclass(frozen=True)
class HeadlineFlip:
    """A headline served again, the body unchanged: a variant of an A/B test, recorded as
    seen (``headline_tests``) instead of as a version. ``shown`` is the variant of the last
    stored version, so a test's first flip records both."""

    headline: str | None
    content_hash: str
    shown: tuple[str | None, str]  # (headline, content_hash) of the last version


@dataclass(frozen=True)
class ArticleEvent:
    """An article event to record with a check (see :mod:`tearsheet.tracker.events`), and
    the state the article is in after it (None: live)."""

    kind: str  # unpublished, moved, paywalled, blocked, returned
    state: str | None
    detail: str | None = None


@dataclass(frozen=True)
class CheckRecord:
    """One check to record (:meth:`tearsheet.store.store.Store.record_check`): its outcome and
    the next one."""

    article: DueArticle
    checked_at: datetime
    outcome: Outcome
    next_check_at: datetime | None
    check_interval: float
    version: NewVersion | None = None
    http_status: int | None = None
    error: str | None = None
    elapsed_ms: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    reason: str | None = None  # why it failed, for machines (see tracker.health)
    body_length: int | None = None  # characters of the body it read
    event: ArticleEvent | None = None  # what happened to the article (never a version)
    headline_flip: HeadlineFlip | None = None  # an A/B test's headline seen again
    # The article's new decision key (tearsheet.extract.recheck): None leaves it as it is,
    # "" clears it (a full extraction that could make none).
    decision_key: str | None = None
    # Without a version: the article's fingerprint moved to the same page read by a new
    # extractor (tearsheet.tracker.reread); None leaves it as it is.
    content_hash: str | None = None

    def __post_init__(self) -> None:  # an outcome given by name is still an Outcome
        object.__setattr__(self, "outcome", Outcome(self.outcome))


@dataclass(frozen=True)
class CaptureStamp:
    """A version's trusted timestamp: its WARC record's digest, listed in the manifest of a
    batch whose SHA-256 the authority at ``tsa_url`` stamped (``token``, RFC 3161, DER)."""

    version_id: int
    batch_id: int
    digest: str
    manifest: bytes
    token: bytes
    tsa_url: str
    stamped_at: datetime


@dataclass(frozen=True)
class Observation:
    """One check of a source, as source health judges it (:mod:`tearsheet.tracker.health`)."""

    article_id: int
    checked_at: datetime
    outcome: str  # new_version | unchanged | failed
    reason: str | None = None
    body_length: int | None = None


@dataclass(frozen=True)
class SourceSummary:
    """How one source stands (``tearsheet status``, ``/metrics``)."""

    name: str
    articles: int
    active: int  # still checked (not retired)
    versions: int
    due: int  # checks due now
    failing: int  # articles whose last check failed


@dataclass(frozen=True)
class ErrorRow:
    """A feed or an article whose last poll or check failed."""

    url: str
    last_error: str | None
    error_count: int
    last_checked_at: datetime | None


@dataclass(frozen=True)
class ImportTarget:
    """The article an imported capture belongs to, as the import judges it."""

    id: int
    content_hash: str | None
    version_count: int
    last_changed_at: datetime | None
    next_check_at: datetime | None
    check_interval: float
    etag: str | None
    last_modified: str | None
    due: DueArticle  # the same row, as a check records it
