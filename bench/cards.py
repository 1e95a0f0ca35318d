"""Diff cards per second on one core, and posts per second through the notifier.

    PYTHONPATH=src python bench/cards.py [--runs 5] [--posts 60]

Cards: every change of the bundled fictional newsroom (consecutive versions of each
article) drawn as a 1200×675 and a 1080×1350 PNG; the medians of ``--runs`` runs, beside
two peers from the same run and inputs: the diff page's HTML (``html_document``, what a
browser would have to lay out and screenshot) and difflib's ``HtmlDiff`` table. The
diffs are computed before the clock starts: only drawing and encoding are measured.

Posting: ``--posts`` changes queued through a rule per network and delivered by
:class:`~tearsheet.notify.Notifier` to the local Mastodon and Bluesky servers of the tests
(card drawn, media uploaded, status or record created, thread looked up and recorded),
on SQLite; beside the same changes sent to a plain webhook (no card).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.support.localserver import LocalServer, Reply
from tests.support.protocols import PASSWORD, TOKEN, FakeMastodon, FakePDS
from tests.support.served import START, record

from tearsheet.config import Settings, load_settings
from tearsheet.diff import Change, Document, diff
from tearsheet.diff import card as cards
from tearsheet.diff.fonts import find_fonts
from tearsheet.diff.render import html_document
from tearsheet.notify.notifier import Notifier
from tearsheet.simulate import load_histories
from tearsheet.store.store import Store


def changes() -> list[tuple[Change, cards.CardInfo, Document, Document]]:
    by_article: dict[str, list[Document]] = {}
    for version in load_histories():
        by_article.setdefault(version.article, []).append(
            Document(paragraphs=version.paragraphs, title=version.headline,
                     byline=version.byline))
    out = []
    for name, documents in by_article.items():
        for number, (old, new) in enumerate(itertools.pairwise(documents), 2):
            info = cards.CardInfo("The Example Times", new.title or name,
                                  f"v{number - 1} · 4 Dec 2026 14:02 UTC",
                                  f"v{number} · 4 Dec 2026 16:30 UTC",
                                  f"https://ts.example/articles/1/diff/{number - 1}/{number}")
            out.append((diff(old, new), info, old, new))
    return out


def rate(work: Callable[[], object], count: int, runs: int) -> float:
    """Items per second: the median of ``runs`` timed runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return count / statistics.median(times)


def bench_cards(runs: int) -> None:
    found = changes()
    fonts = find_fonts()
    cards.png(found[0][0], found[0][1], fonts=fonts)  # faces loaded once, outside the clock
    results = {
        "card 1200×675 PNG": rate(lambda: [cards.png(c, i, cards.LANDSCAPE, fonts)
                                           for c, i, _, _ in found], len(found), runs),
        "card 1080×1350 PNG": rate(lambda: [cards.png(c, i, cards.PORTRAIT, fonts)
                                            for c, i, _, _ in found], len(found), runs),
        "alt text": rate(lambda: [cards.alt_text(c, i) for c, i, _, _ in found],
                         len(found), runs),
        "peer: diff page HTML": rate(lambda: [html_document(c) for c, _, _, _ in found],
                                     len(found), runs),
        "peer: difflib.HtmlDiff": rate(lambda: [difflib.HtmlDiff().make_table(
            list(a.paragraphs), list(b.paragraphs), context=True) for _, _, a, b in found],
            len(found), runs),
    }
    size = statistics.median(len(cards.png(c, i, fonts=fonts)) for c, i, _, _ in found)
    landscape = results["card 1200×675 PNG"]
    print(f"{len(found)} changes of the bundled newsroom, median of {runs} runs, one core "
          f"(fonts: {fonts.text.name if fonts.text else 'Pillow default'} + "
          f"{fonts.cjk.name if fonts.cjk else 'no CJK font'}); median card {size / 1000:.0f} KB")
    for name, value in results.items():
        print(f"  {name:26} {value:9.1f} /s   ({value / landscape:5.2f}× the landscape card)")


def deliver_changes(settings: Settings, count: int) -> tuple[int, float]:
    """``count`` changes stored after the notifier started, delivered in one step:
    (deliveries, seconds). What was not sent is said, with its error."""
    store = Store.open(settings.database_url)
    notifier = Notifier(settings, store)
    notifier.queue()
    for n in range(count):
        record(store, "daily", f"https://daily.example/{n}",
               [("Ferry late", f"The ferry {n} was late on Monday."),
                ("Ferry very late", f"The ferry {n} was late on Monday and Tuesday, "
                 "the operator said.")], start=START, step=timedelta(minutes=5))

    async def go() -> int:
        async with httpx.AsyncClient() as client:
            return await notifier.step(client)

    start = time.perf_counter()
    sent = asyncio.run(go())
    elapsed = time.perf_counter() - start
    errors = {str(row["last_error"]) for row in notifier.outbox.rows()
              if row["status"] != "sent"}
    store.close()
    if errors:
        print(f"  (not sent: {'; '.join(sorted(errors))})")
    return sent, elapsed


def bench_posting(count: int) -> None:
    server = LocalServer().start()
    FakeMastodon(server, processing_polls=0)
    FakePDS(server)
    server.route("/hook", Reply(200))
    folder = Path(tempfile.mkdtemp())
    try:
        for label, rules in [
            ("Mastodon + Bluesky, with cards", [{"name": "toot", "account": "masto"},
                                                {"name": "skeet", "account": "sky"}]),
            ("peer: webhook, no card", [{"name": "hook", "webhook": server.url("/hook"),
                                         "secret": "s" * 20}])]:
            url = f"sqlite:///{folder / (rules[0]['name'] + '.db')}"
            settings = load_settings(None, database_url=url, notifications={
                "rules": rules, "base_url": "https://ts.example", "flood_threshold": 100_000,
                "accounts": {"masto": {"mastodon": server.base, "token": TOKEN},
                             "sky": {"bluesky": server.base, "identifier": "bot.example",
                                     "password": PASSWORD}}})
            sent, elapsed = deliver_changes(settings, count)
            print(f"  {label:32} {sent:4d} deliveries in {elapsed:5.2f} s = "
                  f"{sent / elapsed:6.1f} /s")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=60)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    bench_cards(args.runs)
    print(f"posting {args.posts} changes through the notifier (SQLite, local servers):")
    bench_posting(args.posts)


if __name__ == "__main__":
    main()
