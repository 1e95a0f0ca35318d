"""The local news site used by the demo: histories play back on an accelerated clock."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tearsheet.discover import parse_feed
from tearsheet.errors import TearsheetError
from tearsheet.extract.extraction import extract
from tearsheet.simulate import NewsSite, Version, load_histories
from tearsheet.store.store import Store
from tests.support import webclient
from tests.support.steppedclock import GUARD, SteppedClock, play


def version(at: float, headline: str, paragraphs: list[str],
            path: str = "/news/a-story") -> Version:
    return Version("a", path, at, headline, "Ann Author", tuple(paragraphs))


SPEED = 25.0  # the demo newsroom's simulated seconds per second of the test's clock
WORDS = ["Twenty-odd words make a paragraph long enough to count as the body of a real "
         "news article for the extractor, which refuses shorter pages as non-articles."] * 2


class Clock:
    """Real seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def site(clock: Clock) -> Iterator[NewsSite]:
    news = NewsSite([version(0, "First headline", WORDS),
                     version(1, "Second headline", [*WORDS, "A new paragraph of news."]),
                     version(1, "Later story", WORDS, path="/news/later-story")],
                    speed=2.0, clock=clock).start()
    yield news
    news.stop()


def test_pages_follow_the_simulated_clock(site: NewsSite, clock: Clock) -> None:
    first = webclient.get(site.base + "/news/a-story")
    feed = parse_feed(webclient.get(site.base + "/feed.xml").content, site.base + "/feed.xml")
    assert [d.url for d in feed] == [site.base + "/news/a-story"]
    assert webclient.get(site.base + "/news/later-story").status_code == 404  # not yet published
    assert extract(first.content, site.base + "/news/a-story").title == "First headline"
    clock.seconds += 0.6  # 1.2 simulated seconds
    second = extract(webclient.get(site.base + "/news/a-story").content)
    assert second.title == "Second headline"
    assert second.paragraphs[-1] == "A new paragraph of news."
    assert webclient.get(site.base + "/news/later-story").status_code == 200


def test_noise_changes_every_request_but_not_the_article(site: NewsSite) -> None:
    pages = [webclient.get(site.base + "/news/a-story").text for _ in range(3)]
    assert len(set(pages)) == 3
    assert len({tuple(extract(p).paragraphs) for p in pages}) == 1


def test_bundled_newsroom_loads_and_has_edit_histories() -> None:
    versions = load_histories()
    per_article: dict[str, int] = {}
    for v in versions:
        per_article[v.article] = per_article.get(v.article, 0) + 1
    assert len(per_article) >= 24  # a few dozen stories
    assert sum(1 for n in per_article.values() if n >= 2) >= 20
    assert [v.at for v in versions] == sorted(v.at for v in versions)


def test_bad_history_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"article": "a", "path": "/a", "at": 0, "headline": "h",
                                "paragraphs": ["p"]}) + "\n{\"article\": \"b\"}\n")
    with pytest.raises(TearsheetError, match="line 2"):
        load_histories(path)


@pytest.mark.slow
def test_demo_tracks_the_newsroom_and_records_edits(tmp_path: Path) -> None:
    """The demo's newsroom and tracker read a clock the test steps (``--clock-file``): it
    moves on only once the tracker has checked everything due, so the run records the
    same edits however loaded the machine is; Ctrl-C (SIGINT) ends it."""
    with socket.socket() as probe:  # a free port for the web UI
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = SteppedClock(tmp_path / "clock")
    until = clock.seconds + max(v.at for v in load_histories()) / SPEED + 8  # 8: > max_interval
    log = tmp_path / "demo.err"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tearsheet", "demo", "--speed", str(SPEED),
             "--data-dir", str(tmp_path), "--no-browser", "--port", str(port),
             "--clock-file", str(clock.path)],
            stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            deadline = time.monotonic() + GUARD
            while f"web UI: http://127.0.0.1:{port}/" not in log.read_text():
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            web = webclient.get(f"http://127.0.0.1:{port}/")  # the web UI is up
            assert web.status_code == 200
            store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")  # the demo created it
            try:
                play(store, clock, until, step=0.25, ready=3)
            finally:
                store.close()
            proc.send_signal(signal.SIGINT)  # Ctrl-C
            stdout, _ = proc.communicate(timeout=GUARD)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, log.read_text())
    assert result.returncode == 0, result.stderr
    out = tmp_path / "versions.jsonl"
    subprocess.run([sys.executable, "-m", "tearsheet", "export", "--config",
                    str(tmp_path / "tearsheet.toml"), "--out", str(out)], check=True,
                   capture_output=True)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    articles = {r["url"] for r in records}
    assert len(articles) == len({v.path for v in load_histories()}) >= 24
    assert len(records) > len(articles)  # edits were caught as new versions
    # The storm story grew through three versions; noise never added one.
    storm = [r for r in records if r["url"].endswith("/news/storm-warning-coast")]
    assert [r["title"] for r in storm] == [
        "Storm warning issued for the coast",
        "Storm warning: schools to close, ferries suspended",
        "Storm leaves 12,000 homes without power",
    ]
    assert "Tracked articles" in result.stdout
    assert "Harbour Gazette" in result.stderr and "Ctrl-C" in result.stderr  # the banner
    # The newsroom's ground truth scores the run: nothing stored that was not served.
    scored = subprocess.run(
        [sys.executable, "-m", "tearsheet", "score", "--truth", str(tmp_path / "truth.jsonl"),
         "--config", str(tmp_path / "tearsheet.toml"), "--json"],
        capture_output=True, text=True, check=True)
    numbers = json.loads(scored.stdout)
    assert numbers["phantoms"] == 0
    assert numbers["stored"] == len(records) == numbers["captured"]
    assert numbers["fidelity"] >= 0.99
    assert numbers["served"] >= numbers["captured"] > len(articles)
