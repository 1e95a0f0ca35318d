"""Article events: what happened to an article that is not a new version of its text.

An article can be **unpublished** (the server answers 404 or 410, or redirects it to a
section or the home page), **moved** (a permanent redirect to another article's address:
its history follows it), **paywalled** later (a paywall teaser where the article was
readable), or **blocked** (the site refuses automated reading: 403, 451, a bot wall). A
page that is back after being unpublished, paywalled or blocked **returned**. Events are
recorded beside the checks, never as versions (a version is always text that was served
as the article), and only when the article's state changes: ten 404s in a row are one
event.

Pure: :func:`after_failure` and :func:`after_success` read what a check saw and the state
the article was in, and say which event (if any) the check makes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tearsheet.store.records import ArticleEvent

EVENT_KINDS = ("unpublished", "moved", "paywalled", "blocked", "returned")
GONE_STATUSES = frozenset({404, 410})
BLOCKED_STATUSES = frozenset({401, 403, 451})
BLOCKED_REASONS = frozenset({"blocked", "login", "consent"})
GONE_STATES = frozenset({"unpublished", "paywalled", "blocked"})  # "moved" is not gone


def after_failure(state: str | None, *, http_status: int | None, reason: str | None,
                  has_versions: bool) -> ArticleEvent | None:
    """The event of a failed check: a 404/410 (unpublished), a paywall where the article
    was readable (paywalled), a refusal by the site (blocked); None for anything else
    (an outage is not an event) or when the article is in that state already."""
    if http_status in GONE_STATUSES:
        event = ArticleEvent("unpublished", "unpublished", f"HTTP {http_status}")
    elif http_status in BLOCKED_STATUSES or reason in BLOCKED_REASONS:
        event = ArticleEvent("blocked", "blocked",
                             f"HTTP {http_status}" if http_status else reason)
    elif reason in ("paywall", "soft_404") and has_versions:
        event = (ArticleEvent("paywalled", "paywalled", "a paywall teaser")
                 if reason == "paywall" else
                 ArticleEvent("unpublished", "unpublished", "a 'not found' page"))
    else:
        return None
    return None if event.state == state else event


def after_redirect(state: str | None, url: str, final_url: str,
                   permanent: bool) -> ArticleEvent | None:
    """The event of a check that was redirected: to a section or the home page, the
    article is unpublished (no event when it was already); permanently to another
    article's address, it moved."""
    if _same_page(url, final_url):
        return None
    if is_section_of(url, final_url):
        return None if state == "unpublished" else ArticleEvent(
            "unpublished", "unpublished", f"redirected to {final_url}")
    if not permanent or state == "moved":  # a move is recorded once
        return None
    return ArticleEvent("moved", "moved", final_url)


def redirected_away(url: str, final_url: str) -> bool:
    """The article's address now leads to a section or the home page: not the article."""
    return not _same_page(url, final_url) and is_section_of(url, final_url)


def after_success(state: str | None) -> ArticleEvent | None:
    """A readable article again after being unpublished, paywalled or blocked."""
    return ArticleEvent("returned", None) if state in GONE_STATES else None


def is_section_of(url: str, final_url: str) -> bool:
    """Whether ``final_url`` is the home page or a section of ``url``'s site: the same
    host (or none), and a path of at most one segment, or one that the article's own path
    starts with (``/world/europe/`` for ``/world/europe/2026/story``). A single segment
counts when it reads like a section's name (short, no digits, at most one hyphen)."""
    old, new = urlsplit(url), urlsplit(final_url)
    if new.netloc and old.netloc and _host(new.netloc) != _host(old.netloc):
        return False
    path = new.path.rstrip("/")
    segments = [s for s in path.split("/") if s]
    if not segments:
        return True  # the home page
    if len(segments) == 1 and _section_like(segments[0]) and not new.query:
        return True  # "/world", "/us-news"; not "/ferry-runs-aground-off-gull-point"
    return old.path.startswith(path + "/") and old.path.rstrip("/") != path


def _section_like(segment: str) -> bool:
    return len(segment) <= 20 and segment.count("-") <= 1 and not any(
        c.isdigit() for c in segment)


def _same_page(url: str, final_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(final_url)
    return (_host(a.netloc), a.path.rstrip("/")) == (_host(b.netloc), b.path.rstrip("/"))


def _host(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return host.removeprefix("www.")
