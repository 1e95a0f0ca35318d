"""Rendering a change: the terminal view and the HTML page (the command: cli/test_diff.py)."""

from __future__ import annotations

from rich.console import Console

from tearsheet.diff.align import Document
from tearsheet.diff.changes import diff
from tearsheet.diff.render import html_document, terminal
from tests.support.pages import EDIT_AFTER as NEW
from tests.support.pages import EDIT_BEFORE as OLD

HOSTILE = Document.from_text("A <script>alert(1)</script> [bold red]story[/] with & signs.")


def render(renderable: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_terminal_shows_changes_with_context_and_summary() -> None:
    text = render(terminal(diff(Document.from_text(OLD), Document.from_text(NEW))))
    assert "~ The council approved a budget of 412421 million on Tuesday night." in text
    assert "- The mayor will sign it." in text
    assert "+ Correction: An earlier version" in text
    assert "correction_appended" in text and "significance" in text


def test_terminal_prints_article_text_literally() -> None:
    change = diff(Document.from_text("Nothing."), HOSTILE)
    assert "[bold red]story[/]" in render(terminal(change))


def test_html_marks_words_and_escapes_everything() -> None:
    page = html_document(diff(Document.from_text(OLD), Document.from_text(NEW)), "v1", "v2")
    assert "<del>412</del>" in page and "<ins>421</ins>" in page
    assert '<td class="added"><ins>Correction:' in page
    hostile = html_document(diff(Document.from_text("Nothing."), HOSTILE), "<b>", "v2")
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile
    assert "<th>&lt;b&gt;</th>" in hostile
