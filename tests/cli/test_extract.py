"""``tearsheet extract FILE|- [--url URL]``: the extraction of a saved page, as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import cli
from tests.support.pages import LOREM, SLOW_PAGE, article_page

FIELDS = ["title", "byline", "byline_from", "published_at", "modified_at", "language",
          "canonical_url", "paragraphs", "standfirst", "body_from"]


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "tearsheet", "extract", *args],
                          input=stdin, capture_output=True, timeout=60, check=False)


def test_extract_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    page.write_text(article_page("Council approves budget", LOREM,
                                 canonical="https://news.example/2026/budget"), "utf-8")
    assert cli("extract", str(page), "--url", "https://news.example/2026/budget?utm_source=x") == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == FIELDS
    assert data["title"] == "Council approves budget"
    assert data["byline"] == "Jane Doe"
    assert data["byline_from"] in ("json-ld", "meta", "markup")  # the page marks it up
    assert data["body_from"] == "container"
    assert data["published_at"] == "2026-11-20T08:00:00+00:00"
    assert data["language"] == "en"
    assert data["canonical_url"] == "https://news.example/2026/budget"
    assert data["paragraphs"] == LOREM


def test_extract_from_stdin_keeps_the_bytes_encoding() -> None:
    page = article_page("Café society’s “quiet” résumé", LOREM, charset=None)
    done = run("-", stdin=page.encode("cp1252"))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["title"] == "Café society’s “quiet” résumé"
    assert data["canonical_url"] is None  # no --url: nothing to resolve against


def test_extract_refuses_a_page_without_an_article(tmp_path: Path) -> None:
    page = tmp_path / "teaser.html"
    page.write_text("<html><body><p>Subscribe to read.</p></body></html>")
    done = run(str(page))
    assert done.returncode == 1
    assert done.stdout == b""
    assert done.stderr.decode().startswith("error:")
    assert "[too_short]" in done.stderr.decode()


def test_extract_stops_a_page_past_the_time_limit(tmp_path: Path) -> None:
    # A saved page is as hostile as a fetched one: fetch.extract_timeout holds here too.
    page = tmp_path / "slow.html"
    page.write_text(SLOW_PAGE, encoding="utf-8")
    config = tmp_path / "tearsheet.toml"
    config.write_text('[fetch]\nextract_timeout = "2s"\n', encoding="utf-8")
    started = time.monotonic()
    done = run(str(page), "--config", str(config))
    assert done.returncode == 1 and done.stdout == b""
    assert str(page) in done.stderr.decode() and "[too_slow]" in done.stderr.decode()
    assert time.monotonic() - started < 40  # stopped: the parse alone is a minute


def test_extract_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("extract", str(tmp_path / "nope.html")) == 1
    assert "cannot read" in capsys.readouterr().err


def test_extract_with_a_sources_selectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "tearsheet.toml"
    config.write_text('[[sources]]\nname = "daily"\nbody_selector = "div.story"\n'
                      'drop_selectors = [".promo"]\n')
    page = tmp_path / "page.html"
    story = "".join(f"<p>{p}</p>" for p in LOREM)
    page.write_text(f"<html><body><div class='teaser'><p>{LOREM[0]} {LOREM[1]}</p></div>"
                    f"<div class='story'>{story}<p class='promo'>Buy our mug now, it is "
                    "lovely and ceramic and very reasonably priced</p></div></body></html>")
    assert cli("extract", str(page), "--source", "daily", "--config", str(config)) == 0
    assert json.loads(capsys.readouterr().out)["paragraphs"] == LOREM
    assert cli("extract", str(page), "--source", "nosuch", "--config", str(config)) == 1
    assert "no source named 'nosuch'" in capsys.readouterr().err
