"""`tearsheet card`: a change drawn from two files or two stored versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tearsheet.store.store import Store
from tests.support.cli import cli
from tests.support.served import budget_story


def test_card_from_two_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.txt").write_text("The vote was on Tuesday.\n\nIt passed.", encoding="utf-8")
    (tmp_path / "new.txt").write_text("The vote was on Wednesday.\n\nIt passed.", encoding="utf-8")
    out = tmp_path / "card.png"
    assert cli("card", str(tmp_path / "old.txt"), str(tmp_path / "new.txt"), "--out",
               str(out), "--portrait") == 0
    assert Image.open(out).size == (1080, 1350)
    printed = capsys.readouterr().out
    assert "Changed: “The vote was on Tuesday.” became “The vote was on Wednesday.”" in printed


def test_card_from_stored_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ts.db'}"
    store = Store.open(url)
    budget_story(store)
    store.close()
    monkeypatch.setenv("TEARSHEET_DATABASE_URL", url)
    monkeypatch.setenv("TEARSHEET_NOTIFICATIONS__BASE_URL", "https://ts.example")
    out = tmp_path / "c.png"
    assert cli("card", "https://news.example/2026/budget", "--from", "1", "--to", "2",
               "--out", str(out)) == 0
    assert Image.open(out).size == (1200, 675)
    assert "daily-example: changes to “Budget passes" in capsys.readouterr().out
    assert cli("card", "https://news.example/2026/budget", "--from", "1", "--to", "7",
               "--out", str(out)) == 1
