"""A local site whose stories change on every request, and a fast-schedule configuration
to track it: every check stores a version (backups and database faults run against it)."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests.support.localserver import LocalServer, Reply, Request
from tests.support.pages import LOREM, article_page, rss_feed

STORIES = 4


def busy_site(server: LocalServer) -> None:
    """Stories whose text changes on every request: each check stores a version."""
    counter = itertools.count()
    for n in range(STORIES):
        def page(request: Request, n: int = n) -> Reply:
            first = f"{LOREM[0]} Update number {next(counter)}."
            return Reply(body=article_page(f"Story {n} keeps changing", [first, *LOREM[1:]]))
        server.route(f"/news/story-{n}", page)
    server.route("/feed.xml", Reply(
        body=rss_feed(server.base, [(f"/news/story-{n}", f"Story {n}") for n in range(STORIES)]),
        headers={"Content-Type": "application/rss+xml"}))


def busy_config(folder: Path, database_url: str, server: LocalServer, extra: str = "") -> Path:
    """``folder/tearsheet.toml`` tracking :func:`busy_site` every 0.2 s; ``extra`` adds
    sections (TOML) before the source."""
    config = folder / "tearsheet.toml"
    config.write_text(f"""
database_url = "{database_url}"
[schedule]
first_interval = "0.2s"
growth = 1.0
max_interval = "0.2s"
jitter = 0
discovery_interval = "1s"
[fetch]
per_host_delay = "0s"
allow_private_addresses = true
extract_processes = 0
{extra}
[[sources]]
name = "busy"
feeds = ["{server.url('/feed.xml')}"]
""")
    return config
