"""The web UI's words for a change."""

from __future__ import annotations

from tearsheet.diff.summary import ChangeSummary
from tearsheet.web.words import summary_line


def _summary(kinds: tuple[str, ...], boring: bool = False) -> ChangeSummary:
    return ChangeSummary(words_added=14, words_removed=1, kinds=kinds, significance=0.8,
                         boring=boring)


def test_summary_line_names_kinds_counts_and_significance() -> None:
    line = summary_line(_summary(("headline_changed", "numbers_changed")))
    assert '<span class="kind">headline changed</span>' in line
    assert "+14 / −1 words" in line and ">0.80<" in line


def test_summary_line_escapes_what_it_is_given() -> None:
    line = summary_line(_summary(("<script>alert(1)</script>",)))
    assert "<script>" not in line and "&lt;script&gt;" in line


def test_boring_changes_say_so() -> None:
    assert summary_line(_summary(("rewording",), boring=True)) == \
        '<span class="kind boring">typography only</span>'

