"""Stable text: page noise never changes the extracted text, typography never makes a version."""

from __future__ import annotations

import dataclasses
from html import escape

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tearsheet.diff.fingerprint import fingerprint, normalize
from tearsheet.extract.extraction import extract
from tests.support.noisy import KINDS, noisy_page
from tests.support.pages import LOREM

TEXT = "\n\n".join(LOREM)


@pytest.mark.parametrize("kinds", [(kind,) for kind in KINDS] + [KINDS], ids=[*KINDS, "all"])
def test_each_kind_of_noise_leaves_the_text_byte_identical(kinds: tuple[str, ...]) -> None:
    pages = [noisy_page("Council approves budget", LOREM, seed=seed, kinds=kinds)
             for seed in range(6)]
    assert len(set(pages)) == 6  # the noise really varies...
    texts = {extract(page, "https://news.example/a").text for page in pages}
    assert texts == {TEXT}  # ...and the text does not


# --- property: random noise blocks in the chrome ---------------------------------------

WORDS = st.sampled_from(["storm", "harbour", "council", "budget", "live", "video", "Most",
                         "read", "Sport", "Weather", "2026", "new", "watch", "opinion",
                         "Updated", "minutes", "ago", "comments", "share", "newsletter"])
TITLE = st.lists(WORDS, min_size=1, max_size=10).map(" ".join)


@st.composite
def noise_block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["links", "label", "counter", "ad", "clock", "promo"]))
    if kind == "links":
        items = draw(st.lists(TITLE, min_size=1, max_size=8))
        tag = draw(st.sampled_from(["ul", "ol"]))
        links = "".join(f'<li><a href="/n/{n}">{escape(t)}</a></li>' for n, t in enumerate(items))
        return f"<{tag}>{links}</{tag}>"
    if kind == "label":
        tag = draw(st.sampled_from(["span", "div", "h2", "h3", "p", "strong"]))
        return f"<{tag}>{escape(draw(TITLE))}</{tag}>"
    if kind == "counter":
        return f"<span>{draw(st.integers(0, 10**6))} {draw(WORDS)}</span>"
    if kind == "ad":
        return (f'<div class="ad" id="ad-{draw(st.integers(0, 2**32))}">'
                f"{draw(st.sampled_from(['', 'Advertisement', 'Sponsored']))}</div>")
    if kind == "clock":
        return f"<time>Updated {draw(st.integers(1, 59))} minutes ago</time>"
    return (f'<div class="promo"><a href="/subscribe">{escape(draw(TITLE))}</a>'
            f"<button>{escape(draw(TITLE))}</button></div>")


SLOTS = ("top", "nav", "under_headline", "between", "after_article", "aside", "footer")


def page_with(noise: dict[str, list[str]]) -> str:
    def at(slot: str) -> str:
        return "".join(noise.get(slot, []))

    between = noise.get("between", [])
    body = "".join(f"<p>{escape(p)}</p>" + (between[n] if n < len(between) else "")
                   for n, p in enumerate(LOREM))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council approves budget | The Daily Example</title></head><body>{at("top")}
<header><nav><a href="/">Home</a> <a href="/world">World</a>{at("nav")}</nav></header>
<main><article><h1>Council approves budget</h1>{at("under_headline")}
<p class="byline">By Jane Doe</p>{body}</article>{at("after_article")}
<aside><h2>Elsewhere</h2>{at("aside")}</aside></main>
<footer><p>© The Daily Example</p>{at("footer")}</footer></body></html>"""


# Under the headline the body's edge rules take up to two labels (a kicker, a date line)
# or a row of one-word tags however long; a third label after two is the body's own first
# line (test_body.py: a heading, then two one-word lines, keeps the last): so two blocks
# there at most, while any other slot takes up to three (between paragraphs: ads only).
NOISE = st.dictionaries(
    st.sampled_from(SLOTS),
    st.lists(noise_block(), min_size=1, max_size=3),
    max_size=len(SLOTS),
).map(lambda found: {slot: blocks[:2] if slot == "under_headline" else blocks
                     if slot != "between" else [b for b in blocks if 'class="ad"' in b]
                     for slot, blocks in found.items()})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noise=NOISE)
@example(noise={"under_headline": ["<div>storm</div>", "<div>live</div>", "<div>video</div>"]})
def test_noise_in_the_chrome_never_changes_the_text(noise: dict[str, list[str]]) -> None:
    found = extract(page_with(noise), "https://news.example/2026/budget")
    assert found.text == TEXT
    assert found.title == "Council approves budget"


# --- typography: compared on a normalised form, stored as published -------------------


@pytest.mark.parametrize(
    ("published", "variant"),
    [
        ("the mayor’s “plan”", "the mayor's \"plan\""),
        ("‘quoted’ and „low“", "'quoted' and \"low\""),
        ("a\u00a0b\u202fc", "a b c"),
        ("re\u00adsign", "resign"),
        ("2019–2020 — a year", "2019-2020 - a year"),
        ("wait…", "wait..."),
        ("non\u2011breaking", "non-breaking"),
    ],
)
def test_typographic_variants_compare_equal(published: str, variant: str) -> None:
    assert normalize(published) == normalize(variant)
    base = extract(noisy_page("Council approves budget", [*LOREM, published], seed=1))
    again = extract(noisy_page("Council approves budget", [*LOREM, variant], seed=2))
    # What was published is what is stored (only runs of whitespace are folded).
    assert base.paragraphs[-1] == " ".join(published.split())
    assert fingerprint(base) == fingerprint(again)


@pytest.mark.parametrize(
    ("left", "right"),
    [("it's", "its"), ("5'", "5"), ("\"A\"", "A"), ("a-b", "ab"), ("co-op", "coop")],
)
def test_normalisation_keeps_what_carries_meaning(left: str, right: str) -> None:
    assert normalize(left) != normalize(right)


def test_a_real_edit_still_changes_the_fingerprint() -> None:
    base = extract(noisy_page("Council approves budget", LOREM, seed=1))
    edited = dataclasses.replace(base, paragraphs=[*base.paragraphs[:-1], "A new ending."])
    assert fingerprint(base) != fingerprint(edited)
