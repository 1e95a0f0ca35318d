"""`tearsheet demo`: the whole product on one machine, in one command.

The demo starts the simulated newsroom (the bundled *Harbour Gazette*) as a child
process — its own interpreter, so page rendering does not take the tracker's GIL — and,
in this process, the tracker (with a schedule that follows the newsroom's accelerated
clock) and the web UI (on a thread, so it can never outlive the demo and keep its port).
Ctrl-C reaches everything (one process group); the newsroom also exits by itself if this
process dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from tearsheet.cli.common import app, console, err_console, open_store, setup_logging
from tearsheet.cli.tracking import run_tracker
from tearsheet.config import Settings, load_settings
from tearsheet.errors import TearsheetError

if TYPE_CHECKING:
    from tearsheet.store.store import Store


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
per_host_concurrency = 4
timeout = "5s"
allow_private_addresses = true   # the demo site runs on 127.0.0.1
[[sources]]
name = "harbour-gazette"
feeds = ["{base}/feed.xml", "{base}/atom.xml"]
sitemaps = ["{base}/sitemap.xml"]
"""
@contextlib.contextmanager
def web_ui(settings: Settings, port: int) -> Iterator[str]:
    """Serve the web UI on 127.0.0.1:``port`` from a thread; yields its URL."""
    import uvicorn  # the web UI's dependencies load only when it is served

    from tearsheet.simulate.newsroom import SITE_START_TIMEOUT
    from tearsheet.web import create_app

    with socket.socket() as probe:  # uvicorn would only log a busy port, in its thread
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise TearsheetError(f"port {port} is in use (another tearsheet serve or demo?): "
                                 "choose another with --port") from None
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, name="web-ui", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + SITE_START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise TearsheetError(f"the web UI did not start on port {port}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _set_aside_previous_run(data_dir: Path) -> None:
    """Each demo replays the newsroom from its start, on a new port: a database kept from
    an earlier demo would hold articles at a dead address and versions of another replay.
    Keep it beside the new one (``*.previous``) rather than mixing the two."""
    for name in ("demo.db", "demo.db-wal", "demo.db-shm", "truth.jsonl"):
        old = data_dir / name
        if old.exists():
            old.replace(data_dir / f"{name}.previous")
            if name == "demo.db":
                err_console.print(f"The previous demo's database is now {old}.previous.")


def _can_open_browser() -> bool:
    """Only with a graphical session: on a bare terminal, `webbrowser` may start a text
    browser in the very terminal the status view is drawn on."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(
        help="Keep the demo's database here (default: a temporary directory).")] = None,
    duration: Annotated[float | None, typer.Option(
        help="Stop after this many seconds (default: run until Ctrl-C).")] = None,
    speed: Annotated[float, typer.Option(
        help="Simulated seconds per real second of the demo newsroom.")] = 5.0,
    port: Annotated[int, typer.Option(
        help="Port of the web UI on 127.0.0.1 (the newsroom itself uses a free port).")]
    = 8000,
    no_browser: Annotated[bool, typer.Option(
        "--no-browser", help="Do not open the web UI in a browser.")] = False,
    faults: Annotated[float, typer.Option(
        help="Share of the newsroom's answers that fail (0-1), to watch the tracker cope.")]
    = 0.0,
    clock_file: Annotated[Path | None, typer.Option(
        hidden=True, help="Newsroom and tracker read the time (POSIX seconds) from this "
                          "file, which a test steps, instead of the real clock.")] = None,
) -> None:
    """Track a bundled fictional newsroom served on 127.0.0.1 whose stories get rewritten."""
    from tearsheet.simulate import FileClock, load_histories
    from tearsheet.simulate.newsroom import newsroom_process
    if speed <= 0:
        raise TearsheetError("--speed must be positive")
    newsroom = load_histories()
    span = max(v.at for v in newsroom) / speed
    keep = data_dir is not None
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tearsheet-")))
        data_dir.mkdir(parents=True, exist_ok=True)
        _set_aside_previous_run(data_dir)
        truth = data_dir / "truth.jsonl"
        base = stack.enter_context(newsroom_process(
            data_dir / "newsroom.log", "--speed", str(speed), "--faults", str(faults),
            "--truth", str(truth),
            *(() if clock_file is None else ("--clock-file", str(clock_file)))))
        config = data_dir / "tearsheet.toml"
        config.write_text(DEMO_CONFIG.format(
            db=(data_dir / "demo.db").as_posix(), base=base, first=25 / speed,
            longest=150 / speed), encoding="utf-8")
        settings = load_settings(config)
        live = err_console.is_terminal
        if not live:
            setup_logging(False)
            logging.getLogger("alembic").setLevel(logging.WARNING)  # schema creation chatter
        articles = len({v.path for v in newsroom})
        with open_store(settings) as store:
            web = stack.enter_context(web_ui(settings, port))
            err_console.print(
                f"\n[bold]tearsheet demo[/] — web UI: [bold]{web}[/]\n"
                f"  The Harbour Gazette ({articles} stories) is live at {base}/ ; its stories "
                f"are rewritten over the next {span:.0f} s:\n  corrections, new headlines, "
                f"developing stories. Watch them arrive in the web UI.\n"
                f"  Data: {data_dir}   Ctrl-C stops everything.\n", highlight=False)
            if not no_browser and _can_open_browser():
                with contextlib.suppress(Exception):  # no browser is not an error
                    webbrowser.open(web)
            clock = None if clock_file is None else FileClock(clock_file).datetime
            asyncio.run(run_tracker(settings, store, once=False, live=live, duration=duration,
                                    clock=clock))
            _print_articles(store, base)
        if keep:
            err_console.print(
                f"See them again: tearsheet serve --config {config} (web UI); tearsheet export "
                f"--config {config}\nScore the run: tearsheet score --truth {truth} "
                f"--config {config}", highlight=False)
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
