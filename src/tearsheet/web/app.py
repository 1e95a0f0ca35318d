"""The FastAPI application: routes, and the view data each template needs."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from tearsheet import __version__, humanize
from tearsheet.config import Settings, load_settings
from tearsheet.diff.align import Document
from tearsheet.diff.changes import KIND_WEIGHTS, Change, diff
from tearsheet.diff.headlines import read_headlines
from tearsheet.diff.intents import INTENT_NAMES
from tearsheet.diff.render import field_name, html_inline, html_rows
from tearsheet.diff.summary import ChangeSummary
from tearsheet.humanize import duration
from tearsheet.store.browse import MARK_END, MARK_START, Browse, Cursor
from tearsheet.store.curation import Curation
from tearsheet.store.republished import republications, stale_note
from tearsheet.store.source_health import SourceHealth, notes
from tearsheet.store.store import Store
from tearsheet.tracker.extraction_pool import ExtractionPool
from tearsheet.web import api, charts, feeds, reach, trace, words
from tearsheet.web.cache import Kept, PageCache
from tearsheet.web.captures import add_capture_routes
from tearsheet.web.ops import add_ops_routes
from tearsheet.web.params import ArticleId, Number
from tearsheet.web.proof import add_proof_routes
from tearsheet.web.report import add_report_routes

HERE = Path(__file__).parent
PAGE_SIZE = 30
STATS_DAYS = 30
STATS_PAGES = ("/stats", "/stats/changes.svg", "/stats/share.svg")
STATS_SETTLE = 10.0  # seconds the statistics are reused although the tracker wrote since
DIFFS_KEPT = 2048
DIFF_BYTES_KEPT = 64 * 1024 * 1024  # estimated: a diff holds ~4 bytes per character compared
CARDS_KEPT = 256  # PNGs of ~60 KB
CARD_BYTES_KEPT = 32 * 1024 * 1024
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
log = logging.getLogger(__name__)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The web UI over the store of ``settings`` (or over ``store``, already open)."""
    owned = store is None
    store = store or Store.open(settings.database_url)
    browse = Browse(store)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.auto_reload = False  # no stat() of every template file on every page
    templates.env.globals.update(tearsheet_version=__version__, ago=humanize.ago,
                                 later=humanize.later, stamp=humanize.stamp,
                                 inline=html_inline, field_name=field_name,
                                 summary_line=words.summary_line,
                                 event_words=words.EVENT_WORDS,
                                 feed_links=feeds.feed_links)

    # Where traced pages are read: one worker process, started on the first, stopped past
    # fetch.extract_timeout (web/trace.py).
    pool = ExtractionPool(1, time_limit=settings.fetch.extract_timeout)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()
        browse.close()
        if owned:
            store.close()

    app = FastAPI(title="tearsheet", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, dependencies=[Depends(api.refuse_nul)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(SecurityHeaders)
    app.add_middleware(PageCache, data_version=browse.data_version,  # hits skip the rest
                       settle=dict.fromkeys(STATS_PAGES, STATS_SETTLE))
    app.add_middleware(HeadAsGet)  # outermost: the cache and every route see a GET

    def page(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
        """Render straight to bytes (templates are compiled once and never re-read)."""
        body = templates.get_template(template).render(request=request, **context)
        return HTMLResponse(body, status_code=code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:  # Allow names every method of the path, not one route's
            allowed = api.allowed_methods(app, request.url.path)
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={"Allow": allowed})
            exc = StarletteHTTPException(405, f"{request.method} is not allowed here "
                                              f"(allowed: {allowed})", {"Allow": allowed})
        if api.is_api(request):
            return api.error_response(request, exc)
        message = exc.detail
        if exc.status_code == 404 and message == "Not Found":  # no route: say which page
            message = f"There is no page at {request.url.path}."
        answer = page(request, "error.html", exc.status_code, status=exc.status_code,
                      message=message)
        answer.headers.update(exc.headers or {})  # Allow, WWW-Authenticate
        return answer

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if api.is_api(request):
            return api.error_response(request, exc)
        message = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}"
                            for e in exc.errors())
        return page(request, "error.html", 400, status=400, message=message)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        if api.is_api(request):
            return api.error_response(request, exc)
        return page(request, "error.html", 500, status=500,
                    message="Something went wrong on our side; it has been logged.")

    def pair(article_id: int, old: int, new: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """Two versions of an article, in one query; a 404 if either is missing."""
        found = browse.versions(article_id, (old, new))
        if len(found) != 2 or old == new:
            raise HTTPException(404, f"article {article_id} has no version {old} or {new}")
        return found[0], found[1]

    changes: Kept[tuple[int, int, int], Change] = Kept(DIFFS_KEPT, DIFF_BYTES_KEPT)

    def change_between(article_id: int, old: int, new: int,
                       loaded: tuple[dict[str, Any], dict[str, Any]] | None = None) -> Change:
        """Versions never change once stored, so their diff is kept (the 2,048 latest, 64
        MB at most); ``loaded``: the two versions, if the caller has read them already."""
        key = (article_id, old, new)
        change = changes.get(key)
        if change is None:
            before, after = loaded or pair(article_id, old, new)
            change = changes.put(key, diff(Document.from_version(before),
                                           Document.from_version(after)),
                                 4 * (len(before["text"]) + len(after["text"])))
        return change

    app.include_router(reach.router(browse))
    app.include_router(trace.router(settings, store, browse, page, pool))
    app.include_router(feeds.router(browse, change_between))
    health = SourceHealth(store)
    app.include_router(api.router(settings, browse, Curation(store), change_between, health))

    @app.get("/", response_class=HTMLResponse)
    async def front(request: Request, source: str | None = None, kind: str | None = None,
                    min_significance: float = Query(0.0, ge=0.0, le=1.0, alias="min"),
                    before: str | None = None, boring: bool = False,
                    intent: str | None = None, silent: bool = False) -> HTMLResponse:
        cursor = _cursor(before)
        names = browse.source_names()
        intent = intent if intent in INTENT_NAMES else None  # "any" (or nonsense): no filter
        rows = [] if source and source not in names else \
            browse.latest_changes(PAGE_SIZE, cursor, source, kind, min_significance, boring,
                                  intent=intent, silent=True if silent else None)
        items = []
        for row in rows:
            summary = ChangeSummary.from_row(row)
            if summary is None:  # stored before summaries existed: judge it here
                summary = change_between(row["article_id"], row["number"] - 1,
                                         row["number"]).summary
                if (summary.boring and not boring) or summary.significance < min_significance \
                        or (kind and kind not in summary.kinds):
                    continue
            # Attributes, not keys: Jinja2 tries an attribute first, and a dict's failed
            # attribute look-ups cost a quarter of the page's rendering.
            items.append(SimpleNamespace(**row, summary=summary))
        more = f"{rows[-1]['captured_at'].isoformat()},{rows[-1]['id']}" \
            if len(rows) == PAGE_SIZE else None
        return page(request, "front.html", items=items, more=more, source=source, kind=kind,
                    min=min_significance, boring=boring, intent=intent, silent=silent,
                    sources=names, kinds=KIND_WEIGHTS, intents=INTENT_NAMES)

    @app.get("/search", response_class=HTMLResponse)
    def search(request: Request, q: str = "") -> HTMLResponse:
        hits = [{**hit, "snippet": _marked(hit["snippet"])} for hit in browse.search(q)]
        return page(request, "search.html", q=q, hits=hits,
                    available=store.engine.dialect.name in ("sqlite", "postgresql"))

    @app.get("/stats", response_class=HTMLResponse)
    def stats(request: Request) -> HTMLResponse:
        now = datetime.now(UTC)
        rows = browse.changes_per_day(now - timedelta(days=STATS_DAYS))
        waits = browse.time_to_first_change()
        return page(request, "stats.html", sources=browse.sources(), rows=rows,
                    most=browse.most_edited(), waits=waits, days=STATS_DAYS,
                    humanize=duration)

    @app.get("/stats/changes.svg")
    def changes_chart() -> Response:
        now = datetime.now(UTC)
        rows = browse.changes_per_day(now - timedelta(days=STATS_DAYS))
        return _svg(charts.changes_per_day(rows, STATS_DAYS, now.date()))

    @app.get("/stats/share.svg")
    def share_chart() -> Response:
        return _svg(charts.share_changed(browse.sources()))

    @app.get("/sources", response_class=HTMLResponse)
    def source_list(request: Request) -> HTMLResponse:
        now = datetime.now(UTC)
        states = {row["name"]: dict(row, notes=notes(row, now, settings.health.collapse),
                                    chart=charts.health_bars(row["daily"]))
                  for row in health.summaries(now)}
        return page(request, "sources.html", sources=browse.sources(), health=states)

    @app.get("/sources/{name}", response_class=HTMLResponse)
    async def source_page(  # a walk of an index from the cursor (0016): in the loop
            request: Request, name: str, before: str | None = None) -> HTMLResponse:
        if name not in browse.source_names():
            raise HTTPException(404, f"no source named {name!r}")
        rows = browse.articles_of(name, PAGE_SIZE, _cursor(before))
        more = f"{rows[-1]['moment'].isoformat()},{rows[-1]['id']}" \
            if len(rows) == PAGE_SIZE else None
        return page(request, "source.html", name=name, articles=rows, more=more)

    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    async def article_page(request: Request, article_id: ArticleId) -> HTMLResponse:
        article = _found(browse.article(article_id), f"no article {article_id}")
        history = []
        versions = browse.versions(article_id, with_text=False)
        for version in versions:
            summary = ChangeSummary.from_row(version)
            if summary is None and version["number"] > 1:  # stored before summaries existed
                summary = change_between(article_id, version["number"] - 1,
                                         version["number"]).summary
            history.append(SimpleNamespace(**version, summary=summary))  # as on the front
        status = words.check_status(article, settings.schedule.retire_after)
        # Copies among tracked outlets: an alignment per linked article, off the loop.
        linked = await run_in_threadpool(republications, store, article_id)
        headlines = read_headlines([v["title"] for v in versions],
                                   browse.headline_variants(article_id))
        return page(request, "article.html", article=article, versions=history, status=status,
                    first=versions[0] if versions else None, linked=linked,
                    stale=stale_note(article["source"], linked),
                    events=browse.article_events(article_id), headlines=headlines)

    @app.get("/articles/{article_id}/versions/{number}", response_class=HTMLResponse)
    async def version_page(request: Request, article_id: ArticleId, number: Number) -> HTMLResponse:
        article = _found(browse.article(article_id), f"no article {article_id}")
        version = _found(browse.version(article_id, number),
                         f"article {article_id} has no version {number}")
        return page(request, "version.html", article=article, version=version,
                    paragraphs=Document.from_version(version).paragraphs)

    @app.get("/articles/{article_id}/compare")
    async def compare(article_id: ArticleId, old: int, new: int) -> RedirectResponse:
        """The history's "compare" form: any two versions, in either order."""
        old, new = sorted((old, new))
        return RedirectResponse(f"/articles/{article_id}/diff/{old}/{new}", status_code=303)

    cards: Kept[tuple[int, int, int, bool], bytes] = Kept(CARDS_KEPT, CARD_BYTES_KEPT)

    @app.get("/articles/{article_id}/diff/{old}/{new}.png")
    def diff_card(article_id: ArticleId, old: Number, new: Number,
                  portrait: bool = False) -> Response:
        """The change as a card (in the thread pool: drawing takes ~20 ms of CPU)."""
        from tearsheet.diff import card
        from tearsheet.diff.fonts import find_fonts

        key = (article_id, old, new, portrait)
        data = cards.get(key)
        if data is None:
            article = _found(browse.article(article_id), f"no article {article_id}")
            if old >= new:
                raise HTTPException(404, "compare an older version with a newer one")
            before, after = pair(article_id, old, new)
            info = card.info_from_rows(article["source"], before, after,
                                       _diff_url(settings, article_id, old, new))
            data = card.png(change_between(article_id, old, new, (before, after)), info,
                            card.PORTRAIT if portrait else card.LANDSCAPE,
                            find_fonts(tuple(settings.cards.fonts)))
            cards.put(key, data, len(data))
        return Response(data, media_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/articles/{article_id}/diff/{old}/{new}", response_class=HTMLResponse)
    async def diff_page(request: Request, article_id: ArticleId, old: Number, new: Number,
                        view: str = "side", boring: bool = False) -> HTMLResponse:
        article = _found(browse.article(article_id), f"no article {article_id}")
        if old >= new:
            raise HTTPException(404, "compare an older version with a newer one")
        before, after = pair(article_id, old, new)
        change = change_between(article_id, old, new, (before, after))
        count = int(article["version_count"])
        from tearsheet.diff import card  # Pillow: loaded by the first diff page, not at start

        info = card.info_from_rows(article["source"], before, after)
        share = {"image": f"{str(request.base_url).rstrip('/')}/articles/{article_id}/diff/"
                          f"{old}/{new}.png",
                 "title": f"{article['source']}: {info.title or article['url']}",
                 "description": f"Versions {old} and {new}: {change.summary.describe()}",
                 "alt": card.alt_text(change, info, limit=420)}
        return page(request, "diff.html", article=article, change=change, old=old, new=new,
                    share=share,
                    before=before, after=after, view=view, boring=boring,
                    rows=list(html_rows(change)) if view == "side" else None,
                    # the single changes just before and just after the range compared
                    previous=(old - 1, old) if old > 1 else None,
                    following=(new, new + 1) if new < count else None)

    add_capture_routes(app, browse, settings)
    add_proof_routes(app, browse, store, settings)
    add_ops_routes(app, store)
    add_report_routes(app, store, page, _svg)
    return app


class HeadAsGet:
    """``HEAD`` answered wherever ``GET`` is, as HTTP asks: FastAPI routes answer only the
    methods they name (405 otherwise), and link checkers, feed readers and monitors send
    HEAD. The request runs as GET; the answer keeps its headers (Content-Length included)
    and loses its body."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


class SecurityHeaders:
    """Article text is hostile: even if something slipped through escaping, no script runs
    (no inline scripts, no event handlers), and no page can be framed. Plain ASGI, so it
    costs a list append per answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(bytes(k).lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def from_environment() -> FastAPI:
    """The app for a server process started by name (``tearsheet serve --workers N``): the
    settings come from ``$TEARSHEET_CONFIG`` and the environment, as for the CLI."""
    return create_app(load_settings(os.environ.get("TEARSHEET_CONFIG")))


def _diff_url(settings: Settings, article_id: int, old: int, new: int) -> str:
    base = settings.notifications.base_url.rstrip("/")
    return f"{base}/articles/{article_id}/diff/{old}/{new}" if base else ""


def _svg(body: bytes) -> Response:
    return Response(body, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": charts.SVG_CSP,
                             "Cache-Control": "max-age=60"})


def _marked(snippet: str | None) -> Markup:
    """Escape a search snippet, then turn the match marks into ``<mark>``."""
    safe = str(escape(snippet or ""))
    return Markup(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


def _cursor(value: str | None) -> Cursor | None:
    """``"2026-11-22T08:00:00+00:00,1234"`` → (datetime, id); a bad cursor is a 400."""
    if not value:
        return None
    try:
        moment, _, ident = value.rpartition(",")
        at = datetime.fromisoformat(moment)
        return at if at.tzinfo else at.replace(tzinfo=UTC), int(ident)
    except ValueError:
        raise HTTPException(400, "bad page cursor") from None


def _found(row: dict[str, Any] | None, message: str) -> dict[str, Any]:
    if row is None:
        raise HTTPException(404, message)
    return row
