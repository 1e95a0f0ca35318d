"""One exception hierarchy, rooted in :class:`TearsheetError`, and every exception in it.

Every message is written for the person running tearsheet: it says what went wrong and,
where there is one, what to do about it. The CLI turns any of them into one line and exit
status 1; the web answers them as problems (JSON under ``/api``)::

    TearsheetError
    ├── ConfigError            the settings file or environment
    ├── FetchError             a page could not be fetched (a failed check, never a version)
    │   ├── BlockedAddressError    an internal address, refused at connect time
    │   ├── RobotsDisallowedError  robots.txt says no
    │   ├── ResponseTooLargeError  over fetch.max_bytes, decompressed
    │   ├── HTTPStatusError        a 4xx or 5xx answer
    │   └── FetchTimeoutError      no answer in time
    ├── DiscoveryError         a feed, sitemap or section page that cannot be read
    ├── ExtractionError        no article in the page; ``reason`` is a :class:`Refusal`
    ├── StoreError             the database cannot be opened or used
    ├── CurationError          an API write that cannot be done as asked (with its status)
    ├── ArchiveError           a WARC record cannot be written or read back
    │   └── DamagedRecordError     a record that cannot be read (skipped by imports)
    ├── WarcImportError        an import that cannot start
    ├── ExportError            an export that cannot be written
    ├── ProofError             a proof package that cannot be made, read or verified
    │   └── TimestampError         a timestamping authority failed, or a token does not verify
    ├── DeliveryError          one attempt at a notification failed (retried)
    └── PostError              a post or message not made (retried unless ``final``)
        └── RateLimited            the server asked us to wait
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Refusal(StrEnum):
    """Why a fetched page is not stored as a version (an :class:`ExtractionError`'s
    ``reason``; the ``checks.error`` text ends with it in brackets)."""

    EMPTY = "empty"
    NOT_HTML = "not_html"
    TOO_SHORT = "too_short"
    PAYWALL = "paywall"
    CONSENT = "consent"
    LOGIN = "login"
    ERROR_PAGE = "error_page"
    SOFT_404 = "soft_404"
    TRUNCATED = "truncated"
    MOJIBAKE = "mojibake"
    SELECTOR = "selector"  # the source's body_selector matched nothing
    NOT_ARTICLE = "not_article"  # a home, section, tag or search page; a gallery
    BLOCKED = "blocked"  # a bot check: a JavaScript challenge, a CAPTCHA
    NEEDS_BROWSER = "needs_browser"  # drawn by JavaScript: the source needs render = "browser"
    HELD = "held"  # a shrunken body held back while the source's health says whether it broke
    UNCONFIRMED_SHRINK = "unconfirmed_shrink"  # a second fetch did not confirm a shrink
    WORKER_DIED = "worker_died"  # the extraction process died under it (retried)
    TOO_SLOW = "too_slow"  # extraction ran past fetch.extract_timeout and was stopped


class TearsheetError(Exception):
    """Base of every error tearsheet raises on purpose."""


class ConfigError(TearsheetError):
    """The configuration file or environment holds an unknown key or a bad value."""


class FetchError(TearsheetError):
    """A page could not be fetched. The check fails; no version is recorded.

    ``retry_after`` is the number of seconds the server asked us to wait (429/503), if any;
    ``status`` the HTTP status when there was a response. ``kind`` names the failure for
    machines (a check's ``reason``): ``network``, ``timeout``, ``robots``, ``private_address``,
    ``too_large``, ``http_<status>``, or ``blocked`` (the site refuses us: 403, 429, a bot
    challenge; never a sign that the article is gone).
    """

    kind = "network"

    def __init__(
        self, url: str, message: str, *, status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(FetchError):
    """The URL resolves to a private, loopback or otherwise internal address."""

    kind = "private_address"


class RobotsDisallowedError(FetchError):
    """robots.txt of the site forbids our user agent to fetch this URL."""

    kind = "robots"


class ResponseTooLargeError(FetchError):
    """The body (after decompression) is larger than ``fetch.max_bytes``."""

    kind = "too_large"


class HTTPStatusError(FetchError):
    """The server answered with a status that is not a success (4xx, 5xx): its ``kind``
    is ``http_<status>``, as ``/metrics`` names it."""

    def __init__(self, url: str, message: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(url, message, status=status, retry_after=retry_after)
        if type(self).kind == FetchError.kind:  # not a subclass naming its own
            self.kind = f"http_{status}" if status else "http_status"


class BlockedError(HTTPStatusError):
    """The site refuses us (403, 429, a bot challenge), or its host is backing off after
    it did: ``retry_after`` says for how long. Never a sign the article is gone."""

    kind = "blocked"


class FetchTimeoutError(FetchError):
    """The server did not answer within ``fetch.timeout``."""

    kind = "timeout"


class BrowserUnavailableError(TearsheetError):
    """A source asks for ``render = "browser"`` but Playwright or Chromium is missing (the
    message names which, and how to install it), or Chromium would not start."""


class DiscoveryError(TearsheetError):
    """A feed, sitemap or section page could not be read (not XML, not a feed, ...)."""


class ExtractionError(TearsheetError):
    """A page was fetched but holds no article we can read (empty, paywall, not HTML).

    A failed extraction is a failed check, never a new (empty) version. ``reason`` says
    why, for machines (a :class:`Refusal`; an unknown name is a programming error).
    """

    def __init__(self, message: str, *, reason: Refusal | str = Refusal.TOO_SHORT) -> None:
        super().__init__(message)
        self.reason = Refusal(reason)

    def at(self, url: str) -> ExtractionError:
        """The same refusal, its message naming the page and the reason (as checks log it)."""
        return ExtractionError(f"{url}: {self} [{self.reason}]", reason=self.reason)


class StoreError(TearsheetError):
    """The database cannot be opened or used (bad URL, newer schema, ...)."""


class CurationError(TearsheetError):
    """A write that cannot be done as asked; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ArchiveError(TearsheetError):
    """A WARC record cannot be written or read back (missing file, outside the folder)."""


class DamagedRecordError(ArchiveError):
    """A WARC record is there but cannot be read: truncated, a bad digest, bad headers."""


class WarcImportError(TearsheetError):
    """An import cannot start: no such file, not a CDX index, an unreachable endpoint."""


class ExportError(TearsheetError):
    """An export cannot be written: a missing optional dependency, an output in the way."""


class ProofError(TearsheetError):
    """A proof package cannot be made or read, or a part of it does not verify."""


class TimestampError(ProofError):
    """A timestamping authority failed or refused, or a timestamp token does not verify."""


class DeliveryError(TearsheetError):
    """One attempt at delivering a notification failed (it may be retried)."""


class PostError(TearsheetError):
    """A post (Mastodon, Bluesky) or a message (e-mail, Slack, Discord, Matrix) was not
    made: the delivery is retried unless ``final`` (refused as it is)."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


class RateLimited(PostError):
    """The server asked us to wait until ``until`` (not counted as a failed attempt)."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until
