"""A news page with every kind of page noise, each switchable, varying with a seed.

The article is the same whatever the seed; only the noise changes: what a site does
between two requests for an unchanged story.
"""

from __future__ import annotations

import random
from html import escape

KINDS = ("most_read", "ad_slots", "updated", "comments", "recirculation", "newsletter",
         "share", "related_list")

HEADLINES = [
    "Storm closes harbour for a second day", "Mayor names new transport chief",
    "Rail strike called off after late talks", "Museum reopens after long restoration",
    "School meals to be free for all pupils", "Fishing fleet returns with record catch",
    "Bridge repairs to take until spring", "Hospital opens new children's ward",
    "Local team wins cup in extra time", "Library hours cut to save money",
]


def noisy_page(headline: str, paragraphs: list[str], *, seed: int,
               kinds: tuple[str, ...] = KINDS, byline: str = "Jane Doe") -> str:
    rng = random.Random(seed)

    def story() -> str:
        return rng.choice(HEADLINES) + f" ({rng.randint(1, 999)})"

    def link() -> str:
        return f'<a href="/news/{rng.randint(1000, 99999)}">{escape(story())}</a>'

    body: list[str] = []
    for n, paragraph in enumerate(paragraphs):
        body.append(f"<p>{escape(paragraph)}</p>")
        if "ad_slots" in kinds and n % 2 == 0:
            body.append(f'<div class="ad-slot" id="ad-{rng.getrandbits(32):x}">'
                        f"<span>Advertisement</span></div>")
        if "recirculation" in kinds and n == 1:
            label = rng.choice(["Read more", "Related", "Also read", "See also"])
            body.append(f"<p><strong>{label}:</strong> {link()}</p>")
        if "recirculation" in kinds and n == 2:
            body.append(f"<p>{link()}</p>")
    if "newsletter" in kinds:
        body.append('<div class="newsletter"><h3>Get the morning briefing</h3>'
                    "<p>Sign up for our newsletter to get the top stories in your inbox "
                    f"every day ({rng.randint(1, 9)} million readers).</p></div>")
    if "share" in kinds:
        body.append('<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> '
                    '<a href="#">Email</a></div>')
    if "related_list" in kinds:
        items = "".join(f"<li>{link()}</li>" for _ in range(rng.randint(3, 6)))
        body.append(f'<section class="related"><h2>More stories</h2><ul>{items}</ul></section>')

    clock = (f'<span class="updated">Updated {rng.randint(1, 59)} minutes ago</span>'
             if "updated" in kinds else "")
    comments = (f'<a class="comments" href="#comments">{rng.randint(0, 999)} comments</a>'
                if "comments" in kinds else "")
    most_read = ""
    if "most_read" in kinds:
        items = "".join(f"<li>{link()}</li>" for _ in range(5))
        most_read = f'<aside class="most-read"><h2>Most read</h2><ol>{items}</ol></aside>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(headline)} | The Daily Example</title>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
</header>
<main><article>
<h1>{escape(headline)}</h1>
<p class="byline">By {escape(byline)}</p>{clock}{comments}
<time datetime="2026-11-20T08:00:00Z">20 November 2026</time>
{"".join(body)}
</article>{most_read}</main>
<footer><p>© The Daily Example. Request {rng.getrandbits(48):x}</p></footer>
</body></html>"""
