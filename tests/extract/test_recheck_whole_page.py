"""A body read from the whole page (trafilatura's loose paragraphs, the density reading):
its key's container is the whole ``<body>``, every link's text in it covered, so only
what is noise in any element may change (key version 8)."""

from __future__ import annotations

import pytest

from tearsheet.extract import check_capture
from tearsheet.extract.extraction import extract_capture
from tearsheet.extract.recheck import DecisionKey, unchanged
from tests.support.pages import KEYED_STORY

URL = "https://news.example/story"
MENU = ("Home", "World", "Sport")


def page(noise: int = 1, *, story: list[str] = KEYED_STORY, menu: tuple[str, ...] = MENU,
         extra: str = "") -> str:
    """A story in wrappers no container pattern names, its chrome renumbered by
    ``noise`` (link addresses, classes, a script's nonce)."""
    paragraphs = "".join(f"<p>{p}</p>" for p in story)
    links = " ".join(f'<a href="/{m.lower()}?v={noise}">{m}</a>' for m in menu)
    return (f'<!DOCTYPE html><html lang="en"><head><title>Harbour budget</title>'
            f'<script>var nonce = "{noise * 7919}";</script></head><body>'
            f'<div class="top top-{noise}"><span>{links}</span></div>'
            f'<div class="wrapper-{noise}"><h1>Harbour budget</h1>{paragraphs}</div>'
            f'<div class="bottom">{extra}<span>Contact the newsroom</span></div></body></html>')


def key_of(html: str) -> DecisionKey:
    checked = check_capture(html.encode(), URL, "utf-8", "text/html")
    assert checked.extraction is not None
    assert checked.extraction.body_from in ("loose", "density")
    key = DecisionKey.loads(checked.key)
    assert key is not None
    return key


def test_the_whole_body_is_the_container_and_noise_keeps_the_fast_path() -> None:
    key = key_of(page(1))
    assert key.digest and key.locator == ("html.#", "body.#") and key.masked == ()
    assert all(unchanged(page(n), key) for n in range(2, 6))


@pytest.mark.parametrize("edit", [
    lambda: page(2, menu=("Home", "World", "Sports")),
    lambda: page(2, menu=(*MENU, "Opinion")),
    lambda: page(2, extra="<p>A reader's letter, added far from the story's paragraphs.</p>"),
    lambda: page(2, story=[*KEYED_STORY[:-1], KEYED_STORY[-1] + " It was passed late."]),
    lambda: page(2).replace("Contact the newsroom", "Contact the editors"),
], ids=["a menu link's text", "a menu link added", "a paragraph far away", "body word",
        "a line of chrome"])
def test_any_text_of_the_page_edited_means_a_full_extraction(edit: object) -> None:
    """Any line may join a body read from the whole page, a link's too (a block that is
    one of the page's links is furniture: renamed, it may be read)."""
    key = key_of(page(1))
    assert callable(edit)
    assert not unchanged(edit(), key)


def test_a_short_body_read_from_the_whole_page_gets_no_digest() -> None:
    html = page(1, story=KEYED_STORY[:3])
    checked = check_capture(html.encode(), URL, "utf-8", "text/html")
    extraction = extract_capture(html.encode(), URL, "utf-8", "text/html")
    assert extraction.body_from in ("loose", "density")
    key = DecisionKey.loads(checked.key)
    assert key is not None and (key.locator, key.digest) == ((), "")
