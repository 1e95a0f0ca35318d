"""``tearsheet trace``: which stored article, and which version of it, a text was copied
from — and whether the source has changed since."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tearsheet.cli.common import ConfigOption, app, console
from tearsheet.errors import ExtractionError, TearsheetError


@app.command("trace")
def trace_command(
    copy: Annotated[str, typer.Argument(
        help="A text or HTML file, - for standard input, or a URL to fetch.")],
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    limit: Annotated[int, typer.Option(help="At most this many matches.")] = 5,
    config: ConfigOption = None,
) -> None:
    """Trace a copy (an aggregator's, a mirror's, a translation) to the tracked article and
    version it came from. Prints nothing found when it shares only a topic."""
    import asyncio

    from tearsheet.config import load_settings
    from tearsheet.diff.align import Document
    from tearsheet.extract.copy import copy_document, looks_like_html
    from tearsheet.fetch.fetcher import Fetcher
    from tearsheet.store.store import Store
    from tearsheet.store.tracing import trace_text
    from tearsheet.tracker.extraction_pool import run_once

    if format not in ("text", "json"):
        raise TearsheetError(f"unknown format {format!r} (available: text, json)")
    settings = load_settings(config)

    def copy_document_of(data: bytes, url: str | None = None,
                         charset: str | None = None) -> Document:
        """A page in a worker of its own, stopped past fetch.extract_timeout; a text here.
        A page that is not read says which (the copy's file or URL) and why."""
        if not looks_like_html(data):
            return copy_document(data, url, charset)
        try:
            return run_once(copy_document, data, url, charset,
                            time_limit=settings.fetch.extract_timeout)
        except ExtractionError as exc:
            raise exc.at(copy) from None

    if copy.startswith(("http://", "https://")):
        async def fetch() -> tuple[bytes, str, str | None]:
            async with Fetcher(settings.fetch) as fetcher:
                response = await fetcher.fetch(copy)
            return response.body, response.url, response.charset

        body, url, charset = asyncio.run(fetch())
        document = copy_document_of(body, url, charset)
    elif copy == "-":
        document = copy_document_of(sys.stdin.buffer.read())
    else:
        try:
            document = copy_document_of(Path(copy).read_bytes())
        except OSError as exc:
            raise TearsheetError(f"{copy}: cannot read: {exc.strerror or exc}") from None
    store = Store.open(settings.database_url)
    try:
        matches = trace_text(store, document, limit=limit, include_hidden=True)
    finally:
        store.close()
    if format == "json":
        sys.stdout.write(json.dumps({"matches": [m.as_json() for m in matches]},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    if not matches:
        console.print("no match: no tracked article was the source of this text")
        return
    for match in matches:
        fit = match.fit
        also = f" (also fits {', '.join(map(str, match.also))})" if match.also else ""
        console.print(f"[bold]{escape(match.title or match.url)}[/] — {escape(match.source)}",
                      highlight=False)
        console.print(f"  {escape(match.url)}", highlight=False)
        console.print(f"  version {match.version} of {match.latest}{also}, captured "
                      f"{match.captured_at:%Y-%m-%d %H:%M} UTC", highlight=False)
        how = " (a translation: through names, numbers and dates)" if fit.translated else ""
        console.print(f"  score {fit.score:.2f}: covers {fit.coverage:.0%} of the copy, "
                      f"{fit.recall:.0%} of the version{how}", highlight=False)
        console.print(f"  the copy lacks {len(fit.lacks)} of the version's sentences and "
                      f"adds {len(fit.adds)} of its own", highlight=False)
        for label, shown in (("lacks", fit.lacks), ("adds", fit.adds)):
            for sentence in shown[:3]:
                console.print(f"    {label}: {escape(_short(sentence))}", highlight=False)
        differing = [p for p in fit.pairs if p.anchors_differ]
        if differing:
            console.print(f"  names, numbers or dates differ in {len(differing)} sentences, "
                          "e.g.:", highlight=False)
        for pair in differing[:3]:
            console.print(f"    version: {escape(_short(pair.version))}\n    copy:    "
                          f"{escape(_short(pair.copy))}", highlight=False)
        if match.changed_since:
            console.print(f"  [yellow]the source has changed since[/]: version "
                          f"{match.latest} (diff: /articles/{match.article_id}/diff/"
                          f"{match.version}/{match.latest})", highlight=False)


def _short(sentence: str, limit: int = 160) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit - 1] + "…"
