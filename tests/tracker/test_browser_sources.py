"""Sources that need a browser, against a local site (127.0.0.1) and Debian's Chromium:
JavaScript-rendered articles, challenge pages, rate limits, and what plain HTTP makes of them."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tearsheet.config import Settings, load_settings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.notify.notifier import Notifier
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import assemble
from tests.support.jssite import Site, cookie
from tests.support.localserver import LocalServer
from tests.support.pages import LOREM
from tests.support.served import chromium


@pytest.fixture
def site(server: LocalServer) -> Site:
    return Site(server)


def settings_for(tmp_path: Path, *sources: dict[str, Any], **fetch: Any) -> Settings:
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'ts.db'}",
        schedule={"first_interval": "0.2s", "growth": 1.0, "max_interval": "1s",
                  "jitter": 0, "discovery_interval": "1h"},
        fetch={"per_host_delay": 0, "timeout": "5s", "retries": 1, "retry_backoff": "0.05s",
               "allow_private_addresses": True, "extract_processes": 0,
               "browser_timeout": "15s", "browser_path": chromium(), **fetch},
        archive={"keep": "versions", "dir": str(tmp_path / "warc")},
        sources=list(sources))


def one_pass(settings: Settings) -> Store:
    """One `tearsheet run --once` pass: discovery, the checks due, notifications."""
    store = Store.open(settings.database_url, upgrade=True)

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher) as tracker:
            await tracker.run(asyncio.Event(), once=True)
        await Notifier(settings, store).drain()  # the stage beside the tracker

    asyncio.run(go())
    return store


def checks(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.exec_driver_sql(
            "SELECT a.url, c.outcome, c.reason, c.error, c.body_length FROM checks c "
            "JOIN articles a ON a.id = c.article_id ORDER BY c.id")]


def texts(store: Store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in store.iter_versions():
        found.setdefault(row["url"], []).append(row["text"])
    return found


def test_plain_http_refuses_a_javascript_page_as_needs_browser(
        site: Site, tmp_path: Path) -> None:
    site.publish("budget")
    store = one_pass(settings_for(tmp_path, {"name": "app", "feeds": [site.feed("app")]}))
    (check,) = checks(store)
    assert (check["outcome"], check["reason"]) == ("failed", "needs_browser")
    assert 'render = "browser"' in check["error"]
    assert texts(store) == {}


def test_browser_source_stores_the_rendered_text(site: Site, tmp_path: Path,
                                                 server: LocalServer) -> None:
    site.publish("budget")
    store = one_pass(settings_for(tmp_path, {"name": "app", "feeds": [site.feed("app")],
                                             "render": "browser", "wait_for": "article p"}))
    assert texts(store) == {server.url("/app/budget"): ["\n\n".join(LOREM)]}
    assert server.hits("/api/budget.json"), "the page's script loads its data"
    assert server.hits("/static/logo.png") == [], "images are never fetched"
    # The WARC keeps what the server sent and, referring to it, what the browser made.
    (warc,) = (tmp_path / "warc").glob("*.warc.gz")
    with gzip.open(warc) as fh:
        records = {r.rec_type: (r.rec_headers, r.content_stream().read())
                   for r in ArchiveIterator(fh)}
    response_headers, original = records["response"]
    conversion_headers, rendered = records["conversion"]
    assert b'<div id="root"></div>' in original
    assert LOREM[0].encode() in rendered and LOREM[0].encode() not in original
    assert conversion_headers.get_header("WARC-Refers-To") == \
        response_headers.get_header("WARC-Record-ID")


def test_articles_of_one_source_rendered_at_once_each_keep_their_own_text(
        site: Site, tmp_path: Path, server: LocalServer) -> None:
    """Six articles of one browser source, fetched six at a time: the source's page
    renders them in turn, and each version holds its own article's text (sharing the
    page, one render navigated while another read it: a failed check, or another
    article's text)."""
    slugs = [f"story-{n}" for n in range(6)]
    for n, slug in enumerate(slugs):
        site.publish(slug, [f"{LOREM[0]} Article {n}.", *LOREM[1:]])
    store = one_pass(settings_for(tmp_path, {"name": "app", "feeds": [site.feed("app")],
                                             "render": "browser", "wait_for": "article p"},
                                  per_host_concurrency=6))
    assert [(r["outcome"], r["reason"]) for r in checks(store)] == [("new_version", None)] * 6
    assert texts(store) == {server.url(f"/app/{slug}"): ["\n\n".join(site.paragraphs[slug])]
                            for slug in slugs}


def test_next_data_source_needs_no_browser(site: Site, tmp_path: Path,
                                           server: LocalServer) -> None:
    site.publish("budget")
    store = one_pass(settings_for(tmp_path, {"name": "next", "feeds": [site.feed("next")]}))
    assert texts(store) == {server.url("/next/budget"): ["\n\n".join(LOREM)]}


@pytest.mark.parametrize("render", ["http", "browser"])
@pytest.mark.parametrize("kind", ["guard", "wall"])  # a 403, and a challenge served with 200
def test_challenge_is_blocked_never_a_version_nor_a_deletion(
        site: Site, tmp_path: Path, server: LocalServer, render: str, kind: str) -> None:
    site.publish("budget")
    site.publish("transport")
    # One request to the host at a time, a second apart: the refusal is known (for a 200
    # challenge, once extracted) before the next one may start.
    settings = settings_for(tmp_path, {"name": kind, "feeds": [site.feed(kind)],
                                       "render": render}, max_retry_after="1s",
                            per_host_concurrency=1, per_host_delay="1s")
    store = one_pass(settings)
    rows = checks(store)
    assert [(r["outcome"], r["reason"]) for r in rows] == [("failed", "blocked")] * 2
    # The host backs off after the first refusal: the second article was not asked for
    # (unless, rendering a 200 challenge, the browser took longer than the host's delay).
    asked = len(server.hits(f"/{kind}/budget") + server.hits(f"/{kind}/transport"))
    assert asked == 1 or (asked == 2 and (kind, render) == ("wall", "browser"))
    assert texts(store) == {}
    article = store.article_by_url(server.url(f"/{kind}/budget"))
    assert article is not None and article["next_check_at"] is not None  # not retired


def test_browser_passes_a_javascript_gate_with_the_sources_cookies(
        site: Site, tmp_path: Path, server: LocalServer) -> None:
    site.publish("budget")
    store = one_pass(settings_for(tmp_path, {"name": "gate", "feeds": [site.feed("gate")],
                                             "render": "browser"}))
    assert texts(store) == {server.url("/gate/budget"): ["\n\n".join(LOREM)]}
    first, second = server.hits("/gate/budget")
    assert "passed=yes" not in cookie(first)
    assert "passed=yes" in cookie(second)


def test_rate_limit_is_retried_after_its_delay(site: Site, tmp_path: Path,
                                               server: LocalServer) -> None:
    site.publish("budget")
    site.busy = 1
    store = one_pass(settings_for(tmp_path, {"name": "busy", "feeds": [site.feed("busy")]},
                                  max_retry_after="5s"))
    assert texts(store) == {server.url("/busy/budget"): ["\n\n".join(LOREM)]}
    refused, served = server.hits("/busy/budget")
    assert served.at - refused.at >= 0.9  # Retry-After: 1


LONG = [f"{p} Paragraph {n} adds detail on the budget, its costs and who will pay for it."
        for n, p in enumerate(LOREM * 2)]
WEBHOOK_SECRET = "s" * 20


def redesign_settings(tmp_path: Path, site: Site, hook: LocalServer) -> Settings:
    settings = settings_for(tmp_path, {"name": "story", "feeds": [site.feed("story")]})
    return settings.model_copy(update={
        "health": settings.health.model_copy(update={"recent_checks": 4, "min_articles": 3}),
        "notifications": load_settings(notifications={"rules": [{
            "name": "desk", "webhook": hook.url("/hook"), "secret": WEBHOOK_SECRET}]},
        ).notifications})


def test_redesign_raises_one_alert_and_stores_no_shrunken_version(
        site: Site, tmp_path: Path) -> None:
    hook = LocalServer().start()
    hook.route("/hook", "ok")
    try:
        for n in range(8):
            site.publish(f"story-{n}", LONG)
        settings = redesign_settings(tmp_path, site, hook)
        store = one_pass(settings)
        assert len(texts(store)) == 8
        site.redesign()
        for _ in range(3):
            asyncio.run(asyncio.sleep(1.1))  # every check (and retry) falls due
            store = one_pass(settings)
        after = checks(store)[8:]
        assert after and all((r["outcome"], r["reason"]) == ("failed", "held") for r in after)
        assert all(len(v) == 1 for v in texts(store).values()), "no shrunken version"
        with store.engine.connect() as conn:
            (broken_since, reason), = conn.exec_driver_sql(
                "SELECT broken_since, broken_reason FROM sources").all()
        assert broken_since is not None and "held ×" in reason
        alerts = [r for r in hook.hits("/hook")]
        assert len(alerts) == 1
        assert b'"event":"source_broken"' in alerts[0].body
        assert b"extraction broken since" in alerts[0].body
    finally:
        hook.stop()


def test_one_article_cut_is_stored_once_the_others_read_normally(
        site: Site, tmp_path: Path, server: LocalServer) -> None:
    for n in range(6):
        site.publish(f"story-{n}", LONG)
    settings = settings_for(tmp_path, {"name": "story", "feeds": [site.feed("story")]})
    settings = settings.model_copy(update={"health": settings.health.model_copy(
        update={"recent_checks": 4, "min_articles": 3})})
    one_pass(settings)
    site.publish("story-0", LONG[:2])  # a real cut: the others do not change
    store = None
    for _ in range(3):
        asyncio.run(asyncio.sleep(1.1))
        store = one_pass(settings)
    assert store is not None
    reasons = [r["reason"] for r in checks(store) if r["url"].endswith("story-0")]
    assert reasons[1] == "held"
    assert texts(store)[server.url("/story/story-0")] == ["\n\n".join(LONG),
                                                          "\n\n".join(LONG[:2])]
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT broken_since FROM sources").scalar() is None
