"""The sections of the settings file: schedule, fetch, health, worker, archive, limits,
sources, proof, API and trace."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
)

from tearsheet import __version__
from tearsheet.config.values import (
    ByteSize,
    Duration,
    FeedKind,
    HttpUrls,
    Pattern,
    Section,
    check_css,
    check_http_urls,
)


class ScheduleSettings(Section):
    """When each article is checked again (see :mod:`tearsheet.tracker.schedule`)."""

    first_interval: Duration = 30 * 60
    growth: float = Field(1.2, ge=1.0, le=100.0)
    max_interval: Duration = 3 * 86400
    retire_after: Duration = 40 * 86400
    jitter: float = Field(0.1, ge=0.0, le=0.5)
    error_backoff: float = Field(2.0, ge=1.0, le=100.0)
    discovery_interval: Duration = 10 * 60
    unpublished_interval: Duration = 86400  # how often an unpublished article is re-checked

    @field_validator("first_interval", "max_interval", "discovery_interval",
                     "unpublished_interval")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be longer than zero")
        return value


class FetchSettings(Section):
    """How pages are fetched (see :mod:`tearsheet.fetch.fetcher`)."""

    concurrency: int = Field(16, ge=1, le=1024)
    per_host_concurrency: int = Field(2, ge=1, le=64)
    per_host_delay: Duration = 1.0
    timeout: Duration = 20.0
    max_bytes: ByteSize = 8_000_000
    retries: int = Field(2, ge=0, le=10)
    retry_backoff: Duration = 1.0
    max_retry_after: Duration = 120.0
    user_agent: str = (
        f"tearsheet/{__version__} (news revision tracker; +https://github.com/tearsheet/tearsheet)"
    )
    obey_robots: bool = True
    allow_private_addresses: bool = False
    # Processes that extract fetched pages (see tearsheet.tracker.extraction_pool); 0: one
    # thread in the tracker's process (no time limit: a thread cannot be stopped).
    extract_processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0, le=64)
    # A job of the extraction workers still running after this long is stopped (its workers
    # are restarted) and its check fails as ``too_slow``: a page whose shape makes a parser
    # quadratic (one tag of 50,000 attributes: minutes) holds a worker no longer. Generous:
    # the largest real pages take seconds. Only with worker processes (extract_processes
    # 1 or more: a thread cannot be stopped); 0: no limit. The one-off commands (extract,
    # check, trace), the web app's traces and the WARC import are held to it too.
    extract_timeout: Duration = 120.0
    # An unchanged page recognised from a digest of what its last extraction depended on,
    # without extracting it again (see tearsheet.extract.recheck); false: always extract.
    fast_path: bool = True
    # Pages up to this size are checked by the fast path on the tracker's event loop,
    # whatever runs extraction (a thread, one worker or several): it spares the hand-off
    # to the extraction thread or worker and back, which costs more CPU than the check
    # (a worker process's: the page pickled and piped, the answer read back).
    # Bounded because it holds up every other fetch while it runs: ~30-50 us a KB on real
    # news pages, so 128 KiB is a few ms, about the interpreter's switch interval (5 ms)
    # that an extraction thread could hold the loop off anyway. 0: never inline.
    inline_check_bytes: int = Field(131_072, ge=0)
    # Sources with render = "browser" (see tearsheet.fetch.browser): pages rendered at once
    # (each in a browser context of its own), the time a page gets to settle, and the
    # Chromium to drive (default: the first chromium on PATH).
    browser_concurrency: int = Field(2, ge=1, le=64)
    browser_timeout: Duration = 30.0
    browser_path: Path | None = None

    @field_validator("timeout", "browser_timeout")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be longer than zero")
        return value


class HealthSettings(Section):
    """When a source is judged broken, and when a shrunken body may be stored (see
    :mod:`tearsheet.tracker.health`)."""

    # The latest checks judged against the ones before, and the articles a breakage spans.
    recent_checks: int = Field(8, ge=2, le=1000)
    min_articles: int = Field(4, ge=1, le=1000)
    # Share of the latest checks refused (or collapsed) that means broken.
    broken_share: float = Field(0.75, gt=0.0, le=1.0)
    # A body under this share of the source's usual length has collapsed.
    collapse: float = Field(0.4, gt=0.0, lt=1.0)
    # A shrunken body is stored after this many holds when nothing contradicts it.
    max_holds: int = Field(4, ge=0, le=100)


class WorkerSettings(Section):
    """A tracker process: ``tearsheet run``, or one ``tearsheet worker`` among several
    sharing a PostgreSQL store (see docs/deploy.md)."""

    # Names this process in its leases; default host-pid. A fixed id per systemd unit lets
    # a restarted worker take back at once the leases its killed predecessor held.
    id: str = Field("", max_length=100)
    # How long a claimed article or feed stays reserved for this worker. 0: long enough
    # for the slowest fetch, fetch.timeout × (fetch.retries + 2) + 60 s.
    lease: Duration = 0.0
    # Claim at least this many due articles at once (0: as many as the checks in flight,
    # fetch.concurrency × 2); up to as many again wait claimed for a slot (tracker.py).
    batch_size: int = Field(0, ge=0, le=10_000)
    # A tracker's PostgreSQL statement that runs longer fails (a lock held, a stuck server).
    statement_timeout: Duration = 60.0
    # On SIGTERM or Ctrl-C, how long checks in flight get to finish (and the extraction
    # workers keep serving) before they are abandoned: their articles stay due.
    shutdown_grace: Duration = Field(10.0, ge=0)
    # The CPU the tracker's threads are kept on (see tearsheet.affinity): "auto", one that
    # no other tracker is kept on (the one it runs on, if free); a number, that CPU; "any",
    # none (the system moves them). Extraction workers and Chromium are not kept: they run
    # on every CPU the tracker was allowed. Linux only.
    cpu: Annotated[int, Field(ge=0, le=65_535)] | Literal["auto", "any"] = "auto"


class ArchiveSettings(Section):
    """Which raw responses are kept as WARC records, and where (see :mod:`tearsheet.archive.warc`).

    ``keep``: ``versions`` (default) keeps the response of every fetch that made a version
    (the first version of an article included); ``all`` every successful fetch; ``none``
    nothing. ``dir`` defaults to a ``warc`` folder beside the SQLite database (or under the
    user's data directory for other databases); files rotate at ``file_size``.
    """

    keep: Literal["versions", "all", "none"] = "versions"
    dir: Path | None = None
    file_size: ByteSize = 1_000_000_000


class LimitSettings(Section):
    """How much of one (hostile?) document a parser reads; beyond: ignored (hardening.md)."""

    authors: int = Field(20, ge=1, le=10_000)  # names kept in a byline
    items: int = Field(5_000, ge=1, le=1_000_000)  # entries read from one feed or sitemap
    links: int = Field(10_000, ge=1, le=1_000_000)  # <a> elements read from a section page
    nesting: int = Field(16, ge=2, le=200)  # JSON-LD levels searched for the article
    json_ld_bytes: ByteSize = 2_000_000  # one JSON-LD block; a larger one is skipped
    attribute_chars: int = Field(10_000, ge=100, le=10_000_000)  # a <meta> content


DEFAULT_LIMITS = LimitSettings()


class SourceSettings(Section):
    """One news source: where its articles are discovered, and how to read them.

    ``body_selector`` (CSS) names the article body when the generic extractor gets a site
    wrong; ``drop_selectors`` (CSS) remove elements first (a newsletter box, a related-links
    rail). Both are checked here, so a typo fails at startup rather than on every check.
    ``render = "browser"`` renders its article pages in a headless Chromium (discovery stays
    on plain HTTP), settled when ``wait_for`` (CSS) matches, else at network idle;
    ``cookies`` are sent to its sites from the first request (a consent choice).
    """

    name: str = Field(min_length=1, max_length=100)
    feeds: HttpUrls = []
    sitemaps: HttpUrls = []
    section_pages: HttpUrls = []
    article_pattern: Pattern = ""
    body_selector: str | None = None
    drop_selectors: list[str] = []
    wayback: bool = False  # save each new version with the Internet Archive (``[wayback]``)
    render: Literal["http", "browser"] = "http"
    wait_for: str | None = None
    cookies: dict[Annotated[str, Field(pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")],
                  Annotated[str, Field(pattern=r"^[^;,\s\x00-\x1f\x7f]*$")]] = {}

    def discovery(self) -> list[tuple[FeedKind, str, str]]:
        """Where its articles are found: (kind, url, pattern) rows, as
        :meth:`tearsheet.store.store.Store.sync_feeds` takes them."""
        return ([(FeedKind.FEED, url, "") for url in self.feeds]
                + [(FeedKind.SITEMAP, url, "") for url in self.sitemaps]
                + [(FeedKind.SECTION, url, self.article_pattern) for url in self.section_pages])

    @field_validator("body_selector", "wait_for")
    @classmethod
    def _body_css(cls, selector: str | None) -> str | None:
        if selector is not None:
            check_css(selector)
        return selector

    @field_validator("drop_selectors")
    @classmethod
    def _drop_css(cls, selectors: list[str]) -> list[str]:
        for selector in selectors:
            check_css(selector)
        return selectors


class ProofSettings(Section):
    """Proof packages and trusted timestamps (see docs/proof.md).

    ``key_file``: the signing key (ECDSA), made on first use with 0600 permissions; default
    ``tearsheet-signing-key.pem`` beside the SQLite database, else in the data directory.
    ``curve``: the key's curve, P-256 by default; P-384 is what ReplayWeb.page checks
    signatures with (a P-256 signature verifies everywhere else but shows unverified there).
    ``tsa_url``: an RFC 3161 timestamping authority; when set, each new version's raw
    capture is timestamped, in batches of up to ``timestamp_batch`` every
    ``timestamp_interval``, retried ``timestamp_retries`` times with a backoff doubling from
    ``timestamp_backoff``. ``tsa_ca_file``: the authority's root certificates (PEM), which
    ``tearsheet verify`` checks tokens against.
    """

    key_file: Path | None = None
    curve: Literal["P-256", "P-384"] = "P-256"
    tsa_url: str | None = None
    tsa_ca_file: Path | None = None
    timestamp_interval: Duration = 60.0
    timestamp_batch: int = Field(1000, ge=1, le=100_000)
    timestamp_timeout: Duration = 20.0
    timestamp_retries: int = Field(8, ge=0, le=50)
    timestamp_backoff: Duration = 60.0

    @field_validator("tsa_url")
    @classmethod
    def _tsa_url(cls, url: str | None) -> str | None:
        return url if url is None else check_http_urls([url])[0]


class ApiSettings(Section):
    """The JSON API (see :mod:`tearsheet.web.api`). Reading is public; writing needs
    ``token``, sent as ``Authorization: Bearer TOKEN``. No token: writing is disabled."""

    token: str | None = Field(None, min_length=16, max_length=1000)


class TraceSettings(Section):
    """Tracing copies through the web page and the API (see :mod:`tearsheet.web.trace`):
    how long a pasted text may be, and how many traces one client may ask for a minute
    (per web process). The command line has neither limit."""

    max_chars: int = Field(100_000, ge=1000, le=10_000_000)
    per_minute: int = Field(20, ge=1, le=100_000)
