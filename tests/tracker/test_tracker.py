"""End-to-end: `tearsheet run` against a real local news site whose articles change, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearsheet.config import load_settings
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tearsheet.tracker.tracker import Tracker, assemble
from tests.support.cli import cli
from tests.support.holding import HANG, held_until, wait_until
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.newsroom import Newsroom, Story, export, run_once, slow, write_config
from tests.support.pages import LOREM, article_page, rss_feed


def test_versions_are_stored_only_for_real_changes(
    newsroom: Newsroom, tmp_path: Path, store_url: str
) -> None:
    for name in ("paragraph", "sentence", "headline", "noise", "same"):
        newsroom.publish(f"/news/{name}-story", Story(f"The {name} story", list(LOREM)))
    config = write_config(tmp_path, newsroom.server, store_url)
    run_once(config)
    assert len(export(config, tmp_path)) == 5

    newsroom.stories["/news/paragraph-story"].paragraphs.append(
        "Update: the council later said the vote would be held again next week.")
    newsroom.stories["/news/sentence-story"].paragraphs[1] = LOREM[1].replace(
        "modest increase", "steep increase")
    newsroom.stories["/news/headline-story"].headline = "The headline story, rewritten"
    run_once(config)
    run_once(config)  # a second unchanged pass: nothing new, noise notwithstanding

    versions = export(config, tmp_path)
    by_url: dict[str, list[dict[str, object]]] = {}
    for record in versions:
        by_url.setdefault(str(record["url"]).rsplit("/", 1)[1], []).append(record)
    assert {k: len(v) for k, v in by_url.items()} == {
        "paragraph-story": 2, "sentence-story": 2, "headline-story": 2,
        "noise-story": 1, "same-story": 1,
    }
    assert by_url["paragraph-story"][1]["text"] == "\n\n".join(
        [*LOREM, "Update: the council later said the vote would be held again next week."])
    assert "steep increase" in str(by_url["sentence-story"][1]["text"])
    assert "modest increase" in str(by_url["sentence-story"][0]["text"])
    assert by_url["headline-story"][1]["title"] == "The headline story, rewritten"
    from tearsheet.store.store import Store
    store = Store.open(store_url)
    with store.engine.connect() as conn:  # each change is stored with its summary
        kinds = dict(conn.exec_driver_sql(
            "SELECT a.url, v.kinds FROM versions v JOIN articles a ON a.id = v.article_id "
            "WHERE v.number = 2").all())
    store.close()
    assert kinds[newsroom.server.url("/news/headline-story")] == ",headline_changed,"
    assert "update" in kinds[newsroom.server.url("/news/paragraph-story")]
    assert "rewording" in kinds[newsroom.server.url("/news/sentence-story")]
    first = by_url["same-story"][0]
    assert first["version"] == 1
    assert first["source"] == "example"
    assert first["byline"] == "Jane Doe"
    assert first["title"] == "The same story"
    assert first["text"] == "\n\n".join(LOREM)
    assert str(first["captured_at"]).endswith("Z")
    assert first["published_at"] == "2026-11-20T08:00:00Z"


@pytest.mark.parametrize("status", [500, 404])
def test_failed_checks_never_make_versions(
    newsroom: Newsroom, tmp_path: Path, store_url: str, status: int
) -> None:
    newsroom.publish("/news/flaky-story", Story("A flaky story", list(LOREM)))
    # A 404 unpublishes the article (an event, see test_events): re-checked at this pace.
    config = write_config(tmp_path, newsroom.server, store_url,
                          unpublished_interval='"0.3s"')
    run_once(config)
    newsroom.stories["/news/flaky-story"].status = status
    run_once(config)
    newsroom.stories["/news/flaky-story"].status = 200
    run_once(config)
    versions = export(config, tmp_path)
    assert [v["version"] for v in versions] == [1]  # no "deleted" phantom, no re-add

    from tearsheet.store.store import Store
    store = Store.open(store_url)
    with store.engine.connect() as conn:
        outcomes = [r[0] for r in conn.exec_driver_sql(
            "SELECT outcome FROM checks ORDER BY id")]
        statuses = [r[0] for r in conn.exec_driver_sql(
            "SELECT http_status FROM checks WHERE outcome = 'failed'")]
    assert outcomes == ["new_version", "failed", "unchanged"]
    assert statuses == [status]


def test_broken_feed_is_reported_and_loses_nothing(
    newsroom: Newsroom, tmp_path: Path, store_url: str
) -> None:
    newsroom.publish("/news/kept-story", Story("A kept story", list(LOREM)))
    config = write_config(tmp_path, newsroom.server, store_url)
    run_once(config)
    newsroom.feed_body = "<html><body>Service temporarily unavailable</body></html>"
    newsroom.feed_status = 200
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1]
    from tearsheet.store.store import Store
    errors = Store.open(store_url).recent_errors()
    assert any("not a feed" in str(e.last_error) for e in errors), errors


def test_same_article_through_tracking_params_is_one(
    newsroom: Newsroom, tmp_path: Path, store_url: str
) -> None:
    newsroom.publish("/news/one-story", Story("One story", list(LOREM)))
    base = newsroom.server.base
    newsroom.feed_body = rss_feed(base, [("/news/one-story?utm_source=rss", "One"),
                                         ("/news/one-story#comments", "One again"),
                                         ("/news/one-story", "One more")])
    config = write_config(tmp_path, newsroom.server, store_url)
    run_once(config)
    versions = export(config, tmp_path)
    assert [(v["url"], v["version"]) for v in versions] == [(base + "/news/one-story", 1)]


def test_a_killed_run_resumes_where_it_left_off(
    newsroom: Newsroom, tmp_path: Path, store_url: str
) -> None:
    """On SQLite the next run (the only one: the lock file says so) clears the killed run's
    leases at once; on PostgreSQL, shared by many workers, they run out after worker.lease.

    Deterministic on a loaded machine: the pages answer only once the run is killed (so
    it dies with checks in flight however slowly it started), and the lease's end comes
    by moving the leases back in the store, not by waiting for it."""
    for i in range(12):
        newsroom.publish(f"/news/story-{i}", Story(f"Story number {i}", list(LOREM)))
    held = threading.Event()  # the pages wait for it: the run is killed mid-check
    for i in range(12):
        newsroom.server.route(f"/news/story-{i}", held_until(
            held, newsroom.server.routes[f"/news/story-{i}"]))
    config = write_config(tmp_path, newsroom.server, store_url, first_interval='"1h"')
    config.write_text(config.read_text() + '[worker]\nlease = "1h"\n')
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tearsheet", "run", "--config", str(config)],
                            env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        wait_until(lambda: newsroom.server.hits("/news/story-3"), "the run's checks")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        held.set()
    if store_url.startswith("postgresql"):
        assert cli("run", "--once", "--config", str(config)) == 0
        assert len(export(config, tmp_path)) < 12  # the killed run's leases still hold
        _lease_ends(store_url)
    assert cli("run", "--once", "--config", str(config)) == 0
    versions = export(config, tmp_path)
    assert sorted(v["url"] for v in versions) == sorted(
        newsroom.server.url(f"/news/story-{i}") for i in range(12))
    assert all(v["version"] == 1 for v in versions)


def _lease_ends(store_url: str) -> None:
    """Every lease's end, now: the clock moved past worker.lease (a claim set the article
    due at its lease's end too)."""
    from sqlalchemy import update

    from tearsheet.store.schema import articles
    past = datetime.now(UTC) - timedelta(seconds=1)
    store = Store.open(store_url)
    with store.engine.begin() as conn:
        assert conn.execute(update(articles).where(articles.c.leased_until.is_not(None))
                            .values(leased_until=past, next_check_at=past)).rowcount
    store.close()


def _cp1252_page() -> bytes:
    paragraphs = [p.replace("public", "públic café") for p in LOREM]
    html = article_page("Café society’s “quiet” résumé", paragraphs, charset=None)
    return html.encode("cp1252")


@pytest.mark.parametrize(
    ("reply", "outcome", "check"),
    [
        pytest.param(Reply(body=_cp1252_page(), headers={"Content-Type": "text/html"}),
                     "new_version", lambda v: "públic café" in v["text"]
                     and v["title"] == "Café society’s “quiet” résumé", id="windows-1252"),
        pytest.param(Reply(body=article_page("Big", LOREM * 400)), "failed",
                     lambda e: "fetch.max_bytes" in e, id="over-size-cap"),
        pytest.param(Reply(body=article_page("Slow", LOREM), delay=2.5), "failed",
                     lambda e: "no answer within" in e, id="timeout"),
        pytest.param(Reply(status=200, body="<html><body><p>Subscribe to read.</p></body></html>"),
                     "failed", lambda e: "no article text" in e, id="paywall-page"),
        pytest.param(Reply(body=b'{"not": "html"}', headers={"Content-Type": "application/json"}),
                     "failed", lambda e: "not an HTML page" in e, id="json"),
        pytest.param(Reply(body=article_page("Cut short", LOREM * 3).encode()[:300]
                           + b"x" * 10, truncate_at=200,
                           headers={"Content-Length": "5000"}),
                     "failed", lambda e: "truncated" in e.lower() or "incomplete" in e.lower(),
                     id="truncated"),
    ],
)
def test_bad_pages(
    server: LocalServer, tmp_path: Path, store_url: str, reply: Reply, outcome: str, check: object
) -> None:
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/the-story", "x")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    server.route("/news/the-story", reply)
    config = write_config(tmp_path, server, store_url)
    text = config.read_text().replace('timeout = "2s"', 'timeout = "1s"')
    config.write_text(text.replace("[fetch]", '[fetch]\nmax_bytes = "200KB"'))
    run_once(config)
    from tearsheet.store.store import Store
    store = Store.open(store_url)
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT outcome, error FROM checks").one()
    assert row[0] == outcome, row
    versions = export(config, tmp_path)
    if outcome == "failed":
        assert versions == []
        assert check(row[1]), row[1]  # type: ignore[operator]
    else:
        assert check(versions[0]), versions[0]  # type: ignore[operator]


def test_not_modified_and_redirects(server: LocalServer, tmp_path: Path, store_url: str) -> None:
    page = article_page("Moved story", LOREM)

    def conditional(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(body=page, headers={"ETag": '"v1"'})

    feed = rss_feed(server.base, [("/old/moved?utm_medium=rss", "x")])
    server.route("/feed.xml", Reply(body=feed, headers={"Content-Type": "application/rss+xml"}))
    server.route("/old/moved", Reply(status=301, headers={"Location": "/news/moved-story"}))
    server.route("/news/moved-story", conditional)
    config = write_config(tmp_path, server, store_url)
    run_once(config)
    run_once(config)
    versions = export(config, tmp_path)
    assert [(v["url"], v["version"]) for v in versions] == [
        (server.url("/news/moved-story"), 1)]  # the article took its final URL
    conditional_hits = [r for r in server.hits("/news/moved-story")
                        if r.headers.get("If-None-Match") == '"v1"']
    assert len(conditional_hits) == 1
    from tearsheet.store.store import Store
    store = Store.open(store_url)
    with store.engine.connect() as conn:
        outcomes = [r[0] for r in conn.exec_driver_sql("SELECT outcome FROM checks ORDER BY id")]
    assert outcomes == ["new_version", "unchanged"]
    # The old URL is an alias: seeing it in the feed again does not make a second article.
    assert store.article_by_url(server.url("/old/moved"))["url"] == server.url("/news/moved-story")


def _article_state(store_url: str) -> tuple[object, int]:
    from tearsheet.store.store import Store
    store = Store.open(store_url)
    with store.engine.connect() as conn:
        next_check = conn.exec_driver_sql("SELECT next_check_at FROM articles").scalar_one()
        checks = conn.exec_driver_sql("SELECT count(*) FROM checks").scalar_one()
    store.close()
    return next_check, checks


def test_retired_article_stays_retired_in_feed_and_revives_on_reappearing(
    newsroom: Newsroom, tmp_path: Path, store_url: str
) -> None:
    """On an injected clock: the revive window is a matter of the feed's timeline, not of
    how fast a loaded machine runs the passes."""
    newsroom.publish("/news/old-story", Story("An old story", list(LOREM)))
    config = write_config(tmp_path, newsroom.server, store_url, retire_after='"0.5s"',
                          discovery_interval='"0.5s"')
    settings = load_settings(config, fetch={"extract_processes": 0, "per_host_delay": 0,
                                            "allow_private_addresses": True})
    now = [datetime(2026, 1, 5, 6, 0, tzinfo=UTC)]

    def one_pass(after: float) -> tuple[object, int]:
        now[0] += timedelta(seconds=after)

        async def go() -> None:
            store = Store.open(store_url)
            try:
                async with Fetcher(settings.fetch) as fetcher, \
                        assemble(settings, store, fetcher, clock=lambda: now[0]) as tracker:
                    await tracker.run(asyncio.Event(), once=True)
            finally:
                store.close()

        asyncio.run(go())
        return _article_state(store_url)

    assert one_pass(0)[1] == 1
    assert one_pass(0.6) == (None, 2)  # unchanged for longer than retire_after: retired
    assert one_pass(0.6) == (None, 2)  # still listed in the feed: stays retired, not checked
    del newsroom.stories["/news/old-story"]  # drops out of the feed...
    assert one_pass(0.6) == (None, 2)
    newsroom.stories["/news/old-story"] = Story("An old story", list(LOREM))  # ...and is back
    next_check, checks = one_pass(1.2)  # unseen for longer than twice the discovery interval
    assert checks == 3  # revived and checked again
    assert next_check is not None


def test_sitemaps_and_section_pages(server: LocalServer, tmp_path: Path, store_url: str) -> None:
    for slug in ("from-the-sitemap", "from-the-child-sitemap", "from-the-section-page"):
        server.route(f"/news/2026/{slug}", article_page(slug.replace("-", " "), LOREM))
    server.route("/sitemap-index.xml", Reply(headers={"Content-Type": "application/xml"}, body=f"""
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{server.url('/sitemap-news.xml')}</loc></sitemap>
  <sitemap><loc>{server.url('/sitemap-broken.xml')}</loc></sitemap>
</sitemapindex>"""))
    server.route("/sitemap-news.xml", Reply(headers={"Content-Type": "application/xml"}, body=f"""
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>{server.url('/news/2026/from-the-child-sitemap')}</loc>
    <news:news><news:title>Child</news:title></news:news></url>
</urlset>"""))
    server.route("/sitemap-broken.xml", Reply(status=500, body="oops"))
    server.route("/sitemap.xml", Reply(headers={"Content-Type": "application/xml"}, body=f"""
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{server.url('/news/2026/from-the-sitemap')}?utm_source=sitemap</loc></url>
</urlset>"""))
    server.route("/world", """<html><body><nav><a href="/about">About us</a></nav>
<a href="/news/2026/from-the-section-page">A story</a>
<a href="https://elsewhere.example/news/2026/not-ours">Off-site</a></body></html>""")
    config = tmp_path / "tearsheet.toml"
    config.write_text(f"""
database_url = "{store_url}"
[schedule]
jitter = 0
[fetch]
per_host_delay = "0s"
retries = 0
allow_private_addresses = true
[[sources]]
name = "maps"
sitemaps = ["{server.url('/sitemap-index.xml')}", "{server.url('/sitemap.xml')}"]
section_pages = ["{server.url('/world')}"]
article_pattern = '/news/\\d{{4}}/'
""")
    assert cli("run", "--once", "--config", str(config)) == 0
    urls = sorted(str(v["url"]) for v in export(config, tmp_path))
    assert urls == sorted(server.url(f"/news/2026/{slug}") for slug in (
        "from-the-sitemap", "from-the-child-sitemap", "from-the-section-page"))


def test_discovery_reads_each_document_in_the_charset_http_names(
    server: LocalServer, tmp_path: Path, store_url: str
) -> None:
    """A feed, a news sitemap and a section page whose charset only the Content-Type
    names (no byte-order mark, no declaration in the document): the titles discovered are
    the outlet's words, not mojibake. The articles answer 503, so the titles stay the
    discovered ones (a version would replace them)."""
    titles = {"stavka": "Центробанк снизил ставку", "kurs": "Курс рубля вырос",
              "boj": "日銀、政策金利を据え置き"}
    for slug in titles:
        server.route(f"/news/2026/{slug}", Reply(status=503, body="busy"))
    link = server.url("/news/2026/stavka")
    server.route("/rss", Reply(
        headers={"Content-Type": "application/rss+xml; charset=windows-1251"},
        body=("<rss version='2.0'><channel><title>Лента</title><item>"
              f"<title>{titles['stavka']}</title><link>{link}</link></item></channel></rss>"
              ).encode("cp1251")))
    server.route("/world", Reply(
        headers={"Content-Type": "text/html; charset=koi8-r"},
        body=f"<html><body><a href='/news/2026/kurs'>{titles['kurs']}</a></body></html>"
        .encode("koi8-r")))
    server.route("/sitemap.xml", Reply(
        headers={"Content-Type": "application/xml; charset=Shift_JIS"},
        body=("<urlset xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'><url>"
              f"<loc>{server.url('/news/2026/boj')}</loc><news:news><news:title>"
              f"{titles['boj']}</news:title></news:news></url></urlset>").encode("shift_jis")))
    config = tmp_path / "tearsheet.toml"
    config.write_text(f"""
database_url = "{store_url}"
[fetch]
per_host_delay = "0s"
retries = 0
allow_private_addresses = true
[[sources]]
name = "legacy"
feeds = ["{server.url('/rss')}"]
sitemaps = ["{server.url('/sitemap.xml')}"]
section_pages = ["{server.url('/world')}"]
article_pattern = '/news/\\d{{4}}/'
""")
    cli("run", "--once", "--config", str(config))
    store = Store.open(store_url)
    try:
        found = {slug: (store.article_by_url(server.url(f"/news/2026/{slug}")) or {})
                 .get("title") for slug in titles}
    finally:
        store.close()
    assert found == titles


def test_a_crashing_check_is_recorded_and_backs_off(
    newsroom: Newsroom, tmp_path: Path, store_url: str
) -> None:
    """A bug in one check (here: injected) must not stop the run or spin on the article.
    On a stopped clock: the backoff, not how fast the machine runs, keeps it from being
    checked again in the same pass."""
    import asyncio

    from sqlalchemy import func, select

    from tearsheet.store.schema import articles

    async def buggy_extract(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("injected bug")

    newsroom.publish("/news/buggy-story", Story("A buggy story", list(LOREM)))
    settings = load_settings(write_config(tmp_path, newsroom.server, store_url))
    store = Store.open(settings.database_url)
    now = datetime.now(UTC)

    async def go() -> int:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher, clock=lambda: now) as tracker:
            tracker._extract = buggy_extract  # type: ignore[method-assign]
            await tracker.sync_sources()
            await tracker.discover()
            return await tracker.check_due(asyncio.Event())

    assert asyncio.run(go()) == 1
    with store.engine.connect() as conn:
        outcome, error = conn.exec_driver_sql("SELECT outcome, error FROM checks").one()
        leased, errors = conn.exec_driver_sql(
            "SELECT leased_until, error_count FROM articles").one()
        backed_off = conn.scalar(select(func.count()).where(articles.c.next_check_at > now))
    assert (outcome, leased, errors, backed_off) == ("failed", None, 1, 1)
    assert "injected bug" in error


def test_pages_naming_one_canonical_url_are_one_article(
    server: LocalServer, tmp_path: Path, store_url: str
) -> None:
    canonical = server.url("/news/the-one-story")
    for path in ("/news/the-one-story", "/amp/news/the-one-story", "/print/the-one-story"):
        server.route(path, article_page("The one story", LOREM, canonical=canonical))
    feed = rss_feed(server.base, [("/amp/news/the-one-story", "AMP"),
                                  ("/print/the-one-story", "Print"),
                                  ("/news/the-one-story", "Web")])
    server.route("/feed.xml", Reply(body=feed, headers={"Content-Type": "application/rss+xml"}))
    config = write_config(tmp_path, server, store_url)
    run_once(config)
    run_once(config)  # the feed still lists all three: they stay one article
    versions = export(config, tmp_path)
    assert [(v["url"], v["version"]) for v in versions] == [(canonical, 1)]


async def until(condition: Callable[[], object]) -> None:
    """Wait on the loop for ``condition``; ``HANG`` guards a hang only."""
    async with asyncio.timeout(HANG):
        while not condition():
            await asyncio.sleep(0.02)


def run_tracker_while(config: Path, action: Callable[[Tracker], Awaitable[None]]) -> Store:
    """Run the tracker (``Tracker.run``) in this process while ``action`` runs, then stop
    it; returns its store, still open."""
    settings = load_settings(config)
    store = Store.open(settings.database_url)

    async def go() -> None:
        stop = asyncio.Event()
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher) as tracker:
            running = asyncio.create_task(tracker.run(stop))
            await action(tracker)
            stop.set()
            await running

    asyncio.run(go())
    return store


def test_discovery_keeps_its_schedule_while_checks_never_stop(
    newsroom: Newsroom, tmp_path: Path, store_url: str
) -> None:
    """Articles that are always due keep the checks busy; feeds are still polled on time,
    so a story published meanwhile is found and captured."""
    for i in range(10):
        newsroom.publish(f"/news/busy-{i}", Story(f"Busy story {i}", list(LOREM)))
        newsroom.server.route(f"/news/busy-{i}", slow(newsroom.server.routes[f"/news/busy-{i}"],
                                                       0.2))
    config = write_config(tmp_path, newsroom.server, store_url, first_interval='"0.05s"',
                          max_interval='"0.05s"', discovery_interval='"0.4s"')

    busy = [f"/news/busy-{i}" for i in range(10)]

    def checks_of_busy_pages() -> int:
        return sum(len(newsroom.server.hits(path)) for path in busy)

    async def publish_meanwhile(tracker: Tracker) -> None:
        # Waits on events, not on time: the same on a loaded machine. A tracker whose
        # discovery waited for the checks to stop would never find the story (hang guard).
        await until(lambda: tracker.stats.new_versions >= 10)  # every busy page is in
        newsroom.publish("/news/breaking", Story("Breaking story", list(LOREM)))
        published = checks_of_busy_pages()
        await until(lambda: tracker.stats.new_versions >= 11
                    and len(newsroom.server.hits("/feed.xml")) >= 3)
        assert checks_of_busy_pages() > published  # the checks never stopped meanwhile

    store = run_tracker_while(config, publish_meanwhile)
    assert len(newsroom.server.hits("/feed.xml")) >= 3  # pages share the host's slots
    article = store.article_by_url(newsroom.server.url("/news/breaking"))
    assert article is not None and article["version_count"] == 1
    store.close()


def test_new_articles_are_checked_without_waiting_for_the_slowest_feed(
    server: LocalServer, tmp_path: Path
) -> None:
    """The slow feed answers only once the quick feed's story has been checked (no fetch
    timeout meanwhile): a tracker that waited for every feed before checking would never
    get there (the hang guard fails it), however loaded the machine."""
    server.route("/news/quick-story", article_page("A quick story", LOREM))
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/quick-story", "Q")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    released = threading.Event()
    server.route("/slow-feed.xml", held_until(released, Reply(
        body=rss_feed(server.base, []), headers={"Content-Type": "application/rss+xml"})))
    config = write_config(tmp_path, server)
    config.write_text(config.read_text().replace(
        f'feeds = ["{server.url("/feed.xml")}"]',
        f'feeds = ["{server.url("/feed.xml")}", "{server.url("/slow-feed.xml")}"]'
    ).replace('timeout = "2s"', f'timeout = "{HANG:g}s"'))

    async def until_checked(tracker: Tracker) -> None:
        try:
            await until(lambda: server.hits("/news/quick-story") and tracker.stats.checks)
            assert server.hits("/slow-feed.xml")  # asked, and not answered yet
        finally:
            released.set()

    store = run_tracker_while(config, until_checked)
    assert store.article_by_url(server.url("/news/quick-story"))["version_count"] == 1
    store.close()
