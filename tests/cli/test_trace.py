"""``tearsheet trace``: a file, standard input or a URL traced against a store."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pytest

from tearsheet.simulate.copies import rewrite
from tearsheet.store.store import Store
from tests.support import seed, tracestore
from tests.support.cli import cli
from tests.support.localserver import LocalServer
from tests.support.pages import SLOW_PAGE, article_page

COPIES = Path(__file__).parents[1] / "diff" / "copies"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tearsheet.toml"
    path.write_text(f'database_url = "sqlite:///{tmp_path / "ts.db"}"\n'
                    "[fetch]\nallow_private_addresses = true\nretries = 0\n", encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    try:
        tracestore.fill(store)
    finally:
        store.close()
    return path


def matches(out: str) -> list[dict[str, object]]:
    found = json.loads(out)["matches"]
    assert isinstance(found, list)
    return found


def test_a_file_traces_to_its_version(config: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(seed.copy(), encoding="utf-8")
    assert cli("trace", str(copy), "--format", "json", "--config", str(config)) == 0
    (match,) = matches(capsys.readouterr().out)
    assert (match["url"], match["version"], match["latest_version"]) == (seed.URL, 6, 7)
    assert match["changed_since"] is True and match["diff"] == "/articles/1/diff/6/7"
    assert cli("trace", str(copy), "--config", str(config)) == 0
    out = capsys.readouterr().out
    assert "version 6 of 7" in out and "the source has changed since" in out


def test_standard_input_and_no_match(config: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    text = (COPIES / "kazakhstan.same-topic.txt").read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert cli("trace", "-", "--format", "json", "--config", str(config)) == 0
    assert matches(capsys.readouterr().out) == []
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert cli("trace", "-", "--config", str(config)) == 0
    assert "no match" in capsys.readouterr().out


def test_a_page_fetched_from_a_url(config: Path, server: LocalServer,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, seven = seed.versions()
    copy = rewrite(seven, ["drop", "unquote"], seed=2).split("\n\n")
    server.route("/mirror/story", article_page("Street battles in Kazakhstan", copy))
    assert cli("trace", server.url("/mirror/story"), "--format", "json",
               "--config", str(config)) == 0
    (match,) = matches(capsys.readouterr().out)
    assert match["version"] == 7 and match["changed_since"] is False


def test_a_missing_file_is_an_error(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("trace", "nowhere.txt", "--config", str(config)) == 1
    assert "nowhere.txt: cannot read" in capsys.readouterr().err


def test_a_page_no_parser_reads_in_time_is_stopped(
        config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A saved page is read in a worker of its own, as the tracker reads pages.
    config.write_text(config.read_text(encoding="utf-8") + 'extract_timeout = "2s"\n',
                      encoding="utf-8")
    page = tmp_path / "hostile.html"
    page.write_text(SLOW_PAGE, encoding="utf-8")
    started = time.monotonic()
    assert cli("trace", str(page), "--config", str(config)) == 1
    assert f"{page}: " in (err := capsys.readouterr().err) and "[too_slow]" in err
    assert time.monotonic() - started < 40  # stopped: the parse alone is a minute
