"""A body that shrinks by more than half is fetched again, and held back until nothing
says the site broke, before it is stored."""

from __future__ import annotations

import time
from pathlib import Path

from tearsheet.store.store import Store
from tests.support.localserver import LocalServer, Reply, Request
from tests.support.newsroom import export, run_once, write_config
from tests.support.pages import LOREM, article_page, rss_feed
from tests.support.refusals import stub_page

LONG = [f"{p} (part {n})" for n in range(3) for p in LOREM]
SHORT = LONG[:3]
OTHER = [f"{p} (a third text)" for p in LOREM[:3]]


def serve(server: LocalServer, pages: list[list[str]]) -> None:
    """Serve the given bodies in turn, the last one for every request after."""
    queue = list(pages)

    def handler(request: Request) -> Reply:
        paragraphs = queue.pop(0) if len(queue) > 1 else queue[0]
        return Reply(body=article_page("A shrinking story", paragraphs))

    server.route("/news/story", handler)


def outcomes(tmp_path: Path) -> list[tuple[str, str | None]]:
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT outcome, error FROM checks ORDER BY id").all()
    store.close()
    return [(r[0], r[1]) for r in rows]


def setup(server: LocalServer, tmp_path: Path) -> Path:
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/story", "x")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    serve(server, [LONG])
    config = write_config(tmp_path, server)
    run_once(config)
    return config


def test_a_transient_shrink_is_not_stored(server: LocalServer, tmp_path: Path) -> None:
    config = setup(server, tmp_path)
    serve(server, [SHORT, LONG])  # a half-rendered page, then the real one again
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1]
    assert [o for o, _ in outcomes(tmp_path)] == ["new_version", "unchanged"]
    assert len(server.hits("/news/story")) == 3  # the second fetch happened


def test_a_confirmed_shrink_is_held_then_stored(server: LocalServer, tmp_path: Path) -> None:
    config = setup(server, tmp_path)
    config.write_text(config.read_text() + "[health]\nmax_holds = 1\n")
    serve(server, [SHORT])
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1]
    assert len(server.hits("/news/story")) == 3
    outcome, error = outcomes(tmp_path)[-1]
    assert outcome == "failed" and error is not None and "[held]" in error
    # No other article says the site broke: after max_holds holds, the cut is stored.
    time.sleep(0.7)  # the retry after a failure (first_interval × error_backoff)
    run_once(config)
    versions = export(config, tmp_path)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["text"] == "\n\n".join(SHORT)


def test_a_shrink_that_the_second_fetch_contradicts_fails(
    server: LocalServer, tmp_path: Path,
) -> None:
    config = setup(server, tmp_path)
    serve(server, [SHORT, OTHER])
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1]
    outcome, error = outcomes(tmp_path)[-1]
    assert outcome == "failed"
    assert error is not None and "[unconfirmed_shrink]" in error


def test_growth_and_small_cuts_need_no_second_fetch(server: LocalServer, tmp_path: Path) -> None:
    config = setup(server, tmp_path)
    serve(server, [LONG[:-2]])  # a cut of two paragraphs out of twelve
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1, 2]
    assert len(server.hits("/news/story")) == 2


BREAKING = ["BREAKING: The city council approves a new budget for public transport."]


def test_a_breaking_stub_is_a_first_version_and_a_collapse_to_one_is_held(
    server: LocalServer, tmp_path: Path,
) -> None:
    """A story's first version may be one sentence (extract/refusals.reports_headline);
    once the story is known, its page falling back to a sentence is a shrink, held back."""
    pages = [BREAKING]

    def handler(request: Request) -> Reply:
        return Reply(body=stub_page(pages[0], "Council approves budget"))

    server.route("/news/story", handler)
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/story", "x")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    config = write_config(tmp_path, server)
    run_once(config)
    pages[0] = LONG
    time.sleep(0.7)  # the first interval
    run_once(config)
    versions = export(config, tmp_path)
    assert [v["text"] for v in versions] == ["\n\n".join(BREAKING), "\n\n".join(LONG)]
    pages[0] = BREAKING  # a broken template, say: the body is a sentence again
    time.sleep(0.7)
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1, 2]
    outcome, error = outcomes(tmp_path)[-1]
    assert outcome == "failed" and error is not None and "[held]" in error


def test_a_page_of_one_bare_line_in_the_articles_place_is_a_shrink(
    server: LocalServer, tmp_path: Path,
) -> None:
    """A page that is nothing but a short text is read as that text
    (extract/refusals.bare_page); served once in a known article's place (a deploy's
    placeholder, say), it is a shrink: fetched again, and the article is back."""
    config = setup(server, tmp_path)
    served = ["<html><body>Test</body></html>"]

    def handler(request: Request) -> Reply:
        if served:
            return Reply(body=served.pop())
        return Reply(body=article_page("A shrinking story", LONG))

    server.route("/news/story", handler)
    time.sleep(0.7)  # the first interval
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1]
    assert [o for o, _ in outcomes(tmp_path)] == ["new_version", "unchanged"]
    assert len(server.hits("/news/story")) == 3  # the second fetch happened
