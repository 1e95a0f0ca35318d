"""The body's edge rules: what is page furniture, and what is never taken for it."""

from __future__ import annotations

import pytest

from tearsheet.extract.blocks import Block, clean
from tearsheet.extract.body import tidy
from tests.support.pages import LOREM

BODY = [Block("p", p) for p in LOREM]


@pytest.mark.parametrize(
    "line",
    ["Advertisement", "Sponsored content", "12 comments", "View all 40 comments", "Share",
     "Share this story", "Most read", "Related stories", "You may also like...",
     "Read more: Council rejects the bridge plan", "Watch: the storm hits the harbour",
     "More from Sport", "Also on rt.com Journalists threatened with arrest",
     "Updated 5 minutes ago", "Sign up for our newsletter", "Thanks for signing up!",
     "Get the morning briefing delivered to your inbox", "Follow us on Twitter",
     "Tell us what you think...", "Have a tip? Email the newsroom."],
)
def test_furniture_lines_are_dropped_anywhere(line: str) -> None:
    blocks = [*BODY[:2], Block("p", line), *BODY[2:]]
    assert tidy(blocks) == LOREM


@pytest.mark.parametrize(
    "line",
    ["More from the council meeting is expected next week, officials said.",
     "Watch out for ice on the roads, police said.",
     "The council's newsletter, delivered to 10,000 homes, said the plan was final.",
     "Listen carefully to what the mayor said on Tuesday, she added.",
     "Also on the agenda was the new bus depot.",
     "Readers can share their views at a public meeting on Monday.",
     "No comment.", "It was, he said, a sponsored trip."],
)
def test_sentences_that_only_look_like_furniture_are_kept(line: str) -> None:
    blocks = [*BODY[:2], Block("p", line), *BODY[2:]]
    assert tidy(blocks) == [*LOREM[:2], line, *LOREM[2:]]


def test_headline_standfirst_and_kicker_above_the_body_go() -> None:
    blocks = [Block("p", "Politics"), Block("head", "Council approves budget"),
              Block("head", "A standfirst that sums the story up"), *BODY]
    assert tidy(blocks, headlines=["Council approves budget"]) == LOREM


def test_a_list_that_opens_the_body_is_not_labels() -> None:
    # What a recipe or a how-to names first (ingredients, tools) is the body's; two items
    # (a date and a section) are still labels.
    things = [Block("item", t) for t in ("Cloche", "Planter saucer or a shallow dish",
                                         "Floral foam", "Moss")]
    assert tidy([*things, *BODY]) == [*(b.text for b in things), *LOREM]
    labels = [Block("item", "24 July 2015"), Block("item", "From the section US & Canada")]
    assert tidy([*labels, *BODY]) == LOREM


def test_a_teaser_above_the_headline_is_not_the_article() -> None:
    # Another story's title and blurb that the body's container holds above the headline.
    teaser = [Block("p", "Night mode is an automatic setting which takes advantage of the "
                    "new wide-angle camera in the latest models of the phone, and more."),
              Block("head", "New laptop now available")]
    headline = Block("head", "Council approves budget")
    assert tidy([*teaser, headline, *BODY], headlines=["Council approves budget"]) == LOREM
    # A paragraph alone up there is a lede or a dek set above the title: it stays, and
    # the headline under it goes.
    kept = tidy([teaser[0], headline, *BODY], headlines=["Council approves budget"])
    assert kept == [teaser[0].text, *LOREM]
    # Labels cut with a teaser count as the labels they are: a subheading under the
    # headline is not taken for one more.
    labels = [Block("head", "Press release"), Block("head", "Issued by Example SE")]
    sub = Block("head", "- Jointly built test bench cuts the measuring work")
    assert tidy([*labels, headline, sub, *BODY], headlines=["Council approves budget"]) == [
        sub.text, *LOREM]


def test_a_heading_over_the_list_that_opens_the_body_is_its_section_title() -> None:
    items = [Block("item", t) for t in ("Cloche", "Floral foam", "Moss", "Tweezers")]
    assert tidy([Block("head", "Highlights"), *items, *BODY]) == [
        "Highlights", *(b.text for b in items), *LOREM]
    # Over a paragraph, a one-word heading is still a label (a kicker, a section's name).
    assert tidy([Block("head", "Politics"), *BODY]) == LOREM


def test_a_list_written_with_line_breaks_that_opens_the_body_is_not_labels() -> None:
    # Three lines or more of one paragraph cut by <br>s, as a changelog is written.
    lines = [Block("p", f"+ Added the item number {n}", lines_of=7) for n in range(4)]
    assert tidy([*lines, *BODY]) == [*(b.text for b in lines), *LOREM]
    # Lines of different paragraphs are labels as before.
    apart = [Block("p", f"Section {n}", lines_of=n + 1) for n in range(2)]
    assert tidy([*apart, *BODY]) == LOREM


def test_a_row_of_tags_above_the_body_is_one_label() -> None:
    # One-word tags that open the labels go however many they are, and a kicker after them
    # is the second label; a one-word line after two other labels is the body's own.
    tags = [Block("p", t) for t in ("Politics", "Budget", "Live", "Analysis")]
    assert tidy([*tags, Block("p", "From our city desk"), *BODY]) == LOREM
    labels = [Block("head", "Medicine"), Block("p", "Label"), Block("p", "Instructions")]
    assert tidy([*labels, *BODY]) == ["Instructions", *LOREM]


def test_a_body_made_of_headings_keeps_all_but_two() -> None:
    deals = [b for n, p in enumerate(LOREM) for b in (Block("head", f"Deal {n}: ${n}9"),
                                                        Block("p", p))]
    # The first heading goes (it sits where a headline would); the rest is the body.
    assert tidy(deals) == [b.text for b in deals[1:]]


def test_trailing_link_lists_and_headings_go_unless_they_are_the_body() -> None:
    links = [Block("head", "More stories"),
             *(Block("item", f"Story {n}", link_share=1.0) for n in range(4))]
    assert tidy([*BODY, *links]) == LOREM
    # Trailing headings that hold most of the words are the body's own (a list of tips).
    tips = [Block("p", LOREM[0]),
            *(Block("head", f"Tip {n}: {p}") for n, p in enumerate(LOREM))]
    assert tidy(tips) == [b.text for b in tips]


def test_a_link_in_a_list_of_sentences_is_an_item_like_the_others() -> None:
    news = [Block("item", "Here is our year in review!", link_share=1.0, group=1),
            *(Block("item", p, group=1) for p in LOREM[:2])]
    related = [Block("item", f"Other story {n}", link_share=1.0, group=2) for n in range(3)]
    assert tidy([*BODY[:2], *news, *related, *BODY[2:]]) == [
        *LOREM[:2], *(b.text for b in news), *LOREM[2:]]


def test_a_label_and_link_line_is_recirculation() -> None:
    line = Block("p", "Read next: Mayor names new transport chief", link_share=0.9)
    url = Block("p", "https://amzn.to/2iJFhRj", link_share=1.0)
    assert tidy([*BODY[:2], line, url, *BODY[2:]]) == [*LOREM[:2], url.text, *LOREM[2:]]


def test_clean_removes_terminal_escapes_and_controls() -> None:
    assert clean("a\x1b[31mb\x1b]0;title\x07c\x00d\u0085e  f") == "abcde f"
    assert clean(None) == ""


def test_canonically_equivalent_text_is_cleaned_to_one_form() -> None:
    # "é" as "e" and a combining accent; Bengali's "য়" precomposed (Unicode decomposes it).
    assert clean("Caf\u0065\u0301 Müller") == clean("Caf\u00e9 Mu\u0308ller") == "Café Müller"
    assert clean("\u09df") == clean("\u09af\u09bc") == "\u09af\u09bc"


def test_recall_escalation_is_skipped_during_extraction_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The speed-up relies on trafilatura.core.ESCALATION_MAX_LENGTH: an upgrade that drops
    it must fail here, not silently make extraction slower."""
    import trafilatura.core

    from tearsheet.extract.extraction import extract
    from tests.support.pages import article_page

    before = trafilatura.core.ESCALATION_MAX_LENGTH
    assert before > 0
    seen: list[int] = []
    real = trafilatura.core.html2txt

    def spy(*args: object, **kwargs: object) -> str:
        seen.append(trafilatura.core.ESCALATION_MAX_LENGTH)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trafilatura.core, "html2txt", spy)
    short = article_page("Council approves budget", LOREM)  # a body under 3,000 characters
    assert extract(short).paragraphs == LOREM
    assert seen == []  # the whole page was not rendered again as text
    assert before == trafilatura.core.ESCALATION_MAX_LENGTH  # and the setting is restored


def test_the_tree_is_handed_to_trafilatura_not_copied() -> None:
    """The speed-up relies on trafilatura.core.load_html: an upgrade that renames it must
    fail here (trafilatura would copy the tree again), not silently make extraction slower.
    trafilatura prunes the tree it works on, so the page's own tree shows its prune."""
    import trafilatura.core

    from tearsheet.extract.body import body_blocks
    from tearsheet.extract.extraction import parse_page

    loader = trafilatura.core.load_html
    body = "".join(f"<p>{p}</p>" for p in LOREM)
    tree = parse_page(f"<html><body><article>{body}</article><div class='infinite-scroll'>"
                      "<p>The next story, appended below.</p></div></body></html>")
    assert [b.text for b in body_blocks(tree).blocks] == LOREM
    assert tree.find(".//div[@class='infinite-scroll']") is None
    assert trafilatura.core.load_html is loader  # restored


def test_an_item_opening_with_any_of_the_links_sharing_its_first_words_is_a_teaser() -> None:
    """Links that begin alike ("Budget vote news: …") are all known: an item opening with
    either is a teaser, whatever order a set of link texts iterates in (it depends on
    the process's hash seed: the body changed from one run to the next)."""
    import lxml.html

    from tearsheet.extract.body import body_blocks
    from tests.support.pages import article_page

    teasers = ["Budget vote news: the council", "Budget vote news: the mayor"]
    items = "".join(f"<li><a href='/{n}'>{t}</a> says what happens to the buses next year.</li>"
                    for n, t in enumerate(teasers))
    page = article_page("Council approves budget", LOREM).replace(
        f"{LOREM[-1]}</p>", f"{LOREM[-1]}</p><ul>{items}</ul>")
    blocks = body_blocks(lxml.html.fromstring(page)).blocks
    found = [b for b in blocks if b.kind == "item"]
    assert [b.text.split(" says")[0] for b in found] == teasers
    assert all(b.opens_link for b in found)
