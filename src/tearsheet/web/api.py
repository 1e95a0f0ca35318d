"""The JSON API under ``/api/v1``: the store for programs, described at ``/openapi.json``.

Reading is public. Writing (sources, re-check, hide) needs the token of ``api.token``,
sent as ``Authorization: Bearer TOKEN`` and compared in constant time; with no token
configured every write answers 403, saying how to enable writing. Lists are pages with an
opaque ``next_cursor`` (keyset pagination: page 1000 costs what page 1 costs).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tearsheet.config import Settings, SourceSettings
from tearsheet.diff.summary import ChangeSummary
from tearsheet.errors import CurationError
from tearsheet.store.browse import MARK_END, MARK_START, Browse
from tearsheet.store.curation import Curation
from tearsheet.store.schema import MAX_ID
from tearsheet.store.source_health import SourceHealth, notes
from tearsheet.web import api_models as m
from tearsheet.web.feeds import ChangeOf
from tearsheet.web.params import ArticleId, IntentParam, Moment, Number

PREFIX = "/api/v1"
MAX_PAGE = 200
STATS_DAYS = 30
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
CursorParam = Annotated[str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]*$",
                                          description="`next_cursor` of the page before.")]

_bearer = HTTPBearer(auto_error=False, description="The API token of `api.token`.")
_READ_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": m.Problem, "description": "No such thing."},
}
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": m.Problem, "description": "No token, or not the configured one."},
    403: {"model": m.Problem, "description": "Writing is disabled: no token configured."},
    404: {"model": m.Problem, "description": "No such thing."},
}


def refuse_nul(request: Request) -> None:
    """A NUL character in the path or the query is a 400 for every page: no text can hold
    one (PostgreSQL refuses it outright), so it can only be an attack or a mistake."""
    if "\x00" in request.url.path or any(
            "\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()):
        raise HTTPException(400, "NUL characters are not allowed in a request")


def is_api(request: Request) -> bool:
    return request.url.path.startswith(PREFIX + "/") or request.url.path == PREFIX


def error_response(request: Request, exc: Exception) -> JSONResponse:
    """Errors of API paths as JSON (the web UI's are pages): ``{"detail": ...}``."""
    if isinstance(exc, RequestValidationError):
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)
    if isinstance(exc, StarletteHTTPException):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
    return JSONResponse({"detail": "Something went wrong on our side; it has been logged."},
                        status_code=500)


def allowed_methods(app: Any, path: str) -> str:
    """Every method some route answers at ``path`` (an ``Allow`` header's value): a path
    served by several routes (GET and POST on /sources) is one resource."""
    methods = {"OPTIONS"}
    pending = list(app.router.routes)
    while pending:
        route = pending.pop()
        included = getattr(route, "original_router", None)  # an included APIRouter
        if included is not None:
            pending += included.routes
        elif getattr(route, "methods", None) and route.path_regex.match(path):
            methods |= set(route.methods)
    return ", ".join(sorted(methods))


def encode_cursor(*key: Any) -> str:
    raw = json.dumps([k.isoformat() if isinstance(k, datetime) else k for k in key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, list) or len(key) != size:
            raise ValueError(cursor)
        return key
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HTTPException(400, "bad cursor: pass back a next_cursor unchanged") from None


def router(settings: Settings, browse: Browse, curation: Curation,
           change_between: ChangeOf, health: SourceHealth) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["api"], responses={
        400: {"model": m.Problem, "description": "A bad cursor, or a NUL character."}})

    def writer(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                      Depends(_bearer)]) -> None:
        """Writes need the configured token; compared in constant time."""
        token = settings.api.token
        if token is None:
            raise HTTPException(403, "writing through the API is disabled: set api.token in "
                                     "the configuration (or TEARSHEET_API__TOKEN)")
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "a valid API token is needed: send "
                                     "'Authorization: Bearer TOKEN'",
                                headers={"WWW-Authenticate": "Bearer"})

    Writer = Depends(writer)

    def found(row: dict[str, Any] | None, message: str) -> dict[str, Any]:
        if row is None:
            raise HTTPException(404, message)
        return row

    def curate(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except CurationError as exc:
            if exc.status == 422:  # as the schema says a 422 is: a list of problems
                raise RequestValidationError([{"loc": ["body"], "msg": str(exc),
                                               "type": "value_error"}]) from None
            raise HTTPException(exc.status, str(exc)) from None

    def source_list() -> list[m.Source]:
        origins = browse.source_origins()
        return [m.Source(**row, origin=origins[row["name"]]["origin"],
                         removed=origins[row["name"]]["removed_at"] is not None)
                for row in browse.sources()]

    @api.get("/sources", response_model=list[m.Source])
    def sources() -> list[m.Source]:
        """Every source, with its numbers of articles and changes."""
        return source_list()

    @api.get("/health", response_model=list[m.SourceHealth])
    def source_health() -> list[m.SourceHealth]:
        """Every source's health: refusals by reason, body lengths against the usual, the
        last good extraction, "extraction broken since …"."""
        now = datetime.now(UTC)
        return [m.SourceHealth(**row, notes=notes(row, now, settings.health.collapse))
                for row in health.summaries(now)]

    @api.post("/sources", response_model=m.Source, status_code=201,
              responses={**_WRITE_ERRORS, 409: {"model": m.Problem,
                                                 "description": "The name is taken."}},
              dependencies=[Writer])
    def add_source(source: m.NewSource) -> m.Source:
        """Add a source (stored in the database; the tracker discovers it on its next
        pass). Needs the API token."""
        try:
            spec = SourceSettings(**source.model_dump())
        except ValidationError as exc:
            raise RequestValidationError([{"loc": ["body", *e["loc"]], "msg": e["msg"],
                                           "type": e["type"]} for e in exc.errors()]) from None
        curate(lambda: curation.add_source(spec, datetime.now(UTC)))
        return next(s for s in source_list() if s.name == source.name)

    @api.delete("/sources/{name}", response_model=m.Source,
                responses={**_WRITE_ERRORS, 409: {"model": m.Problem, "description":
                                                   "The source is in the configuration."}},
                dependencies=[Writer])
    def remove_source(name: str) -> m.Source:
        """Stop tracking a source added through the API; its versions are kept."""
        curate(lambda: curation.remove_source(name, datetime.now(UTC)))
        return next(s for s in source_list() if s.name == name)

    @api.get("/articles", response_model=m.Page[m.ArticleBrief], responses=_READ_ERRORS)
    def articles(limit: Limit = 50, cursor: CursorParam = None, source: str | None = None,
                 status: Literal["active", "retired"] | None = None,
                 changed_since: Moment = None) -> m.Page[m.ArticleBrief]:
        """Articles in the order they were found; filter by source, status (``active``:
        still checked, ``retired``) and last change (``changed_since``, ISO 8601)."""
        key = decode_cursor(cursor, 1)
        after = _int(key[0]) if key else 0
        if changed_since is not None and changed_since.tzinfo is None:
            changed_since = changed_since.replace(tzinfo=UTC)
        rows = browse.article_list(limit, after, source, status, changed_since)
        return m.Page(items=[m.ArticleBrief(**row) for row in rows],
                      next_cursor=encode_cursor(rows[-1]["id"]) if len(rows) == limit else None)

    @api.get("/articles/{article_id}", response_model=m.Article, responses=_READ_ERRORS)
    def article(article_id: ArticleId) -> m.Article:
        """One article with every version (without their text) and each change's summary."""
        row = found(browse.article(article_id), f"no article {article_id}")
        versions = [m.VersionBrief(number=v["number"], captured_at=v["captured_at"],
                                   title=v["title"], byline=v["byline"], change=_summary(v))
                    for v in browse.versions(article_id, with_text=False)]
        events = [m.ArticleEvent(**{k: e[k] for k in m.ArticleEvent.model_fields})
                  for e in browse.article_events(article_id)]
        test = [m.HeadlineVariant(headline=h, seen=n)
                for h, n in browse.headline_variants(article_id)]
        return m.Article(**{k: row[k] for k in _ARTICLE_FIELDS}, versions=versions,
                         events=events, headline_test=test)

    @api.get("/articles/{article_id}/versions/{number}", response_model=m.Version,
             responses=_READ_ERRORS)
    def version(article_id: ArticleId, number: Number) -> m.Version:
        """One version's text and metadata."""
        found(browse.article(article_id), f"no article {article_id}")
        row = found(browse.version(article_id, number),
                    f"article {article_id} has no version {number}")
        return m.Version(**{k: row[k] for k in m.Version.model_fields})

    @api.get("/articles/{article_id}/diff/{old}/{new}", response_model=m.Diff,
             responses=_READ_ERRORS)
    def diff(article_id: ArticleId, old: Number, new: Number) -> m.Diff:
        """What changed between two versions: the diff engine's JSON (see docs/diff.md)."""
        found(browse.article(article_id), f"no article {article_id}")
        change = change_between(article_id, old, new)  # a 404 if a version is missing
        data = change.as_json()
        return m.Diff(article_id=article_id, old=old, new=new,
                      units=list(change.alignment.units),
                      metadata=list(change.alignment.metadata),
                      summary=m.Summary(**data["summary"]),
                      intents=[m.Intent(**i) for i in data["intents"]],
                      notes=[m.Note(**n) for n in data["notes"]])

    @api.get("/changes", response_model=m.Page[m.Change], responses=_READ_ERRORS)
    def changes(limit: Limit = 50, cursor: CursorParam = None, source: str | None = None,
                kind: str | None = None,
                min_significance: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
                boring: bool = False, intent: IntentParam = None,
                silent: bool | None = None) -> m.Page[m.Change]:
        """The latest changes, newest first, with the front page's filters: ``intent``
        (``fact``, ``style``, ``narrative`` or a fine label such as ``figure``) and
        ``silent`` (``true``: only silent corrections)."""
        key = decode_cursor(cursor, 2)
        before = (_moment(key[0]), _int(key[1])) if key else None
        rows = browse.latest_changes(limit, before, source, kind or None, min_significance,
                                     boring, intent=intent, silent=silent)
        items = [m.Change(article_id=r["article_id"], source=r["source"], url=r["url"],
                          number=r["number"], captured_at=r["captured_at"], title=r["title"],
                          previous_title=r["previous_title"], change=_summary(r))
                 for r in rows]
        more = encode_cursor(rows[-1]["captured_at"], rows[-1]["id"]) \
            if len(rows) == limit else None
        return m.Page(items=items, next_cursor=more)

    @api.get("/search", response_model=list[m.SearchHit])
    def search(q: Annotated[str, Query(max_length=500)],
               limit: Annotated[int, Query(ge=1, le=50)] = 50) -> list[m.SearchHit]:
        """Versions holding every word of ``q`` (text later removed included), best first;
        the snippet marks matches with « and »."""
        return [m.SearchHit(article_id=h["article_id"], number=h["number"], source=h["source"],
                            captured_at=h["captured_at"], title=h["title"],
                            snippet=(h["snippet"] or "").replace(MARK_START, "«")
                            .replace(MARK_END, "»"))
                for h in browse.search(q, limit)]

    @api.get("/stats", response_model=m.Statistics)
    def stats() -> m.Statistics:
        """Changes per day and source (last 30 days), most edited articles, median time
        from first sight to first change per source."""
        since = datetime.now(UTC) - timedelta(days=STATS_DAYS)
        return m.Statistics(
            since=since, sources=source_list(),
            changes_per_day=[m.DayCount(source=r["source"], day=str(r["day"]),
                                        changes=r["changes"])
                             for r in browse.changes_per_day(since)],
            most_edited=[m.MostEdited(**r) for r in browse.most_edited()],
            median_seconds_to_first_change=browse.time_to_first_change())

    def article_state(action: Callable[[], dict[str, Any]]) -> m.ArticleState:
        return m.ArticleState(**curate(action))

    @api.post("/articles/{article_id}/recheck", response_model=m.ArticleState,
              responses=_WRITE_ERRORS, dependencies=[Writer])
    def recheck(article_id: ArticleId) -> m.ArticleState:
        """Check the article now: it becomes due, and the tracker checks it on its next
        pass (the web process itself never fetches)."""
        return article_state(lambda: curation.recheck(article_id, datetime.now(UTC)))

    @api.post("/articles/{article_id}/hide", response_model=m.ArticleState,
              responses=_WRITE_ERRORS, dependencies=[Writer])
    def hide(article_id: ArticleId) -> m.ArticleState:
        """Leave the article out of the web UI, the feeds and the API (still tracked)."""
        return article_state(lambda: curation.set_hidden(article_id, True))

    @api.post("/articles/{article_id}/unhide", response_model=m.ArticleState,
              responses=_WRITE_ERRORS, dependencies=[Writer])
    def unhide(article_id: ArticleId) -> m.ArticleState:
        """Show a hidden article again."""
        return article_state(lambda: curation.set_hidden(article_id, False))

    return api


_ARTICLE_FIELDS = [name for name in m.Article.model_fields
                   if name not in ("versions", "events", "headline_test")]


def _summary(row: dict[str, Any]) -> m.ChangeSummary | None:
    summary = ChangeSummary.from_row(row)
    if summary is None:
        return None
    data = summary.as_json()
    return m.ChangeSummary(**{name: data[name] for name in m.ChangeSummary.model_fields})


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise HTTPException(400, "bad cursor: pass back a next_cursor unchanged")
    return value


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise HTTPException(400, "bad cursor: pass back a next_cursor unchanged") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
