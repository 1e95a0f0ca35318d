"""Builders of realistic test documents: news article pages and RSS feeds."""

from __future__ import annotations

import json
import random
from html import escape


def article_page(
    headline: str, paragraphs: list[str], *, byline: str = "Jane Doe",
    published: str = "2026-11-20T08:00:00Z", noise: int = 0, lang: str = "en",
    canonical: str | None = None, charset: str | None = "utf-8",
) -> str:
    """A news page with the chrome real sites have; ``noise`` varies only the chrome."""
    rng = random.Random(noise)
    most_read = "".join(
        f'<li><a href="/news/story-{rng.randint(1000, 9999)}">Most read story number '
        f"{rng.randint(1, 99)} about something else entirely</a></li>"
        for _ in range(5)
    )
    ld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
        "author": [{"@type": "Person", "name": name.strip()} for name in byline.split(" and ")],
        "datePublished": published,
    })
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta_charset}
<title>{escape(headline)} | The Daily Example</title>
<meta property="og:title" content="{escape(headline)}">
{link}
<script type="application/ld+json">{ld}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a>
<a href="/business">Business</a> <span class="clock">Updated {rng.randint(1, 59)} minutes ago</span>
</nav></header>
<main><article>
<h1>{escape(headline)}</h1>
<p class="byline">By {escape(byline)}</p>
<time datetime="{published}">{published}</time>
{body}
</article>
<aside><h2>Most read</h2><ol>{most_read}</ol>
<div class="ad" id="ad-{rng.randint(10**6, 10**7)}">Advertisement</div>
<p>{rng.randint(2, 900)} comments</p></aside></main>
<footer><p>© The Daily Example. All rights reserved. Request id {rng.getrandbits(64):x}</p>
</footer></body></html>"""


def rss_feed(base: str, items: list[tuple[str, str]], *, title: str = "The Daily Example") -> str:
    """An RSS 2.0 feed of (path, title) items."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(base + path)}</link>"
        f"<guid>{escape(base + path)}</guid></item>"
        for path, t in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>{escape(base)}/</link>"
            f"<description>News</description>{entries}</channel></rss>")


LOREM = [
    "The city council voted on Tuesday evening to approve a new budget that expands "
    "funding for public transport and adds two hundred new bus drivers next year.",
    "Officials said the plan would be paid for by a modest increase in parking fees "
    "and by savings from an earlier consolidation of administrative offices.",
    "Opponents argued that the measure had been rushed through without enough public "
    "consultation, and several residents spoke against it during the meeting.",
    "The mayor is expected to sign the budget into law before the end of the month, "
    "according to a spokeswoman who declined to give a precise date.",
]
