"""Properties of the extractor on hostile bytes: an Extraction or an ExtractionError with a
reason, nothing else; decoding never raises."""

from __future__ import annotations

from hypothesis import given

from tearsheet.config import LimitSettings
from tearsheet.errors import ExtractionError
from tearsheet.extract.copy import copy_document
from tearsheet.extract.encoding import decode_html
from tearsheet.extract.extraction import extract
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
