"""A long body can be outweighed too: extraction weighs any body read from trafilatura's
container against a density reading of the whole page when the page shows much more text
(``density.ASK_BELOW_SHARE``), so every such key holds its page to the visible text that
kept that second opinion away, and a body read with it asked gets no digest (key version
8; version 7 held short bodies only, and missed the page below)."""

from __future__ import annotations

from tearsheet.extract import check_capture
from tearsheet.extract.density import visible_chars
from tearsheet.extract.extraction import extract_capture
from tearsheet.extract.fast_path import recheck
from tearsheet.extract.recheck import DecisionKey, parse
from tests.support.pages import KEYED_HEADLINE, KEYED_STORY, article_page

URL = "https://news.example/story"
COMMENTS = " ".join(
    f"Reader comment number {n} says the weather in the valley was remarkably mild this "
    "autumn, and the harvest festival drew large crowds." for n in range(60))


def page(noise: int, discussion: str = "") -> str:
    """The story in a deeper layout than the support page's: its container's surroundings
    (two levels) do not reach the discussion beside the content column."""
    html = article_page(KEYED_HEADLINE, KEYED_STORY, byline="Jane Doe", noise=noise)
    return html.replace("<main>", "<div class='wrap'><div class='content'><main>").replace(
        "</main>", f"</main></div><div class='discussion'>{discussion}</div></div>")


def _paragraphs(text: str) -> str:
    return "<section>" + "".join(
        f"<p>{text[i:i + 400]}</p>" for i in range(0, len(text), 400)) + "</section>"


def test_a_long_body_outweighed_far_from_its_container_is_extracted() -> None:
    first = check_capture(page(1).encode(), URL, "utf-8", "text/html")
    key = DecisionKey.loads(first.key)
    assert key is not None and key.digest and not key.short and key.visible
    assert recheck(page(2).encode(), URL, "utf-8", "text/html", first.key) is not None
    grown = page(2, _paragraphs(COMMENTS))
    # The full extraction now reads another body: the fast path must not say unchanged.
    assert first.extraction is not None
    assert extract_capture(grown.encode(), URL, "utf-8", "text/html").text != \
        first.extraction.text
    assert recheck(grown.encode(), URL, "utf-8", "text/html", first.key) is None
    tree = parse(grown)
    assert tree is not None and visible_chars(tree) > key.visible  # the limit said so


def test_a_long_body_read_with_a_second_opinion_asked_gets_no_digest() -> None:
    """A page whose other text is mostly links (a menu three times the story): extraction
    asks the density reading, which finds no more than the story, and keeps the
    container; on another visit it might take it. The capture alone is keyed."""
    menu = "<ul>" + "".join(
        f"<li><a href='/s/{n}'>Another story from the newsroom about topic {n}</a></li>"
        for n in range(250)) + "</ul>"
    checked = check_capture(page(1, menu).encode(), URL, "utf-8", "text/html")
    assert checked.extraction is not None and checked.extraction.body_from == "container"
    assert checked.extraction.paragraphs[0] == KEYED_STORY[0]
    key = DecisionKey.loads(checked.key)
    assert key is not None and (key.locator, key.digest, key.visible) == ((), "", 0)
    assert key.capture
