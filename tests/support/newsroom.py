"""A news site on the local server whose stories a test edits between runs of the tracker,
and the fast-schedule configuration, runs and export that follow it (``tearsheet run``,
``tearsheet export``, through the command's entry point)."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.cli import cli
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.pages import article_page, rss_feed


@dataclass
class Story:
    """One article as the site serves it now (``status`` other than 200: an error page)."""

    headline: str
    paragraphs: list[str]
    byline: str = "Jane Doe"
    status: int = 200


@dataclass
class Newsroom:
    """A news site on the local server whose stories the test edits between runs."""

    server: LocalServer
    stories: dict[str, Story] = field(default_factory=dict)
    feed_status: int = 200
    feed_body: str | None = None
    _noise: itertools.count[int] = field(default_factory=itertools.count)

    def publish(self, path: str, story: Story) -> None:
        self.stories[path] = story
        self.server.route(path, self._render(path))

    def _render(self, path: str):  # type: ignore[no-untyped-def]
        def handler(request: Request) -> Reply:
            story = self.stories[path]
            if story.status != 200:
                return Reply(status=story.status, body="error")
            # Every request gets different chrome: noise must never make a version.
            html = article_page(story.headline, story.paragraphs, byline=story.byline,
                                noise=next(self._noise))
            return Reply(body=html)
        return handler

    def feed(self, request: Request) -> Reply:
        if self.feed_body is not None:
            return Reply(status=self.feed_status, body=self.feed_body,
                         headers={"Content-Type": "application/rss+xml"})
        items = [(p, s.headline) for p, s in self.stories.items()]
        return Reply(status=self.feed_status, body=rss_feed(self.server.base, items),
                     headers={"Content-Type": "application/rss+xml"})


def write_config(
    tmp_path: Path, server: LocalServer, db: str | None = None, **extra: str
) -> Path:
    """A fast-schedule configuration for the local newsroom; ``db`` defaults to an SQLite
    file in ``tmp_path``."""
    db = db or f"sqlite:///{tmp_path / 'ts.db'}"
    settings = {
        "first_interval": '"0.3s"', "growth": "1.0", "max_interval": '"1s"',
        "retire_after": '"1h"', "jitter": "0", "discovery_interval": '"0.3s"',
    }
    settings.update(extra)
    schedule = "\n".join(f"{k} = {v}" for k, v in settings.items())
    config = tmp_path / "tearsheet.toml"
    config.write_text(f"""
database_url = "{db}"
[schedule]
{schedule}
[fetch]
per_host_delay = "0s"
timeout = "2s"
retries = 1
retry_backoff = "0.05s"
allow_private_addresses = true
[[sources]]
name = "example"
feeds = ["{server.url('/feed.xml')}"]
""")
    return config


def export(config: Path, tmp_path: Path) -> list[dict[str, object]]:
    out = tmp_path / "export.jsonl"
    assert cli("export", "--config", str(config), "--out", str(out)) == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def run_once(config: Path) -> None:
    time.sleep(0.35)  # let the scheduled checks fall due (first_interval 0.3s)
    assert cli("run", "--once", "--config", str(config)) == 0


def slow(handler, delay: float):  # type: ignore[no-untyped-def]
    """``handler`` with every answer sent ``delay`` seconds late."""
    def slow(request: Request) -> Reply:
        reply = handler(request)
        reply.delay = delay
        return reply
    return slow
