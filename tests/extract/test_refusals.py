"""Bad captures: each kind of page that is not the article is refused, with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract.extraction import extract
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import export, run_once, write_config
from tests.support.pages import LOREM, rss_feed
from tests.support.refusals import BAD, COOKIE_BANNER, REASONS, site_page, story


@pytest.mark.parametrize("kind", list(BAD))
def test_each_bad_capture_is_refused_with_its_reason(kind: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(BAD[kind], "https://news.example/2026/budget")
    assert caught.value.reason == REASONS.get(kind, kind)


# A page with every optional end tag omitted (HTML allows it), in four paragraphs.
OMITTED = ("<!DOCTYPE html><html><head><meta charset=utf-8><title>Budget</title><body>"
           "<h1>Council approves budget</h1><p>{}<p>{}<p>{}<p>{}")
CHINESE = ["市议会周二投票通过了明年的预算，其中包括修建新桥和扩建公交车站的费用。",
           "市长表示，这项预算是十年来最大的一笔公共投资，将为本市创造数百个工作岗位。",
           "反对派议员批评说，预算没有考虑到老城区居民的需要，并要求重新讨论住房问题。",
           "议会将于下个月再次开会，讨论交通计划的细节以及公交车站扩建工程的时间表。"]

GOOD = {
    # A short article beside a cookie banner and a newsletter box is still an article.
    "short-with-banner": site_page("Council approves budget", story(LOREM[:2]) + COOKIE_BANNER
                                   + "<aside><p>Sign up to our newsletter</p></aside>"),
    # A headline that reads like an error page, on a real (short) article.
    "headline-not-found": site_page("Missing hiker found", story(
        LOREM[:2], title="Missing hiker not found after two days of searching the hills")),
    # The number 404 in a short article's headline (and URL) is news, not a status code.
    "headline-with-404": site_page("Local painter wins art prize (404)", story(
        LOREM[:2], title="Local painter wins art prize (404)")),
    "headline-starting-404": site_page("404 jobs cut at the shipyard", story(
        LOREM[:2], title="404 jobs cut at the shipyard")),
    # A long article that talks about subscriptions and cookies is not a wall.
    "long-about-paywalls": site_page("Publishers and paywalls", story(
        [*LOREM, *LOREM, "Readers who subscribe to continue reading often accept all "
         "cookies without a thought, the report said."])),
    # No end tags, but the body ends a sentence: pages without </html> exist.
    "no-end-tags": site_page("Council approves budget", story(LOREM), end=""),
    # HTML lets a page omit every optional end tag: one whose last paragraph ends a
    # sentence, with the full stop of its script, is whole.
    "omitted-end-tags": OMITTED.format(*LOREM[:4]),
    "omitted-end-tags-chinese": OMITTED.format(*CHINESE),
    # No end tags and a last line without a full stop, but the page ends with a tag.
    "minified": site_page("Council approves budget", story([*LOREM, "Photo: Reuters"]),
                          end="<script>track()</script>"),
}


@pytest.mark.parametrize("kind", list(GOOD))
def test_real_articles_are_not_taken_for_bad_captures(kind: str) -> None:
    assert extract(GOOD[kind], "https://news.example/2026/budget").paragraphs
    assert extract(GOOD[kind], "https://news.example/a/404").paragraphs


def test_a_page_cut_off_mid_sentence_is_refused_in_any_script() -> None:
    for page in (OMITTED.format(*LOREM[:4])[:-12],
                 OMITTED.format(*CHINESE)[:-12]):
        with pytest.raises(ExtractionError) as caught:
            extract(page, "https://news.example/2026/budget")
        assert caught.value.reason == "truncated"


@pytest.mark.parametrize("kind", ["paywall", "soft_404", "consent"])
def test_the_tracker_records_a_bad_capture_as_a_failed_check(
    server: LocalServer, tmp_path: Path, kind: str,
) -> None:
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/budget", "x")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    server.route("/news/budget", site_page("Council approves budget", story(LOREM)))
    config = write_config(tmp_path, server)
    run_once(config)
    server.route("/news/budget", BAD[kind])
    run_once(config)
    assert [v["version"] for v in export(config, tmp_path)] == [1]  # no "deleted" phantom
    from tearsheet.store.store import Store
    store = Store.open(f"sqlite:///{tmp_path / 'ts.db'}")
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT outcome, http_status, error FROM checks "
                                    "ORDER BY id").all()
    store.close()
    assert [r[0] for r in rows] == ["new_version", "failed"]
    assert rows[1][1] == 200
    assert f"[{kind}]" in rows[1][2]
