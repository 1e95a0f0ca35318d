"""`tearsheet notify`: run the notifier alone, try a rule, preview its message, see the
outbox."""

from __future__ import annotations

import asyncio
import signal
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tearsheet.cli.common import ConfigOption, app, console, err_console, open_store, setup_logging
from tearsheet.config import load_settings
from tearsheet.errors import TearsheetError

notify_app = typer.Typer(help="Notifications by rule: webhooks, Apprise, e-mail, Slack, "
                         "Discord, Matrix, Mastodon and Bluesky.",
                         no_args_is_help=True)
app.add_typer(notify_app, name="notify")


@notify_app.command("run")
def run(config: ConfigOption = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Deliver notifications until stopped (`tearsheet run` does this too, beside the
    tracker; run this instead where the tracker runs elsewhere)."""
    from tearsheet.notify.notifier import Notifier
    settings = load_settings(config)
    setup_logging(verbose)
    if not settings.notifications.rules:
        raise TearsheetError("no notification rules: add [[notifications.rules]] to the "
                             "configuration (see docs/guide.md)")
    with open_store(settings) as store:
        notifier = Notifier(settings, store)

        async def until_stopped() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await notifier.run(stop)

        asyncio.run(until_stopped())
    err_console.print(f"{notifier.sent} notifications sent, {notifier.failed} failed")


@notify_app.command("test")
def test(rule: Annotated[str, typer.Argument(help="The rule's name.")],
         config: ConfigOption = None) -> None:
    """Send a sample message through RULE now, and say whether it arrived."""
    from tearsheet.notify.notifier import Notifier
    settings = load_settings(config)
    settings.notifications.rule(rule)  # a clear error for an unknown name
    with open_store(settings) as store:
        asyncio.run(Notifier(settings, store).test(rule))
    console.print(f"sent a sample notification through rule {escape(rule)!r}",
                  highlight=False)


class PreviewFormat(StrEnum):
    TEXT = "text"
    HTML = "html"


@notify_app.command("preview")
def preview(rule: Annotated[str, typer.Argument(help="The rule's name.")],
            version: Annotated[int | None, typer.Option(
                "--version", help="The version id of the change (default: the newest "
                "change the rule matches).")] = None,
            fmt: Annotated[PreviewFormat, typer.Option(
                "--format", help="text, or html (e-mail and Matrix rules).")
            ] = PreviewFormat.TEXT,
            config: ConfigOption = None) -> None:
    """Print what RULE would send for a stored change, from its templates (nothing is
    sent). An e-mail's HTML holds its card as a data: URI, so a browser shows it."""
    from tearsheet.notify.readable import preview as render_preview

    settings = load_settings(config)
    chosen = settings.notifications.rule(rule)
    with open_store(settings) as store:
        typer.echo(render_preview(settings, store, chosen, version, fmt.value))


@notify_app.command("status")
def status(config: ConfigOption = None) -> None:
    """Deliveries per rule and status, and the last errors."""
    from tearsheet.notify.outbox import Outbox
    from tearsheet.notify.saving import wayback_status

    settings = load_settings(config)
    with open_store(settings) as store:
        counts, errors = Outbox(store).status()
        saves, failures = wayback_status(store)
    table = Table("rule", "status", "deliveries")
    for (name, state), count in sorted(counts.items()):
        table.add_row(escape(name), state, str(count))
    for state, count in sorted(saves.items()):
        table.add_row("(wayback)", state, str(count))
    console.print(table)
    for row in errors:
        console.print(f"{row.rule} #{row.id} ({row.status}): {escape(row.last_error)}",
                      highlight=False)
    for row in failures:
        console.print(f"wayback, version {row.version_id} ({row.status}): "
                      f"{escape(row.last_error)}", highlight=False)
