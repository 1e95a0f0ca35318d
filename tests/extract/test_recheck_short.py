"""Short bodies (from a stub's 40 words to 200): their pages are judged by the refusal
checks from the body, the headings, the JSON-LD and whether a password field is anywhere
on the page, so their keys cover that field too; and a short body may be weighed against
a density reading of the whole page, so only one read from trafilatura's container
without that second opinion gets a digest, its page held to the visible text that kept
the second opinion away."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract import check_capture, density, extract
from tearsheet.extract.blocks import Block
from tearsheet.extract.density import visible_chars
from tearsheet.extract.encoding import decode_html, parseable
from tearsheet.extract.extraction import Parsed
from tearsheet.extract.recheck import MIN_WORDS, DecisionKey, decision_key, parse, unchanged
from tearsheet.extract.refusals import SHORT_WORDS
from tests.support.pages import KEYED_HEADLINE as HEADLINE
from tests.support.pages import KEYED_STORY, article_page
from tests.support.shared import shared_path

URL = "https://news.example/story"
BRIEF = KEYED_STORY[:3]  # 80 words: short, not a stub
LOGIN = '<form class="login"><input type="password" name="secret"></form>'


def page(paragraphs: list[str] = BRIEF, *, headline: str = HEADLINE, noise: int = 0,
         **options: object) -> str:
    return article_page(headline, paragraphs, byline="Jane Doe", noise=noise, **options)


def key_of(html: str) -> DecisionKey:
    checked = check_capture(html.encode(), URL, "utf-8", "text/html")
    assert checked.extraction is not None
    key = DecisionKey.loads(checked.key)
    assert key is not None
    return key


def test_a_brief_is_short_and_not_a_stub() -> None:
    words = sum(len(p.split()) for p in BRIEF)
    assert MIN_WORDS <= words < SHORT_WORDS


def test_a_short_body_is_known_again_in_new_chrome() -> None:
    key = key_of(page(noise=1))
    assert key.visible and key.digest and key.locator
    assert all(unchanged(page(noise=n), key) for n in range(2, 8))
    again = check_capture(page(noise=2).encode(), URL, "utf-8", "text/html", key=key.dumps())
    assert again.extraction is None  # the fast path answered


def test_a_long_body_s_key_is_not_short() -> None:
    key = key_of(page(KEYED_STORY, noise=1))
    assert not key.short and key.digest and key.visible
    assert key_of(page(noise=1)).short


@pytest.mark.parametrize("edit", [
    lambda: page([BRIEF[0].replace("council", "committee"), *BRIEF[1:]], noise=2),
    lambda: page([*BRIEF[:-1], BRIEF[-1] + " It was passed late."], noise=2),
    lambda: page([*BRIEF, "A new closing paragraph was added to the story."], noise=2),
    lambda: page(headline=HEADLINE + " after a long debate", noise=2),
    lambda: page(noise=2).replace("</footer>", LOGIN + "</footer>"),
    lambda: page(noise=2).replace("<header>", "<header>" + LOGIN),
], ids=["body word", "last sentence", "paragraph added", "headline", "password field in the "
        "footer", "password field in the header"])
def test_any_edit_of_a_short_body_s_page_means_a_full_extraction(
        edit: Callable[[], str]) -> None:
    key = key_of(page(noise=1))
    edited = edit()
    assert edited != page(noise=2)  # the edit took
    assert not unchanged(edited, key)


def test_a_password_field_beside_a_long_body_is_not_its_key_s_concern() -> None:
    """A long body is never judged by the page's password fields: its key ignores them."""
    key = key_of(page(KEYED_STORY, noise=1))
    assert unchanged(page(KEYED_STORY, noise=2).replace("</footer>", LOGIN + "</footer>"), key)


def test_the_field_is_what_the_refusal_checks_would_read() -> None:
    """Why the key covers it: a short body headed "Sign in" is a login page once a
    password field is on it, and the full extraction says so; the fast path never answers
    in its place."""
    headline = "Sign in to read the budget"
    before = page(headline=headline, noise=1)
    key = key_of(before)
    assert key.visible
    after = page(headline=headline, noise=2).replace("</footer>", LOGIN + "</footer>")
    assert not unchanged(after, key)
    with pytest.raises(ExtractionError) as refused:
        extract(after, URL)
    assert refused.value.reason == "login"


def read(html: str) -> tuple[list[str], int]:
    """The body extraction reads of ``html``, and the most visible characters its page
    may hold for it to be read so."""
    parsed: list[Parsed] = []
    extraction = extract(html, URL, parsed=parsed)
    return extraction.paragraphs, parsed[0].most_visible


@pytest.mark.parametrize("source", ["json-ld", "state", "selector", "loose", "density"])
def test_a_short_body_read_elsewhere_than_the_container_gets_no_digest(source: str) -> None:
    html = page()
    paragraphs, most = read(html)
    assert most > 0
    assert decision_key(html, paragraphs, body_from="container", most_visible=most)
    assert decision_key(html, paragraphs, body_from=source, most_visible=most) is None


def test_a_short_body_gets_no_digest_unless_its_page_is_held_to_a_limit() -> None:
    html = page()
    paragraphs, most = read(html)
    assert decision_key(html, paragraphs, body_from="container") is None  # none known
    assert decision_key(html, paragraphs, body_from="container", most_visible=10) is None
    assert decision_key(html, paragraphs, body_from="container", most_visible=most)


def test_text_added_anywhere_past_the_limit_means_a_full_extraction() -> None:
    """A page that shows more text than the key's limit may have its body weighed against
    a density reading of the whole page: extracted in full, even far from the body."""
    key = key_of(page(noise=1))
    filler = " ".join(["More reading from around the site."] * 200)
    grown = page(noise=2).replace("</footer>", f"<div>{filler}</div></footer>")
    assert not unchanged(grown, key)
    tree, same = parse(grown), parse(page(noise=2))
    assert tree is not None and same is not None
    assert visible_chars(tree) > key.visible >= visible_chars(same)  # the limit said so


def test_a_short_body_beside_much_more_text_gets_no_digest() -> None:
    """Where extraction asked for a second opinion (the body is a small share of the
    page's text) it may take it on another visit: no digest, the capture alone."""
    filler = " ".join(["More reading from around the site."] * 200)
    crowded = page(noise=1).replace("</footer>", f"<div>{filler}</div></footer>")
    key = key_of(crowded)
    assert (key.locator, key.digest, key.visible) == ((), "", 0)


def test_a_stub_gets_a_key_of_its_capture_alone() -> None:
    stub = page(KEYED_STORY[:1], noise=1)
    assert sum(len(p.split()) for p in KEYED_STORY[:1]) < MIN_WORDS
    key = key_of(stub)
    assert (key.locator, key.digest, key.visible) == ((), "", 0)


def test_words_are_counted_as_the_refusals_count_them() -> None:
    """An unspaced script counts by characters there: a Chinese brief of a few
    whitespace-separated "words" is still short, and a stub by either count is a stub."""
    chinese = "市议会周二晚间投票通过了新的交通预算。" * 4
    html = page([f"{chinese}第{n}段。" for n in "一二三"])
    paragraphs, most = read(html)
    assert decision_key(html, paragraphs, body_from="container", most_visible=most) is None
    # the count alone decides: told the body's words, the same page gets its key
    assert decision_key(html, paragraphs, body_from="container", most_visible=most,
                        body_words=60)


def test_the_limit_bounds_what_extraction_weighed_on_the_corpora(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The key's check counts the visible text of the page as parsed, before extraction
    drops hidden elements or a source's selectors: never less than what extraction
    weighed the body against, on every page of the corpora."""
    weighed: list[int] = []
    wants = density.wants_second_opinion

    def watched(blocks: list[Block], visible: int) -> bool:
        weighed.append(visible)
        return wants(blocks, visible)

    monkeypatch.setattr(density, "wants_second_opinion", watched)
    pages = [p for folder in ("readability", "extraction")
             for p in sorted(shared_path("corpora", folder).rglob("*.htm*.gz"))]
    compared = 0
    for path in pages:
        html = decode_html(gzip.decompress(path.read_bytes()), None)
        weighed.clear()
        try:
            extract(html, URL)
        except ExtractionError:
            continue
        tree = parse(parseable(html))
        if not weighed or tree is None:
            continue
        assert visible_chars(tree) >= weighed[0], path  # (the first: body_blocks's)
        compared += 1
    assert compared > 100
