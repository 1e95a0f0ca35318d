"""A local news site whose pages need a browser, refuse robots, or change their layout.

On a :class:`~tests.support.localserver.LocalServer` (127.0.0.1): routes for

- ``/app/<slug>``: an empty application shell whose script fetches ``/api/<slug>.json``
  and renders the article from it (plain HTTP sees no text: ``needs_browser``);
- ``/next/<slug>``: a shell carrying the article in a ``__NEXT_DATA__`` blob (read without
  a browser);
- ``/guard/<slug>``: a JavaScript challenge page: served with 403 ("Just a moment...") to
  anyone, whatever they run;
- ``/wall/<slug>``: the same challenge served with 200, which no one passes;
- ``/gate/<slug>``: a challenge that a browser passes (its script sets a cookie and
  reloads; with the cookie the article is served);
- ``/busy/<slug>``: 429 with ``Retry-After`` for the first ``busy`` requests, then the
  article;
- ``/story/<slug>``: a server-rendered article whose layout ``redesign()`` changes: after
  it, most of the body moves behind a "read more" script, so the page holds a stub;
- ``/feed/<kind>.xml``: every article as ``/<kind>/<slug>`` (kind: app, next, guard,
  wall, gate, busy, story).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

from tests.support.localserver import LocalServer, Reply, Request
from tests.support.pages import LOREM, article_page, rss_feed

KINDS = ("app", "next", "guard", "wall", "gate", "busy", "story")

APP_JS = """
fetch('/api/' + document.body.dataset.slug + '.json').then(r => r.json()).then(a => {
  const root = document.getElementById('root');
  root.innerHTML = '<article><h1></h1><p class="byline"></p><div class="body"></div></article>';
  root.querySelector('h1').textContent = a.headline;
  root.querySelector('.byline').textContent = 'By ' + a.byline;
  const body = root.querySelector('.body');
  for (const text of a.paragraphs) {
    const p = document.createElement('p'); p.textContent = text; body.appendChild(p);
  }
  document.title = a.headline;
});
"""

GATE_JS = """
setTimeout(() => { document.cookie = 'passed=yes; path=/'; location.reload(); }, 50);
"""

CHALLENGE = """<!doctype html><html><head><title>Just a moment...</title></head>
<body><h1>Checking your browser before accessing the site.</h1>
<p>This process is automatic. Your browser will redirect to your requested content
shortly.</p><noscript>Please enable JavaScript and cookies to continue.</noscript>
<script>{script}</script></body></html>"""


def cookie(request: Request) -> str:
    """The request's Cookie header (names are case-insensitive)."""
    return next((v for k, v in request.headers.items() if k.lower() == "cookie"), "")


def shell(slug: str) -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>Loading…</title>'
            f'<script src="/static/app.js" defer></script></head>'
            f'<body data-slug="{escape(slug)}"><div id="root"></div>'
            f'<img src="/static/logo.png" alt=""></body></html>')


def next_page(headline: str, paragraphs: list[str]) -> str:
    state = {"props": {"pageProps": {"story": {
        "headline": headline, "byline": "Jane Doe",
        "body": [{"type": "paragraph", "text": p} for p in paragraphs]}}},
        "page": "/story/[slug]", "buildId": "abc123"}
    blob = json.dumps(state).replace("</", "<\\/")
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(headline)}'
            f'</title></head><body><div id="__next"></div><script id="__NEXT_DATA__" '
            f'type="application/json">{blob}</script>'
            f'<script src="/_next/static/chunks/main.js"></script></body></html>')


def stub_page(headline: str, paragraphs: list[str]) -> str:
    """The redesign: the lede on the page, the rest behind a script nobody runs."""
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(headline)}'
            f'</title></head><body><header><nav><a href="/">Home</a></nav></header><main>'
            f'<h1>{escape(headline)}</h1><div class="lede-v2"><p>{escape(paragraphs[0])}</p>'
            f'</div><button data-more="/more">Read more</button></main>'
            f'<footer>© Example News</footer></body></html>')


@dataclass
class Site:
    """The test site's state: its stories, its layout, and how it answers robots."""

    server: LocalServer
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    redesigned: bool = False
    busy: int = 0  # 429s still to answer on /busy/

    def __post_init__(self) -> None:
        self.server.route("/static/app.js", Reply(body=APP_JS, headers={
            "Content-Type": "text/javascript"}))
        self.server.route("/static/logo.png", Reply(body=b"\x89PNG", headers={
            "Content-Type": "image/png"}))
        for kind in KINDS:
            self.server.route(f"/feed/{kind}.xml", self._feed(kind))
        self.server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n")

    def publish(self, slug: str, paragraphs: list[str] | None = None) -> None:
        text = list(paragraphs or LOREM)
        self.paragraphs[slug] = text
        headline = self.headline(slug)
        self.server.route(f"/app/{slug}", shell(slug))
        self.server.route(f"/api/{slug}.json", Reply(body=json.dumps({
            "headline": headline, "byline": "Jane Doe", "paragraphs": text}),
            headers={"Content-Type": "application/json"}))
        self.server.route(f"/next/{slug}", next_page(headline, text))
        self.server.route(f"/guard/{slug}", Reply(status=403, body=CHALLENGE.format(
            script="/* a CAPTCHA would appear here */")))
        self.server.route(f"/wall/{slug}", CHALLENGE.format(script="/* a CAPTCHA */"))
        self.server.route(f"/gate/{slug}", self._gate(slug))
        self.server.route(f"/busy/{slug}", self._busy(slug))
        self.server.route(f"/story/{slug}", self._story(slug))

    @staticmethod
    def headline(slug: str) -> str:
        return f"Council approves {slug.replace('-', ' ')} budget"

    def redesign(self) -> None:
        self.redesigned = True

    def _story(self, slug: str):  # type: ignore[no-untyped-def]
        def answer(request: Request) -> Reply:
            text = self.paragraphs[slug]
            if self.redesigned:
                return Reply(body=stub_page(self.headline(slug), text))
            return Reply(body=article_page(self.headline(slug), text))
        return answer

    def _gate(self, slug: str):  # type: ignore[no-untyped-def]
        def answer(request: Request) -> Reply:
            if "passed=yes" in cookie(request):
                return Reply(body=article_page(self.headline(slug), self.paragraphs[slug]))
            return Reply(body=CHALLENGE.format(script=GATE_JS))
        return answer

    def _busy(self, slug: str):  # type: ignore[no-untyped-def]
        def answer(request: Request) -> Reply:
            if self.busy > 0:
                self.busy -= 1
                return Reply(status=429, body="slow down", headers={"Retry-After": "1"})
            return Reply(body=article_page(self.headline(slug), self.paragraphs[slug]))
        return answer

    def feed(self, kind: str) -> str:
        return self.server.url(f"/feed/{kind}.xml")

    def _feed(self, kind: str):  # type: ignore[no-untyped-def]
        def answer(request: Request) -> Reply:
            items = [(f"/{kind}/{slug}", self.headline(slug)) for slug in self.paragraphs]
            return Reply(body=rss_feed(self.server.base, items),
                         headers={"Content-Type": "application/rss+xml"})
        return answer
