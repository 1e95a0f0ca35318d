"""Every refusal reason is shown with the page's URL: by `check` (tracked or not) and,
for tracked articles, by `status` (issue 14); a page past the extraction time limit too."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tearsheet.store.store import Store
from tearsheet.urls import canonicalize
from tests.cli.test_cli import source_config, write_config
from tests.support.cli import cli
from tests.support.localserver import LocalServer
from tests.support.pages import SLOW_PAGE
from tests.support.refusals import BAD, REASONS

KINDS = sorted({REASONS.get(kind, kind): kind for kind in BAD}.items())  # a page per reason


@pytest.mark.parametrize(("reason", "kind"), KINDS, ids=[k[0] for k in KINDS])
def test_check_names_the_page_and_the_reason(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], reason: str,
    kind: str,
) -> None:
    server.route("/news/story", BAD[kind])
    url = server.url("/news/story")
    assert cli("check", url, "--config", str(write_config(tmp_path))) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {url}: ")
    assert err.rstrip().endswith(f"[{reason}]")


def test_status_names_each_refused_article_and_its_reason(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(tmp_path, sources=source_config(server))
    urls = {}
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    now = datetime.now(UTC)
    for reason, kind in KINDS:
        server.route(f"/news/{reason}", BAD[kind])
        urls[reason] = canonicalize(server.url(f"/news/{reason}"))
    store.add_articles(store.ensure_source("example", now), [(u, None) for u in urls.values()],
                       now, 1800.0, revive_gap=1200.0)
    store.close()
    for reason, url in urls.items():
        assert cli("check", url, "--config", str(config)) == 1  # tracked: a failed check
        err = capsys.readouterr().err
        assert url in err and f"[{reason}]" in err
    assert cli("status", "--config", str(config)) == 0
    lines = capsys.readouterr().out.splitlines()
    for reason, url in urls.items():
        assert any(url in line and line.rstrip().endswith(f"[{reason}]") for line in lines), (
            reason, lines)


@pytest.mark.parametrize("tracked", [False, True], ids=["not tracked", "tracked"])
def test_check_stops_a_page_past_the_extraction_time_limit(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], tracked: bool,
) -> None:
    # A one-off check extracts in a worker process, stopped as the tracker's are.
    server.route("/news/story", SLOW_PAGE)
    url = canonicalize(server.url("/news/story"))
    config = write_config(tmp_path, sources=source_config(server) if tracked else "",
                          fetch='extract_timeout = "2s"\nmax_bytes = "4MB"')
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    if tracked:
        now = datetime.now(UTC)
        store.add_articles(store.ensure_source("example", now), [(url, None)], now, 1800.0,
                           revive_gap=1200.0)
    started = time.monotonic()
    assert cli("check", url, "--config", str(config)) == 1
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert url in err and "[too_slow]" in err, err
    assert took < 40  # stopped: the parse alone is a minute
    with store.engine.connect() as conn:
        checks = conn.exec_driver_sql("SELECT outcome FROM checks").scalars().all()
        versions = conn.exec_driver_sql("SELECT count(*) FROM versions").scalar()
    store.close()
    assert checks == (["failed"] if tracked else []) and versions == 0
