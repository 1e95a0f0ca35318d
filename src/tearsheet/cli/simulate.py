"""`tearsheet simulate` (a local news site replaying histories, and its converter) and
`tearsheet score` (a run scored against the ground truth the site wrote)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tearsheet.cli.common import ConfigOption, app, console, err_console, open_store
from tearsheet.config import load_settings
from tearsheet.errors import TearsheetError
from tearsheet.simulate.templates import NOISE_KINDS, TEMPLATES

simulate_app = typer.Typer(
    help="A local news site replaying article histories (see docs/simulator.md).",
    invoke_without_command=True,
)
app.add_typer(simulate_app, name="simulate")


def _kinds(value: str | None, known: frozenset[str], what: str) -> frozenset[str] | None:
    if value is None:
        return None
    if value.strip() == "all":
        return known
    if value.strip() == "none":
        return frozenset()
    chosen = frozenset(k.strip() for k in value.split(",") if k.strip())
    unknown = chosen - known
    if unknown:
        raise TearsheetError(f"unknown {what}: {', '.join(sorted(unknown))} "
                             f"(known: {', '.join(sorted(known))}, all, none)")
    return chosen


@simulate_app.callback()
def simulate(
    ctx: typer.Context,
    histories: Annotated[Path | None, typer.Option(
        "--histories", "-H", help="JSONL histories (default: the bundled newsroom).")] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8001,
    speed: Annotated[float, typer.Option(
        help="Simulated seconds per real second.")] = 1.0,
    faults: Annotated[float, typer.Option(
        help="Share of requests that fail (0-1): 503, 429, slow, truncated, paywall, "
             "consent, redirect, malformed feed.")] = 0.0,
    fault_kinds: Annotated[str | None, typer.Option(
        help="Comma-separated fault kinds to use (default: all).")] = None,
    slow_delay: Annotated[float, typer.Option(
        help="Seconds a slow answer takes (past the client's timeout).")] = 25.0,
    seed: Annotated[int, typer.Option(help="Seed of faults and noise (repeatable runs).")] = 0,
    truth: Annotated[Path | None, typer.Option(
        help="Write the ground truth (JSONL: every version served, and when) here.")] = None,
    noise: Annotated[str | None, typer.Option(
        help="Comma-separated noise kinds, 'all' or 'none' (default: those the extractor "
             "sees through).")] = None,
    template: Annotated[str | None, typer.Option(
        help=f"One page template for every article ({', '.join(sorted(TEMPLATES))}).")] = None,
    duration: Annotated[float | None, typer.Option(
        help="Stop after this many real seconds (default: until Ctrl-C).")] = None,
    exit_with_parent: Annotated[bool, typer.Option(
        hidden=True, help="Stop when the process that started this one exits.")] = False,
    clock_file: Annotated[Path | None, typer.Option(
        hidden=True, help="Read the time (POSIX seconds) from this file, which a test "
                          "steps, instead of the real clock.")] = None,
) -> None:
    """Serve a news site on 127.0.0.1 whose articles are rewritten on an accelerated clock.

    `tearsheet simulate convert` turns archived captures into histories.
    """
    from tearsheet.simulate import FaultPlan, FileClock, NewsSite, load_histories
    from tearsheet.simulate.faults import ALL_FAULTS
    if ctx.invoked_subcommand is not None:
        return
    versions = load_histories(histories)
    if not versions:
        raise TearsheetError("the histories hold no version")
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    if clock_file is not None:
        clock = wall = FileClock(clock_file)
    try:
        plan = FaultPlan(faults, seed, _kinds(fault_kinds, ALL_FAULTS, "fault kinds")
                         or ALL_FAULTS, slow_delay)
        site = NewsSite(versions, speed=speed, port=port, faults=plan, seed=seed,
                        noise=_kinds(noise, NOISE_KINDS, "noise kinds"), truth=truth,
                        template=template, clock=clock, wall=wall)
    except ValueError as exc:
        raise TearsheetError(str(exc)) from None
    except OSError as exc:
        raise TearsheetError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror} "
                             "(try --port 0)") from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(), stop), daemon=True).start()
    site.start()
    articles = len(site.articles)
    err_console.print(
        f"[bold]{site.base}/[/]  {articles} articles, {len(versions)} versions, all live "
        f"within {site.duration / speed:.0f} s (speed {speed:g})\n"
        f"  feeds: {site.base}/feed.xml  {site.base}/atom.xml  sitemap: "
        f"{site.base}/sitemap.xml\n"
        f"  faults: {faults:.0%}" + (f"  truth: {truth}" if truth else "") + "\nCtrl-C stops.",
        highlight=False)
    try:
        stop.wait(duration)
    finally:
        site.stop()
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(site.faults_served.items()))
    err_console.print(f"stopped; {sum(site.faults_served.values())} faults served"
                      + (f" ({kinds})" if kinds else "")
                      + (f"; ground truth in {truth}" if truth else ""), highlight=False)


def _watch_parent(parent: int, stop: threading.Event) -> None:
    """Stop when the parent is gone (a child of a killed demo must not serve forever)."""
    while not stop.wait(0.5):
        if os.getppid() != parent:
            stop.set()


@simulate_app.command()
def convert(
    inputs: Annotated[list[Path], typer.Argument(
        help="Archived histories: JSON lists of captures, one article per file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The JSONL histories to write.")],
    max_gap: Annotated[float | None, typer.Option(
        help="Shorten every silence between two versions to at most this many seconds.")]
    = None,
) -> None:
    """Convert archived captures into simulator histories (identical captures collapse)."""
    from tearsheet.simulate import convert_files, write_histories
    versions = convert_files(inputs, max_gap=max_gap)
    count = write_histories(versions, out)
    articles = len({v.path for v in versions})
    span = versions[-1].at if versions else 0.0
    err_console.print(f"{count} versions of {articles} articles over {span:.0f} s -> {out}",
                      highlight=False)


@app.command("score")
def score_command(
    truth: Annotated[Path, typer.Option(help="The ground truth `tearsheet simulate --truth` "
                                             "wrote.")],
    config: ConfigOption = None,
    min_visible: Annotated[float, typer.Option(
        help="Also count the missed versions that were visible at least this many seconds.")]
    = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """Compare the database with the ground truth: captured, missed, phantom, fidelity."""
    from tearsheet.simulate import read_truth
    from tearsheet.simulate.score import Stored, score
    records = read_truth(truth)
    end = datetime.fromtimestamp(truth.stat().st_mtime, UTC)  # the truth's last rewrite
    settings = load_settings(config)
    with open_store(settings) as store:
        stored = [Stored(r["url"], r["number"], r["captured_at"], r["title"], r["byline"],
                         r["text"]) for r in store.iter_versions()]
    result = score(records, stored)
    if as_json:
        console.print_json(json.dumps(result.as_json(min_visible=min_visible, end=end)))
        return
    table = Table(title="tearsheet score")
    for name in ("served", "stored", "captured", "exactly", "missed", "phantoms", "fidelity"):
        table.add_column(name, justify="right")
    table.add_row(str(result.served), str(result.stored), str(len(result.captured)),
                  str(result.exact), str(len(result.missed)), str(len(result.phantoms)),
                  f"{result.fidelity:.4f}")
    console.print(table)
    long_missed = result.missed_visible_for(min_visible, end)
    for version in long_missed:
        console.print(Text(f"missed: {version.url} version {version.version} (visible "
                           f"{version.visible_seconds(end):.1f} s): {version.headline}"))
    for match in result.phantoms:
        console.print(Text(f"phantom ({match.phantom}): {match.stored.url} version "
                           f"{match.stored.number}: {match.stored.title or ''}"))
