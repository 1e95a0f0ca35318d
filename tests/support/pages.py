"""Test documents: the simulator's page templates with the tests' defaults, and sample text."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from tearsheet.simulate import article_page as _article_page
from tearsheet.simulate import rss_feed

__all__ = ["EDIT_AFTER", "EDIT_BEFORE", "LOREM", "article_page", "html_paragraphs", "ld",
           "metadata_page", "rss_feed", "story_page"]


def article_page(headline: str, paragraphs: list[str], *, byline: str = "Jane Doe",
                 **options: Any) -> str:
    """A realistic news page (see :func:`tearsheet.simulate.article_page`)."""
    return _article_page(headline, paragraphs, byline=byline, **options)


LOREM = [
    "The city council voted on Tuesday evening to approve a new budget that expands "
    "funding for public transport and adds two hundred new bus drivers next year.",
    "Officials said the plan would be paid for by a modest increase in parking fees "
    "and by savings from an earlier consolidation of administrative offices.",
    "Opponents argued that the measure had been rushed through without enough public "
    "consultation, and several residents spoke against it during the meeting.",
    "The mayor is expected to sign the budget into law before the end of the month, "
    "according to a spokeswoman who declined to give a precise date.",
]

# A story under a tag of 80,000 distinct attributes: libxml2 checks each new attribute
# against those before it, so the parse alone is tens of seconds (quadratic): a page only
# a time limit stops.
SLOW_PAGE = article_page("A slow story", LOREM).replace(
    "<body>", "<body><div " + " ".join(f"a{i}=x" for i in range(80_000)) + ">x</div>", 1)

# A story long enough for a decision key (the fast path keys bodies of 200 words or more).
KEYED_HEADLINE = "Council approves a new transport budget"
KEYED_STORY = [f"{p} (part {n})" for n in range(3) for p in LOREM]

# One short story before and after an edit: a figure corrected, a sentence rewritten, the
# last paragraph replaced by a correction (what the diff renderers and `tearsheet diff` show).
EDIT_BEFORE = (
    "The council approved a budget of 412 million on Tuesday. It adds forty bus drivers.\n\n"
    "Opponents said the plan relied on optimistic forecasts.\n\nThe mayor will sign it.\n")
EDIT_AFTER = (
    "The council approved a budget of 421 million on Tuesday night. It adds forty bus "
    "drivers.\n\nOpponents said the plan relied on optimistic forecasts.\n\n"
    "Correction: An earlier version of this article misstated the size of the budget.\n")


def metadata_page(head: str = "", *, before_body: str = "",
                  h1: str | None = "Council approves budget", html_attrs: str = 'lang="en"',
                  title: str = "Budget vote | The Daily Example") -> str:
    """An article page with ``head`` in its <head> and ``before_body`` above the body."""
    heading = f"<h1>{escape(h1)}</h1>" if h1 else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in LOREM)
    return (f"<!DOCTYPE html><html {html_attrs}><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title>{head}</head><body><article>{heading}"
            f"{before_body}{body}</article></body></html>")


def story_page(body: str) -> str:
    """A bare story page: a menu, the article (its <h1> "A story", then ``body``), a footer."""
    return (f"<html><head><title>A story</title></head><body><nav><a href='/'>Home</a>"
            f"<a href='/news'>News</a></nav><article><h1>A story</h1>{body}</article>"
            "<footer><p>Copyright the publisher.</p></footer></body></html>")


def html_paragraphs(*texts: str) -> str:
    """Each text as a ``<p>``."""
    return "".join(f"<p>{t}</p>" for t in texts)


def ld(data: dict[str, Any]) -> str:
    """``data`` as a JSON-LD script."""
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'
