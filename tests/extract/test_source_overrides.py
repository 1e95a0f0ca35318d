"""Per-source overrides: ``body_selector`` and ``drop_selectors`` in config, extract, tracker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tearsheet.config import load_settings
from tearsheet.errors import ConfigError, ExtractionError
from tearsheet.extract.extraction import extract
from tests.support.cli import cli
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import export, run_once, write_config
from tests.support.pages import LOREM, rss_feed

NEWSLETTER = ("Get our free morning briefing with the day's biggest stories, hand picked "
              "by our editors and sent to you before breakfast every weekday")


def page(*, layout: str = "story") -> str:
    """A page whose generic extraction keeps a newsletter box that a selector drops."""
    first, second = ("".join(f"<p>{p}</p>" for p in half) for half in (LOREM[:2], LOREM[2:]))
    return (f"<html><head><title>Budget</title></head><body><h1>Budget</h1>"
            f"<div class='{layout}'>{first}<div class='signup'><p>{NEWSLETTER}</p></div>"
            f"{second}</div></body></html>")


def test_settings_accept_and_check_selectors() -> None:
    settings = load_settings(None, sources=[{
        "name": "daily", "body_selector": "article .story-body",
        "drop_selectors": [".newsletter-signup", "aside > ul"]}])
    source = settings.source("daily")
    assert source.body_selector == "article .story-body"
    assert source.drop_selectors == [".newsletter-signup", "aside > ul"]
    default = load_settings(None, sources=[{"name": "plain"}]).source("plain")
    assert (default.body_selector, default.drop_selectors) == (None, [])


@pytest.mark.parametrize(
    ("key", "value"),
    [("body_selector", "div[[["), ("drop_selectors", ["ok", "p:::x"]), ("body_selector", " ")],
)
def test_bad_selectors_are_refused_naming_the_key(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"sources\.0\.{key}"):
        load_settings(None, sources=[{"name": "daily", key: value}])


def test_extract_applies_drop_and_body_selectors() -> None:
    assert NEWSLETTER in extract(page()).text  # the generic extractor keeps it
    assert extract(page(), drop_selectors=[".signup"]).paragraphs == LOREM
    chosen = extract(page(), body_selector="div.story", drop_selectors=[".signup"])
    assert chosen.paragraphs == LOREM
    assert chosen.body_from == "selector"
    assert extract(page()).body_from == "container"


def test_a_body_selector_that_matches_nothing_fails_loudly() -> None:
    with pytest.raises(ExtractionError, match="matches nothing") as caught:
        extract(page(layout="redesigned"), body_selector="div.story")
    assert caught.value.reason == "selector"


def test_the_tracker_uses_the_sources_overrides(server: LocalServer, tmp_path: Path) -> None:
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/budget", "Budget")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    server.route("/news/budget", page())
    config = write_config(tmp_path, server)
    config.write_text(config.read_text() + 'drop_selectors = [".signup"]\n')
    run_once(config)
    assert [v["text"] for v in export(config, tmp_path)] == ["\n\n".join(LOREM)]
    # The site changes its layout: the selector finds nothing and the check fails (with
    # the reason), rather than storing whatever the generic extractor finds.
    config.write_text(config.read_text() + 'body_selector = "div.story"\n')
    server.route("/news/budget", page(layout="redesigned"))
    run_once(config)
    assert len(export(config, tmp_path)) == 1
    assert cli("status", "--config", str(config)) == 0
    from tearsheet.store.store import Store
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    with store.engine.connect() as conn:
        error = conn.exec_driver_sql(
            "SELECT error FROM checks WHERE outcome = 'failed'").scalar_one()
    store.close()
    assert "[selector]" in error and "div.story" in error
