"""`tearsheet demo`: the tracker on a local fictional newsroom."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tearsheet.cli import app, console, err_console, open_store, setup_logging
from tearsheet.cli.tracking import run_tracker
from tearsheet.config import load_settings
from tearsheet.simulate import NewsSite, load_histories
from tearsheet.store import Store

DEMO_CONFIG = """\
# Written by `tearsheet demo`: a fast schedule, so a whole article life fits in minutes.
database_url = "sqlite:///{db}"
# Intervals follow the newsroom's clock: at --speed 5, first_interval is 5 s.
[schedule]
first_interval = {first:.3f}
growth = 1.5
max_interval = {longest:.3f}
retire_after = "10m"
discovery_interval = {first:.3f}
jitter = 0.1
[fetch]
per_host_delay = "0.05s"
timeout = "5s"
allow_private_addresses = true   # the demo site runs on 127.0.0.1
[[sources]]
name = "harbour-gazette"
feeds = ["{feed}"]
"""


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(
        help="Keep the demo's database here (default: a temporary directory).")] = None,
    duration: Annotated[float | None, typer.Option(
        help="Stop after this many seconds (default: run until Ctrl-C).")] = None,
    speed: Annotated[float, typer.Option(
        help="Simulated seconds per real second of the demo newsroom.")] = 5.0,
) -> None:
    """Track a bundled fictional newsroom served on 127.0.0.1 whose stories get rewritten."""
    site = NewsSite(load_histories(), speed=speed).start()
    keep = data_dir is not None
    with contextlib.ExitStack() as stack:
        stack.callback(site.stop)
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tearsheet-")))
        data_dir.mkdir(parents=True, exist_ok=True)
        config = data_dir / "tearsheet.toml"
        config.write_text(DEMO_CONFIG.format(
            db=(data_dir / "demo.db").as_posix(), feed=site.base + "/feed.xml",
            first=25 / speed, longest=150 / speed))
        settings = load_settings(config)
        live = err_console.is_terminal
        if not live:
            setup_logging(False)
        err_console.print(
            f"[bold]tearsheet demo[/]: the Harbour Gazette is at {site.base}/feed.xml; "
            f"its stories change over the next {300 / speed:.0f} s.\n"
            f"Data: {data_dir}. Ctrl-C stops.", highlight=False)
        with open_store(settings) as store:
            asyncio.run(run_tracker(settings, store, once=False, live=live, duration=duration))
            _print_articles(store, site.base)
        if keep:
            err_console.print(f"See them again: tearsheet status --config {config}; "
                              f"tearsheet export --config {config}", highlight=False)
        else:
            err_console.print("The demo's data was temporary: keep it with --data-dir DIR.")


def _print_articles(store: Store, base: str) -> None:
    table = Table(title="Tracked articles")
    for name in ("article", "versions", "latest headline"):
        table.add_column(name)
    for row in store.iter_articles():
        table.add_row(Text(row["url"].removeprefix(base)), str(row["version_count"]),
                      Text(row["title"] or ""))  # Text: titles are data, never markup
    console.print(table)
