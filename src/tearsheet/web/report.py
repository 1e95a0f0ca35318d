"""The outlet report on the web: ``/report`` (a page with charts and the numbers as
tables), its charts as SVG, and ``/api/v1/report`` (the JSON of ``tearsheet report``).

Filters: ``since`` (a date or time, UTC) and ``source``. The report reads every version of
the period (no text), so it runs in the thread pool, like the statistics page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tearsheet.humanize import duration
from tearsheet.store import report as outlet
from tearsheet.store.store import Store
from tearsheet.web import charts
from tearsheet.web.api_models import Problem

Page = Callable[..., HTMLResponse]
Svg = Callable[[bytes], Response]
SinceParam = Query(None, max_length=40, description="Only versions captured since (UTC).")
SourceParam = Query(None, max_length=100, description="Only this source.")


def add_report_routes(app: FastAPI, store: Store, page: Page, svg: Svg) -> None:
    """Register ``/report``, ``/report/intents.svg``, ``/report/corrections.svg`` and
    ``/api/v1/report``."""

    def build(since: str | None, source: str | None) -> outlet.Report:
        start = _since(since)
        if source and source not in outlet.source_names(store):
            raise HTTPException(404, f"no source named {source!r}")
        return outlet.outlet_report(store, since=start, source=source or None)

    @app.get("/report", response_class=HTMLResponse)
    def report_page(request: Request, since: str | None = SinceParam,
                    source: str | None = SourceParam) -> HTMLResponse:
        result = build(since, source)
        query = "&".join(f"{k}={v}" for k, v in (("since", since), ("source", source)) if v)
        return page(request, "report.html", report=result, since=since or "",
                    source=source or "", query=query, sources=outlet.source_names(store),
                    humanize=duration)

    @app.get("/report/intents.svg")
    def intents_chart(since: str | None = SinceParam,
                      source: str | None = SourceParam) -> Response:
        return svg(charts.intents_by_source(build(since, source).sources))

    @app.get("/report/corrections.svg")
    def corrections_chart(since: str | None = SinceParam,
                          source: str | None = SourceParam) -> Response:
        return svg(charts.corrections_by_source(build(since, source).sources))

    @app.get("/api/v1/report", tags=["api"], response_model=dict[str, Any], responses={
        400: {"model": Problem, "description": "``since`` is not a date or time."},
        404: {"model": Problem, "description": "No such source."}})
    def report_json(since: str | None = SinceParam,
                    source: str | None = SourceParam) -> JSONResponse:
        """The outlet report (as ``tearsheet report --format json``)."""
        return JSONResponse(build(since, source).as_json())


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        # In UTC now: a moment at the edge of the calendar must fail here, not in the query.
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise HTTPException(400, f"since must be a date or time (ISO 8601) within the "
                                 f"calendar, not {value!r}") from None
