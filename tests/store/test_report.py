"""The outlet report, checked against a simulated newsroom whose edits are known.

A small site plays four stories on an accelerated clock: one whose figure changes without
a note (a silent correction), one corrected with a note and then retitled for good (a
headline edit), one whose page alternates two headlines (a headline test), one that never
changes. The tracker follows it; the report must say exactly that, and count the versions
the export writes."""

from __future__ import annotations

import csv
import io
import json
from asyncio import run
from pathlib import Path

import pytest

from tearsheet.config import load_settings
from tearsheet.simulate import Version, read_truth, write_histories
from tearsheet.simulate.newsroom import newsroom_process
from tearsheet.store import report as outlet
from tearsheet.store.browse import Browse
from tearsheet.store.store import Store
from tearsheet.tracker.extraction_pool import ExtractionPool
from tests.support.cli import cli
from tests.support.simulated import CONFIG, source, track

SPEED = 10.0  # simulated seconds per real second
STEP = 50.0  # simulated seconds between versions: 5 s, eight checks' worth (a loaded machine)

FERRY = ["The ferry carried 214 passengers when it ran aground off Gull Point on Sunday.",
         "The harbour master said an inquiry into the grounding would begin on Tuesday."]
BUDGET = ["The council approved a budget of 412 million on Tuesday after a long debate.",
          "Opponents said the plan relied on optimistic forecasts of tax revenue."]
BRIDGE = ["The old bridge over the river will close for repairs for three months.",
          "Drivers are asked to use the ring road while the work goes on."]
PARK = ["The park's new playground opens to children on Saturday morning.",
        "It was paid for by a neighbourhood fund raised over two years."]
MORE = ["Residents who gathered on the quay on Monday evening said they had waited for answers "
        "for most of the day, and several of them asked the council to hold a public meeting.",
        "A spokeswoman for the regional authority said a full statement would follow once the "
        "officials involved had been able to review the reports from the weekend.",
        "Local businesses along the waterfront said the disruption came at the worst possible "
        "moment, with the summer season only a few weeks away."]
CORRECTION = "Correction: An earlier version of this article misstated the size of the budget."


def v(article: str, at: float, headline: str, paragraphs: list[str]) -> Version:
    """A version live from step ``at`` (one step after the start, so the tracker is up);
    the story's own paragraphs, then the same three of context."""
    body = [*paragraphs[:2], *MORE, *paragraphs[2:]]
    return Version(article, f"/news/{article}", (at + 1) * STEP, headline, "Lena Brandt",
                   tuple(body), "news")


HISTORY = [
    v("ferry", 0, "Ferry runs aground", FERRY),
    v("ferry", 1, "Ferry runs aground", [FERRY[0].replace("214", "241"), FERRY[1]]),
    v("budget", 0, "Budget passes", BUDGET),
    v("budget", 1, "Budget passes", [BUDGET[0].replace("412", "421"), BUDGET[1], CORRECTION]),
    v("budget", 2, "Council passes budget", [BUDGET[0].replace("412", "421"), BUDGET[1],
                                             CORRECTION]),
    v("bridge", 0, "Bridge to close", BRIDGE),
    v("bridge", 1, "Bridge will close", BRIDGE),
    v("bridge", 2, "Bridge to close", BRIDGE),
    v("bridge", 3, "Bridge will close", BRIDGE),
    v("park", 0, "Playground opens", PARK),
]

@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled by tracking the simulated site through its whole history."""
    folder = tmp_path_factory.mktemp("report")
    histories, truth = folder / "histories.jsonl", folder / "truth.jsonl"
    write_histories(HISTORY, histories)
    Store.open(f"sqlite:///{folder / 'ts.db'}").close()
    warm = ExtractionPool(2)  # its fork server imports the extractor: before the clock runs
    warm.start()
    warm.close()
    with newsroom_process(folder / "site.log", "--histories", str(histories), "--speed",
                          str(SPEED), "--faults", "0", "--truth", str(truth)) as base:
        config = folder / "tearsheet.toml"
        config.write_text(CONFIG.format(db=folder / "ts.db", interval=0.6,
                                        sources=source("gazette", base)))
        run(track(config, 4 * STEP / SPEED + 3))
    served = {(r.url.rsplit("/", 1)[1], r.version) for r in read_truth(truth)}
    assert len(served) == len(HISTORY)  # the site served every version
    return config


@pytest.mark.slow
def test_the_report_says_what_the_newsroom_did(tracked: Path) -> None:
    store = Store.open(load_settings(tracked).database_url)
    try:
        result = outlet.outlet_report(store)
        exported = store.count_versions("gazette")
    finally:
        store.close()
    (row,) = result.sources
    assert (row.source, row.articles, row.changed_articles) == ("gazette", 4, 3)
    # Every version, as export counts them — but the bridge's headline flips: once its first
    # headline came back, the page's alternation is a headline test, not versions.
    assert row.versions == len(HISTORY) - 2 == exported
    assert row.changes == len(HISTORY) - 2 - 4
    assert row.silent_corrections == 1  # the ferry's figure, no note
    assert (row.fact_changes, row.fact_changes_with_note) == (2, 1)  # ferry; budget's note
    assert row.headline_tests == 1  # the bridge's two headlines, alternating
    assert row.headline_edits == 1  # the budget's new headline stayed
    assert row.headline_changes == 2  # the budget's edit, the bridge's first change
    assert row.intents["fact"] == 2 and row.labels["figure"] == 2
    assert row.most_changed[0]["changes"] == 2  # the budget: a correction, a new headline
    browse = Browse(store := Store.open(load_settings(tracked).database_url))
    try:
        bridge = store.article_by_url(
            next(u for u in (a["url"] for a in store.iter_articles()) if "bridge" in u))
        assert bridge is not None
        assert sorted(browse.headline_variants(bridge["id"])) == [
            ("Bridge to close", 2), ("Bridge will close", 2)]  # each seen twice
    finally:
        browse.close()
        store.close()
    assert row.median_seconds_to_first_change is not None


@pytest.mark.slow
def test_report_formats_from_the_command_line(tracked: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("report", "--config", str(tracked), "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    (row,) = data["sources"]
    for name in ("articles", "changed_articles", "versions", "headline_changes",
                 "silent_corrections"):
        assert isinstance(row[name], int) and not isinstance(row[name], bool), name
    assert (row["articles"], row["versions"], row["silent_corrections"]) == (
        4, len(HISTORY) - 2, 1)
    assert cli("report", "--config", str(tracked), "--format", "csv") == 0
    (line,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (line["source"], line["versions"], line["silent_corrections"]) == (
        "gazette", str(len(HISTORY) - 2), "1")
    assert cli("report", "--config", str(tracked), "--base-url", "http://ts.example") == 0
    markdown = capsys.readouterr().out
    assert "| gazette | 4 | 3 (75%) |" in markdown
    assert "](http://ts.example/articles/" in markdown
    assert cli("report", "--config", str(tracked), "--source", "nobody") == 1
    assert "no source named 'nobody'" in capsys.readouterr().err
