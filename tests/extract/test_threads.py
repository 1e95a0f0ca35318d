"""extract() is a pure function on any thread: trafilatura's patched globals never leak.

The body reader patches three of trafilatura's module globals for one extraction (the
loader, the recall escalation's threshold, the loose-paragraph fallback); a library user
may call extract() from several threads of one process, and each must get what it would
alone, with no error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import trafilatura.core
import trafilatura.main_extractor

from tearsheet.extract.extraction import extract
from tests.support.noisy import HEADLINES, noisy_page
from tests.support.pages import LOREM

# A table-laid page (trafilatura falls back on loose paragraphs) beside ordinary ones.
TABLE_PAGE = ("<html><head><title>Budget vote | Daily</title></head><body><table><tr><td>"
              + "".join(f"<font>{p}</font><br><br>" for p in LOREM)
              + "</td></tr></table></body></html>")


@pytest.fixture
def eager_switches() -> Iterator[None]:
    """Threads switch every microsecond, so that a race shows in a handful of pages."""
    saved = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(saved)


@pytest.mark.usefixtures("eager_switches")
def test_concurrent_extractions_equal_lone_ones() -> None:
    pages = [noisy_page(HEADLINES[n % len(HEADLINES)], LOREM[n % 3:], seed=n)
             for n in range(12)] + [TABLE_PAGE] * 4
    originals = (trafilatura.core.load_html, trafilatura.core.ESCALATION_MAX_LENGTH,
                 trafilatura.main_extractor.recover_wild_text)
    alone = [extract(page, "https://news.example/a") for page in pages]
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(3):
            together = list(pool.map(lambda page: extract(page, "https://news.example/a"),
                                     pages))
            assert together == alone
    # ...and trafilatura is left as it was found, for its other users in the process.
    assert (trafilatura.core.load_html, trafilatura.core.ESCALATION_MAX_LENGTH,
            trafilatura.main_extractor.recover_wild_text) == originals
