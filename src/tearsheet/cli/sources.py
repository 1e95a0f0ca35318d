"""``tearsheet sources``: every source's health in a table."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.markup import escape
from rich.table import Table

from tearsheet.cli.common import ConfigOption, app, console, open_store
from tearsheet.config import load_settings


@app.command("sources")
def sources_command(config: ConfigOption = None) -> None:
    """Source health: refusals by reason (last day, week), new articles' length against
    the usual, the last good extraction, and "extraction broken since …"."""
    from tearsheet.humanize import ago
    from tearsheet.store.source_health import SourceHealth, notes, refusal_share

    settings = load_settings(config)
    now = datetime.now(UTC)
    with open_store(settings) as store:
        rows = SourceHealth(store).summaries(now)
    table = Table(title="source health")
    for name in ("source", "checks day/week", "refused day", "refused week", "top reasons",
                 "new article length", "last good", "status"):
        table.add_column(name, justify="left" if name in ("source", "top reasons", "status")
                         else "right")
    for row in rows:
        reasons = sorted(row["refused_week"].items(), key=lambda item: -item[1])[:3]
        median, usual = row["median_length"], row["usual_length"]
        length = "—" if median is None else f"{median:.0f}" + (
            f" / {usual:.0f} usually" if usual else "")
        found = notes(row, now, settings.health.collapse)
        table.add_row(
            escape(row["name"]), f"{row['checks_day']} / {row['checks_week']}",
            f"{refusal_share(row, 'day'):.0%}", f"{refusal_share(row):.0%}",
            escape(", ".join(f"{reason} {count}" for reason, count in reasons)) or "—",
            length, ago(row["last_good_at"], now) if row["last_good_at"] else "never",
            escape("; ".join(found)) if found else "ok")
    console.print(table)
