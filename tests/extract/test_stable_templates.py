"""Stable under page furniture: the same article in real news templates, with random
furniture around it (galleries, carousels, "most read" lists, video captions, timestamps,
counters, A/B teasers, a menu naming the article's own lines), always gives the same
fingerprint — else every load is a phantom version. The templates are real pages of the
benchmark corpus (../shared)."""

from __future__ import annotations

import gzip
import json
from functools import cache
from html import escape

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tearsheet.diff.fingerprint import fingerprint
from tearsheet.extract import extract
from tests.support.shared import shared_path

WORDS = st.sampled_from(["storm", "harbour", "council", "budget", "Live", "video", "Most",
                         "read", "Sport", "Weather", "2026", "new", "watch", "Opinion",
                         "Updated", "minutes", "ago", "photos", "share", "gallery"])
TEASER = st.lists(WORDS, min_size=2, max_size=9).map(" ".join)


@st.composite
def furniture(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["gallery", "carousel", "most_read", "video", "clock",
                                 "counter", "teaser"]))
    n = draw(st.integers(0, 10**6))
    if kind == "gallery":
        photos = "".join(f'<figure><img src="/g/{n}-{i}.jpg" alt=""><figcaption>'
                         f"{escape(draw(TEASER))}</figcaption></figure>"
                         for i in range(draw(st.integers(2, 6))))
        return f'<div class="gallery" id="g{n}">{photos}</div>'
    if kind == "carousel":
        slides = "".join(f'<li class="slide"><a href="/s/{n}/{i}">{escape(draw(TEASER))}</a>'
                         "</li>" for i in range(draw(st.integers(2, 6))))
        return f'<div class="carousel"><ul>{slides}</ul></div>'
    if kind == "most_read":
        items = "".join(f'<li><a href="/m/{n}/{i}">{escape(draw(TEASER))}</a></li>'
                        for i in range(draw(st.integers(3, 8))))
        return f'<section class="most-read"><h2>Most read</h2><ol>{items}</ol></section>'
    if kind == "video":
        return (f'<div class="video-player" data-id="{n}"><video src="/v/{n}.mp4"></video>'
                f'<p class="caption">{escape(draw(TEASER))}</p></div>')
    if kind == "clock":
        return f"<time>Updated {draw(st.integers(1, 59))} minutes ago</time>"
    if kind == "counter":
        return f'<span class="count">{n} {draw(WORDS)}</span>'
    return (f'<div class="teaser ab-{n % 2}"><a href="/t/{n}">{escape(draw(TEASER))}</a>'
            f"<span>{escape(draw(TEASER))}</span></div>")


PAGES = ("0dd1357045727799a447563fd8851f4ebe79f042073ea16991",  # a few real templates
         "16c30add7e96315e9cc957d85aa876ccb6b70055f0ddab5154",
         "374ac9a59a85196cdacc1679fb8993521a7b7d9d6533720f10",
         "3c5bf8db4272925bf1dd5713fc325e179fd0d1cc6fb8c77aa2")


@cache
def _template(prefix: str) -> tuple[str, str]:
    folder = shared_path("corpora", "extraction")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    key = next(k for k in truth if k.startswith(prefix))
    html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
    return html, truth[key]["url"]


def _furnished(html: str, placed: dict[str, list[str]]) -> str:
    """The page with furniture at the top and bottom of <body>, and in its page chrome
    (header, nav, aside, footer): where templates put it, never inside the article."""
    tree = lxml.html.document_fromstring(html)
    body = tree.find("body")
    assert body is not None
    spots = {"top": [body], "bottom": [body],
             "chrome": [e for e in body.iter("header", "nav", "aside", "footer")] or [body]}
    for slot, pieces in placed.items():
        for n, piece in enumerate(pieces):
            target = spots[slot][n % len(spots[slot])]
            element = lxml.html.fragment_fromstring(piece)
            if slot == "top":
                target.insert(0, element)
            else:
                target.append(element)
    return lxml.html.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("prefix", PAGES)
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(placed=st.dictionaries(st.sampled_from(["top", "bottom", "chrome"]),
                              st.lists(furniture(), min_size=1, max_size=3), min_size=1))
def test_furniture_never_changes_the_fingerprint(prefix: str,
                                                 placed: dict[str, list[str]]) -> None:
    html, url = _template(prefix)
    plain = fingerprint(extract(_furnished(html, {}), url))
    assert fingerprint(extract(_furnished(html, placed), url)) == plain


@pytest.mark.parametrize("prefix", PAGES)
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_menu_naming_the_article_s_own_lines_never_changes_the_fingerprint(
        prefix: str, data: st.DataObject) -> None:
    # A site's menu that gains (or loses) an item whose text is one of the article's own
    # lines (a heading, "Features"; a short paragraph): the menu's links are no lines of
    # the body, so the article reads the same.
    html, url = _template(prefix)
    plain = extract(_furnished(html, {}), url)
    lines = [p for p in plain.paragraphs if len(p.split()) <= 40]
    assert lines  # every template has some
    echoed = data.draw(st.lists(st.sampled_from(lines), min_size=1, max_size=3, unique=True))
    menu = "".join(f'<li><a href="/section/{n}">{escape(text)}</a></li>'
                   for n, text in enumerate(echoed))
    page = _furnished(html, {"top": [f'<nav class="menu"><ul>{menu}</ul></nav>']})
    assert fingerprint(extract(page, url)) == fingerprint(plain)
