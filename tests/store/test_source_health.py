"""Source health in the store, the sources page and the API: refusals by reason, lengths
against the usual, the broken flag (set once), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tearsheet.store.health import snapshot
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.source_health import SourceHealth, notes
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.served import serve_store

NOW = datetime.now(UTC).replace(microsecond=0)


def fill(store: Store) -> None:
    """Source "daily": 5 articles, first versions 3000 characters 2 weeks ago and 600 this
    week; 4 refused checks today (2 needs_browser, 1 blocked, 1 held) and 2 good ones."""
    source_id = store.ensure_source("daily", NOW - timedelta(days=30))
    store.ensure_source("quiet", NOW - timedelta(days=30))
    for n in range(5):
        long_ago = NOW - timedelta(days=14, hours=n)
        url = f"https://daily.example/{n}"
        store.add_articles(source_id, [(url, None)], long_ago, 60, 60)
        article = store.claim_article(store.article_by_url(url)["id"], None)  # type: ignore[index]
        length = 3000 if n < 3 else 600
        when = long_ago if n < 3 else NOW - timedelta(hours=n)
        store.record_check(CheckRecord(
            article, checked_at=when, outcome="new_version", next_check_at=NOW,
            check_interval=60, body_length=length,
            version=NewVersion(url=url, title="t", byline=None, published_at=None,
                               modified_at=None, language=None, text="x" * length,
                               content_hash=f"h{n}")))
    article = store.claim_article(store.article_by_url("https://daily.example/0")["id"],  # type: ignore[index]
                                  None)
    for reason in ("needs_browser", "needs_browser", "blocked", "held"):
        store.record_checks([CheckRecord(article, checked_at=NOW - timedelta(minutes=5),
                                         outcome="failed", next_check_at=NOW,
                                         check_interval=60, reason=reason, error=reason)])


def test_summaries_count_refusals_and_lengths(store: Store) -> None:
    fill(store)
    health = SourceHealth(store)
    daily, quiet = health.summaries(NOW)
    assert daily["name"] == "daily" and quiet["checks_week"] == 0
    assert daily["refused_day"] == {"needs_browser": 2, "blocked": 1, "held": 1}
    assert daily["checks_day"] == 6 and daily["checks_week"] == 6
    assert daily["daily"][6] == [6, 4] and sum(c for c, _ in daily["daily"]) == 6
    assert (daily["median_length"], daily["usual_length"]) == (600, 3000)
    said = " | ".join(notes(daily, NOW))
    assert 'set render = "browser"' in said
    assert "refused 1 checks today" in said
    assert "20% of their usual length" in said
    assert notes(quiet, NOW) == []


def test_the_flag_is_set_once_with_its_alerts(store: Store) -> None:
    fill(store)
    health = SourceHealth(store)
    (source_id,) = [i for i in range(1, 3) if health.name(i) == "daily"]
    assert health.flag(source_id, NOW, "4 of 4 failed", ["desk", "ops"], NOW)
    assert not health.flag(source_id, NOW, "again", ["desk", "ops"], NOW)
    with store.engine.connect() as conn:
        alerts = conn.exec_driver_sql(
            "SELECT rule FROM notify_outbox WHERE kind = 'alert' ORDER BY rule").all()
    assert [a[0] for a in alerts] == ["desk", "ops"]
    assert health.broken() == {source_id: NOW}
    assert health.flagged(source_id)["broken_reason"] == "4 of 4 failed"
    assert health.clear(source_id) and health.broken() == {}


def test_sources_page_and_api_show_health(tmp_path: object) -> None:
    def flagged(store: Store) -> None:
        fill(store)
        SourceHealth(store).flag(1, NOW - timedelta(hours=1), "6 of 8 <b>failed</b>", [], NOW)

    with serve_store(tmp_path, flagged) as base:  # type: ignore[arg-type]
        page = webclient.get(f"{base}/sources").text
        api = webclient.get(f"{base}/api/v1/health").json()
    assert 'class="health"' in page and "<rect" in page
    assert "extraction broken since" in page
    assert "&lt;b&gt;failed&lt;/b&gt;" in page and "<b>failed" not in page
    assert 'set render = &#34;browser&#34;' in page or 'set render = "browser"' in page
    daily = next(row for row in api if row["name"] == "daily")
    assert daily["broken_reason"] == "6 of 8 <b>failed</b>"
    assert daily["refused_week"]["needs_browser"] == 2
    assert daily["notes"][0].startswith("extraction broken since")


def test_metrics_count_checks_by_their_recorded_reason(store: Store) -> None:
    fill(store)
    counted = snapshot(store, NOW).checks
    assert counted["failed", "needs_browser"] == 2
    assert counted["failed", "blocked"] == 1 and counted["failed", "held"] == 1


def test_outages_are_runs_of_failed_fetches(store: Store) -> None:
    """Fetches failing in a row are an outage, from the first failure to the next check
    that reached the site; a page refused (the site answered) or one failure alone is not;
    the last run, still failing, is open."""
    source_id = store.ensure_source("flaky", NOW - timedelta(days=30))
    store.ensure_source("calm", NOW - timedelta(days=30))
    start = NOW - timedelta(days=2)
    urls = [f"https://flaky.example/{n}" for n in range(2)]
    store.add_articles(source_id, [(u, None) for u in urls], start - timedelta(days=1), 60, 60)
    ids = [store.article_by_url(u)["id"] for u in urls]  # type: ignore[index]
    timeline = [  # minutes after start: outcome, reason
        (0, "unchanged", None), (10, "failed", "http_503"), (20, "failed", "timeout"),
        (30, "failed", "http_503"), (40, "unchanged", None),  # down 10 minutes → 40
        (50, "failed", "network"),  # one failure alone
        (60, "failed", "paywall"), (70, "failed", "soft_404"),  # refused: the site answered
        (80, "unchanged", None),
        (90, "failed", "blocked"), (100, "failed", "http_429"),  # still down at the end
    ]
    for n, (minutes, outcome, reason) in enumerate(timeline):
        article = store.claim_article(ids[n % 2], None)
        store.record_check(CheckRecord(
            article, checked_at=start + timedelta(minutes=minutes), outcome=outcome,
            next_check_at=NOW, check_interval=60, reason=reason, error=reason))
    outages = SourceHealth(store).outages(NOW)
    assert list(outages) == ["flaky"]
    first, last = outages["flaky"]
    assert (first.start, first.end, first.failed) == (
        start + timedelta(minutes=10), start + timedelta(minutes=40), 3)
    assert first.reasons == {"http_503": 2, "timeout": 1}
    assert first.describe().endswith("for 30 minutes (3 failed fetches: http_503 ×2, "
                                     "timeout ×1)")
    assert (last.start, last.end, last.failed) == (start + timedelta(minutes=90), None, 2)
    assert "still failing" in last.describe()
    assert SourceHealth(store).outages(NOW, since=timedelta(hours=1)) == {}
