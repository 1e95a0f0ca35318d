"""``tearsheet check``/``extract --render browser``, ``tearsheet sources`` and the health
lines of ``status``, against a local site whose pages are drawn by JavaScript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tearsheet.cli.common import console
from tests.support.cli import cli
from tests.support.jssite import Site
from tests.support.localserver import LocalServer
from tests.support.pages import LOREM
from tests.support.served import chromium


@pytest.fixture
def site(server: LocalServer) -> Site:
    return Site(server)


def write_toml(tmp_path: Path, site: Site) -> Path:
    config = tmp_path / "tearsheet.toml"
    config.write_text(f"""
database_url = "sqlite:///{tmp_path / 'ts.db'}"
[fetch]
per_host_delay = 0
allow_private_addresses = true
extract_processes = 0
browser_path = "{chromium()}"
[[sources]]
name = "app"
feeds = ["{site.feed('app')}"]
render = "browser"
wait_for = "article p"
""")
    return config


def test_check_and_extract_render_with_the_browser(
        site: Site, tmp_path: Path, server: LocalServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    site.publish("budget")
    config = write_toml(tmp_path, site)
    url = server.url("/app/budget")
    assert cli("extract", "--config", str(config), url) == 1  # a URL is no file
    capsys.readouterr()
    assert cli("extract", "--config", str(config), "--render", "browser", "--source", "app",
               url) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["paragraphs"] == LOREM
    assert data["title"] == Site.headline("budget")
    assert cli("check", "--config", str(config), "--render", "browser", url) == 0
    assert LOREM[0][:40] in capsys.readouterr().out
    assert cli("check", "--config", str(config), "--render", "http", url) == 1
    assert "needs_browser" in capsys.readouterr().err


def test_sources_and_status_show_health(site: Site, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 300)  # one line per row
    site.publish("budget")
    config = write_toml(tmp_path, site)
    config.write_text(config.read_text().replace('render = "browser"', 'render = "http"'))
    assert cli("run", "--once", "--config", str(config)) == 0
    capsys.readouterr()
    assert cli("sources", "--config", str(config)) == 0
    out = capsys.readouterr().out
    assert "needs_browser 1" in out and "100%" in out
    assert 'render = "browser"' in out
    assert cli("status", "--config", str(config)) == 0
    assert 'app: its pages are drawn by JavaScript: set render = "browser"' in \
        " ".join(capsys.readouterr().out.split())

