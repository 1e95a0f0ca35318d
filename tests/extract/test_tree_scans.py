"""The decision key's scans of the parsed page: byline candidates by a word in their
attributes (ASCII case folded, anywhere in the value), metadata sources in page order."""

from __future__ import annotations

import re
from html import escape

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tearsheet.extract.recheck import parse
from tearsheet.extract.tree_scans import BYLINE_WORDS, byline_candidates, metadata_sources
from tests.support.fuzz import BOUNDED

ATTRIBUTES = ("class", "id", "itemprop", "rel", "name", "data-testid", "data-component")
# The plain definition the scan must agree with: a word anywhere in a value, ASCII
# letters folded, nothing else (a Kelvin sign is no "k", an "İ" no "i").
_WORD = re.compile("|".join(map(re.escape, BYLINE_WORDS)), re.IGNORECASE | re.ASCII)


def _reference(tree: etree._Element) -> list[etree._Element]:
    return [element for element in tree.iter()
            if element.tag in ("address", "author")
            or any(_WORD.search(element.get(name) or "") for name in ATTRIBUTES)]


def _page(spans: list[tuple[str, str]]) -> etree._Element:
    body = "".join(f'<span {name}="{escape(value)}">x</span>' for name, value in spans)
    tree = parse(f"<html><head><title>t</title></head><body><div>{body}</div>"
                 "<address>Ann Lee</address></body></html>")
    assert tree is not None
    return tree


def test_a_word_in_any_case_anywhere_in_a_value_names_a_candidate() -> None:
    tree = _page([("class", "Story-AUTHOR"), ("id", "ByLine"), ("data-testid", "AuthorCard"),
                  ("class", "headline"), ("rel", "nofollow"), ("itemprop", "Creator"),
                  ("class", "c-byl"), ("name", "description")])
    found = byline_candidates(tree)
    assert found == _reference(tree)
    assert [e.get("class") or e.get("id") or e.get("data-testid") or e.get("itemprop")
            or e.tag for e in found] == ["Story-AUTHOR", "ByLine", "AuthorCard", "Creator",
                                         "c-byl", "address"]


def test_an_element_with_several_matching_attributes_is_one_candidate() -> None:
    tree = parse('<html><body><p class="author" id="byline" rel="author">Ann</p>'
                 "</body></html>")
    assert tree is not None
    assert len(byline_candidates(tree)) == 1


def test_a_page_whose_every_value_holds_a_word_gives_every_element() -> None:
    # One find a value, not a scan of the rest for each: the answer is the plain one.
    tree = _page([("class", f"author-{n} writer") for n in range(5000)])
    assert len(byline_candidates(tree)) == 5001


_VALUES = st.lists(st.sampled_from(
    [*"abcdeiklnortuwyABCIKLRTUW- _1", "\u212a", "\u0130", "é", "作", *BYLINE_WORDS,
     "AUTHOR", "By-Line"]), max_size=12).map("".join)


@BOUNDED
@given(spans=st.lists(st.tuples(st.sampled_from(ATTRIBUTES), _VALUES), max_size=12))
def test_the_candidates_are_those_of_the_plain_definition(
        spans: list[tuple[str, str]]) -> None:
    tree = _page(spans)
    assert byline_candidates(tree) == _reference(tree)


def test_metadata_sources_are_the_head_and_the_headlines_in_page_order() -> None:
    tree = parse(
        '<html><head><title>T</title><meta name="author" content="Ann">'
        '<script type="Application/LD+JSON">{}</script><script>var x;</script>'
        '<link rel="Canonical" href="/a"><link rel="stylesheet" href="/s.css"></head>'
        "<body><h1>Headline</h1><h2>Not a source</h2></body></html>")
    assert tree is not None
    assert [e.tag for e in metadata_sources(tree)] == ["title", "meta", "script", "link", "h1"]
