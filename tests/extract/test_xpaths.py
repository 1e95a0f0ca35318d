"""The expressions written for libxml2's speed select what their plain forms do.

``//@a[…]/..`` (attributes first, then their elements) instead of ``//*[@a…]`` (a
predicate for every element of the page): the same elements in the same order, on made
pages that hold the edge cases and on every page of the corpora.
"""

from __future__ import annotations

import gzip

import lxml.html
import pytest
from lxml import etree

from tearsheet.extract import density, markup, metadata
from tests.support.shared import shared_path

PLAIN = {
    "dated": "//*[@itemprop][@itemprop='datePublished' or @itemprop='dateModified']"
             "|//time[@pubdate]",
    "marked authors": "//*[@rel='author']|//*[@itemprop='author']//*[@itemprop='name']"
                      "|//*[@itemprop='author'][not(.//*[@itemprop='name'])]",
    "byline class": "//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ') or "
                    "contains(concat(normalize-space(@class), ' '), '-byline ') or "
                    "contains(concat(normalize-space(@class), ' '), '_byline ')]",
    "hidden": "//body//*[@hidden or @aria-hidden='true']",
    "hidden or styled": "//*[@hidden]|//*[@aria-hidden='true']|//*[@style]",
}
FAST = {
    "dated": metadata._DATED,
    "marked authors": metadata._MARKED_AUTHORS,
    "byline class": metadata._BYLINE_CLASS,
    "hidden": markup._HIDDEN,
    "hidden or styled": density._HIDDEN_OR_STYLED,
}

MADE = """<html hidden style="x"><head><meta itemprop="datePublished" content="2024"></head>
<body hidden aria-hidden="true" class="byline" rel="author" itemprop="author">
<div itemprop="author" class="a-byline"><span itemprop="name">A</span>
  <span itemprop="author"><b itemprop="name">B</b></span></div>
<p itemprop="author" rel="author">C <i itemprop="names">x</i></p>
<time pubdate datetime="2024-01-01" itemprop="dateModified">t</time>
<span class=" byline  x" aria-hidden="false" style="">D</span>
<span class="byline-date" hidden="">E</span><div class="x_byline"><p aria-hidden="true">F</p></div>
<a rel="author nofollow">G</a><em itemprop="dateModified" rel="author" class="bylines">H</em>
</body></html>"""


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_each_fast_form_selects_what_the_plain_one_does_on_a_made_page(name: str) -> None:
    tree = lxml.html.fromstring(MADE)
    found = FAST[name](tree)
    assert found == etree.XPath(PLAIN[name])(tree)
    assert found  # the page holds something of each


def test_each_fast_form_selects_what_the_plain_one_does_on_the_corpora() -> None:
    pages = [p for folder in ("readability", "trafilatura-eval", "extraction")
             for p in sorted(shared_path("corpora", folder).rglob("*.htm*.gz"))]
    assert len(pages) > 500
    plain = {name: etree.XPath(path) for name, path in PLAIN.items()}
    selected = 0
    for page in pages:
        try:
            tree = lxml.html.fromstring(gzip.decompress(page.read_bytes()))
        except (etree.ParserError, ValueError):
            continue
        for name, expression in plain.items():
            found = FAST[name](tree)
            assert found == expression(tree), (page.name, name)
            selected += len(found)
    assert selected > 1000
