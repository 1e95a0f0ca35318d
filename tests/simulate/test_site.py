"""The simulator's site: templates and noise, fronts and feeds, faults, truth, converter."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tearsheet.discover import parse_feed, parse_section_page, parse_sitemap
from tearsheet.errors import DiscoveryError, ExtractionError, TearsheetError
from tearsheet.extract.extraction import extract
from tearsheet.simulate import (
    FaultPlan,
    FileClock,
    NewsSite,
    Version,
    convert_captures,
    convert_files,
    load_histories,
    read_truth,
    write_clock,
)
from tearsheet.simulate.faults import ARTICLE_FAULTS
from tearsheet.simulate.templates import (
    DEFAULT_NOISE,
    NOISE_KINDS,
    TEMPLATES,
    Noise,
    Story,
    authors,
)
from tests.support import webclient
from tests.support.cli import cli
from tests.support.shared import shared_path

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WORDS = ("Twenty-odd words make a paragraph long enough to count as the body of a real "
         "news article for the extractor, which refuses shorter pages as non-articles.")


def story_of(v: Version) -> Story:
    return Story(v.headline, v.paragraphs, v.byline, "http://127.0.0.1:1" + v.path,
                 v.section_name, NOW - timedelta(hours=2), NOW - timedelta(minutes=7))


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_default_noise_changes_every_page_and_never_the_extraction(template: str) -> None:
    render = TEMPLATES[template]
    newsroom = load_histories()
    others = [(v.path, v.headline) for v in newsroom]
    for version in newsroom:
        pages = [render(story_of(version), Noise(random.Random(seed), NOW, DEFAULT_NOISE, others))
                 for seed in range(3)]
        assert len(set(pages)) == 3  # the chrome differs on every request
        for page in pages:
            found = extract(page, "http://127.0.0.1:1" + version.path)
            assert found.paragraphs == list(version.paragraphs)
            assert found.title == version.headline
            assert found.byline == ", ".join(authors(version.byline))
            assert found.canonical_url == "http://127.0.0.1:1" + version.path


@pytest.mark.parametrize("kind", sorted(NOISE_KINDS))
def test_each_noise_kind_is_really_on_the_page(kind: str) -> None:
    version = load_histories()[0]
    markers = {"most_read": "Most read", "ads": 'class="ad-slot"', "updated": "minutes ago",
               "clock": "live-clock", "comments": "comments</a>", "recirc": "Read more:",
               "csrf": "csrf", "cachebust": "site.css?v="}
    for render in TEMPLATES.values():
        with_it = render(story_of(version), Noise(random.Random(1), NOW, {kind}))
        without = render(story_of(version), Noise(random.Random(1), NOW, set()))
        assert markers[kind] in with_it
        assert markers[kind] not in without


def test_hostile_content_is_escaped() -> None:
    evil = Version("x", "/news/x", 0, 'Headline </script><script>alert("h")</script>',
                   "Eve <img src=x onerror=alert(1)>", (WORDS, "<b>bold</b> & " + WORDS))
    for render in TEMPLATES.values():
        page = render(story_of(evil), Noise(random.Random(0), NOW, NOISE_KINDS,
                                            [("/a\"><script>", "<script>alert(2)</script>")]))
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        found = extract(page)
        assert found.title == evil.headline
        assert found.paragraphs[-1] == evil.paragraphs[-1]


def site_versions() -> list[Version]:
    return [
        Version("a", "/news/a-story", 0, "First headline", "Ann Author", (WORDS, WORDS)),
        Version("a", "/news/a-story", 2, "Second headline", "Ann Author",
                (WORDS, WORDS, "A new paragraph of news.")),
        Version("b", "/business/b-story", 0, "Business story", "Bo Banker", (WORDS, WORDS)),
        Version("c", "/news/later-story", 2, "Later story", "", (WORDS, WORDS)),
    ]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[NewsSite]:
    news = NewsSite(site_versions(), speed=2.0, truth=tmp_path / "truth.jsonl").start()
    yield news
    news.stop()


@pytest.fixture
def still_site() -> Iterator[NewsSite]:
    """A site whose clock barely moves: what is published stays what it is."""
    news = NewsSite(site_versions(), speed=0.001).start()
    yield news
    news.stop()


def test_fronts_feeds_and_sitemap_list_what_is_published(still_site: NewsSite) -> None:
    site = still_site
    assert webclient.get(site.base + "/news/later-story").status_code == 404  # not yet published
    published = {site.base + "/news/a-story", site.base + "/business/b-story"}
    for path in ("/feed.xml", "/atom.xml"):
        response = webclient.get(site.base + path)
        assert {d.url for d in parse_feed(response.content, site.base + path)} == published
    assert "atom" in webclient.get(site.base + "/atom.xml").headers["content-type"]
    sitemap = webclient.get(site.base + "/sitemap.xml")
    assert {d.url for d in parse_sitemap(sitemap.content, site.base + "/sitemap.xml").articles} \
        == published
    home = webclient.get(site.base + "/")
    pattern = "/(news|business)/"
    assert {d.url for d in parse_section_page(home.content, site.base + "/", pattern)} \
        == published
    business = webclient.get(site.base + "/business")
    assert {d.url for d in parse_section_page(business.content, site.base + "/business",
                                                 pattern)} \
        == {site.base + "/business/b-story"}
    assert "Sitemap:" in webclient.get(site.base + "/robots.txt").text
    assert webclient.get(site.base + "/nowhere").status_code == 404


def test_articles_follow_the_clock_and_truth_records_the_windows(
    site: NewsSite, tmp_path: Path,
) -> None:
    first = extract(webclient.get(site.base + "/news/a-story").content)
    assert first.title == "First headline"
    deadline = time.monotonic() + 10
    while site.now() < 2.2 and time.monotonic() < deadline:
        time.sleep(0.05)
    second = extract(webclient.get(site.base + "/news/a-story").content)
    assert second.title == "Second headline"
    assert second.paragraphs[-1] == "A new paragraph of news."
    assert webclient.get(site.base + "/news/later-story").status_code == 200
    site.write_truth()
    records = {(r.article, r.version): r for r in read_truth(tmp_path / "truth.jsonl")}
    assert set(records) == {("a", 1), ("a", 2), ("b", 1), ("c", 1)}
    a1, a2 = records["a", 1], records["a", 2]
    assert a1.visible_until == a2.visible_from  # one window ends as the next begins
    assert a2.visible_until is None  # still live
    assert 0.9 < (a2.visible_from - a1.visible_from).total_seconds() < 1.1  # 2 s at speed 2
    assert (a1.served, a2.served) == (1, 1)
    assert a2.text == "\n\n".join(site_versions()[1].paragraphs)
    assert a2.url == site.base + "/news/a-story"


def test_fault_draws_are_deterministic_and_near_the_rate() -> None:
    plan = FaultPlan(0.2, seed=7)
    draws = [plan.draw(f"/news/{n % 50}", n // 50) for n in range(2000)]
    assert draws == [FaultPlan(0.2, seed=7).draw(f"/news/{n % 50}", n // 50)
                     for n in range(2000)]
    assert draws != [FaultPlan(0.2, seed=8).draw(f"/news/{n % 50}", n // 50)
                     for n in range(2000)]
    share = sum(d is not None for d in draws) / len(draws)
    assert 0.17 < share < 0.23
    assert {d for d in draws if d} == set(ARTICLE_FAULTS)
    with pytest.raises(ValueError, match="unknown fault"):
        FaultPlan(0.1, kinds=frozenset({"gremlins"}))


def faulty(kind: str, **options: float) -> NewsSite:
    plan = FaultPlan(1.0, kinds=frozenset({kind}), **options)  # type: ignore[arg-type]
    return NewsSite(site_versions(), faults=plan).start()


@pytest.mark.parametrize(("kind", "status"), [("unavailable", 503), ("rate_limited", 429)])
def test_error_faults_say_when_to_retry(kind: str, status: int) -> None:
    site = faulty(kind)
    try:
        response = webclient.get(site.base + "/news/a-story")
        assert response.status_code == status
        assert response.headers["Retry-After"] == "1"
    finally:
        site.stop()


def test_slow_and_truncated_answers() -> None:
    site = faulty("slow", slow_seconds=1.0)
    try:
        with pytest.raises(httpx.ReadTimeout):
            webclient.get(site.base + "/news/a-story", timeout=0.3)
    finally:
        site.stop()
    site = faulty("truncated")
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            webclient.get(site.base + "/news/a-story")
    finally:
        site.stop()


@pytest.mark.parametrize("kind", ["paywall", "consent"])
def test_walls_are_200_pages_without_the_article(kind: str) -> None:
    site = faulty(kind)
    try:
        response = webclient.get(site.base + "/news/a-story")
        assert response.status_code == 200
        with pytest.raises(ExtractionError):  # a wall is never taken for the article
            extract(response.content)
    finally:
        site.stop()


def test_redirect_fault_adds_tracking_parameters_and_lands_on_the_article() -> None:
    site = faulty("redirect")
    try:
        response = webclient.get(site.base + "/news/a-story")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/news/a-story?utm_source=")
        assert "fbclid=" in response.headers["Location"]
        landed = webclient.get(site.base + response.headers["Location"])
        assert landed.status_code == 200
        assert extract(landed.content).title == "First headline"
    finally:
        site.stop()


def test_malformed_feed_fault_breaks_the_feed_only() -> None:
    site = faulty("malformed_feed")
    try:
        response = webclient.get(site.base + "/feed.xml")
        assert response.status_code == 200
        with pytest.raises(DiscoveryError):
            parse_feed(response.content, site.base + "/feed.xml")
        assert webclient.get(site.base + "/news/a-story").status_code == 200
    finally:
        site.stop()


def capture(date: str, title: str, text: str, authors: list[str]) -> dict[str, object]:
    uri = ("https://web.archive.org/web/20120617083809/"
           "https://www.example.com/2012/06/17/world/a-story.html")
    return {"metadata": {"warc-date": date, "warc-target-uri": uri},
            "article": {"title": title, "text": text, "authors": authors}}


def test_converter_collapses_repeats_and_keeps_real_time() -> None:
    captures = [
        capture("2012-06-17T08:00:00Z", "Title", "One.\n\nTwo.", ["A B"]),
        capture("2012-06-17T08:30:00Z", "Title", "One.\n\nTwo.", ["A B"]),  # a re-capture
        capture("2012-06-17T09:00:00Z", "Title", "One.\n\nTwo, edited.", ["A B", "C D"]),
        capture("2012-09-17T09:00:00Z", "New title", "One.\n\nTwo, edited.", ["A B", "C D"]),
    ]
    versions = convert_captures([("a.json", captures)])
    assert [v.at for v in versions] == [0.0, 3600.0, 3600.0 + 92 * 86400]
    assert {v.path for v in versions} == {"/2012/06/17/world/a-story.html"}
    assert {v.article for v in versions} == {"a-story"}
    assert versions[1].paragraphs == ("One.", "Two, edited.")
    assert versions[1].byline == "A B, C D"
    shortened = convert_captures([("a.json", captures)], max_gap=600)
    assert [v.at for v in shortened] == [0.0, 600.0, 1200.0]
    with pytest.raises(TearsheetError, match="lacks"):
        convert_captures([("bad.json", [{"metadata": {}}])])


def test_converter_on_the_shared_histories(tmp_path: Path) -> None:
    folder = shared_path("corpora", "histories")
    inputs = sorted(folder.glob("*.json"))
    out = tmp_path / "shared.jsonl"
    assert cli("simulate", "convert", *map(str, inputs), "--out", str(out),
               "--max-gap", "60") == 0
    versions = load_histories(out)
    assert len({v.article for v in versions}) == len(inputs) == 4
    assert all(v.path.endswith(".html") and v.path.startswith("/2012/") for v in versions)
    raw_captures = sum(len(json.loads(p.read_text())) for p in inputs)
    assert len(versions) < raw_captures  # repeats collapsed
    assert versions[-1].at <= 60 * (len(versions) - 1)
    assert versions == convert_files(inputs, max_gap=60)


def test_simulate_command_serves_until_interrupted(tmp_path: Path) -> None:
    truth = tmp_path / "truth.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tearsheet", "simulate", "--port", "0", "--speed", "100",
         "--truth", str(truth), "--faults", "0.1", "--seed", "3"],
        stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        base = proc.stderr.readline().split()[0].rstrip("/")
        assert base.startswith("http://127.0.0.1:")
        feed = webclient.get(base + "/feed.xml")
        assert feed.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    records = read_truth(truth)
    assert {r.article for r in records} >= {"ferry"}
    assert all(r.url.startswith(base) for r in records)


def test_simulate_refuses_unknown_noise() -> None:
    assert cli("simulate", "--noise", "sparkles", "--duration", "0") == 1


def test_site_on_a_clock_file_shows_and_dates_what_the_file_says(tmp_path: Path) -> None:
    """The clock a test steps (``--clock-file``): the page and the truth's window follow
    the file, not the real clock."""
    path = tmp_path / "clock"
    write_clock(path, 1_800_000_000.0)
    clock = FileClock(path)
    paragraphs = ("A paragraph long enough to be the body of a story, as the extractor "
                  "wants it, with a few more words.",) * 2
    site = NewsSite([Version("a", "/news/a", 0.0, "First", "Ann", paragraphs),
                     Version("a", "/news/a", 10.0, "Second", "Ann", paragraphs)],
                    speed=2.0, clock=clock, wall=clock, truth=tmp_path / "truth.jsonl").start()
    try:
        assert extract(webclient.get(site.base + "/news/a").content).title == "First"
        write_clock(path, 1_800_000_004.9)  # 9.8 simulated seconds: not yet
        assert extract(webclient.get(site.base + "/news/a").content).title == "First"
        write_clock(path, 1_800_000_005.0)
        assert extract(webclient.get(site.base + "/news/a").content).title == "Second"
    finally:
        site.stop()
    first, second = read_truth(tmp_path / "truth.jsonl")
    assert first.visible_from == datetime.fromtimestamp(1_800_000_000, UTC)
    assert first.visible_until == second.visible_from == datetime.fromtimestamp(
        1_800_000_005, UTC)
    path.write_text("soon")
    with pytest.raises(TearsheetError, match="clock file"):
        clock()
