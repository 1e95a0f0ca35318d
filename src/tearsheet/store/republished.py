"""Syndication among tracked articles: which ones are copies of one another, and which
copies still show a text their origin has since changed.

Wire stories are republished by many outlets, each a tracked article of its own. Two
articles are linked when they share many trace keys (:data:`MIN_SHARED` of a version's
~48) and the later one's current text traces to a version of the earlier one
(:func:`tearsheet.diff.trace.trace`). The *origin* is the one whose first version was
captured first. A copy is **stale** when its current text fits only versions of the
origin older than the origin's latest: the wire corrected a figure, the copy still shows
the old one. Computed when asked (the article page, the API, a change's notification):
a few indexed probes and one alignment per linked article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import bindparam, func, select

from tearsheet.diff.align import Document
from tearsheet.diff.trace import Candidate, trace
from tearsheet.store.schema import trace_keys
from tearsheet.store.tracing import read_articles

if TYPE_CHECKING:
    from tearsheet.store.store import Store

MIN_SHARED = 12
"""Keys two articles share before their texts are compared (a rewrite of the same story
shares about half of its 48; a text on the same topic a handful)."""
LINKED = 10


# The articles sharing at least MIN_SHARED keys with one, most first (bound values: the
# statement is built once, not on every article page).
_K = trace_keys.c
_SHARED = func.count().label("shared")
_LINKED = (select(_K.article_id, _SHARED)
           .where(_K.key.in_(select(_K.key).where(_K.article_id == bindparam("article_id"))
                             .scalar_subquery()),
                  _K.article_id != bindparam("article_id"))
           .group_by(_K.article_id).having(_SHARED >= MIN_SHARED)
           .order_by(_SHARED.desc()).limit(LINKED))


@dataclass(frozen=True)
class Republication:
    """Another tracked article linked to the one asked about."""

    article_id: int
    url: str
    source: str
    title: str | None
    role: Literal["origin", "copy"]  # what this other article is to the one asked about
    origin_version: int  # the origin's version that the copy's current text fits
    also: tuple[int, ...]  # other versions of the origin it fits as well
    origin_latest: int

    @property
    def stale(self) -> bool:
        """The copy still shows a text the origin has since changed."""
        return self.origin_latest > max((self.origin_version, *self.also))

    def as_json(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "url": self.url, "source": self.source,
                "title": self.title, "role": self.role, "origin_version": self.origin_version,
                "also_fits": list(self.also), "origin_latest": self.origin_latest,
                "stale": self.stale}


def republications(store: Store, article_id: int) -> list[Republication]:
    """The tracked articles that copy ``article_id`` or that it copies (empty: none)."""
    with store.engine.connect() as conn:
        linked = [row.article_id for row in conn.execute(_LINKED, {"article_id": article_id})]
        if not linked:
            return []
        about, rows = read_articles(conn, [article_id, *linked])
    history: dict[int, list[Any]] = {}
    for row in sorted(rows, key=lambda r: (r.article_id, r.number)):
        history.setdefault(row.article_id, []).append(row)
    if article_id not in about or article_id not in history:
        return []
    found = []
    for other in linked:
        if other not in about or other not in history:
            continue
        mine_first, other_first = history[article_id][0], history[other][0]
        other_is_origin = (other_first.captured_at, other) < (mine_first.captured_at,
                                                               article_id)
        origin, copy = (other, article_id) if other_is_origin else (article_id, other)
        fit = _fit(history[copy][-1], history[origin])
        if fit is None:
            continue
        number, also = fit
        row = about[other]
        found.append(Republication(other, row.url, row.source, row.title,
                                   "origin" if other_is_origin else "copy", number, also,
                                   about[origin].version_count))
    return found


def _fit(copy: Any, origin: Sequence[Any]) -> tuple[int, tuple[int, ...]] | None:
    """The origin's version (and the others as good) that ``copy``'s text fits."""
    fits = trace(Document.from_text(copy.text, language=copy.language),
                 [Candidate(row.number, "origin", Document.from_text(row.text,
                                                                     language=row.language))
                  for row in origin])
    if not fits:
        return None
    return int(fits[0].key), tuple(sorted(int(n) for n in fits[0].also))  # type: ignore[call-overload]


def stale_note(source: str, linked: Sequence[Republication]) -> str | None:
    """"reuters changed the text (version 3); 2 copies still show the old one: …"."""
    stale = [r for r in linked if r.role == "copy" and r.stale]
    if not stale:
        return None
    names = ", ".join(sorted({r.source for r in stale}))
    one = len(stale) == 1
    return (f"{source} changed the text (version {stale[0].origin_latest}); "
            f"{len(stale)} cop{'y' if one else 'ies'} still show{'s' if one else ''} "
            f"an earlier one: {names}")
