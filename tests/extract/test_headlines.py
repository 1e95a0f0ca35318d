"""The headline by agreement of the page's own sources; never a site or section header."""

from __future__ import annotations

from tearsheet.extract import extract

TEXT = "".join(f"<p>Paragraph {n}: the council voted on Tuesday to rebuild the old bridge, "
               f"and the work will start next spring after a year of hearings.</p>"
               for n in range(6))


def _page(head: str, h1s: str) -> str:
    return f"<html><head>{head}</head><body>{h1s}<article>{TEXT}</article></body></html>"


def test_a_site_header_h1_loses_to_the_headline_the_title_gives() -> None:
    html = _page("<title>Council approves bridge rebuild | The Daily Example</title>",
                 "<h1>The Daily Example</h1>")
    assert extract(html, "https://x.example/a").title == "Council approves bridge rebuild"


def test_a_section_h1_loses_to_the_headline_two_sources_agree_on() -> None:
    html = _page('<title>Council approves bridge rebuild - Example</title>'
                 '<meta property="og:title" content="Council approves bridge rebuild">',
                 "<h1>Local news</h1><h2>Council approves bridge rebuild</h2>")
    assert extract(html, "https://x.example/a").title == "Council approves bridge rebuild"


def test_the_site_name_is_removed_from_og_title() -> None:
    html = _page('<meta property="og:site_name" content="Example News">'
                 '<meta property="og:title" content="Bridge vote: what it means - Example News">',
                 "")
    assert extract(html, "https://x.example/a").title == "Bridge vote: what it means"
