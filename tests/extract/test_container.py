"""The container of the fast path: the smallest element showing every kept paragraph,
found again on the next load by its chain of masked signatures, and only it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tearsheet.extract.container import chain, find, locate, matching, signature, spaceless
from tearsheet.extract.recheck import parse

STORY = ["The council met on Tuesday night to approve the budget for the next year.",
         "Residents asked for more money for schools, roads and the parks downtown."]


def tree_of(html: str) -> etree._Element:
    found = parse(html)
    assert found is not None
    return found


def body_of(html: str) -> etree._Element:
    found = tree_of(html).find("body")
    assert found is not None
    return found


def test_the_container_is_the_smallest_element_holding_every_paragraph() -> None:
    body = body_of("<html><body><main><div class='story'><div class='text'>"
                   + "".join(f"<p>{p}</p>" for p in STORY)
                   + "</div><aside>Share</aside></div></main></body></html>")
    found = find(body, [spaceless(p) for p in STORY])
    assert found is not None and found.get("class") == "text"


def test_paragraphs_apart_make_their_common_ancestor_the_container() -> None:
    body = body_of(f"<html><body><main><div class='a'><p>{STORY[0]}</p></div>"
                   f"<div class='b'><p>{STORY[1]}</p></div></main></body></html>")
    found = find(body, [spaceless(p) for p in STORY])
    assert found is not None and found.tag == "main"


def test_re_spacing_does_not_hide_a_paragraph() -> None:
    spaced = STORY[0].replace(" ", "\n   ")
    body = body_of(f"<html><body><article><p>{spaced}</p><p>{STORY[1]}</p></article>"
                   "</body></html>")
    found = find(body, [spaceless(p) for p in STORY])
    assert found is not None and found.tag == "article"


@pytest.mark.parametrize("where", [
    "", "<script>var s = '{}';</script>", "<template>{}</template>"],
    ids=["absent", "in a script", "in a template"])
def test_a_paragraph_no_element_shows_means_no_container(where: str) -> None:
    body = body_of(f"<html><body><article><p>{STORY[0]}</p>{where.format(STORY[1])}"
                   "</article></body></html>")
    assert find(body, [spaceless(p) for p in STORY]) is None


@pytest.mark.parametrize("attributes", [
    'class="story-a1b2c3d4 body" id="post-123"', 'class="body" id="post-123"',
    'class="body" id="main"', 'id="x#1"', 'class="grid-7 #wide"', ""])
def test_the_container_is_found_again_with_its_volatile_runs_changed(attributes: str) -> None:
    # Digits and hex runs in a class or an id are masked: the same container on the next
    # load (new numbers) is found, and only it (a decoy with another class is not).
    def tree(numbers: str) -> etree._Element:
        return tree_of(f"<html><body><div class='decoy'><p>x</p></div>"
                       f"<div {attributes.replace('123', numbers)}><p>Story</p></div>"
                       "</body></html>")

    first = tree("123")
    container = first.find("body")[1]
    locator = [signature(e) for e in chain(container)]
    again = tree("987")
    assert locate(again, locator) is again.find("body")[1]


def test_a_locator_naming_two_elements_or_none_finds_nothing() -> None:
    page = "<html><body><div class='story'><p>One</p></div>{}</body></html>"
    first = tree_of(page.format(""))
    locator = [signature(e) for e in chain(first.find("body")[0])]
    assert locate(tree_of(page.format("<div class='story'><p>Two</p></div>")), locator) is None
    assert locate(tree_of(page.format("").replace("story", "other")), locator) is None
    assert locate(first, []) is None


def test_matching_lists_every_element_of_a_locator_in_the_pages_order() -> None:
    tree = tree_of("<html><body><ul class='cards'><li class='card'>1</li>"
                   "<li class='card'>2</li><li class='other'>3</li></ul>"
                   "<li class='card'>4</li></body></html>")
    first = tree.find("body")[0][0]
    found = matching(tree, [signature(e) for e in chain(first)])
    assert [e.text for e in found] == ["1", "2"]
    assert locate(tree, [signature(e) for e in chain(first)]) is None  # not alone


def _plain_find(body: etree._Element, paragraphs: list[str]) -> etree._Element | None:
    """``find`` as it was before children were placed by position (container._Spans):
    each child tried in order, its text folded for each paragraph again."""
    def folded(element: etree._Element) -> str:
        return spaceless(str(etree.tostring(element, method="text", encoding=str,
                                            with_tail=False)))

    def deepest(node: etree._Element, paragraph: str) -> etree._Element | None:
        if paragraph not in folded(node):
            return None
        while True:
            for child in node.iterchildren(tag=etree.Element):
                if child.tag not in ("script", "style", "template") and \
                        paragraph in folded(child):
                    node = child
                    break
            else:
                return node

    anchors = [p for p in paragraphs if len(p) >= 40] or [p for p in paragraphs if p]
    container: etree._Element | None = None
    for paragraph in anchors:
        if (found := deepest(body, paragraph)) is None:
            return None
        container = found if container is None else _common(container, found)
    if container is None:
        return None
    for paragraph in paragraphs:
        if paragraph and paragraph not in folded(container):
            if (found := deepest(body, paragraph)) is None:
                return None
            container = _common(container, found)
    shown = spaceless("".join(container.xpath(
        ".//text()[not(ancestor::script)][not(ancestor::style)][not(ancestor::template)]")))
    return None if any(p not in shown for p in paragraphs) else container


def _common(a: etree._Element, b: etree._Element) -> etree._Element:
    above = chain(a)
    return next(e for e in reversed(chain(b)) if any(e is x for x in above))


_WORDS = ["alpha", "beta", "gamma", "delta"]


@given(st.lists(st.tuples(st.sampled_from(["p", "div", "script", "span"]),
                          st.lists(st.sampled_from(_WORDS), max_size=6),
                          st.lists(st.sampled_from(_WORDS), max_size=2)),
                min_size=16, max_size=40),
       st.lists(st.tuples(st.integers(0, 39), st.integers(0, 5), st.integers(1, 6)),
                min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_a_crowd_of_children_is_searched_as_one_child_at_a_time(
        children: list[tuple[str, list[str], list[str]]],
        picks: list[tuple[int, int, int]]) -> None:
    # Many children (placed by position), short texts that repeat, straddle two children
    # or sit in a tail or a script: the container is the one trying each child finds.
    body = body_of("<html><body><main>" + "".join(
        f"<{tag}>{' '.join(text)}</{tag}>{' '.join(tail)}" for tag, text, tail in children)
        + "</main></body></html>")
    main = body[0]
    assert len(main) >= 16
    texts = [spaceless(" ".join(text + tail)) for _, text, tail in children]
    whole = "".join(texts)
    paragraphs = [whole[at * 7 % max(len(whole), 1):][skip:skip + size * 9]
                  for at, skip, size in picks]
    paragraphs = [p for p in paragraphs if p] or ["alpha"]
    assert find(body, paragraphs) is _plain_find(body, paragraphs)
