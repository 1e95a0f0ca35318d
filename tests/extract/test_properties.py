"""Properties of the extractor on hostile bytes: an Extraction or an ExtractionError with a
reason, nothing else; decoding never raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tearsheet.config import LimitSettings
from tearsheet.errors import ExtractionError
from tearsheet.extract.copy import copy_document
from tearsheet.extract.encoding import decode_html
from tearsheet.extract.extraction import extract
from tearsheet.extract.recheck import counted_words
from tearsheet.extract.script import _UNSPACED, CHARS_PER_WORD
from tests.support.fuzz import BOUNDED, charsets, hostile
from tests.support.pages import LOREM, article_page

PAGE = article_page("A headline of the story", LOREM).replace(
    "</head>", '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
    '"A headline", "author": [{"name": "Ann Lee"}, {"name": "Bo Chan"}]}</script>'
    '<meta charset="utf-8"></head>').replace(  # elements extraction removes, tails beside
    "</p>", "<span style='display:none'>hidden</span> tail</p><div class='share'>"
    "<a href='/s'>Share</a></div> after", 2).encode()


@BOUNDED
@given(html=hostile(PAGE), charset=charsets())
def test_extract_ends_in_an_article_or_an_extraction_error(html: bytes,
                                                           charset: str | None) -> None:
    limits = LimitSettings(authors=3)
    try:
        found = extract(html, "https://news.example/a-story", charset, limits=limits)
    except ExtractionError as exc:
        assert exc.reason and str(exc)
        return
    assert found.paragraphs and all(isinstance(p, str) and p for p in found.paragraphs)
    assert found.byline is None or len(found.byline.split(", ")) <= 3


@BOUNDED
@given(body=hostile(PAGE), charset=charsets())
def test_decoding_never_raises(body: bytes, charset: str | None) -> None:
    assert isinstance(decode_html(body, charset), str)


@BOUNDED
@given(data=hostile(PAGE), charset=charsets())
def test_a_copy_to_trace_is_a_document_or_an_extraction_error(data: bytes,
                                                               charset: str | None) -> None:
    """What people bring to the trace: a saved page, pasted text, a fetched page with the
    charset its server declared."""
    try:
        document = copy_document(data, "https://news.example/a-copy", charset)
    except ExtractionError as exc:
        assert exc.reason and str(exc)
        return
    assert all(isinstance(p, str) and p for p in document.paragraphs)
    "\n\n".join(document.paragraphs).encode("utf-8")  # what the trace hashes


@given(st.lists(st.text(alphabet=st.sampled_from(
    "ab  \u00e9\u3042\u4e00\u0e01\n\t.") | st.characters(), max_size=40), max_size=6))
def test_counted_words_are_the_fewer_of_the_two_counts(paragraphs: list[str]) -> None:
    """The key's count of a body's words (one split a paragraph, the unspaced scripts'
    scan only for text that is not ASCII) is the plain definition's."""
    assert counted_words(paragraphs) == min(
        sum(_count_words_plainly(p) for p in paragraphs),
        sum(len(p.split()) for p in paragraphs))


def _count_words_plainly(text: str) -> int:
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + (unspaced + CHARS_PER_WORD - 1) // \
        CHARS_PER_WORD
