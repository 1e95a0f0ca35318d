"""Readable messages per second: templates rendered on one core, and deliveries through the
notifier to local e-mail, Slack, Discord and Matrix servers.

    PYTHONPATH=src python bench/messages.py [--runs 5] [--messages 60]

Rendering: every change of the bundled fictional newsroom rendered through each bundled
template (the changed sentences marked, every value escaped), medians of ``--runs`` runs,
beside peers from the same run and inputs: the plain-text message webhooks and Apprise
get (``rules.message``) and the diff page's HTML (``html_document``). Diffs are computed
before the clock starts.

Delivery: ``--messages`` changes queued through one rule per channel and delivered by
:class:`~tearsheet.notify.Notifier` (diff read back from SQLite, templates rendered, the
card drawn for e-mail and Matrix) to the test servers (aiosmtpd; the local Slack, Discord
and Matrix fakes), beside the same changes sent to a plain webhook.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.localserver import LocalServer, Reply
from tests.support.messaging import (
    DISCORD_PATH,
    MATRIX_TOKEN,
    ROOM,
    SLACK_PATH,
    FakeDiscord,
    FakeMatrix,
    FakeSlack,
)
from tests.support.smtp import smtp_server

from cards import changes as card_changes
from cards import deliver_changes
from tearsheet.config import MESSAGE_TEMPLATES, load_settings
from tearsheet.diff import Change
from tearsheet.diff.render import html_document
from tearsheet.notify import messages as m
from tearsheet.notify import rules

REPEAT = 25


def changes() -> list[tuple[rules.ChangeEvent, Change]]:
    """The cards benchmark's changes, as the notifier sees them."""
    out = []
    for k, (change, info, old, new) in enumerate(card_changes()):
        s = change.summary
        out.append((rules.ChangeEvent(
            version_id=k, article_id=k, source_id=1, source=info.source,
            url=f"https://news.example/{k}", number=2,
            captured_at=datetime(2026, 12, 4, 16, 30, tzinfo=UTC), title=new.title,
            previous_title=old.title, text="\n\n".join(new.paragraphs), kinds=s.kinds,
            significance=s.significance, boring=s.boring, words_added=s.words_added,
            words_removed=s.words_removed), change))
    return out


def interleaved(variants: dict[str, Callable[[], object]], count: int, runs: int
                ) -> dict[str, float]:
    """Items per second of each variant: the median of ``runs`` rounds, each round timing
    every variant once (a busy machine slows all of them alike)."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, work in variants.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: count / statistics.median(spent) for name, spent in times.items()}


def bench_rendering(runs: int) -> None:
    found = changes()
    settings = load_settings(None, notifications={"rules": [
        {"name": "r", "apprise": "json://127.0.0.1/"}]})
    rule = settings.notifications.rules[0]

    def each(one: Callable[[rules.ChangeEvent, Change], object]) -> Callable[[], object]:
        # Every change REPEAT times: a run long enough to time.
        return lambda: [one(e, c) for _ in range(REPEAT) for e, c in found]

    def render(name: str) -> Callable[[rules.ChangeEvent, Change], object]:
        fmt, source = m.TEMPLATE_FORMATS[name], m.bundled(name)
        return lambda e, c: m.render(name, source, m.message_context(e, c, "https://ts", fmt),
                                     10**6)

    variants = {name: each(render(name)) for name in MESSAGE_TEMPLATES}
    variants["peer: plain text (webhook, Apprise)"] = each(lambda e, c: rules.message(
        rule, rules.change_context(e, "https://ts"), summary=False))
    variants["peer: diff page HTML"] = each(lambda e, c: html_document(c))
    results = interleaved(variants, REPEAT * len(found), runs)
    base = results["peer: plain text (webhook, Apprise)"]
    print(f"{len(found)} changes of the bundled newsroom ×{REPEAT}, median of {runs} "
          "interleaved runs, one core")
    for name, value in results.items():
        print(f"  {name:36} {value:9.0f} /s   ({value / base:5.2f}× the plain text)")


def bench_delivery(count: int) -> None:
    server = LocalServer().start()
    FakeSlack(server)
    FakeDiscord(server)
    FakeMatrix(server)
    server.route("/hook", Reply(200))
    folder = Path(tempfile.mkdtemp())
    try:
        with smtp_server(folder) as (_inbox, port, cert):
            for label, rule in [
                ("e-mail, card inline", {"email": ["desk@news.example"]}),
                ("Slack", {"slack": server.url(SLACK_PATH)}),
                ("Discord", {"discord": server.url(DISCORD_PATH)}),
                ("Matrix, card uploaded", {"account": "mx", "room": ROOM}),
                ("Matrix, no card", {"account": "mx", "room": ROOM, "card": False}),
                ("peer: webhook", {"webhook": server.url("/hook"), "secret": "s" * 20})]:
                sent, elapsed = deliver(folder, label, rule, count, port, cert, server)
                print(f"  {label:24} {sent:4d} deliveries in {elapsed:5.2f} s = "
                      f"{sent / elapsed:6.1f} /s")
    finally:
        server.stop()


def deliver(folder: Path, label: str, rule: dict[str, Any], count: int, port: int,
            cert: Path, server: LocalServer) -> tuple[int, float]:
    url = f"sqlite:///{folder / (label.replace(' ', '_').replace(',', '') + '.db')}"
    settings = load_settings(None, database_url=url, notifications={
        "rules": [{"name": "r", **rule}], "base_url": "https://ts.example",
        "flood_threshold": 100_000, "accounts": {"mx": {"matrix": server.base,
                                                        "token": MATRIX_TOKEN}},
        "email": {"host": "127.0.0.1", "port": port, "security": "none",
                  "sender": "bot@ts.example", "ca_file": str(cert)}})
    return deliver_changes(settings, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=60)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    bench_rendering(args.runs)
    print(f"delivering {args.messages} changes through the notifier (SQLite, local servers):")
    bench_delivery(args.messages)


if __name__ == "__main__":
    main()
