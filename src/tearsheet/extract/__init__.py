"""Extract: a page's bytes to the article (pure: no database, no network).

:func:`extract` is the entry point: :mod:`.encoding` decodes the bytes, :mod:`.body` finds
the body, :mod:`.metadata` the headline, byline, dates and language, and :mod:`.refusals`
refuses what is not the article (walls, error pages, truncated bodies) with a reason.
"""

from tearsheet.extract.encoding import decode_html
from tearsheet.extract.extraction import (
    HTML_TYPES,
    Extraction,
    extract,
    extract_capture,
    parse_page,
)
from tearsheet.extract.metadata import Metadata, read_metadata
from tearsheet.extract.refusals import refuse_if_not_article

__all__ = [
    "HTML_TYPES", "Extraction", "Metadata", "decode_html", "extract", "extract_capture",
    "parse_page",
    "read_metadata", "refuse_if_not_article",
]
