"""The `tearsheet diff` command: two text files or two stored versions, as JSON, terminal
text or HTML, and its errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tests.support.cli import cli
from tests.support.pages import EDIT_AFTER as NEW
from tests.support.pages import EDIT_BEFORE as OLD


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
