"""What trails an article: credits, follow prompts, teasers of other stories."""

from __future__ import annotations

from html import escape

import pytest

from tearsheet.extract import extract
from tearsheet.extract.blocks import Block
from tearsheet.extract.body import tidy
from tests.support.pages import LOREM

BODY = [Block("p", p) for p in LOREM]


@pytest.mark.parametrize(
    "line",
    ["© 2019 The Daily Example. All rights reserved.", "Copyright 2022 Example Media Group",
     "copyright Inexhibit 2019 - ISSN: 2283-5474", "(c) 2016 Example GmbH",
     "All Rights Reserved.", "Follow The Daily Example on Facebook, Twitter and Instagram.",
     "Follow The Gleaner on Twitter and Instagram @Gleaner and on Facebook @GleanerJamaica.",
     "Follow the Opinion section on Facebook, Twitter (@Opinion) and Instagram.",
     "Get the monthly magazine through your letterbox: 12 issues for £11.99. Click here "
     "for more information."],
)
def test_copyright_lines_and_follow_prompts_are_not_the_article(line: str) -> None:
    assert tidy([*BODY[:2], Block("p", line), *BODY[2:]]) == LOREM
    assert tidy([*BODY, Block("p", line)]) == LOREM


@pytest.mark.parametrize(
    "line",
    ["(c) the third option, which the council rejected, would have cost more.",
     "Copyright law has not changed since the treaty was signed, she said.",
     "She told supporters to follow the debate closely on Tuesday.",
     "Followers on Twitter reacted within minutes, the mayor's office said."],
)
def test_sentences_about_copyright_or_following_stay(line: str) -> None:
    assert tidy([*BODY, Block("p", line)]) == [*LOREM, line]


TEASERS = [("Gronk, Serena perform with Laker Girls", "Gronk may have found his true calling"),
           ("Playoff picture: Raiders in pursuit",
            "Breaking down the playoff picture after Sunday's action"),
           ("Rams top Bears as offenses struggle",
            "Neither side could get much going on Sunday night"),
           ("Pats place Olszewski on injured reserve", "New England's roster is re-shuffling")]


def _page(items: str) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in LOREM * 2)
    return f"""<!doctype html><html><head><title>Council approves budget</title></head><body>
<main><article><h1>Council approves budget</h1>
<div class="article-main-body">{paragraphs}
<div class="latest-news-box"><div class="title">Our Latest Stories</div>
<ul class="latest-news-box-row">{items}</ul></div></div></article></main></body></html>"""


def test_teasers_of_other_stories_after_the_body_go() -> None:
    # Each teaser is a linked headline with its blurb beside it, not in the link.
    items = "".join(
        f'<li class="col-4"><div class="headlines"><h3><a href="/s/{n}">{escape(title)}</a>'
        f'</h3><h4 class="subline">{escape(blurb)}</h4></div></li>'
        for n, (title, blurb) in enumerate(TEASERS))
    found = extract(_page(items), "https://example.com/news/budget")
    assert found.paragraphs == LOREM * 2


def test_items_that_end_the_body_stay_unless_they_open_with_a_link() -> None:
    steps = [Block("item", f"{title}: {blurb}") for title, blurb in TEASERS]
    assert tidy([*BODY, *steps]) == [*LOREM, *(s.text for s in steps)]
    teasers = [Block("item", f"{t}{b}", opens_link=True) for t, b in TEASERS]
    assert tidy([*BODY, *teasers]) == LOREM


def test_a_recirculation_heading_below_the_body_ends_it() -> None:
    # A slideshow widget under "You Might Also Like": its buttons, counters and captions
    # are items and lines that no other rule names, and a comment loader after it.
    widget = [Block("head", "You Might Also Like"), Block("head", "Featured Slide Shows"),
              *[Block("item", t, group=1) for t in ("Share on Twitter", "1 of 5", "Close")],
              Block("item", "“One girl can be silenced” slideshow: a photo contest winner",
                    group=2), Block("item", "Next", group=2),
              Block("head", "Comments"), Block("p", "Loading Comments...")]
    assert tidy([*BODY, *widget]) == LOREM


def test_a_furniture_heading_within_the_body_cuts_nothing() -> None:
    # "Related" opens the article's own section when a long paragraph follows it.
    section = [Block("head", "Related"), Block("p", LOREM[0] + " And more."),
               Block("p", "The end.")]
    assert tidy([*BODY, *section]) == [*LOREM, LOREM[0] + " And more.", "The end."]
    # Nor is more than a third of the body cut after a short one.
    short = [Block("p", LOREM[0]), Block("head", "Comments"),
             *[Block("item", p, group=1) for p in LOREM]]
    assert tidy(short) == [LOREM[0], *LOREM]
