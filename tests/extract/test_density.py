"""The second opinion on the body: readability's density scoring where trafilatura finds little."""

from __future__ import annotations

from tearsheet.extract import extract
from tearsheet.extract.body import Block
from tearsheet.extract.density import better_of, wants_second_opinion

PARAGRAPHS = [
    f"Paragraph {n} of the report says what the council decided on Tuesday, why the vote "
    f"was close, and what residents of the northern district can expect next year."
    for n in range(1, 6)
]
SHARE_WIDGET = """
<div class="sharedaddy sd-block sd-like" id="like-post-wrapper">
  <h3 class="sd-title">Like this:</h3>
  <div class="likes-widget-placeholder" style="height:55px">
    <span class="button"><span>Like</span></span><span class="loading">Loading...</span>
  </div>
</div>"""


def _page() -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2]) + SHARE_WIDGET + \
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    return (f"<html><head><title>Council vote</title></head><body><article class='main'>"
            f"<h1>Council vote</h1>{body}</article></body></html>")


def test_a_body_cut_short_by_a_widget_is_read_whole() -> None:
    # trafilatura's fast path stops at the share widget; the density scoring reads on.
    assert extract(_page(), "https://example.org/a").paragraphs == PARAGRAPHS


def test_the_second_opinion_is_asked_only_for_a_body_covering_little_of_the_page() -> None:
    body = [Block("p", "x" * 600)]
    assert not wants_second_opinion(body, visible=1000)
    assert wants_second_opinion(body, visible=1300)


def test_the_second_opinion_is_taken_only_when_it_finds_far_more() -> None:
    first = [Block("p", "x" * 500)]
    assert better_of(first, [Block("p", "y" * 900)]) == first
    longer = [Block("p", "y" * 1100)]
    assert better_of(first, longer) == longer
