"""Extract: a page's bytes to the article (pure: no database, no network).

:func:`extract` is the entry point: :mod:`.encoding` decodes the bytes, :mod:`.body` finds
the body, :mod:`.metadata` the headline, byline, dates and language, and :mod:`.refusals`
refuses what is not the article (walls, error pages, truncated bodies) with a reason.
:func:`check_capture` (:mod:`.fast_path`) is the tracker's: it skips the extraction of a
page that its stored decision key (:mod:`.recheck`) shows unchanged.
:func:`extractor_revision` names this extractor (:mod:`.revision`), stored with each
version it reads.
"""

from tearsheet.extract.encoding import decode_html
from tearsheet.extract.extraction import (
    HTML_TYPES,
    Extraction,
    extract,
    extract_capture,
    parse_page,
)
from tearsheet.extract.fast_path import Checked, check_capture
from tearsheet.extract.metadata import Metadata, read_metadata
from tearsheet.extract.recheck import DecisionKey, decision_key
from tearsheet.extract.refusals import refuse_if_not_article
from tearsheet.extract.revision import extractor_revision

__all__ = [
    "HTML_TYPES", "Checked", "DecisionKey", "Extraction", "Metadata", "check_capture",
    "decision_key", "decode_html", "extract", "extract_capture", "extractor_revision",
    "parse_page", "read_metadata", "refuse_if_not_article",
]
