"""Rendering a change (terminal, HTML) and the `tearsheet diff` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from tearsheet.diff.align import Document
from tearsheet.diff.changes import diff
from tearsheet.diff.render import html_document, terminal
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tests.support.cli import cli

OLD = ("The council approved a budget of 412 million on Tuesday. It adds forty bus drivers.\n\n"
       "Opponents said the plan relied on optimistic forecasts.\n\nThe mayor will sign it.\n")
NEW = ("The council approved a budget of 421 million on Tuesday night. It adds forty bus "
       "drivers.\n\nOpponents said the plan relied on optimistic forecasts.\n\n"
       "Correction: An earlier version of this article misstated the size of the budget.\n")
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


@pytest.fixture
def texts(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(OLD)
    new.write_text(NEW)
    return old, new


def test_cli_json_for_programs(
    texts: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("diff", str(texts[0]), str(texts[1]), "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"units", "metadata", "summary", "intents", "notes"}
    edited = next(u for u in data["units"] if u["label"] == "edited")
    assert {"label", "old_index", "new_index", "old_text", "new_text", "words"} <= set(edited)
    assert {"op": "delete", "text": "412"} in edited["words"]
    assert next(u for u in data["units"] if u["label"] == "added")["old_text"] is None
    assert "correction_appended" in data["summary"]["kinds"]
    assert data["summary"]["intents"][0] == "fact"  # the figure and the note
    assert {"figure", "correction"} <= set(data["summary"]["intent_labels"])
    assert data["summary"]["silent_correction"] is False  # the note tells readers
    assert data["summary"]["correction_note"].startswith("Correction")
    figure = next(label for intent in data["intents"] for label in intent["labels"]
                  if label["label"] == "figure")
    assert "412" in figure["sentences"][0]["old_text"]
    assert data["notes"][0]["kind"] == "correction"


def test_cli_terminal_and_html(
    texts: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("diff", str(texts[0]), str(texts[1])) == 0
    assert "significance" in capsys.readouterr().out
    assert cli("diff", str(texts[0]), str(texts[1]), "-f", "html") == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["missing.txt", "other.txt"], "no such file"),
     (["{old}", "{new}", "--format", "pdf"], "unknown format"),
     (["https://example.com/never-tracked"], "not a tracked article")],
)
def test_cli_errors(texts: tuple[Path, Path], tmp_path: Path, args: list[str], message: str,
                    capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "ts.db"}"\n')
    args = [a.format(old=texts[0], new=texts[1]) for a in args]
    assert cli("diff", *args, "--config", str(config)) == 1
    assert message in capsys.readouterr().err


def test_cli_stored_versions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "tearsheet.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "ts.db"}"\n')
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    now = datetime.now(UTC)
    url = "https://news.example/2026/budget-story"
    source = store.ensure_source("example", now)
    store.add_articles(source, [(url, None)], now, 1800.0, revive_gap=3600.0)
    article = store.article_by_url(url)
    assert article is not None
    for number, (title, text) in enumerate([("Budget", OLD), ("Budget passes", NEW),
                                            ("Budget passes", NEW + "\nA third version.\n")]):
        store.record_check(CheckRecord(
            store.claim_article(article["id"], now + timedelta(hours=1)),
            checked_at=now + timedelta(minutes=number), outcome="new_version",
            next_check_at=now, check_interval=1800.0,
            version=NewVersion(url=url, title=title, byline="Lena Brandt", published_at=None,
                               modified_at=None, language="en", text=text,
                               content_hash=str(number))))
    store.close()
    assert cli("diff", url, "--from", "1", "--to", "2", "-f", "json", "--config",
               str(config)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metadata"][0]["field"] == "title"
    assert "headline_changed" in data["summary"]["kinds"]
    assert cli("diff", url, "-f", "json", "--config", str(config)) == 0  # the last two
    data = json.loads(capsys.readouterr().out)
    assert [u["new_text"] for u in data["units"] if u["label"] == "added"] == ["A third version."]
    assert cli("diff", url, "--from", "1", "--to", "9", "--config", str(config)) == 1
    assert "no version 9" in capsys.readouterr().err
