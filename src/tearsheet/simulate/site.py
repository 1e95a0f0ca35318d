"""A local news site that plays article histories back on an accelerated clock.

The demo and the tests need news that changes. :class:`NewsSite` serves, on 127.0.0.1, an
RSS feed and article pages whose content is the version current at simulated time, inside
page chrome that changes on every request (the noise a tracker must not mistake for an
edit).

Histories are JSONL, one object per version::

    {"article": "ferry", "path": "/news/ferry-runs-aground", "at": 90,
     "headline": "...", "byline": "...", "paragraphs": ["...", "..."]}

where ``at`` is the simulated second from the start at which the version goes live.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path

from tearsheet.errors import TearsheetError

SITE_NAME = "The Harbour Gazette"


@dataclass(frozen=True)
class Version:
    article: str
    path: str
    at: float
    headline: str
    byline: str
    paragraphs: tuple[str, ...]


def load_histories(path: Path | None = None) -> list[Version]:
    """Versions from a JSONL file (default: the bundled fictional newsroom), ordered by time."""
    source = path.read_text(encoding="utf-8") if path else (
        files("tearsheet.example").joinpath("newsroom.jsonl").read_text(encoding="utf-8"))
    versions = []
    for number, line in enumerate(source.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            versions.append(Version(
                article=str(item["article"]), path=str(item["path"]), at=float(item["at"]),
                headline=str(item["headline"]), byline=str(item.get("byline", "")),
                paragraphs=tuple(str(p) for p in item["paragraphs"]),
            ))
        except (ValueError, KeyError, TypeError) as exc:
            raise TearsheetError(f"{path or 'newsroom.jsonl'}, line {number}: {exc}") from None
    return sorted(versions, key=lambda v: v.at)


def article_page(
    headline: str, paragraphs: list[str] | tuple[str, ...], *, byline: str = "",
    published: str = "2026-11-20T08:00:00Z", noise: int = 0, lang: str = "en",
    canonical: str | None = None, charset: str | None = "utf-8",
) -> str:
    """A news article page with the chrome real sites have; ``noise`` varies only the chrome."""
    rng = random.Random(noise)  # noqa: S311 - page noise, not secrets
    most_read = "".join(
        f'<li><a href="/news/story-{rng.randint(1000, 9999)}">Most read story number '
        f"{rng.randint(1, 99)} about something else entirely</a></li>"
        for _ in range(5)
    )
    authors = [name.strip() for name in byline.split(" and ") if name.strip()]
    ld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
        "author": [{"@type": "Person", "name": name} for name in authors],
        "datePublished": published,
    }).replace("</", "<\\/")
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    by = f'<p class="byline">By {escape(byline)}</p>' if byline else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta_charset}
<title>{escape(headline)} | {SITE_NAME}</title>
<meta property="og:title" content="{escape(headline)}">
{link}
<script type="application/ld+json">{ld}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a>
<a href="/business">Business</a> <span class="clock">Updated {rng.randint(1, 59)} minutes ago</span>
</nav></header>
<main><article>
<h1>{escape(headline)}</h1>
{by}
<time datetime="{published}">{published}</time>
{body}
</article>
<aside><h2>Most read</h2><ol>{most_read}</ol>
<div class="ad" id="ad-{rng.randint(10**6, 10**7)}">Advertisement</div>
<p>{rng.randint(2, 900)} comments</p></aside></main>
<footer><p>© {SITE_NAME}. All rights reserved. Request id {rng.getrandbits(64):x}</p>
</footer></body></html>"""


def rss_feed(base: str, items: list[tuple[str, str]], *, title: str = SITE_NAME) -> str:
    """An RSS 2.0 feed of (path, title) items."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(base + path)}</link>"
        f"<guid>{escape(base + path)}</guid></item>"
        for path, t in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>{escape(base)}/</link>"
            f"<description>News</description>{entries}</channel></rss>")


class NewsSite:
    """Serves the histories on 127.0.0.1; ``speed`` is simulated seconds per real second."""

    def __init__(self, versions: list[Version], *, speed: float = 1.0, port: int = 0) -> None:
        self.versions = versions
        self.speed = speed
        self._started = time.monotonic()
        self._noise = itertools.count()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, content_type, body = site.respond(self.path.split("?")[0])
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def now(self) -> float:
        """Simulated seconds since the site started."""
        return (time.monotonic() - self._started) * self.speed

    def current(self) -> dict[str, Version]:
        """The version of each published article that is live now, by path."""
        now = self.now()
        live: dict[str, Version] = {}
        for version in self.versions:
            if version.at <= now:
                live[version.path] = version
        return live

    def respond(self, path: str) -> tuple[int, str, bytes]:
        live = self.current()
        if path in ("/feed.xml", "/rss.xml"):
            items = sorted(live.values(), key=lambda v: -v.at)
            feed = rss_feed(self.base, [(v.path, v.headline) for v in items])
            return 200, "application/rss+xml; charset=utf-8", feed.encode()
        version = live.get(path)
        if version is None:
            return 404, "text/html; charset=utf-8", b"<h1>Not found</h1>"
        page = article_page(version.headline, version.paragraphs, byline=version.byline,
                            noise=next(self._noise))
        return 200, "text/html; charset=utf-8", page.encode()

    def start(self) -> NewsSite:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
