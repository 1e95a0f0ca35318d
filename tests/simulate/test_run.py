"""Integration: the tracker against the simulated newsroom, with faults, scored on truth.

Two simulated sites run as child processes (their own interpreters, as in the demo): the
bundled Harbour Gazette, and the four shared archived histories converted to the
simulator's format. 20 % of their answers are faults (503, 429, slow past the timeout,
truncated, paywall and consent pages at 200, redirects with tracking parameters, a
malformed feed). One tracker follows both, in this process, on a fast schedule. The
sites' ground truth then scores the run: every version that stayed visible for at least
two check intervals must be captured, no version may be a phantom, and what was stored
must be the text that was served.

The tracker runs discovery as its own task beside the checks (``Tracker.run``), so a
story published mid-run is found on the feeds' schedule even while checks never stop.

Sites and tracker share a clock the test steps (``tests/support/steppedclock.py``): it
moves on only once everything due has been checked, so a loaded machine slows the run
down instead of letting a version go by unseen. Only the fetch timeout is real time.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from tearsheet.simulate import convert_files, load_histories, read_truth, write_histories
from tearsheet.simulate.faults import ALL_FAULTS
from tearsheet.simulate.newsroom import newsroom_process
from tearsheet.simulate.score import Stored, score
from tearsheet.store.store import Store
from tests.support.shared import shared_path
from tests.support.simulated import CONFIG, source, track
from tests.support.steppedclock import SteppedClock, play

CHECK_INTERVAL = 1.0  # the schedule's max_interval: no article waits longer between checks
FAULTS = "0.2"


@pytest.mark.slow
def test_tracker_captures_what_the_newsroom_served_despite_faults(tmp_path: Path) -> None:
    shared = sorted(shared_path("corpora", "histories").glob("*.json"))
    archive = tmp_path / "shared.jsonl"
    write_histories(convert_files(shared, max_gap=30), archive)
    sites = {  # name: (histories, speed); each plays in about 35 s
        "gazette": (None, 10.0),
        "archive": (archive, 12.0),
    }
    longest = max(max(v.at for v in load_histories(path)) / speed
                  for path, speed in sites.values())
    assert longest < 40
    truths = {name: tmp_path / f"{name}-truth.jsonl" for name in sites}
    clock = SteppedClock(tmp_path / "clock")
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    with contextlib.ExitStack() as stack:
        bases = {}
        for n, (name, (path, speed)) in enumerate(sites.items()):
            options = ["--speed", str(speed), "--faults", FAULTS, "--seed", str(n + 1),
                       "--slow-delay", "1.5", "--truth", str(truths[name]),
                       "--clock-file", str(clock.path)]
            if path is not None:
                options += ["--histories", str(path)]
            bases[name] = stack.enter_context(
                newsroom_process(tmp_path / f"{name}.log", *options))
        config = tmp_path / "tearsheet.toml"
        config.write_text(CONFIG.format(
            db=tmp_path / "ts.db", interval=CHECK_INTERVAL,
            sources="\n".join(source(name, base) for name, base in bases.items())))
        until = clock.seconds + longest + 3
        asyncio.run(track(config, clock=clock.now, play=lambda: play(
            store, clock, until, step=0.1, ready=3 * len(sites))))
        end = clock.now()
    # The sites have stopped and written their final truth.
    stored = [Stored(r["url"], r["number"], r["captured_at"], r["title"], r["byline"],
                     r["text"]) for r in store.iter_versions()]
    store.close()
    faults = {name: (tmp_path / f"{name}.log").read_text() for name in sites}
    for name in sites:
        records = read_truth(truths[name])
        result = score(records, [s for s in stored if s.url.startswith(bases[name] + "/")])
        lasting = [v for v in records if v.visible_seconds(end) >= 2 * CHECK_INTERVAL]
        assert len(lasting) >= (40 if name == "gazette" else 10), name
        missed = [(v.url, v.version, round(v.visible_seconds(end), 1))
                  for v in result.missed_visible_for(2 * CHECK_INTERVAL, end)]
        assert missed == [], (name, missed, faults[name])
        assert [(m.stored.url, m.stored.number, m.phantom) for m in result.phantoms] == [], name
        assert result.fidelity >= 0.99, name
        assert result.stored == len(result.captured)
    # The faults really happened, every kind of them: the sites say what they served.
    kinds: set[str] = set()
    for name, log in faults.items():
        summary = log.rsplit("stopped; ", 1)[1]
        assert int(summary.split()[0]) > 20, (name, log)
        kinds |= {part.split()[0] for part in summary.split("(", 1)[1].split(")")[0].split(",")}
    assert kinds == ALL_FAULTS, kinds
