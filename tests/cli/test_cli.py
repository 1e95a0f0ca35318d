"""The command line: help, error messages, check, status and export (in process)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearsheet.diff.fingerprint import fingerprint
from tearsheet.extract.extraction import extract
from tearsheet.store.records import CheckRecord, NewVersion
from tearsheet.store.store import Store
from tearsheet.urls import canonicalize
from tests.support.cli import cli
from tests.support.localserver import LocalServer, Reply
from tests.support.pages import LOREM, article_page

PAGE = article_page("Council approves budget", LOREM)


def write_config(tmp_path: Path, *, sources: str = "", fetch: str = "") -> Path:
    config = tmp_path / "tearsheet.toml"
    config.write_text(f"""
database_url = "sqlite:///{tmp_path / 'ts.db'}"
[fetch]
allow_private_addresses = true
per_host_delay = "0s"
timeout = "2s"
retries = 0
{fetch}
{sources}
""", encoding="utf-8")
    return config


def source_config(server: LocalServer) -> str:
    return f'[[sources]]\nname = "example"\nfeeds = ["{server.url("/feed.xml")}"]\n'


def json_output(out: str) -> dict[str, object]:
    data = json.loads(out[: out.rindex("\n}") + 2])
    assert isinstance(data, dict)
    return data


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--help") == 0
    out = capsys.readouterr().out
    for command in ("run", "check", "status", "export"):
        assert command in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("frobnicate") == 2
    assert "frobnicate" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[fetch]\ntimout = "5s"\n', "fetch.timout"),
        ('[fetch]\ntimeout = "soon"\n', "fetch.timeout"),
        ('[[sources]]\nname = "a"\nfeeds = ["rss.xml"]\n', "sources.0.feeds"),
        ('[fetch]\ntimeout = "[/5s]"\n', "[/5s]"),  # the value is shown verbatim
    ],
    ids=["unknown-key", "bad-value", "bad-url", "value-with-brackets"],
)
def test_bad_config_is_one_line_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str
) -> None:
    config = tmp_path / "tearsheet.toml"
    config.write_text(text, encoding="utf-8")
    assert cli("status", "--config", str(config)) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert key in lines[0]
    assert not (tmp_path / "ts.db").exists()


def test_bad_config_through_the_entry_point(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[fetch]\ntimout = "5s"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "tearsheet", "status", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    err = " ".join(done.stderr.split())  # the one-line shape is checked in process, above
    assert err.startswith("error: ")
    assert "unknown key 'fetch.timout' (did you mean 'timeout'?)" in err


def test_run_without_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", "--once", "--config", str(write_config(tmp_path))) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no sources configured")
    assert "[[sources]]" in err  # tells the user what to add


def test_check_untracked_page(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.route("/news/budget", PAGE)
    config = write_config(tmp_path)
    assert cli("check", server.url("/news/budget?utm_source=x"), "--config", str(config)) == 0
    out = capsys.readouterr().out
    data = json_output(out)
    assert data["title"] == "Council approves budget"
    assert data["byline"] == "Jane Doe"
    assert data["paragraphs"] == LOREM
    assert data["published_at"] == "2026-11-20T08:00:00+00:00"
    assert data["fingerprint"] == fingerprint(extract(PAGE))
    assert f"{server.url('/news/budget')}: not tracked" in out
    assert len(server.hits("/news/budget?utm_source=x")) == 1  # the URL as given is fetched
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    try:
        assert list(store.iter_versions()) == []  # an untracked page is not recorded
        assert store.article_by_url(server.url("/news/budget")) is None
    finally:
        store.close()


def test_check_tracked_article_records_versions(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.route("/news/budget", PAGE)
    config = write_config(tmp_path, sources=source_config(server))
    url = canonicalize(server.url("/news/budget"))
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    now = datetime.now(UTC)
    store.add_articles(store.ensure_source("example", now), [(url, None)], now, 1800.0,
                       revive_gap=1200.0)
    store.close()

    assert cli("check", url, "--config", str(config)) == 0
    out = capsys.readouterr().out
    assert json_output(out)["title"] == "Council approves budget"
    assert f"{url}: new version 1" in out

    assert cli("check", url, "--config", str(config)) == 0
    out = capsys.readouterr().out
    assert f"{url}: unchanged" in out

    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    try:
        versions = list(store.iter_versions())
        article = store.article_by_url(url)
    finally:
        store.close()
    assert [(v["url"], v["number"], v["title"]) for v in versions] == [
        (url, 1, "Council approves budget")]
    assert article is not None
    assert article["version_count"] == 1
    assert article["leased_until"] is None


def test_check_failing_page(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.route("/news/gone", Reply(status=404, body="gone"))
    assert cli("check", server.url("/news/gone"), "--config", str(write_config(tmp_path))) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "404" in err
    assert "Traceback" not in err


@pytest.fixture
def filled(tmp_path: Path, server: LocalServer) -> Path:
    """A configuration and a store with data: 4 articles of "example", none of "weekly"."""
    config = write_config(tmp_path, sources=source_config(server))
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    now = datetime.now(UTC)
    past = now - timedelta(hours=1)
    source_id = store.ensure_source("example", past)
    store.ensure_source("weekly", past)
    urls = [f"https://a.example/news/{n}" for n in range(4)]
    store.add_articles(source_id, [(u, None) for u in urls], past, 1800.0, revive_gap=1200.0)
    ids = [store.article_by_url(u)["id"] for u in urls]  # type: ignore[index]
    lease = now + timedelta(minutes=5)
    for n, text in enumerate(["first", "second"], start=1):
        store.record_check(CheckRecord(
            store.claim_article(ids[0], lease), checked_at=past + timedelta(minutes=n),
            outcome="new_version", next_check_at=now + timedelta(days=1), check_interval=1800.0,
            version=NewVersion(url=urls[0], title=f"Title {n}", byline="Jane Doe",
                               published_at=past, modified_at=None, language="en",
                               text=f"{text} text", content_hash=text)))
    store.record_check(CheckRecord(store.claim_article(ids[1], lease), checked_at=past,
                                   outcome="unchanged",
                       next_check_at=None, check_interval=1800.0))
    store.record_check(CheckRecord(store.claim_article(ids[2], lease), checked_at=past,
                                   outcome="failed",
                       next_check_at=now - timedelta(minutes=1), check_interval=1800.0,
                       http_status=503, error="HTTP 503 Service Unavailable"))
    store.close()
    return config


def table_row(out: str, name: str) -> list[str]:
    for line in out.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").split("│")]
        if len(cells) > 2 and cells[1] == name:
            return cells[1:-1]
    raise AssertionError(f"no row for {name!r} in:\n{out}")


def test_status(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("status", "--config", str(filled)) == 0
    out = capsys.readouterr().out
    header = table_row(out, "source")
    assert header == ["source", "articles", "checked", "retired", "versions", "due now",
                      "failing"]
    assert table_row(out, "example") == ["example", "4", "3", "1", "2", "2", "1"]
    assert table_row(out, "weekly") == ["weekly", "0", "0", "0", "0", "0", "0"]
    assert "next check: now" in out
    assert "https://a.example/news/2" in out
    assert "HTTP 503 Service Unavailable" in out


def test_export_to_a_file(filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "versions.jsonl"
    out.parent.mkdir()
    assert cli("export", "--config", str(filled), "--out", str(out)) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["url"], r["version"], r["text"]) for r in records] == [
        ("https://a.example/news/0", 1, "first text"),
        ("https://a.example/news/0", 2, "second text")]
    assert all(r["source"] == "example" and r["captured_at"].endswith("Z") for r in records)
    captured = capsys.readouterr()
    assert "exported 2 versions" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(("source", "count"), [("example", 2), ("weekly", 0)])
def test_export_to_stdout(
    filled: Path, capsys: pytest.CaptureFixture[str], source: str, count: int
) -> None:
    assert cli("export", "--config", str(filled), "--source", source) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == count
    assert all(json.loads(line)["source"] == source for line in lines)
    assert f"exported {count} versions" in captured.err


def test_export_unknown_format(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("export", "--config", str(filled), "--format", "csv") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "'csv'" in err
    assert "jsonl" in err
