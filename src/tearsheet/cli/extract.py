"""``tearsheet extract``: what the tracker would store for a page, from a file or stdin.

No network and no database: the same pure :func:`tearsheet.extract.extraction.extract` the
tracker calls, so a surprising version can be reproduced from the saved page alone; in a
worker process, stopped past ``fetch.extract_timeout`` as the tracker's are (a saved page
is as hostile as a fetched one). With
``--render browser`` the argument is a URL, fetched and rendered in headless Chromium as a
source with ``render = "browser"`` is, and the rendered page is extracted the same way.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tearsheet.cli.common import ConfigOption, RenderOption, app
from tearsheet.config import FetchSettings, SourceSettings, load_settings
from tearsheet.errors import ExtractionError, TearsheetError


@app.command("extract")
def extract_command(
    file: Annotated[str, typer.Argument(
        help="HTML file, or - for standard input (a URL with --render browser).")],
    url: Annotated[str | None, typer.Option(
        help="The page's URL (resolves its canonical link; helps the extractor).")] = None,
    charset: Annotated[str | None, typer.Option(
        help="The charset an HTTP header would have declared.")] = None,
    source: Annotated[str | None, typer.Option(
        help="Apply this configured source's body_selector and drop_selectors (and, "
             "rendering, its wait_for and cookies).")] = None,
    config: ConfigOption = None,
    render: RenderOption = None,
) -> None:
    """Print the extraction of a saved page as JSON (title, byline, dates, paragraphs...)."""
    from tearsheet.extract.extraction import extract
    from tearsheet.tracker.extraction_pool import run_once
    settings = load_settings(config)
    chosen: SourceSettings | None = settings.source(source) if source is not None else None
    rendered = render == "browser"
    if rendered:
        html, url, charset = _rendered(settings.fetch, file, chosen)
    elif render not in (None, "http"):
        raise TearsheetError(f"--render {render!r}: use http or browser")
    elif file == "-":
        html = sys.stdin.buffer.read()
    else:
        try:
            html = Path(file).read_bytes()
        except OSError as exc:
            raise TearsheetError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        found = run_once(extract, html, url, charset,
                         body_selector=chosen.body_selector if chosen else None,
                         drop_selectors=list(chosen.drop_selectors) if chosen else [],
                         rendered=rendered, time_limit=settings.fetch.extract_timeout)
    except ExtractionError as exc:
        raise exc.at(str(file)) from None
    data = found.as_json()
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _rendered(settings: FetchSettings, page: str,
              source: SourceSettings | None) -> tuple[bytes, str, str]:
    """The page at URL ``page`` as the browser rendered it: (HTML, final URL, charset)."""
    import asyncio

    from tearsheet.fetch.browser import RenderOptions, render_once  # Playwright, lazily

    options = RenderOptions(source.name, source.wait_for, source.cookies) if source \
        else RenderOptions("extract")
    response = asyncio.run(render_once(settings, page, options))
    return response.document, response.url, response.document_charset or "utf-8"
