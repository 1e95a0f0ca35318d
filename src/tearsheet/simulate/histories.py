"""Article histories: the versions a simulated newsroom publishes, and when.

The simulator replays histories written as JSON Lines, one object per version::

    {"article": "ferry", "path": "/news/ferry-runs-aground", "at": 90,
     "headline": "...", "byline": "...", "paragraphs": ["...", "..."],
     "section": "news"}

``at`` is the simulated second (from the start of the replay) at which the version goes
live; ``section`` is optional (default: the first segment of ``path``). An article's
versions share its ``article`` id and ``path``. The format is deliberately flat so that
histories can be written by hand, generated, or converted from archives
(:func:`convert_captures` reads the Wayback-style captures of ``shared/corpora/histories``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tearsheet.errors import TearsheetError


@dataclass(frozen=True)
class Version:
    """One version of one article, live from simulated second ``at``."""

    article: str
    path: str
    at: float
    headline: str
    byline: str
    paragraphs: tuple[str, ...]
    section: str = ""

    @property
    def section_name(self) -> str:
        """The section the article is listed under (its path's first segment by default)."""
        if self.section:
            return self.section
        first = self.path.strip("/").split("/", 1)[0]
        return first if first and "." not in first else "news"

    @property
    def text(self) -> str:
        """The body as tearsheet stores it: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "article": self.article, "path": self.path, "at": self.at,
            "headline": self.headline, "byline": self.byline,
            "paragraphs": list(self.paragraphs),
        }
        if self.section:
            data["section"] = self.section
        return data


def parse_histories(source: str, name: str = "histories") -> list[Version]:
    """Versions from JSONL text, ordered by time (stable: file order breaks ties)."""
    versions = []
    for number, line in enumerate(source.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            path = str(item["path"])
            if not path.startswith("/"):
                raise ValueError(f"path {path!r} must start with /")
            versions.append(Version(
                article=str(item["article"]), path=path, at=float(item["at"]),
                headline=str(item["headline"]), byline=str(item.get("byline") or ""),
                paragraphs=tuple(str(p) for p in item["paragraphs"]),
                section=str(item.get("section") or ""),
            ))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TearsheetError(f"{name}, line {number}: {exc}") from None
    owners: dict[str, str] = {}
    for v in versions:
        if owners.setdefault(v.path, v.article) != v.article:
            raise TearsheetError(f"{name}: articles {owners[v.path]!r} and {v.article!r} "
                                 f"share the path {v.path}")
    return sorted(versions, key=lambda v: v.at)


def load_histories(path: Path | None = None) -> list[Version]:
    """Versions from a JSONL file (default: the bundled fictional newsroom), ordered by time."""
    if path is None:
        bundled = files("tearsheet.simulate").joinpath("data", "newsroom.jsonl")
        text = bundled.read_text(encoding="utf-8")
        return parse_histories(text, "newsroom.jsonl")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TearsheetError(f"cannot read {path}: {exc.strerror}") from None
    return parse_histories(text, str(path))


def write_histories(versions: Iterable[Version], path: Path) -> int:
    """Write versions as JSONL; returns how many."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for version in versions:
            out.write(json.dumps(version.as_json(), ensure_ascii=False) + "\n")
            count += 1
    return count


# --- converting archived captures --------------------------------------------------------

def _original_url(uri: str) -> str:
    """The archived page's own URL: a Wayback address ``/web/<stamp>/<url>`` wraps it."""
    parts = urlsplit(uri)
    if parts.path.startswith("/web/"):
        inner = parts.path.split("/", 3)[3] if parts.path.count("/") >= 3 else ""
        if inner.startswith(("http://", "https://")):
            return inner
    return uri


def _paragraphs(text: str) -> tuple[str, ...]:
    blocks = text.split("\n\n") if "\n\n" in text else text.split("\n")
    return tuple(" ".join(b.split()) for b in blocks if b.strip())


def _when(capture: dict[str, Any], name: str) -> datetime:
    raw = str(capture["metadata"]["warc-date"])
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise TearsheetError(f"{name}: bad warc-date {raw!r}") from None


def convert_captures(
    histories: Sequence[tuple[str, list[dict[str, Any]]]], *, max_gap: float | None = None,
) -> list[Version]:
    """Versions from archived captures: ``(name, [capture, ...])`` per article.

    A capture is ``{"metadata": {"warc-date", "warc-target-uri", ...}, "article":
    {"title", "text", "authors"}}``. Consecutive identical captures collapse into one
    version (archives re-capture unchanged pages all the time); the path is the archived
    page's own path; time is seconds since the earliest capture of all the articles, so
    they keep their real order. Archives sit silent for months: ``max_gap`` shortens every
    silence between two consecutive versions (of any article) to at most that many
    seconds, so a replay does not wait for them.
    """
    events: list[tuple[datetime, int, str, str, str, str, tuple[str, ...]]] = []
    for order, (name, captures) in enumerate(histories):
        if not isinstance(captures, list):
            raise TearsheetError(f"{name}: expected a JSON list of captures")
        previous: tuple[str, str, tuple[str, ...]] | None = None
        dated = []
        for capture in captures:
            try:
                article = capture["article"]
                uri = str(capture["metadata"]["warc-target-uri"])
                dated.append((_when(capture, name), uri, article))
            except (KeyError, TypeError):
                raise TearsheetError(f"{name}: a capture lacks metadata or article") from None
        dated.sort(key=lambda item: item[0])
        path = ""
        for when, uri, article in dated:
            path = path or (urlsplit(_original_url(uri)).path or "/")
            headline = " ".join(str(article.get("title") or "").split())
            byline = ", ".join(str(a).strip() for a in article.get("authors") or [] if a)
            paragraphs = _paragraphs(str(article.get("text") or ""))
            content = (headline, byline, paragraphs)
            if content == previous or not paragraphs:
                continue
            previous = content
            slug = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or f"article-{order}"
            events.append((when, order, slug, path, headline, byline, paragraphs))
    events.sort(key=lambda e: (e[0], e[1]))
    versions = []
    at = 0.0
    for index, (when, _, slug, path, headline, byline, paragraphs) in enumerate(events):
        if index:
            gap = (when - events[index - 1][0]).total_seconds()
            at += gap if max_gap is None else min(gap, max_gap)
        versions.append(Version(slug, path, at, headline, byline, paragraphs))
    return versions


def convert_files(paths: Sequence[Path], *, max_gap: float | None = None) -> list[Version]:
    """:func:`convert_captures` over JSON files, each one article's list of captures."""
    loaded = []
    for path in paths:
        try:
            loaded.append((str(path), json.loads(path.read_text(encoding="utf-8"))))
        except OSError as exc:
            raise TearsheetError(f"cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise TearsheetError(f"{path}: not JSON ({exc})") from None
    return convert_captures(loaded, max_gap=max_gap)
