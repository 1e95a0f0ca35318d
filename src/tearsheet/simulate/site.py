"""The simulated news site: histories played back over HTTP on 127.0.0.1.

:class:`NewsSite` serves what a real news site serves — a homepage, section fronts, an RSS
feed, an Atom feed, a news sitemap, robots.txt and article pages — where every article
page shows the version that is current at *simulated* time. The clock runs ``speed``
simulated seconds per real second, so a day of edits can play in a minute. Pages carry
per-request noise (:mod:`.templates`), requests fail on demand (:mod:`.faults`), and the
site can write down what it served (:mod:`.truth`) so a tracker's run can be scored.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import itertools
import random
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tearsheet.simulate import templates
from tearsheet.simulate.faults import FaultPlan
from tearsheet.simulate.histories import Version
from tearsheet.simulate.templates import DEFAULT_NOISE, Noise, Story
from tearsheet.simulate.truth import TruthVersion, write_truth

EPOCH = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
"""The simulated date of second 0: pages show dates from here on."""
FEED_SIZE = 100  # newest items in the RSS and Atom feeds, as real feeds list only the latest
FRONT_SIZE = 40
TRUTH_EVERY = 2.0  # real seconds between rewrites of the truth file

HTML = "text/html; charset=utf-8"
FEED_PATHS = {"/feed.xml": "rss", "/rss.xml": "rss", "/atom.xml": "atom",
              "/sitemap.xml": "sitemap", "/sitemap-news.xml": "sitemap"}


@dataclass
class Answer:
    """One HTTP answer, and how to (mis)deliver it."""

    status: int
    body: bytes
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait first (a slow server)
    truncate: bool = False  # send half the body, then close (the length stays the full one)
    version: int | None = None  # for an article page: which version (1, 2...) it carries


@dataclass
class _Article:
    id: str
    path: str
    versions: list[Version]
    times: list[float]
    template: str

    def live(self, now: float) -> int:
        """Index of the version live at simulated second ``now`` (-1: not yet published)."""
        return bisect.bisect_right(self.times, now) - 1


class NewsSite:
    """Serves the histories on 127.0.0.1; ``speed`` is simulated seconds per real second.

    ``faults`` is the share of requests that fail (see :class:`FaultPlan`), drawn from
    ``seed``; ``noise`` the kinds of per-request noise (default: every kind the extractor
    is known to see through); ``truth`` a file to keep the ground truth in; ``template``
    forces one page template for every article.
    """

    def __init__(
        self, versions: Sequence[Version], *, speed: float = 1.0, port: int = 0,
        faults: float | FaultPlan = 0.0, seed: int = 0,
        noise: Collection[str] | None = None, truth: Path | None = None,
        template: str | None = None, compress: bool = True,
        clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time,
    ) -> None:
        """``clock``: real seconds, monotonic (a test's own clock makes the site's time
        independent of how fast the machine runs); ``wall``: POSIX seconds, which date the
        truth's windows (a test's clock gives both, so the windows are on its timeline)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        if template is not None and template not in templates.TEMPLATES:
            raise ValueError(f"unknown template {template!r} "
                             f"(known: {', '.join(sorted(templates.TEMPLATES))})")
        self.versions = list(versions)
        self.speed = speed
        self.clock = clock
        self.wall = wall
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan(faults, seed)
        self.seed = seed
        self.noise = frozenset(DEFAULT_NOISE if noise is None else noise)
        unknown = self.noise - templates.NOISE_KINDS
        if unknown:
            raise ValueError(f"unknown noise kinds: {', '.join(sorted(unknown))}")
        self.truth_path = truth
        self.compress = compress
        self.articles: dict[str, _Article] = {}
        for version in sorted(self.versions, key=lambda v: v.at):
            found = self.articles.get(version.path)
            if found is None:
                found = self.articles[version.path] = _Article(
                    version.article, version.path, [], [],
                    template or templates.template_for(version.article))
            found.versions.append(version)
            found.times.append(version.at)
        self.sections = set(templates.SECTIONS) | {
            a.versions[0].section_name for a in self.articles.values()}
        self._started = self.clock()
        self._started_wall = self.wall()
        self._requests = itertools.count()
        self._visits: dict[str, int] = {}
        self._served: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests_served = 0
        self.faults_served: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real sites

            def do_GET(self) -> None:
                site._handle(self, body=True)

            def do_HEAD(self) -> None:
                site._handle(self, body=False)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._truth_thread: threading.Thread | None = None

    # --- time ---------------------------------------------------------------------------

    def now(self) -> float:
        """Simulated seconds since the site started."""
        return (self.clock() - self._started) * self.speed

    def sim_datetime(self, seconds: float) -> datetime:
        return EPOCH + timedelta(seconds=seconds)

    def real_datetime(self, seconds: float) -> datetime:
        """The real (wall-clock) moment at which simulated second ``seconds`` comes."""
        return datetime.fromtimestamp(self._started_wall + seconds / self.speed, UTC)

    @property
    def duration(self) -> float:
        """Simulated seconds until the last version goes live."""
        return max((v.at for v in self.versions), default=0.0)

    def current(self) -> dict[str, Version]:
        """The version of each published article that is live now, by path."""
        now = self.now()
        live = {}
        for path, article in self.articles.items():
            index = article.live(now)
            if index >= 0:
                live[path] = article.versions[index]
        return live

    # --- pages --------------------------------------------------------------------------

    def _noise(self, others: Sequence[tuple[str, str]]) -> Noise:
        number = next(self._requests)
        seed = int.from_bytes(hashlib.blake2b(f"{self.seed}:{number}".encode(),
                                              digest_size=8).digest(), "big")
        return Noise(random.Random(seed), self.sim_datetime(self.now()),  # noqa: S311
                     self.noise, others)

    def _listing(self, section: str | None = None) -> list[tuple[Version, Version]]:
        """(first, current) version of each live article, newest first."""
        now = self.now()
        items = []
        for article in self.articles.values():
            index = article.live(now)
            if index >= 0 and (section is None or article.versions[0].section_name == section):
                items.append((article.versions[0], article.versions[index]))
        items.sort(key=lambda pair: (-pair[0].at, pair[0].path))
        return items

    def page(self, path: str, query: str = "") -> Answer:
        """The answer to GET ``path`` before faults: what a healthy site would send."""
        if path in FEED_PATHS:
            return self._feed(FEED_PATHS[path])
        if path == "/robots.txt":
            return Answer(200, f"User-agent: *\nAllow: /\nSitemap: {self.base}/sitemap.xml\n"
                          .encode(), "text/plain; charset=utf-8")
        if path.startswith("/static/"):
            return Answer(200, b"/* static */", "text/css")
        article = self.articles.get(path)
        if article is not None:
            index = article.live(self.now())
            if index >= 0:
                return self._article(article, index)
        listing_section = path.strip("/")
        if path == "/" or listing_section in self.sections:
            section = listing_section or None
            items = self._listing(section)[:FRONT_SIZE]
            title = "Home" if section is None else section.title()
            others = [(c.path, c.headline) for _, c in items]
            html = templates.front_page(title, [(c.path, c.headline, f.section_name)
                                                for f, c in items], self._noise(others))
            return Answer(200, html.encode())
        return Answer(404, templates.not_found_page().encode())

    def _article(self, article: _Article, index: int) -> Answer:
        version = article.versions[index]
        story = Story(
            version.headline, version.paragraphs, version.byline, self.base + article.path,
            version.section_name, self.sim_datetime(article.times[0]),
            self.sim_datetime(version.at))
        others = [(c.path, c.headline) for _, c in self._listing()[:20] if c.path != article.path]
        html = templates.TEMPLATES[article.template](story, self._noise(others))
        return Answer(200, html.encode(), version=index + 1)

    def _feed(self, kind: str) -> Answer:
        items = self._listing()
        if kind == "sitemap":
            body = templates.news_sitemap(
                self.base, [(c.path, c.headline, self.sim_datetime(f.at)) for f, c in items])
            return Answer(200, body.encode(), "application/xml; charset=utf-8")
        items = items[:FEED_SIZE]
        if kind == "atom":
            body = templates.atom_feed(
                self.base, [(c.path, c.headline, self.sim_datetime(c.at)) for _, c in items],
                self.sim_datetime(self.now()))
            return Answer(200, body.encode(), "application/atom+xml; charset=utf-8")
        body = templates.rss_feed(self.base, [(c.path, c.headline) for _, c in items],
                                  dates=[self.sim_datetime(f.at) for f, _ in items])
        return Answer(200, body.encode(), "application/rss+xml; charset=utf-8")

    def respond(self, target: str) -> Answer:
        """The answer to GET ``target`` (path and query), faults included."""
        parts = urlsplit(target)
        path = parts.path or "/"
        with self._lock:
            visit = self._visits.get(path, 0)
            self._visits[path] = visit + 1
        answer = self.page(path, parts.query)
        if answer.status != 200 or path in ("/robots.txt",) or path.startswith("/static/"):
            return answer
        is_article = answer.version is not None
        fault = self.faults.draw(path, visit, feed=not is_article, has_query=bool(parts.query))
        if fault is not None:
            with self._lock:
                self.faults_served[fault] = self.faults_served.get(fault, 0) + 1
            return self._fault(fault, path, visit, answer)
        if answer.version is not None:
            key = (path, answer.version)
            with self._lock:
                self._served[key] = self._served.get(key, 0) + 1
        return answer

    def _fault(self, fault: str, path: str, visit: int, answer: Answer) -> Answer:
        retry = {"Retry-After": str(self.faults.retry_after)}
        if fault == "unavailable":
            return Answer(503, b"<h1>503 Service Unavailable</h1>", headers=retry)
        if fault == "rate_limited":
            return Answer(429, b"<h1>429 Too Many Requests</h1>", headers=retry)
        if fault == "slow":
            answer.delay = self.faults.slow_seconds
            return answer
        if fault == "truncated":
            answer.truncate = True
            return answer
        if fault == "paywall":
            headline = self.articles[path].versions[-1].headline if path in self.articles else ""
            return Answer(200, templates.paywall_page(headline).encode())
        if fault == "consent":
            return Answer(200, templates.consent_page().encode())
        if fault == "redirect":
            location = f"{path}?{self.faults.tracking_query(path, visit)}"
            return Answer(302, b"", headers={"Location": location})
        # malformed_feed: the feed cut off before its first entry, as a CMS mid-deploy
        # serves it (a cut after some entries would still be read, as readers do).
        body = answer.body
        first = min((i for i in (body.find(b"<item"), body.find(b"<entry"), body.find(b"<url>"),
                                 body.find(b"<li")) if i >= 0), default=len(body) // 3)
        return Answer(200, body[:first] + b"<ite", answer.content_type)

    # --- HTTP ---------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, *, body: bool) -> None:
        answer = self.respond(handler.path)
        # A slow answer waits on the stop event, so stop() is not held up by it.
        if answer.delay and self._stopping.wait(answer.delay):
            handler.close_connection = True
            return
        payload = answer.body
        gzipped = (self.compress and len(payload) > 1024 and not answer.truncate
                   and "gzip" in handler.headers.get("Accept-Encoding", ""))
        if gzipped:
            payload = gzip.compress(payload, compresslevel=5, mtime=0)
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", answer.content_type)
            handler.send_header("Content-Length", str(len(payload)))
            handler.send_header("Cache-Control", "max-age=30")
            if gzipped:
                handler.send_header("Content-Encoding", "gzip")
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            if answer.truncate:
                handler.send_header("Connection", "close")
            handler.end_headers()
            if body:
                handler.wfile.write(payload[: len(payload) // 2] if answer.truncate else payload)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
            return
        if answer.truncate:
            handler.close_connection = True

    # --- ground truth -------------------------------------------------------------------

    def truth(self) -> list[TruthVersion]:
        """Every version that has been visible so far, with its real-time window."""
        now = self.now()
        records = []
        with self._lock:
            served = dict(self._served)
        for article in self.articles.values():
            for index, version in enumerate(article.versions):
                if version.at > now:
                    break
                following = article.times[index + 1] if index + 1 < len(article.times) else None
                if following is not None and following == version.at:
                    continue  # replaced at the same instant: never visible
                until = None if following is None or following > now \
                    else self.real_datetime(following)
                records.append(TruthVersion(
                    article.id, self.base + article.path, index + 1, version.headline,
                    version.byline, version.text, version.at, self.real_datetime(version.at),
                    until, served.get((article.path, index + 1), 0)))
        return records

    def write_truth(self) -> None:
        if self.truth_path is not None:
            write_truth(self.truth(), self.truth_path)

    def _keep_truth(self) -> None:
        while not self._stopping.wait(TRUTH_EVERY):
            self.write_truth()

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> NewsSite:
        self._started = self.clock()
        self._started_wall = self.wall()
        self._thread.start()
        if self.truth_path is not None:
            self.write_truth()
            self._truth_thread = threading.Thread(target=self._keep_truth, daemon=True)
            self._truth_thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; the truth file, if any, is written one last time."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._truth_thread is not None:
            self._truth_thread.join(timeout=5)
        self.write_truth()
