"""Bad captures: each kind of page that is not the article is refused, with its reason."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract.extraction import extract
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import export, run_once, write_config
from tests.support.pages import LOREM, rss_feed

COOKIE_BANNER = ('<div class="cmp-banner"><p>We and our partners use cookies to personalise '
                 'content. <button>Accept all cookies</button></p></div>')


def site_page(title: str, body: str, *, head: str = "", end: str = "</body></html>") -> str:
    """A page of the Daily Example: its chrome around ``body``."""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
            f" | The Daily Example</title>{head}</head><body>"
            '<header><nav><a href="/">Home</a> <a href="/world">World</a> '
            '<a href="/business">Business</a> <a href="/sport">Sport</a></nav></header>'
            f"<main>{body}</main><footer><p>© The Daily Example. All rights reserved.</p>"
            f"<p>Contact us · Careers · Advertise</p></footer>{end}")


def story(paragraphs: list[str], title: str = "Council approves budget") -> str:
    return f"<article><h1>{escape(title)}</h1>" + "".join(
        f"<p>{escape(p)}</p>" for p in paragraphs) + "</article>"


NOT_FREE = ('<script type="application/ld+json">' + json.dumps({
    "@type": "NewsArticle", "headline": "Council approves budget",
    "isAccessibleForFree": "False"}) + "</script>")

BAD = {
    "paywall": site_page("Council approves budget", story(LOREM[:1]) + (
        '<div class="paywall"><h2>Subscribe to continue reading</h2><p>Get unlimited access '
        "for $1 a week. Already a subscriber? Log in.</p></div>")),
    "paywall-json-ld": site_page("Council approves budget", story(LOREM[:2]), head=NOT_FREE),
    "consent": site_page("Before you continue", (
        '<div class="consent"><h1>Before you continue</h1><p>We use cookies and data to '
        "deliver and maintain our services, measure audience engagement and show you "
        "personalised ads.</p><button>Reject all</button><button>Accept all cookies</button>"
        "</div>")),
    "login": site_page("Sign in", (
        '<form><h1>Sign in to your account</h1><label>Email <input type="email"></label>'
        '<label>Password <input type="password" name="pw"></label><button>Log in</button>'
        '<a href="/forgot">Forgot your password?</a></form>')),
    "error_page": site_page("Something went wrong", (
        "<h1>Something went wrong</h1><p>We are having trouble loading this page. Please "
        "try again in a few minutes.</p>")),
    "soft_404": site_page("Page not found", (
        "<h1>Page not found</h1><p>Sorry, the page you are looking for does not exist or has "
        "been moved. Try our search or go back to the home page for today's top stories.</p>")),
    # The status code as the whole heading, or named as one.
    "soft_404-bare-code": site_page("404", (
        "<h1>404</h1><p>Try our search or go back to the home page for today's top "
        "stories.</p>")),
    "soft_404-error-code": site_page("Error 404", (
        "<h1>Oops</h1><p>Try our search or go back to the home page for today's top "
        "stories.</p>")),
    # Cut off in transit, in the middle of the last paragraph.
    "truncated": (lambda page: page[:page.index("plan and the") + len("plan and the")])(
        site_page("Council approves budget", story([*LOREM, "The council will meet again "
                  "next month to discuss the transport plan and the bus depot."]))),
    "too_short": site_page("Council approves budget", story(["Developing story."])),
    "empty-body": site_page("Council approves budget", "<article><h1>Council</h1></article>"),
}
REASONS = {"paywall-json-ld": "paywall", "empty-body": "too_short",
           "soft_404-bare-code": "soft_404", "soft_404-error-code": "soft_404"}


@pytest.mark.parametrize("kind", list(BAD))
def test_each_bad_capture_is_refused_with_its_reason(kind: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(BAD[kind], "https://news.example/2026/budget")
    assert caught.value.reason == REASONS.get(kind, kind)


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
    # No end tags and a last line without a full stop, but the page ends with a tag.
    "minified": site_page("Council approves budget", story([*LOREM, "Photo: Reuters"]),
                          end="<script>track()</script>"),
}


@pytest.mark.parametrize("kind", list(GOOD))
def test_real_articles_are_not_taken_for_bad_captures(kind: str) -> None:
    assert extract(GOOD[kind], "https://news.example/2026/budget").paragraphs
    assert extract(GOOD[kind], "https://news.example/a/404").paragraphs


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
