"""Trace a copy from the web: the ``/trace`` page and ``POST /api/v1/trace``.

Both answer as ``tearsheet trace`` does (:func:`tearsheet.store.tracing.trace_text`), for
a pasted text or a URL fetched by the tracker's own fetcher — so the guard against
internal addresses applies. A trace is CPU work (tens of milliseconds) that anyone can
ask for: texts longer than ``trace.max_chars`` are refused with 413, and each client (by
address) gets ``trace.per_minute`` traces a minute in each web process, then 429 with
``Retry-After``. A page (fetched, or pasted HTML) is read in an extraction worker
process, under ``fetch.extract_timeout``: a page built so that a parser takes minutes
over it holds that worker until it is stopped, never the web app's event loop. The
page's form is read without python-multipart: it is ``application/x-www-form-urlencoded``.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tearsheet.config import Settings
from tearsheet.diff.align import Document
from tearsheet.errors import TearsheetError
from tearsheet.extract.copy import copy_document, looks_like_html
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.browse import Browse
from tearsheet.store.republished import republications, stale_note
from tearsheet.store.store import Store
from tearsheet.store.tracing import Match, trace_text
from tearsheet.tracker.extraction_pool import ExtractionPool
from tearsheet.web import api_models as m
from tearsheet.web.params import ArticleId

CLIENTS_KEPT = 10_000  # rate-limit buckets kept (the least recently seen are forgotten)


class TraceRequest(BaseModel):
    """A text to trace, or the URL of a page to fetch and trace (one of the two)."""

    text: str | None = Field(None, max_length=10_000_000,  # trace.max_chars's ceiling
                             description="The copy: paragraphs separated by blank lines, or "
                                         "an HTML page.")
    url: str | None = Field(None, max_length=4000, description="A page to fetch.")
    limit: int = Field(5, ge=1, le=20)


class TraceMatch(BaseModel):
    url: str
    article_id: int
    source: str
    title: str | None
    version: int
    captured_at: str
    also_fits: list[int]
    latest_version: int
    changed_since: bool
    diff: str | None
    score: float
    coverage: float
    recall: float
    anchor_coverage: float
    anchor_sentences: int
    translated: bool
    lacks: list[str]
    adds: list[str]
    differences: list[dict[str, str]]


class TraceAnswer(BaseModel):
    matches: list[TraceMatch]


class Republished(BaseModel):
    article_id: int
    url: str
    source: str
    title: str | None
    role: str = Field(description="What this other article is to the one asked about: "
                                  "origin or copy.")
    origin_version: int = Field(description="The origin's version the copy's current text "
                                            "fits.")
    also_fits: list[int]
    origin_latest: int
    stale: bool = Field(description="The copy still shows a text the origin has changed.")


class RepublishedAnswer(BaseModel):
    republished: list[Republished]
    note: str | None = Field(None, description="Which copies still show an earlier text.")


class RateLimit:
    """A token bucket per client: ``per_minute`` traces, refilled continuously."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> None:
        """Spend one trace of ``client``'s, or raise 429 saying when to come back."""
        now = self.clock()
        tokens, at = self.buckets.pop(client, (float(self.per_minute), now))
        tokens = min(self.per_minute, tokens + (now - at) * self.per_minute / 60)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            wait = math.ceil((1 - tokens) * 60 / self.per_minute)
            raise HTTPException(429, f"too many traces: {self.per_minute} a minute; try "
                                     f"again in {wait} s", headers={"Retry-After": str(wait)})
        self.buckets[client] = (tokens - 1, now)
        while len(self.buckets) > CLIENTS_KEPT:
            self.buckets.popitem(last=False)


async def read_copy(pool: ExtractionPool, data: bytes | str, url: str | None = None,
                    charset: str | None = None) -> Document:
    """The copy's document (:func:`~tearsheet.extract.copy.copy_document`): a page read
    in ``pool``, under its time limit; a plain text split here (no parser to hold)."""
    head = data[:4096].encode("utf-8", "replace") if isinstance(data, str) else data
    if not looks_like_html(head):
        return copy_document(data, url, charset)
    return await pool.run(copy_document, data, url, charset)


def router(settings: Settings, store: Store, browse: Browse,
           page: Callable[..., HTMLResponse], pool: ExtractionPool) -> APIRouter:
    """``pool``: where pages are read (the app's, closed with it)."""
    routes = APIRouter()
    limit = RateLimit(settings.trace.per_minute)
    cap = settings.trace.max_chars

    async def document_of(text: str | None, url: str | None) -> Document:
        if url:
            if not url.startswith(("http://", "https://")):
                raise HTTPException(400, "the URL must start with http:// or https://")
            try:
                async with Fetcher(settings.fetch) as fetcher:
                    response = await fetcher.fetch(url)
            except TearsheetError as exc:
                raise HTTPException(422, f"could not fetch {url}: {exc}") from None
            if len(response.body) > 10 * cap:
                raise HTTPException(413, f"the page is too large to trace ({cap} characters "
                                         "of text at most)")
            try:
                return await read_copy(pool, response.body, response.url, response.charset)
            except TearsheetError as exc:
                raise HTTPException(422, str(exc)) from None
        if not text or not text.strip():
            raise HTTPException(400, "give the text of the copy, or the URL of a page")
        if len(text) > cap:
            raise HTTPException(413, f"the text is {len(text):,} characters long; at most "
                                     f"{cap:,} are traced (trace.max_chars)")
        try:
            return await read_copy(pool, text)
        except TearsheetError as exc:
            raise HTTPException(422, str(exc)) from None

    async def run(request: Request, text: str | None, url: str | None,
                  count: int) -> list[Match]:
        limit.take(request.client.host if request.client else "unknown")
        document = await document_of(text, url)
        return await run_in_threadpool(trace_text, store, document, count)

    @routes.post("/api/v1/trace", response_model=TraceAnswer, tags=["api"], responses={
        400: {"model": m.Problem, "description": "No text and no URL."},
        413: {"model": m.Problem, "description": "The text is longer than trace.max_chars."},
        422: {"model": m.Problem, "description": "The URL could not be fetched or read."},
        429: {"model": m.Problem, "description": "Too many traces from this client."}})
    async def trace_api(request: Request, body: TraceRequest) -> dict[str, Any]:
        """Which tracked article, and which version of it, a text was copied from (best
        first; an empty list when it only shares a topic), as ``tearsheet trace``."""
        matches = await run(request, body.text, body.url, body.limit)
        return {"matches": [match.as_json() for match in matches]}

    @routes.get("/api/v1/articles/{article_id}/republished", response_model=RepublishedAnswer,
                tags=["api"], responses={404: {"model": m.Problem,
                                               "description": "No such article."}})
    def republished(article_id: ArticleId) -> dict[str, Any]:
        """Tracked articles that copy this one or that it copies (wire stories), and
        which copies still show a text the origin has since changed."""
        article = browse.article(article_id)
        if article is None:
            raise HTTPException(404, f"no article {article_id}")
        linked = republications(store, article_id)
        return {"republished": [r.as_json() for r in linked],
                "note": stale_note(article["source"], linked)}

    @routes.get("/trace", response_class=HTMLResponse)
    def trace_form(request: Request) -> HTMLResponse:
        return page(request, "trace.html", text="", url="", matches=None, error=None)

    @routes.post("/trace", response_class=HTMLResponse)
    async def trace_page(request: Request) -> HTMLResponse:
        raw = await request.body()
        if len(raw) > 4 * cap + 10_000:  # percent-encoding at most triples a character
            return page(request, "trace.html", 413, text="", url="", matches=None,
                        error=f"The text is too long: at most {cap:,} characters are traced.")
        form = parse_qs(raw.decode("utf-8", "replace"), max_num_fields=10)
        text = form.get("text", [""])[0]
        url = form.get("url", [""])[0].strip()
        try:
            matches = await run(request, text, url or None, 5)
        except HTTPException as exc:
            refused = page(request, "trace.html", exc.status_code, text=text[:cap], url=url,
                           matches=None, error=exc.detail)
            refused.headers.update(exc.headers or {})
            return refused
        return page(request, "trace.html", text=text, url=url, matches=matches, error=None)

    return routes
