"""The operator's routes: ``/healthz`` (the process answers), ``/readyz`` (the database
answers and its schema is current) and ``/metrics`` (Prometheus text format).

The metrics are read from the store at scrape time (:mod:`tearsheet.store.health`), so one
``tearsheet serve`` reports on every tracker and worker writing to that store. The tracker's
own counters and histograms (fetch latency and bytes) are served by ``tearsheet run
--metrics-port`` (:mod:`tearsheet.tracker.metrics`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from tearsheet import __version__
from tearsheet.store.health import ELAPSED_BUCKETS, WINDOW, readiness, snapshot
from tearsheet.store.store import Store


class StoreCollector(Collector):
    """Prometheus metrics read from the store on each scrape."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        found = snapshot(self.store, now)
        window = f"in the last {WINDOW / 60:g} minutes"
        checks = GaugeMetricFamily(
            "tearsheet_checks_recent", f"Checks {window}, by outcome and refusal reason",
            labels=["outcome", "reason"])
        for (outcome, reason), count in sorted(found.checks.items()):
            checks.add_metric([outcome, reason], count)
        yield checks
        buckets = [(f"{bound:g}", count) for bound, count in
                   zip(ELAPSED_BUCKETS, found.elapsed_buckets, strict=True)]
        buckets.append(("+Inf", found.elapsed_count))
        yield HistogramMetricFamily(
            "tearsheet_check_duration_seconds",
            f"How long checks {window} took (fetch, extraction and store)",
            buckets=buckets, sum_value=found.elapsed_sum)
        yield GaugeMetricFamily("tearsheet_versions", "Versions stored", value=found.versions)
        yield GaugeMetricFamily("tearsheet_due_checks", "Checks due now, not leased",
                                value=found.due)
        yield GaugeMetricFamily("tearsheet_due_lag_seconds",
                                "How long the longest-waiting due check has waited",
                                value=found.due_lag)
        outbox = GaugeMetricFamily("tearsheet_notify_outbox",
                                   "Notifications waiting (pending, or held by flood control)",
                                   labels=["status"])
        for status, count in sorted(found.outbox.items()):
            outbox.add_metric([status], count)
        yield outbox
        per_source = {
            "articles": ("tearsheet_source_articles", "Articles tracked (not retired)", "active"),
            "retired": ("tearsheet_source_retired_articles", "Articles retired", None),
            "versions": ("tearsheet_source_versions", "Versions stored", "versions"),
            "due": ("tearsheet_source_due_checks", "Checks due now", "due"),
            "failing": ("tearsheet_source_failing_articles",
                        "Articles whose last check failed", "failing"),
        }
        for name, doc, column in per_source.values():
            family = GaugeMetricFamily(name, doc + ", per source", labels=["source"])
            for row in found.sources:
                value = getattr(row, column) if column else row.articles - row.active
                family.add_metric([row.name], value)
            yield family


def add_ops_routes(app: FastAPI, store: Store) -> None:
    """Register ``/healthz``, ``/readyz`` and ``/metrics`` on ``app``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(store))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """The process is up and serving (no database access)."""
        return JSONResponse({"status": "ok", "version": __version__},
                            headers={"Cache-Control": "no-store"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        """Ready: the database answers and its schema is the one this code needs."""
        problem = await asyncio.to_thread(readiness, store)
        body = {"status": "ready"} if problem is None else {"status": "not ready",
                                                           "problem": problem}
        return JSONResponse(body, status_code=200 if problem is None else 503,
                            headers={"Cache-Control": "no-store"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus text format, read from the store (in a thread: a few queries)."""
        data = await asyncio.to_thread(generate_latest, registry)
        return Response(data, media_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})
