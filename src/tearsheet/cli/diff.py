"""`tearsheet diff` and `tearsheet card`: what changed between two versions, for people
and programs, as text or as an image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tearsheet.cli.common import ConfigOption, app, console, open_store
from tearsheet.config import load_settings
from tearsheet.errors import TearsheetError

if TYPE_CHECKING:
    from tearsheet.diff.align import Document
    from tearsheet.diff.card import CardInfo


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="Old version: a text file, or a tracked URL.")],
    new: Annotated[str | None, typer.Argument(help="New version: a text file.")] = None,
    from_: Annotated[int | None, typer.Option("--from", help="Version number (URL).")] = None,
    to: Annotated[int | None, typer.Option("--to", help="Version number (URL).")] = None,
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="terminal, html or json.")] = "terminal",
    language: Annotated[str | None, typer.Option(help="Sentence rules (en, fr, de, es).")] = None,
    config: ConfigOption = None,
) -> None:
    """Compare two text files (paragraphs separated by blank lines) or two stored versions.

    `tearsheet diff OLD.txt NEW.txt`, or `tearsheet diff URL --from 3 --to 4` (default: the
    last two versions).
    """
    from tearsheet.diff.changes import diff as diff_documents
    from tearsheet.diff.render import html_document, terminal
    if format not in ("terminal", "html", "json"):
        raise TearsheetError(f"unknown format {format!r} (available: terminal, html, json)")
    if new is not None:
        before = _from_file(Path(old), language)
        after = _from_file(Path(new), language)
        labels = (old, new)
    else:
        before, after, labels, _ = _from_store(old, from_, to, language, config)
    change = diff_documents(before, after)
    if format == "json":
        console.print_json(json.dumps(change.as_json(), ensure_ascii=False))
    elif format == "html":
        print(html_document(change, *labels), end="")
    else:
        console.print(terminal(change), highlight=False)


def _from_file(path: Path, language: str | None) -> Document:
    from tearsheet.diff.align import Document
    try:
        return Document.from_text(path.read_text(encoding="utf-8"), language=language)
    except FileNotFoundError:
        raise TearsheetError(f"{path}: no such file (to compare stored versions, give a "
                             "tracked URL with --from and --to)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TearsheetError(f"{path}: cannot read it as UTF-8 text: {exc}") from None


@app.command()
def card(
    old: Annotated[str, typer.Argument(help="Old version: a text file, or a tracked URL.")],
    new: Annotated[str | None, typer.Argument(help="New version: a text file.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The PNG file to write.")] = Path(
        "card.png"),
    from_: Annotated[int | None, typer.Option("--from", help="Version number (URL).")] = None,
    to: Annotated[int | None, typer.Option("--to", help="Version number (URL).")] = None,
    portrait: Annotated[bool, typer.Option(help="1080×1350 instead of 1200×675.")] = False,
    alt: Annotated[bool, typer.Option(help="Print the card's alt text.")] = True,
    language: Annotated[str | None, typer.Option(help="Sentence rules (en, fr, de, es).")] = None,
    config: ConfigOption = None,
) -> None:
    """Draw a change as a PNG card (as posted to Mastodon and Bluesky) and print its alt
    text: `tearsheet card OLD.txt NEW.txt --out card.png`, or
    `tearsheet card URL --from 3 --to 4 --out card.png`."""
    from tearsheet.diff import card as cards
    from tearsheet.diff.changes import diff as diff_documents
    from tearsheet.diff.fonts import find_fonts

    if new is not None:
        before, after = _from_file(Path(old), language), _from_file(Path(new), language)
        info = cards.CardInfo(source="", title=after.title or Path(new).stem, old=old, new=new)
    else:
        before, after, _, info = _from_store(old, from_, to, language, config)
    change = diff_documents(before, after)
    size = cards.PORTRAIT if portrait else cards.LANDSCAPE
    data = cards.png(change, info, size, find_fonts(_fonts(config)))
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise TearsheetError(f"{out}: cannot write the card: {exc}") from None
    console.print(f"{out}: {size[0]}×{size[1]} PNG, {len(data):,} bytes", highlight=False)
    if alt:
        console.print(cards.alt_text(change, info), highlight=False, markup=False)


def _fonts(config: Path | None) -> tuple[str, ...]:
    try:
        return tuple(load_settings(config).cards.fonts)
    except TearsheetError:  # files compared without a configuration: the system's fonts
        return ()


def _from_store(url: str, first: int | None, second: int | None, language: str | None,
                config: Path | None) -> tuple[Document, Document, tuple[str, str], CardInfo]:
    from tearsheet.diff.align import Document
    from tearsheet.diff.card import info_from_rows
    from tearsheet.urls import canonicalize

    settings = load_settings(config)
    with open_store(settings) as store:
        article = store.article_by_url(canonicalize(url))
        if article is None:
            raise TearsheetError(f"{url} is not a tracked article (nor a file)")
        second = second or article["version_count"]
        first = first or second - 1
        before, after = (store.version(article["id"], n) for n in (first, second))
        source = store.source_name(article["source_id"])
    if before is None or after is None:
        raise TearsheetError(f"{url} has versions 1 to {article['version_count']}; "
                             f"there is no version {first if before is None else second}")
    base = settings.notifications.base_url.rstrip("/")
    link = f"{base}/articles/{article['id']}/diff/{first}/{second}" if base else ""
    return (Document.from_version(before, language), Document.from_version(after, language),
            (f"version {first}", f"version {second}"),
            info_from_rows(source, before, after, link))

