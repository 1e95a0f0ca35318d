"""One exception hierarchy, rooted in :class:`TearsheetError`.

Every message is written for the person running tearsheet: it says what went wrong and,
where there is one, what to do about it.
"""

from __future__ import annotations


class TearsheetError(Exception):
    """Base of every error tearsheet raises on purpose."""


class ConfigError(TearsheetError):
    """The configuration file or environment holds an unknown key or a bad value."""


class FetchError(TearsheetError):
    """A page could not be fetched. The check fails; no version is recorded.

    ``retry_after`` is the number of seconds the server asked us to wait (429/503), if any;
    ``status`` the HTTP status when there was a response.
    """

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


class RobotsDisallowedError(FetchError):
    """robots.txt of the site forbids our user agent to fetch this URL."""


class ResponseTooLargeError(FetchError):
    """The body (after decompression) is larger than ``fetch.max_bytes``."""


class HTTPStatusError(FetchError):
    """The server answered with a status that is not a success (4xx, 5xx)."""


class FetchTimeoutError(FetchError):
    """The server did not answer within ``fetch.timeout``."""


class DiscoveryError(TearsheetError):
    """A feed, sitemap or section page could not be read (not XML, not a feed, ...)."""


class ExtractionError(TearsheetError):
    """A page was fetched but holds no article we can read (empty, paywall, not HTML).

    A failed extraction is a failed check, never a new (empty) version. ``reason`` says
    why, for machines: ``empty``, ``not_html``, ``too_short``, ``paywall``, ``consent``,
    ``login``, ``error_page``, ``soft_404``, ``truncated``, ``mojibake``, ``selector``,
    ``not_article`` (a home, section or search page, a gallery), ``blocked`` (a bot check);
    ``worker_died`` when the extraction process died under it (the page is retried).
    """

    def __init__(self, message: str, *, reason: str = "too_short") -> None:
        super().__init__(message)
        self.reason = reason


class StoreError(TearsheetError):
    """The database cannot be opened or used (bad URL, newer schema, ...)."""


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
