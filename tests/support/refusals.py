"""Pages that are not the article, one per refusal reason (the extractor's tests and the
command line's), and the chrome of the site they come from."""

from __future__ import annotations

import json
from html import escape

from tests.support.pages import LOREM

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


def stub_page(paragraphs: list[str], title: str, *, extra: str = "") -> str:
    """A page whose headline is in its metadata and whose body is the paragraphs alone (a
    breaking story's first version: a sentence or two)."""
    return (f"<html><head><title>{escape(title)} | The Daily Example</title>"
            f"<meta property='og:title' content='{escape(title)}'></head><body>{extra}"
            "<main><div>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            + "</div></main><footer><p>Contact us</p></footer></body></html>")


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

# Bot checks and pages that are not articles (the reasons issue 14 added).
BAD["blocked"] = (
    "<html><head><title>Just a moment...</title></head><body><h1>Checking if the site "
    "connection is secure</h1><p>example.org needs to review the security of your "
    "connection before proceeding.</p><script src='/cdn-cgi/challenge-platform/h/b/"
    "orchestrate/jsch/v1'></script></body></html>")
BAD["not_article"] = site_page("In pictures", "<article><h1>In pictures</h1>" + "".join(
    f"<figure><img src='/p{n}.jpg' alt='Photo {n}'></figure>" for n in range(12))
    + "<p>The best pictures.</p></article>")
