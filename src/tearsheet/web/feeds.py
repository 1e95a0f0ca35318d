"""Feeds of changes, Atom and RSS: all, per source, per article, per filter or search.

Every list takes the front page's filters (``source``, ``kind``, ``min``, ``boring``,
``intent``, ``silent``) and ``q`` (changes whose new version holds all these words).
Answers carry an ETag computed from the entries' version ids and a Last-Modified from the
newest one, checked *before* any diff is computed, so a feed reader polling an unchanged
feed costs one indexed query.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from tearsheet import __version__
from tearsheet.diff.changes import Change
from tearsheet.diff.render import html_inline
from tearsheet.store.browse import Browse
from tearsheet.web import syndication
from tearsheet.web.params import ArticleId, IntentParam
from tearsheet.web.syndication import Entry, Feed
from tearsheet.web.words import EVENT_WORDS

FEED_SIZE = 50
EXCERPT_UNITS = 6  # changed sentences shown in an entry's HTML excerpt
FORMATS = {"atom": (syndication.atom, syndication.ATOM_TYPE),
           "rss": (syndication.rss, syndication.RSS_TYPE)}

ChangeOf = Callable[[int, int, int], Change]


FILTERS = ("source", "kind", "min", "boring", "intent", "silent", "q")


def feed_links(request: Request) -> dict[str, str]:
    """The Atom and RSS addresses of the feed that follows the page being rendered, with
    the page's filters (templates call it for ``<link rel="alternate">`` and visible links)."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items()
                       if k in FILTERS and v])
    suffix = f"?{query}" if query else ""
    path = quote(request.url.path.rstrip("/"))
    if path == "/search":  # the search page follows new changes with its words
        path = ""
    return {name: f"{path}/feed.{name}{suffix}" for name in FORMATS}


def router(browse: Browse, change_between: ChangeOf) -> APIRouter:
    """Feed routes over ``browse``; ``change_between(article, old, new)`` gives a diff."""
    routes = APIRouter(include_in_schema=False)

    def answer(request: Request, fmt: str, title: str, page: str,
               rows: list[dict[str, Any]],
               happened: list[dict[str, Any]] | None = None) -> Response:
        """The feed of ``rows`` (changes) and ``happened`` (an article's events)."""
        if fmt not in FORMATS:
            raise HTTPException(404, f"no feed format {fmt!r} (atom or rss)")
        render, media_type = FORMATS[fmt]
        happened = happened or []
        tag = hashlib.sha256(
            f"{__version__}|{fmt}|{request.url.path}?{request.url.query}|".encode()
            + b",".join(str(row["id"]).encode() for row in rows)
            + b"|" + b",".join(str(e["id"]).encode() for e in happened)).hexdigest()[:32]
        newest = max([*(row["captured_at"] for row in rows), *(e["at"] for e in happened)],
                     default=syndication.EPOCH)
        headers = {"ETag": f'"{tag}"', "Last-Modified": format_datetime(newest, usegmt=True),
                   "Cache-Control": "max-age=60"}
        if _not_modified(request, tag, newest):
            return Response(status_code=304, headers=headers)
        base = str(request.base_url).rstrip("/")
        feed = Feed(id=f"{base}{request.url.path}?{request.url.query}".rstrip("?"),
                    title=title, link=base + page, self_link=str(request.url),
                    entries=sorted([*(_entry(row, base, change_between) for row in rows),
                                    *(_event_entry(e, base) for e in happened)],
                                   key=lambda entry: entry.updated, reverse=True))
        return Response(render(feed), media_type=media_type, headers=headers)

    @routes.get("/feed.{fmt}")
    def all_changes(request: Request, fmt: str, source: str | None = None,
                    kind: str | None = None, q: str | None = None,
                    min_significance: float = Query(0.0, ge=0.0, le=1.0, alias="min"),
                    boring: bool = False, intent: IntentParam = None,
                    silent: bool | None = None) -> Response:
        rows = browse.latest_changes(FEED_SIZE, source=source, kind=kind or None,
                                     min_significance=min_significance, boring=boring,
                                     matching=q or None, intent=intent or None, silent=silent)
        words = [f"source {source}" if source else "", f"kind {kind}" if kind else "",
                 f"significance ≥ {min_significance:g}" if min_significance else "",
                 f"intent {intent}" if intent else "",
                 {True: "silent corrections", False: "not silent", None: ""}[silent],
                 f"containing “{q}”" if q else ""]
        detail = ", ".join(w for w in words if w)
        page = "/?" + urlencode({k: v for k, v in (("source", source), ("kind", kind),
                                                   ("min", min_significance or None),
                                                   ("intent", intent),
                                                   ("silent", "true" if silent else None),
                                                   ("q", q)) if v})
        return answer(request, fmt, "tearsheet: latest changes" + (f" ({detail})"
                      if detail else ""), page.rstrip("?"), rows)

    @routes.get("/sources/{name}/feed.{fmt}")
    def source_changes(request: Request, name: str, fmt: str, kind: str | None = None,
                       min_significance: float = Query(0.0, ge=0.0, le=1.0, alias="min"),
                       boring: bool = False, intent: IntentParam = None,
                       silent: bool | None = None) -> Response:
        if name not in browse.source_names():
            raise HTTPException(404, f"no source named {name!r}")
        rows = browse.latest_changes(FEED_SIZE, source=name, kind=kind or None,
                                     min_significance=min_significance, boring=boring,
                                     intent=intent or None, silent=silent)
        return answer(request, fmt, f"tearsheet: changes in {name}", f"/sources/{name}", rows)

    @routes.get("/articles/{article_id}/feed.{fmt}")
    def article_changes(request: Request, article_id: ArticleId,
                        fmt: str) -> Response:
        article = browse.article(article_id)
        if article is None:
            raise HTTPException(404, f"no article {article_id}")
        rows = browse.latest_changes(FEED_SIZE, article_id=article_id, boring=True)
        title = article["title"] or article["url"]
        happened = [{**e, "url": article["url"], "title": title}
                    for e in browse.article_events(article_id)[-FEED_SIZE:]]
        return answer(request, fmt, f"tearsheet: changes to “{title}”",
                      f"/articles/{article_id}", rows, happened)

    return routes


def _not_modified(request: Request, tag: str, newest: datetime) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since only when it is absent."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return f'"{tag}"' in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return moment.tzinfo is not None and newest.replace(microsecond=0) <= moment
    return False


def excerpt(change: Change, limit: int = EXCERPT_UNITS) -> str:
    """The changed parts as escaped HTML: metadata changes, then the first changed units."""
    parts = [f"<p><b>{field.field}</b>: {html_inline(field)}</p>"
             for field in change.alignment.metadata]
    changed = [unit for unit in change.alignment.units if unit.label != "unchanged"]
    parts += [f"<p>{html_inline(unit)}</p>" for unit in changed[:limit]]
    if len(changed) > limit:
        parts.append(f"<p>… and {len(changed) - limit} more changes</p>")
    note = change.reading.new_note
    if note is not None:
        parts.append(f"<p><b>{escape(note.kind.replace('_', ' '))}</b>: {escape(note.text)}</p>")
    return "\n".join(parts)


def _event_entry(event: dict[str, Any], base: str) -> Entry:
    """An article event (unpublished, moved, …) as a feed entry: never a version."""
    what = EVENT_WORDS.get(event["kind"], event["kind"])
    detail = f" ({event['detail']})" if event["detail"] else ""
    return Entry(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"{event['url']}#event-{event['id']}").urn,
        title=f"{what[:1].upper()}{what[1:]}: {event['title']}",
        link=f"{base}/articles/{event['article_id']}", updated=event["at"],
        summary=f"{what}{detail}", html=f"<p>{escape(what + detail)}</p>")


def _entry(row: dict[str, Any], base: str, change_between: ChangeOf) -> Entry:
    change = change_between(row["article_id"], row["number"] - 1, row["number"])
    title = row["title"] or row["latest_title"] or row["url"]
    return Entry(
        id=syndication.entry_id(row["url"], row["number"]), title=title,
        link=f"{base}/articles/{row['article_id']}/diff/{row['number'] - 1}/{row['number']}",
        updated=row["captured_at"], summary=change.summary.describe(), html=excerpt(change),
        author=row.get("byline"), category=row["source"])
