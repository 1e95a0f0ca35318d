"""For readers elsewhere: ``/api/v1/lookup?url=`` and an embeddable SVG badge per article.

A browser extension or a newsroom's page asks whether a URL is tracked and how often it
changed; the answer is open to every origin for GET (``Access-Control-Allow-Origin: *``,
no credentials), so a script on any page can read it. The URL is canonicalised as
tracking does (tracking parameters, fragments and case of the host do not matter), and
aliases (feed URLs that redirect) count. The badge is a small SVG, its text escaped.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from tearsheet.errors import TearsheetError
from tearsheet.store.browse import Browse
from tearsheet.urls import canonicalize
from tearsheet.web import api_models as m
from tearsheet.web.charts import SVG_CSP
from tearsheet.web.params import ArticleId

OPEN = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET",
        "Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding"}


def router(browse: Browse) -> APIRouter:
    reach = APIRouter()

    @reach.get("/api/v1/lookup", response_model=m.Lookup, tags=["api"], responses={
        400: {"model": m.Problem, "description": "Not an http(s) URL."}})
    def lookup(request: Request, url: str = Query(min_length=1, max_length=4000)) -> Response:
        """Is this URL tracked, and how many versions has it? Open to any origin."""
        try:
            canonical = canonicalize(url)
        except (TearsheetError, ValueError):
            raise HTTPException(400, f"not an http(s) URL: {url[:200]!r}") from None
        row = browse.lookup(canonical)
        base = str(request.base_url).rstrip("/")
        if row is None:
            found = m.Lookup(url=canonical, tracked=False)
        else:
            found = m.Lookup(url=canonical, tracked=True, article_id=row["id"],
                             source=row["source"], title=row["title"],
                             versions=row["version_count"],
                             changes=max(0, row["version_count"] - 1),
                             first_seen_at=row["first_seen_at"],
                             last_changed_at=row["last_changed_at"],
                             page=f"{base}/articles/{row['id']}",
                             badge=f"{base}/articles/{row['id']}/badge.svg")
        return JSONResponse(found.model_dump(mode="json"), headers=OPEN)

    @reach.get("/articles/{article_id}/badge.svg")
    def badge(article_id: ArticleId) -> Response:
        """"tearsheet | changed N times", to embed beside the article."""
        row = browse.article(article_id)
        if row is None:
            raise HTTPException(404, f"no article {article_id}")
        changes = max(0, int(row["version_count"]) - 1)
        words = "unchanged" if changes == 0 else \
            f"changed {changes} time{'s' if changes > 1 else ''}"
        return Response(badge_svg("tearsheet", words), media_type="image/svg+xml",
                        headers={**OPEN, "Content-Security-Policy": SVG_CSP})

    return reach


def badge_svg(label: str, value: str) -> bytes:
    """A two-part badge; widths estimated from the text (7 px a character at 11 px)."""
    left, right = 10 + 7 * len(label), 10 + 7 * len(value)
    width = left + right
    text = f"{escape(label)}: {escape(value)}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" '
            f'role="img" aria-label="{text}"><title>{text}</title>'
            f'<rect width="{left}" height="20" fill="#555"/>'
            f'<rect x="{left}" width="{right}" height="20" fill="#0b57d0"/>'
            f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
            f'<text x="5" y="14">{escape(label)}</text>'
            f'<text x="{left + 5}" y="14">{escape(value)}</text></g></svg>').encode()
