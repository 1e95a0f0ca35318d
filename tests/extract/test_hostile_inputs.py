"""Hostile pages: the extractor reads a bounded part of them (JSON-LD authors, nesting and
size, meta attributes, charset labels) and ends in an article or an ExtractionError with
its reason, never a traceback or minutes of CPU (discovery's and the configuration's
share: tests/test_hostile_inputs.py).

The alarm in ``bounded`` is a hang guard, not a timing assertion: what is asserted is the
bound on what was read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tearsheet.config import LimitSettings
from tearsheet.errors import ExtractionError
from tearsheet.extract.extraction import extract
from tests.support.hang import hang_guard
from tests.support.pages import LOREM


@pytest.fixture(autouse=True)
def bounded() -> Iterator[None]:
    with hang_guard():
        yield


def page(json_ld: str = "", head: str = "") -> str:
    script = f'<script type="application/ld+json">{json_ld}</script>' if json_ld else ""
    body = "".join(f"<p>{p}</p>" for p in LOREM[:5])
    return (f"<html><head><title>Page title here</title>{script}{head}</head><body>"
            f"<article><h1>Heading of the page</h1>{body}</article></body></html>")


def article_ld(**fields: object) -> str:
    return json.dumps({"@type": "NewsArticle", "headline": "From JSON-LD", **fields})


def test_thousands_of_json_ld_authors_make_a_capped_byline() -> None:
    authors = [{"@type": "Person", "name": f"Ana Number {i}"} for i in range(30_000)]
    found = extract(page(article_ld(author=authors)))
    names = (found.byline or "").split(", ")
    assert names == [f"Ana Number {i}" for i in range(LimitSettings().authors)]
    capped = extract(page(article_ld(author=authors)), limits=LimitSettings(authors=3))
    assert capped.byline == "Ana Number 0, Ana Number 1, Ana Number 2"


def test_duplicate_authors_are_dropped_in_order() -> None:
    authors = [{"name": n} for n in ["Ann Lee", "Bo Chan", "Ann Lee", "Bo Chan", "Cy Dee"]]
    assert extract(page(article_ld(author=authors * 5_000))).byline == "Ann Lee, Bo Chan, Cy Dee"


@pytest.mark.parametrize("nesting", ["[" * 100_000 + "]" * 100_000,
                                     '{"a":' * 100_000 + "1" + "}" * 100_000,
                                     "[" * 100_000])
def test_deeply_nested_json_ld_is_skipped(nesting: str) -> None:
    found = extract(page(nesting))
    assert found.title == "Page title here"  # the page's <title>: JSON-LD skipped


def test_json_ld_within_the_nesting_limit_is_read_beyond_it_not() -> None:
    nested = {"@graph": [{"@graph": [{"@graph": [json.loads(article_ld())]}]}]}
    assert extract(page(json.dumps(nested))).title == "From JSON-LD"
    shallow = LimitSettings(nesting=3)
    assert extract(page(json.dumps(nested)), limits=shallow).title == "Page title here"


def test_a_json_ld_block_over_its_size_limit_is_skipped() -> None:
    big = article_ld(articleBody="x" * 5_000)
    assert extract(page(big)).title == "From JSON-LD"
    small = LimitSettings(json_ld_bytes=1_000)
    assert extract(page(big), limits=small).title == "Page title here"


def test_an_oversized_meta_content_is_ignored() -> None:
    head = '<meta property="og:title" content="{}">'
    assert extract(page(head=head.format("Meta headline"))).title == "Meta headline"
    huge = head.format("Meta headline " * 1_000)
    assert extract(page(head=huge), limits=LimitSettings(attribute_chars=1_000)).title == \
        "Page title here"


@pytest.mark.parametrize("charset", ["utf\x00-8", "\x00", "x" * 10_000, "utf-8\x00"])
def test_a_charset_label_with_nul_or_junk_is_ignored(charset: str) -> None:
    found = extract(page().encode(), "https://example.com/a", charset)
    assert found.title == "Page title here"


@pytest.mark.parametrize("html", [
    b"\x00" * 10_000, b"<html>" * 100_000, b"<div>" * 200_000 + b"<p>text</p>",
    b"\xff\xfe" + b"\x00<" * 1000, "<p>\ud800</p>".encode("utf-8", "surrogatepass"),
    b"<html><body><p>" + b"a" * 5_000_000 + b"</p></body></html>",
])
def test_junk_pages_end_in_an_extraction_error_or_an_article(html: bytes) -> None:
    try:
        extract(html, "https://example.com/a")
    except ExtractionError as exc:
        assert exc.reason  # a reason for machines, and a message
        assert str(exc)


def test_a_title_of_thousands_of_parts_is_read_in_linear_time() -> None:
    """Runs of a title's parts are compared with the other sources' headlines: a title of
    100,000 parts is no "Headline | Site" and is not cut into runs."""
    parts = " | ".join(f"part {n}" for n in range(100_000))
    html = page().replace("<title>Page title here</title>",
                          f"<title>{parts}</title><meta property='og:title' content='part 1'>")
    assert extract(html).title == "part 1"


@pytest.mark.parametrize("markup", [
    "<p>Start <script>1</script>\x03 tail of the script</p>",
    "<div class='share'><a href='/s'>Share</a></div>\x02 loose text after the share bar",
    "<p>A <span style='display:none'>hidden</span>\x04 visible words</p>",
    "<p>A line<br>\x0b and the next, after a vertical tab</p>",
    "<p>Noncharacters \ufffe\uffff and a lone surrogate \ud800 in the text</p>",
])
def test_control_characters_in_the_page_cost_nothing_of_the_article(markup: str) -> None:
    """lxml parses them into the tree, then refuses any text holding one that is set
    later: a hidden span's removal raised ValueError, a share bar's lost the article."""
    body = "".join(f"<p>{p}</p>" for p in LOREM[:3]) + markup + \
        "".join(f"<p>{p}</p>" for p in LOREM[3:])
    html = (f"<html><head><title>A story</title></head><body><article><h1>A story</h1>"
            f"{body}</article></body></html>").encode("utf-8", "surrogatepass")
    found = extract(html, "https://example.com/a")
    assert all(p in found.paragraphs for p in LOREM)
    assert not any(c in found.text for c in "\x02\x03\x04\x0b\ufffe\uffff")


@pytest.mark.parametrize("junk", [
    "<script type=application/json " * 40_000,  # scripts never closed
    "<div id=x " * 40_000,                        # tags never closed, beside an app root's id
    "<noscript " * 40_000,
    "<meta " * 40_000,
])
def test_thousands_of_unclosed_tags_are_scanned_once(junk: str) -> None:
    """The checks for application shells and bare pages read tags by regular expressions:
    one that scanned from each unclosed tag to the end of the page took minutes here."""
    html = f"<html><head></head><body><p>Test</p>{junk}</body></html>"
    try:
        assert extract(html).paragraphs == ["Test"]
    except ExtractionError as exc:
        assert exc.reason in {"too_short", "needs_browser"}
