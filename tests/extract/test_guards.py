"""Guarded ``re:test`` s select what the plain ones do: the literals are necessary, and
trafilatura's own expressions, guarded, find the same elements on real pages."""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Iterator

import lxml.html
import pytest
import trafilatura.xpaths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tearsheet.extract import guards, reader
from tearsheet.extract.extraction import extract
from tests.support.pages import LOREM, article_page
from tests.support.shared import shared_path

_TESTED = re.compile(r"re:test\(\s*@[\w-]+(?:\s*\|\s*@[\w-]+)*\s*,\s*'([^']*)'\s*\)")


def _lists() -> dict[str, list[etree.XPath]]:
    """trafilatura's expression lists (every one of them, guarded here or not)."""
    return {name: value for name, value in vars(trafilatura.xpaths).items()
            if isinstance(value, list) and value
            and all(isinstance(e, etree.XPath) for e in value)}


def _patterns() -> list[str]:
    found = {p for expressions in _lists().values() for e in expressions
             for p in _TESTED.findall(e.path)}
    return sorted(found | set(HARD))


HARD = [
    "author-?name|AuthorName", "^(?:nav|post-nav)|(?:^| )ad-|dfp[Aa]d", "x{2}yz", "ab+c",
    r"foo\.bar", "(?:abc)?de", "(?:abcd)+e", r"a\sbcd", "[Cc]omments?|-reply-", "a|b",
    "(?:ab|cd){0,2}ef", "[]x]yz|q[^a-c]rs", "ta(?:b|ble)s?-list", "news{1,3}letter",
    "^[Cc]omment(?!ary)|(?:article|post)-comments", "(?<=-)hidden(?=-)",
]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("author-?name|AuthorName|authorName", {"author", "AuthorName"}),  # "authorName" holds "author"
    ("[Aa]uthor", {"uthor"}),
    ("^[Cc]omments|article-(?:share|support)", {"omments", "article-"}),
    ("(?:ab|cd)ef", {"ef"}),
    ("x(?:abcd|efgh)y", {"abcd", "efgh"}),
    ("(?:abc)?de", {"de"}),
    ("a|", None),  # matches an empty string: nothing bounds it
    ("[Cc]omment(?!ary)|(?<=x)abc", {"omment", "abc"}),  # a lookaround reads no character
    ("(?=x)", None),
    ("(?i)abc", None),  # nor is a flag
    ("^$", None),
])
def test_the_literals_of_a_pattern(pattern: str, expected: set[str] | None) -> None:
    found = guards.literals(pattern)
    assert (None if found is None else set(found)) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_match_holds_one_of_the_literals(data: st.DataObject) -> None:
    pattern = data.draw(st.sampled_from(_patterns()))
    found = guards.literals(pattern)
    if found is None:
        return
    text = data.draw(st.from_regex(pattern))
    assert any(literal in text for literal in found), (pattern, text, found)


def test_trafilatura_s_patterns_are_bounded() -> None:
    """Most of them are: a guard that fell back everywhere would spare nothing."""
    patterns = _patterns()
    bounded = [p for p in patterns if guards.literals(p) is not None]
    assert len(bounded) >= 0.8 * len(patterns), set(patterns) - set(bounded)


def _classes(pattern: str) -> Iterator[str]:
    """Class and id values that meet ``pattern``'s literals, with it matching or not."""
    for literal in sorted(guards.literals(pattern) or ()):
        yield literal
        yield f"x {literal}-y"
        yield literal[:-1]
        yield literal.upper()


def _page(values: list[str]) -> lxml.html.HtmlElement:
    """Elements of the tags the expressions name, with the values as classes and ids and
    styles, in turn written first and last: of ``@id|@class`` the first written is read."""
    tags = ["div", "span", "a", "p", "section", "article", "ul", "li", "aside", "h3", "main"]
    other = values[::-1]
    parts = []
    for n, value in enumerate(values):
        tag = tags[n % len(tags)]
        attributes = [f'class="{value}"', f'id="{other[n]}{n % 3 or ""}"',
                      f'style="{values[(n * 7) % len(values)]}"']
        if n % 2:
            attributes.reverse()
        parts.append(f"<{tag} {' '.join(attributes)}>t {n}</{tag}>")
    return lxml.html.fromstring(f"<html><body><div>{''.join(parts)}</div></body></html>")


def test_guarded_expressions_find_what_the_plain_ones_do_on_made_pages() -> None:
    values = [v for p in _patterns() for v in _classes(p)]
    tree = _page(values)
    compared = 0
    for expressions in _lists().values():
        for expression in expressions:
            assert guards.guarded(expression)(tree) == expression(tree), expression.path
            compared += expression.path != guards.guarded(expression).path
    assert compared >= 10  # most expressions were rewritten, and still agree


def test_guarded_expressions_find_what_the_plain_ones_do_on_real_pages() -> None:
    folder = shared_path("corpora", "readability")
    pages = sorted(folder.glob("*/source.html.gz"))
    assert pages
    for page in pages:
        tree = lxml.html.fromstring(gzip.decompress(page.read_bytes()))
        for expressions in _lists().values():
            for expression in expressions:
                assert guards.guarded(expression)(tree) == expression(tree), \
                    (page.parent.name, expression.path)


def test_a_pattern_of_many_literals_is_guarded_by_the_attribute_alone() -> None:
    many = "|".join(f"word{n}x" for n in range(guards.MAX_LITERALS + 1))
    spaces = {"re": "http://exslt.org/regular-expressions"}
    expression = etree.XPath(f"//*[re:test(@class, '{many}')]", namespaces=spaces)
    assert guards.guarded(expression).path == \
        f"//*[((@class) and re:test(@class, '{many}'))]"
    empty = etree.XPath("//p[re:test(@class, 'x*')]", namespaces=spaces)  # "" matches
    assert guards.guarded(empty) is empty
    tree = lxml.html.fromstring('<div><p class="word3x">a</p><p>b</p><p class="">c</p></div>')
    assert [p.text for p in guards.guarded(expression)(tree)] == ["a"]
    assert [p.text for p in guards.guarded(empty)(tree)] == ["a", "b", "c"]


def test_an_extraction_reads_with_the_guarded_lists_and_puts_them_back() -> None:
    module = trafilatura.main_extractor
    before = module.OVERALL_DISCARD_XPATH
    seen: list[list[etree.XPath]] = []
    original = module.prune_unwanted_nodes

    def spy(tree: object, nodelist: list[etree.XPath], *args: object, **kwargs: object) -> object:
        seen.append(nodelist)
        return original(tree, nodelist, *args, **kwargs)  # type: ignore[arg-type]

    module.prune_unwanted_nodes = spy  # type: ignore[assignment]
    try:
        found = extract(article_page("A guarded story", LOREM), "http://news.example/a")
    finally:
        module.prune_unwanted_nodes = original
    assert found.title == "A guarded story"
    assert module.OVERALL_DISCARD_XPATH is before  # put back
    guarded = guards.guarded_all(tuple(before))
    assert any(nodelist == guarded for nodelist in seen)
    assert all(nodelist != before for nodelist in seen)
    assert reader._GUARDED  # the lists it swaps are named


def test_a_step_of_tag_names_becomes_a_union() -> None:
    assert guards.tag_unions(".//*[self::div or self::section][@id='x' or @class]") == \
        "(.//div|.//section)[@id='x' or @class]"
    assert guards.tag_unions("(//*[ self::h1 or self::h2 ][contains(@class, 't')])[1]|//p") == \
        "((//h1|//h2)[contains(@class, 't')])[1]|//p"
    assert guards.tag_unions(".//*[self::p][not(.//h1)][(@a = 'b')]") == \
        "(.//p)[not(.//h1)][(@a = 'b')]"


@pytest.mark.parametrize("path", [
    ".//*[self::p or self::div][1]",  # the first of each parent's: not of the whole page
    ".//*[self::p or self::div][@class][last()]",
    ".//*[self::p or self::div][position() < 2]",
    ".//*[self::p or self::div][count(b)]",  # a number: a position again
    ".//*[self::p or self::div][@class]//a",  # a path that goes on
    "a/.//*[self::p or self::div]",  # not where a path begins
    ".//*[self::p or self::div][@class='a]'",  # does not close
])
def test_a_step_that_may_count_positions_is_left_as_it_is(path: str) -> None:
    assert guards.tag_unions(path) == path


_TAGS = ["div", "p", "span", "section", "a"]
_PREDICATES = ["@class", "@class='x'", "contains(@id, 'y') or @class='z'", "not(.//a)",
               "1", "2", "last()", "position() < 2", "count(a)", "(@id and @class)",
               "string-length(@id) > 1", ".//p"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TAGS), min_size=1, max_size=3, unique=True),
       st.lists(st.sampled_from(_PREDICATES), max_size=2), st.sampled_from([".//", "//"]),
       st.booleans(), st.randoms(use_true_random=False))
def test_tag_unions_select_what_the_step_did(tags: list[str], predicates: list[str], axis: str,
                                             first: bool, rng: random.Random) -> None:
    """Whatever the predicates (boolean or counting positions), the rewritten expression
    selects the same elements in the same order on a nested page."""
    path = axis + "*[" + " or ".join(f"self::{t}" for t in tags) + "]" + \
        "".join(f"[{p}]" for p in predicates)
    if first:
        path = f"({path})[1]"
    shapes = ['<div class="x" id="yy"><p>a</p><p class="z">b<a>l</a></p></div>',
              '<section><div><span id="y1">c</span><p>d</p></div><p class="x">e</p></section>',
              '<p><span class="q">f</span><a>g</a></p>',
              '<div><div><div><p>h</p></div></div></div>']
    order = list(range(len(shapes) * 2))
    rng.shuffle(order)
    page = "".join(shapes[n % len(shapes)] for n in order)
    tree = lxml.html.fromstring(f"<html><body><div>{page}</div></body></html>")
    rewritten = etree.XPath(guards.tag_unions(path))
    assert rewritten(tree) == etree.XPath(path)(tree), (path, rewritten.path)


def test_the_union_is_what_trafilatura_s_steps_become() -> None:
    """Most of trafilatura's expressions begin with such a step: the rewrite reaches them."""
    rewritten = [e for expressions in _lists().values() for e in expressions
                 if guards.tag_unions(e.path) != e.path]
    assert len(rewritten) >= 15
