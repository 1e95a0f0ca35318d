"""The body's blocks (extract/blocks.py): where text parts. A line break, a cell, a
paragraph's edge part words; a layout table's cell holds paragraphs, a data row one datum
a cell."""

from __future__ import annotations

import lxml.html
import pytest

from tearsheet.extract import extract
from tearsheet.extract.blocks import html_blocks
from tests.support.pages import LOREM
from tests.support.pages import html_paragraphs as _paragraphs
from tests.support.pages import story_page as _page

URL = "https://example.org/2024/05/a-story"


def _layout_page(cell: str) -> str:
    """An old template: the whole page a table, the post in one cell, links in another."""
    links = "".join(f"<a href='/{n}'>Link {n}</a><br>" for n in range(6))
    return ("<html><head><title>A story</title></head><body><table><tr><td>"
            f"{links}</td><td>{cell}</td></tr></table></body></html>")


def test_a_layout_cell_is_read_as_its_paragraphs() -> None:
    lines = [f"+ Added feature number {n} to the game" for n in range(8)]
    cell = (f"<h3><a href='/post'>A story about the update</a></h3>{_paragraphs(*LOREM[:2])}"
            f"<p>{'<br />'.join(lines)}</p>{_paragraphs(*LOREM[2:])}")
    paragraphs = extract(_layout_page(cell), URL).paragraphs
    # Each line its own paragraph, parted from the next (not "game+ Added"), the list
    # cut by <br>s kept whole (no line taken for a label), the links' cell left out.
    assert paragraphs[:2] == LOREM[:2]
    assert paragraphs[2:10] == lines
    assert paragraphs[10:] == LOREM[2:]


def test_a_datum_in_a_paragraph_keeps_its_table_row_whole() -> None:
    rows = "".join(f"<tr><td><p>App {n}</p></td><td>{n * 3}.5 MB</td><td>{n} MB</td></tr>"
                   for n in range(1, 6))
    page = _page(_paragraphs(*LOREM[:2]) + f"<table>{rows}</table>" + _paragraphs(*LOREM[2:]))
    assert "App 3 9.5 MB 3 MB" in extract(page, URL).paragraphs


def test_a_line_break_in_a_table_cell_parts_its_words() -> None:
    rows = "".join(f"<tr><td>Office {n}</td><td>Phone {n}<br>Fax {n}</td></tr>"
                   for n in range(1, 6))
    page = _page(_paragraphs(*LOREM[:2]) + f"<table>{rows}</table>" + _paragraphs(*LOREM[2:]))
    assert "Office 2 Phone 2 Fax 2" in extract(page, URL).paragraphs


def test_html_blocks_split_block_elements() -> None:
    root = lxml.html.fragment_fromstring(
        "<div><h2>Head</h2><p>One <a href='/x'>link</a></p><ul><li>Item</li></ul>"
        "text<br>after<script>bad()</script></div>")
    blocks = html_blocks(root)
    assert [(b.kind, b.text) for b in blocks] == [
        ("head", "Head"), ("p", "One link"), ("item", "Item"), ("p", "text"), ("p", "after")]
    assert blocks[1].link_share == pytest.approx(4 / 8)
