"""``tearsheet extract``: what the tracker would store for a page, from a file or stdin.

No network and no database: the same pure :func:`tearsheet.extract.extraction.extract` the tracker
calls, so a surprising version can be reproduced from the saved page alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tearsheet.cli import ConfigOption, app
from tearsheet.config import load_settings
from tearsheet.errors import ExtractionError, TearsheetError
from tearsheet.extract.extraction import extract


@app.command("extract")
def extract_command(
    file: Annotated[str, typer.Argument(help="HTML file, or - for standard input.")],
    url: Annotated[str | None, typer.Option(
        help="The page's URL (resolves its canonical link; helps the extractor).")] = None,
    charset: Annotated[str | None, typer.Option(
        help="The charset an HTTP header would have declared.")] = None,
    source: Annotated[str | None, typer.Option(
        help="Apply this configured source's body_selector and drop_selectors.")] = None,
    config: ConfigOption = None,
) -> None:
    """Print the extraction of a saved page as JSON (title, byline, dates, paragraphs...)."""
    body_selector: str | None = None
    drop_selectors: list[str] = []
    if source is not None:
        settings = load_settings(config).source(source)
        body_selector, drop_selectors = settings.body_selector, list(settings.drop_selectors)
    if file == "-":
        html = sys.stdin.buffer.read()
    else:
        try:
            html = Path(file).read_bytes()
        except OSError as exc:
            raise TearsheetError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        found = extract(html, url, charset, body_selector=body_selector,
                        drop_selectors=drop_selectors)
    except ExtractionError as exc:
        raise exc.at(str(file)) from None
    data = found.as_json()
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
