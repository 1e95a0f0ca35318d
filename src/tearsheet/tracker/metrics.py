"""The tracker's own Prometheus metrics: what only the process that fetches knows (fetch
latency and bytes), and its checks by outcome and reason since it started.

Served by ``tearsheet run --metrics-port N`` (and ``worker``) on 127.0.0.1; the store-wide
numbers (versions, due lag, outbox, per-source health) are on ``tearsheet serve``'s
``/metrics`` (:mod:`tearsheet.web.ops`).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from tearsheet.store.health import reason_of

FETCH_SECONDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0)
FETCH_BYTES = (1e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 8e6)


class TrackerMetrics:
    """Counters and histograms of one tracker process, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.checks = Counter("tearsheet_tracker_checks", "Checks done by this tracker, by "
                              "outcome and reason", ["outcome", "reason"], registry=self.registry)
        self.fetch_seconds = Histogram(
            "tearsheet_fetch_duration_seconds", "Time to fetch a page (redirects and retries "
            "included)", buckets=FETCH_SECONDS, registry=self.registry)
        self.fetch_bytes = Histogram(
            "tearsheet_fetch_bytes", "Size of a fetched body, decompressed",
            buckets=FETCH_BYTES, registry=self.registry)

    def checked(self, outcome: str, error: str | None) -> None:
        """Count one finished check; a failure's reason is its error's ``[reason]``."""
        self.checks.labels(outcome, reason_of(outcome, error)).inc()

    def fetched(self, seconds: float, size: int) -> None:
        self.fetch_seconds.observe(seconds)
        self.fetch_bytes.observe(size)

    def serve(self, port: int, address: str = "127.0.0.1") -> None:
        """Answer scrapes on ``address:port`` (a daemon thread)."""
        start_http_server(port, address, registry=self.registry)
