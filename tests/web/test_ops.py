"""The operator's view: /healthz, /readyz and /metrics of `tearsheet serve`, the tracker's
own metrics (JSON log lines: cli/test_logging.py). Metrics are scraped over HTTP and parsed with
prometheus_client's parser, as Prometheus would read them."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from tearsheet.config import Settings, load_settings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import Tracker, assemble
from tearsheet.web import create_app
from tests.support import webclient
from tests.support.localserver import LocalServer, Reply
from tests.support.pages import LOREM, article_page, rss_feed
from tests.support.served import serve


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by (name, sorted labels)."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(exposition) for s in family.samples}


def tracked(server: LocalServer, tmp_path: Path) -> tuple[Settings, Tracker]:
    """One tracker pass over a site with a good article and a missing one."""
    server.route("/news/a-good-story", article_page("A good story", LOREM))
    server.route("/news/a-missing-story", Reply(status=404, body="gone"))
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [
        ("/news/a-good-story", "Good"), ("/news/a-missing-story", "Missing")]),
        headers={"Content-Type": "application/rss+xml"}))
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'ts.db'}",
                             fetch={"extract_processes": 0, "per_host_delay": 0,
                                    "retries": 0, "allow_private_addresses": True},
                             sources=[{"name": "local", "feeds": [server.url("/feed.xml")]}])

    async def go() -> Tracker:
        store = Store.open(settings.database_url)
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher) as tracker:
            await tracker.run(asyncio.Event(), once=True)
        store.close()
        return tracker

    return settings, asyncio.run(go())


def test_healthz_readyz_and_store_metrics(server: LocalServer, tmp_path: Path) -> None:
    settings, _ = tracked(server, tmp_path)
    store = Store.open(settings.database_url)
    try:
        with serve(create_app(settings, store)) as base:
            health = webclient.get(base + "/healthz")
            assert health.status_code == 200 and health.json()["status"] == "ok"
            ready = webclient.get(base + "/readyz")
            assert ready.status_code == 200 and ready.json() == {"status": "ready"}
            scrape = webclient.get(base + "/metrics")
            assert scrape.headers["content-type"].startswith("text/plain")
            found = samples(scrape.text)
            assert found["tearsheet_versions", ()] == 1
            assert found["tearsheet_checks_recent",
                         (("outcome", "new_version"), ("reason", "new_version"))] == 1
            assert found["tearsheet_checks_recent",
                         (("outcome", "failed"), ("reason", "http_404"))] == 1
            assert found["tearsheet_check_duration_seconds_count", ()] == 2
            assert found["tearsheet_source_articles", (("source", "local"),)] == 2
            assert found["tearsheet_source_failing_articles", (("source", "local"),)] == 1
            assert found["tearsheet_notify_outbox", (("status", "pending"),)] == 0
            assert ("tearsheet_due_lag_seconds", ()) in found
            # The schema behind the code's: not ready, and why.
            with store.engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
            ready = webclient.get(base + "/readyz")
            assert ready.status_code == 503
            assert "tearsheet db upgrade" in ready.json()["problem"]
            # /metrics is no page: never answered from the page cache.
            assert "x-cache" not in webclient.get(base + "/metrics").headers
    finally:
        store.close()


def test_the_tracker_serves_fetch_histograms_and_checks_by_outcome(
        server: LocalServer, tmp_path: Path) -> None:
    _, tracker = tracked(server, tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tracker.metrics.serve(port)
    found = samples(webclient.get(f"http://127.0.0.1:{port}/metrics").text)
    assert found["tearsheet_fetch_duration_seconds_count", ()] == 1  # the 404 raised
    assert found["tearsheet_fetch_bytes_count", ()] == 1
    assert found["tearsheet_fetch_bytes_sum", ()] > 1000
    assert found["tearsheet_tracker_checks_total",
                 (("outcome", "new_version"), ("reason", "new_version"))] == 1
    assert found["tearsheet_tracker_checks_total",
                 (("outcome", "failed"), ("reason", "fetch"))] == 1
