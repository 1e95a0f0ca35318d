"""Commands of the tracker: run, check, status, export, and the database."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import signal
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tearsheet import __version__
from tearsheet.cli.common import (
    ConfigOption,
    RenderOption,
    app,
    console,
    err_console,
    open_store,
    setup_logging,
    with_render,
)
from tearsheet.config import Settings, load_settings
from tearsheet.errors import ExtractionError, TearsheetError
from tearsheet.humanize import duration

if TYPE_CHECKING:
    from tearsheet.store.store import Store
    from tearsheet.tracker.tracker import Stats, Tracker
    from tearsheet.tracker.worker import Gate



@contextlib.contextmanager
def _single_runner(settings: Settings) -> Iterator[bool]:
    """On SQLite, one runner per database: a second one would double every check.

    Yields True when this runner is the only one (it may then clear stale leases).
    """
    url = settings.database_url
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        yield False
        return
    lock_path = Path(url.removeprefix("sqlite:///") + ".lock")
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TearsheetError(
                f"another `tearsheet run` is using {url} (lock {lock_path})") from None
        yield True


def _stats_view(stats: Stats, store_error: str | None = None) -> Group:
    table = Table(title=f"tearsheet {__version__} — running (Ctrl-C to stop)", expand=False)
    for name in ("feeds polled", "new articles", "checks", "new versions", "unchanged",
                 "failed", "in flight"):
        table.add_column(name, justify="right")
    table.add_row(*(str(v) for v in (
        stats.feeds_polled, stats.articles_found, stats.checks, stats.new_versions,
        stats.unchanged, stats.failed, stats.in_flight)))
    recent = [Text(line, overflow="ellipsis", no_wrap=True) for line in stats.recent]
    if store_error is not None:  # an outage the tracker waits out (tracker/outage.py)
        recent.insert(0, Text(f"database unavailable, checks paused: {store_error}",
                              style="bold red"))
    return Group(table, *recent)


async def run_tracker(
    settings: Settings, store: Store, *, once: bool, live: bool, duration: float | None = None,
    gate: Gate | None = None, metrics_port: int | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Stats:
    from tearsheet.affinity import keep_on_one_cpu
    from tearsheet.fetch.fetcher import Fetcher
    from tearsheet.tracker.tracker import assemble, utcnow
    keep_on_one_cpu(settings.worker.cpu)  # before the tracker starts its threads
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    async with Fetcher(settings.fetch, gate=gate) as fetcher, \
            assemble(settings, store, fetcher, clock=clock or utcnow) as tracker:
        if metrics_port is not None:
            tracker.metrics.serve(metrics_port)
        if not live:
            return await _pipeline(tracker, stop, once=once)
        with Live(_stats_view(tracker.stats, tracker.outage.error), console=err_console,
                  refresh_per_second=4) as view:
            task = asyncio.create_task(_pipeline(tracker, stop, once=once))
            while not task.done():
                view.update(_stats_view(tracker.stats, tracker.outage.error))
                await asyncio.wait([task], timeout=0.25)
            view.update(_stats_view(tracker.stats, tracker.outage.error))
            return task.result()


async def _pipeline(tracker: Tracker, stop: asyncio.Event, *, once: bool) -> Stats:
    """The tracker, and beside it the stages that follow the store: notifications, and
    trusted timestamps when a TSA is configured. Neither ever delays a check."""
    from tearsheet.archive.stamper import Stamper
    from tearsheet.notify.notifier import Notifier

    settings, store = tracker.settings, tracker.store
    notifier = Notifier(settings, store)
    stamper = Stamper(settings, store) if settings.proof.tsa_url is not None else None
    if once:
        stats = await tracker.run(stop, once=True)
        await notifier.drain()
        if stamper is not None:
            await stamper.drain()
        return stats
    beside = [asyncio.create_task(notifier.run(stop))]
    if stamper is not None:
        beside.append(asyncio.create_task(stamper.run(stop)))
    try:
        return await tracker.run(stop)
    finally:
        stop.set()
        await asyncio.gather(*beside)


MetricsPort = Annotated[int | None, typer.Option(
    help="Serve this tracker's Prometheus metrics (fetch latency and bytes, checks by "
         "outcome) on 127.0.0.1:PORT.")]
LogJson = Annotated[bool, typer.Option(
    "--log-json", help="Log one JSON object per line (for a log collector).")]


@app.command()
def run(
    config: ConfigOption = None,
    once: Annotated[bool, typer.Option(help="One pass over everything due, then exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    metrics_port: MetricsPort = None,
    log_json: LogJson = False,
) -> None:
    """Discover articles and check them on schedule until stopped (Ctrl-C or SIGTERM)."""
    from tearsheet.store.summaries import fill_missing_summaries
    from tearsheet.store.tracing import fill_trace_index
    from tearsheet.tracker.worker import shared_gate
    settings = load_settings(config)
    live = err_console.is_terminal and not verbose and not log_json
    if not live:
        setup_logging(verbose, json_lines=log_json)
    if not settings.sources:
        raise TearsheetError("no sources configured: add [[sources]] to tearsheet.toml "
                             "(see sources.example.toml)")
    with _single_runner(settings) as alone, open_store(settings, tracking=True) as store:
        if alone:
            store.release_leases()  # left by a killed run: this is the only runner
            fill_missing_summaries(store)  # changes stored before summaries existed
            fill_trace_index(store)  # versions stored before the trace index existed
        stats = asyncio.run(run_tracker(settings, store, once=once, live=live,
                                        gate=shared_gate(settings, store),
                                        metrics_port=metrics_port))
    _report(stats)


@app.command()
def worker(
    config: ConfigOption = None,
    worker_id: Annotated[str | None, typer.Option(
        "--id", help="This worker's name in its leases (default: worker.id, else host-pid).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    metrics_port: MetricsPort = None,
    log_json: LogJson = False,
) -> None:
    """One of many tracker processes sharing a PostgreSQL store (see docs/deploy.md)."""
    from tearsheet.tracker.worker import prepare as prepare_worker
    settings = load_settings(config)
    if worker_id:
        settings = settings.model_copy(
            update={"worker": settings.worker.model_copy(update={"id": worker_id})})
    live = err_console.is_terminal and not verbose and not log_json
    if not live:
        setup_logging(verbose, json_lines=log_json)
    if not settings.sources:
        raise TearsheetError("no sources configured: add [[sources]] to tearsheet.toml")
    with open_store(settings, tracking=True) as store:
        gate = prepare_worker(settings, store)
        stats = asyncio.run(run_tracker(settings, store, once=False, live=live, gate=gate,
                                        metrics_port=metrics_port))
    _report(stats)


def _report(stats: Stats) -> None:
    err_console.print(
        f"{stats.checks} checks, {stats.new_versions} new versions, {stats.failed} failed, "
        f"{stats.articles_found} new articles")


@app.command()
def check(
    url: str,
    config: ConfigOption = None,
    render: RenderOption = None,
) -> None:
    """Fetch URL now: show what is extracted and whether it is a new version.

    A tracked article's check is recorded like a scheduled one (a new version is stored).
    """
    from tearsheet.diff.fingerprint import fingerprint
    from tearsheet.extract.extraction import Extraction, extract
    from tearsheet.fetch.browser import render_once
    from tearsheet.fetch.fetcher import Fetcher, Response
    from tearsheet.tracker.extraction_pool import run_once
    from tearsheet.tracker.tracker import assemble
    from tearsheet.urls import canonicalize
    settings = with_render(load_settings(config), render)
    canonical = canonicalize(url)
    with open_store(settings) as store:
        article = store.article_by_url(canonical)

        async def go() -> tuple[Extraction | None, str] | Response:
            if article is not None:
                async with Fetcher(settings.fetch) as fetcher:
                    # One page, one worker process: stopped past fetch.extract_timeout.
                    one = settings.model_copy(update={
                        "fetch": settings.fetch.model_copy(update={"extract_processes": 1})})
                    async with assemble(one, store, fetcher) as tracker:
                        tracker.pool.start()  # its worker starts while the page is fetched
                        due = store.claim_article(article["id"],
                                                  tracker.clock() + timedelta(minutes=5))
                        result = await tracker.check(due)
                if result.outcome == "failed":
                    raise TearsheetError(result.error or "check failed")
                verdict = {"new_version": f"new version {result.version}",
                           "unchanged": "unchanged (no new version)",
                           "merged": "same article as another URL"}[result.outcome]
                return result.extraction, verdict
            if render == "browser":
                return await render_once(settings.fetch, url)
            async with Fetcher(settings.fetch) as fetcher:
                return await fetcher.fetch(url)

        checked = asyncio.run(go())
    if isinstance(checked, tuple):
        extraction, verdict = checked
    else:  # not tracked: extracted once the loop is gone, in a worker forked for it
        try:
            extraction = run_once(extract, checked.document, checked.url,
                                  checked.document_charset,
                                  rendered=checked.rendered is not None,
                                  time_limit=settings.fetch.extract_timeout)
        except ExtractionError as exc:
            raise ExtractionError(f"{checked.url}: {exc} [{exc.reason}]",
                                  reason=exc.reason) from None
        verdict = "not tracked (its feed is not in a configured source)"
    if extraction is not None:
        data = extraction.as_json()
        data["fingerprint"] = fingerprint(extraction)
        console.print_json(json.dumps(data, ensure_ascii=False))
    console.print(f"[bold]{escape(canonical)}[/]: {escape(verdict)}", highlight=False)


@app.command()
def status(config: ConfigOption = None) -> None:
    """Sources, article counts, due checks, the week's outages and recent errors."""
    from sqlalchemy.engine import make_url

    from tearsheet.archive.warc import default_dir
    from tearsheet.store.health import low_disk, readiness
    from tearsheet.store.source_health import SourceHealth, notes

    settings = load_settings(config)
    now = datetime.now(UTC)
    with open_store(settings) as store:
        rows = store.source_summaries(now)
        errors = store.recent_errors()
        next_check = store.next_check_time()
        health = SourceHealth(store).summaries(now)
        outages = SourceHealth(store).outages(now)
        problems = [p for p in [readiness(store)] if p]
    folders = {"WARC files": default_dir(settings)}
    database = make_url(settings.database_url).database
    if settings.database_url.startswith("sqlite") and database not in (None, "", ":memory:"):
        folders["database"] = Path(str(database)).expanduser().resolve().parent
    problems += low_disk(folders)
    table = Table(title="tearsheet status")
    for name in ("source", "articles", "checked", "retired", "versions", "due now", "failing"):
        table.add_column(name, justify="left" if name == "source" else "right")
    for row in rows:
        table.add_row(row.name, str(row.articles), str(row.active),
                      str(row.articles - row.active), str(row.versions), str(row.due),
                      str(row.failing))
    console.print(table)
    for source in health:
        for note in notes(source, now, settings.health.collapse):
            console.print(f"[bold]{escape(source['name'])}[/]: {escape(note)}",
                          highlight=False)
    for name, runs in outages.items():  # the last week's, when its fetches failed
        for outage in runs:
            console.print(f"[bold]{escape(name)}[/]: {escape(outage.describe())}",
                          highlight=False)
    if next_check is not None:
        wait = (next_check - now).total_seconds()
        console.print("next check: " + ("now" if wait <= 0 else f"in {duration(wait)}"))
    for problem in problems:
        console.print(f"[bold red]problem:[/] {escape(problem)}", highlight=False)
    if errors:
        console.print("[bold]recent errors[/]")
        for error in errors:
            console.print(f"  {error.url}  ×{error.error_count}  {error.last_error}",
                          markup=False, highlight=False)


db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create the schema, or bring it up to date with this version of tearsheet."""
    from tearsheet.store.store import Store
    from tearsheet.store.summaries import fill_missing_summaries
    from tearsheet.store.tracing import fill_trace_index
    settings = load_settings(config)
    store = Store.open(settings.database_url, upgrade=True)
    filled = fill_missing_summaries(store)
    indexed = fill_trace_index(store)
    console.print(f"schema at revision {store.schema_revision()}"
                  + (f"; summarised {filled} earlier changes" if filled else "")
                  + (f"; indexed {indexed} earlier versions for trace" if indexed else ""))
    store.close()
