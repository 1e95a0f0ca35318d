"""A breaking story's first version is a sentence or two: a short body that reports what
the headline says is an article; a placeholder, a notice, a fragment or the page's text
read in one piece is not."""

from __future__ import annotations

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract import extract
from tearsheet.extract.refusals import reports_headline
from tests.support.refusals import COOKIE_BANNER, site_page, stub_page

URL = "https://news.example/2026/fed-rates"
HEADLINE = "Fed raises interest rates by a quarter point"


@pytest.mark.parametrize(("title", "body"), [
    (HEADLINE, ["BREAKING: The Federal Reserve raises rates by a quarter point."]),
    (HEADLINE, ["The Fed raised its benchmark rate by a quarter point on Wednesday.",
                "This story will be updated."]),
    ("La Fed relève ses taux", ["« Les taux montent d'un quart de point », a annoncé la Fed."]),
    ("美联储加息", ["美国联邦储备委员会周三宣布将基准利率上调二十五个基点，"
                    "这是今年的第三次加息。"]),
])
def test_a_short_report_of_the_headline_is_the_first_version(
    title: str, body: list[str],
) -> None:
    assert extract(stub_page(body, title), URL).paragraphs == body


@pytest.mark.parametrize("body", [
    ["This is a developing story and will be updated shortly."],    # placeholders
    ["Check back later for the latest on the interest rates decision."],
    ["BREAKING: The Federal Reserve raises rates by a quarter point"],  # no sentence
    ["The Fed raises its rates."],                                   # too few words
    ["Sorry, this video is not available in your country."],        # nothing of the story
    ["Please enable JavaScript in your browser to view this page."],
])
def test_a_short_body_that_reports_nothing_is_too_short(body: list[str]) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(stub_page(body, HEADLINE), URL)
    assert caught.value.reason == "too_short"


def test_the_page_read_in_one_piece_is_no_report() -> None:
    """Where it finds almost no body, trafilatura reads the page whole: the menus, the
    headline and the notice under it are one paragraph, which names the headline."""
    html = site_page(HEADLINE, f"<article><h1>{HEADLINE}</h1><p>Sorry, this video is not "
                               "available.</p></article>")
    with pytest.raises(ExtractionError) as caught:
        extract(html, URL)
    assert caught.value.reason == "too_short"


def test_a_wall_is_refused_before_a_short_body_is_read() -> None:
    html = stub_page(["The Federal Reserve raises interest rates by a quarter point."],
                     HEADLINE, extra=COOKIE_BANNER)
    with pytest.raises(ExtractionError) as caught:
        extract(html, URL)
    assert caught.value.reason == "consent"


def test_a_report_needs_a_headline_it_reports() -> None:
    body = ["The Federal Reserve raises interest rates by a quarter point."]
    assert reports_headline(body, [HEADLINE])
    assert reports_headline(body, ["Rates rise again"])  # "rate" for "rates"
    assert not reports_headline(body, [])
    assert not reports_headline(body, ["Weather"])
    assert not reports_headline([f"Home World {HEADLINE} {body[0]}"], [HEADLINE],
                                shown=[HEADLINE])


def test_a_short_report_on_an_application_shell_needs_a_browser() -> None:
    # The sentence a JavaScript application renders on the server, its scripts the rest.
    html = stub_page(["BREAKING: The Federal Reserve raises rates by a quarter point."],
                     HEADLINE, extra="<div id='root'></div>")
    with pytest.raises(ExtractionError) as caught:
        extract(html, URL)
    assert caught.value.reason == "needs_browser"
    assert extract(html, URL, rendered=True).paragraphs == [
        "BREAKING: The Federal Reserve raises rates by a quarter point."]


@pytest.mark.parametrize("text", [
    "Test",
    "AI hasn't meaningfully changed anything in cybersecurity so far.",
    "Ein kurzer Text, von Hand geschrieben.",
])
def test_a_page_that_is_nothing_but_a_short_text_is_that_text(text: str) -> None:
    """A hand-made page of one line has no template whose article slot could be empty:
    every word it shows is the body's, so the body is what the page says."""
    for page in (f"<html><body>{text}</body></html>",
                 f"<html><head><title>Notes</title></head><body><p>{text}</p></body></html>",
                 f"<html><body><ol><li><p>{text}</p></li></ol></body></html>"):
        assert extract(page, URL).paragraphs == [text]


@pytest.mark.parametrize("page", [
    # The same line in a site's template: a stub in an article slot.
    stub_page(["AI hasn't meaningfully changed anything in cybersecurity."], "Security"),
    "<html><body><nav><a href='/'>Home</a></nav><p>A short line of text.</p></body></html>",
    # Code that draws the page, a refresh, a form: more than the text shows.
    "<html><body><p>A short line of text.</p><script>render()</script></body></html>",
    "<html><head><meta http-equiv='refresh' content='0; url=/a'></head>"
    "<body><p>A short line of text.</p></body></html>",
    "<html><body><p>A short line of text.</p><form><input name=q></form></body></html>",
    # Notices to the reader.
    "<html><body><p>Subscribe to read.</p></body></html>",
    "<html><body><p>Nothing here.</p></body></html>",
    "<html><body>Backend fetch failed</body></html>",
    "<html><body><p>Coming soon.</p></body></html>",
    "<html><body></body></html>",
])
def test_a_short_text_that_is_not_all_the_page_says_is_too_short(page: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(page, URL)
    assert caught.value.reason in {"too_short", "needs_browser"}
