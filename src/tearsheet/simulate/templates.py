"""Page templates of the simulated newsroom: articles, fronts, feeds and sitemaps.

A tracker is only as good as its ability to see the article through the page around it,
so the article templates are modelled on the markup of real news sites — a broadsheet
(``gazette``), a wire service (``wire``) and a WordPress regional paper (``regional``) —
with their header, nav, footer, JSON-LD ``NewsArticle``, OpenGraph tags and ``<time>``.
Around the story they put the *noise* real pages carry, different on every request
(:data:`NOISE_KINDS`). Only the noise changes from one request to the next: the article
itself is the version being served, so any difference a tracker records is a real edit —
or a bug.

Everything that comes from a history is escaped: histories may be converted from the web,
and content from the web is hostile.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

SITE_NAME = "The Harbour Gazette"
SECTIONS = ("news", "politics", "business", "world", "science", "sport", "culture")

NOISE_KINDS = frozenset({
    "most_read",   # a rotating "most read" list beside the story
    "ads",         # ad slots with random ids between paragraphs
    "updated",     # "Updated N minutes ago"
    "clock",       # a live timestamp in the header
    "comments",    # a comment count
    "recirc",      # "Read more" links to other stories *inside* the body
    "csrf",        # CSRF tokens in meta tags and forms
    "cachebust",   # cache-busting query strings on scripts, styles and images
})
"""Every kind of per-request noise the templates can add."""

LEAKY_NOISE: frozenset[str] = frozenset()
"""Noise kinds the extractor lets into the article body, which a default replay leaves
out so that it makes no phantom versions. Measured by ``tests/simulate/test_site.py``
(every default kind, every template, the whole bundled newsroom): with the extractor of
this release none leaks. An earlier one kept in-body "Read more" links (``recirc``) as a
paragraph; put a kind back here if an extractor change lets it through again.
"""

DEFAULT_NOISE = NOISE_KINDS - LEAKY_NOISE


@dataclass(frozen=True)
class Story:
    """What an article page shows: one version, plus where and when it is served."""

    headline: str
    paragraphs: Sequence[str]
    byline: str = ""
    url: str = ""
    section: str = "news"
    published: datetime | None = None
    modified: datetime | None = None
    standfirst: str = ""  # the dek under the headline, also the page's description
    correction: str = ""  # an editor's note, where each template puts it


@dataclass
class Noise:
    """The per-request chrome: a seeded RNG, the clock, and which kinds are on."""

    rng: random.Random
    now: datetime
    kinds: Collection[str] = DEFAULT_NOISE
    others: Sequence[tuple[str, str]] = field(default_factory=list)  # (path, headline)

    def on(self, kind: str) -> bool:
        return kind in self.kinds

    def token(self, bits: int = 64) -> str:
        return f"{self.rng.getrandbits(bits):x}"

    def asset(self, path: str) -> str:
        """A static asset's URL, cache-busted when that noise is on."""
        return f"{path}?v={self.token(32)}" if self.on("cachebust") else path

    def picks(self, count: int) -> list[tuple[str, str]]:
        pool = list(self.others) or [(f"/news/story-{n}", f"Story {n}") for n in range(10)]
        return [self.rng.choice(pool) for _ in range(count)]


def authors(byline: str) -> list[str]:
    """Names in a byline: "A and B", "A, B" or "A & B"."""
    names: list[str] = []
    for chunk in byline.replace(" & ", ", ").replace(" and ", ", ").split(","):
        name = " ".join(chunk.split())
        if name and name not in names:
            names.append(name)
    return names


def iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _json_ld(story: Story) -> str:
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": story.headline, "mainEntityOfPage": story.url or None,
        "author": [{"@type": "Person", "name": name} for name in authors(story.byline)],
        "datePublished": iso(story.published) or None, "dateModified": iso(story.modified) or None,
        "articleSection": story.section,
        "publisher": {"@type": "NewsMediaOrganization", "name": SITE_NAME},
    }
    if story.standfirst:
        data["description"] = story.standfirst
    data = {k: v for k, v in data.items() if v is not None}
    # "</script>" inside a JSON string would end the script element: no "<" goes through.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _head(story: Story, noise: Noise, css_class: str) -> str:
    h = escape(story.headline)
    csrf = f'<meta name="csrf-token" content="{noise.token(128)}">' if noise.on("csrf") else ""
    canonical = f'<link rel="canonical" href="{escape(story.url)}">' if story.url else ""
    if story.standfirst:
        dek = escape(story.standfirst)
        canonical += (f'\n<meta name="description" content="{dek}">'
                      f'\n<meta property="og:description" content="{dek}">')
    return f"""<!DOCTYPE html>
<html lang="en" class="{css_class}"><head><meta charset="utf-8">
<title>{h} | {SITE_NAME}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:type" content="article">
<meta property="og:title" content="{h}">
<meta property="og:url" content="{escape(story.url)}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="article:published_time" content="{iso(story.published)}">
<meta property="article:modified_time" content="{iso(story.modified)}">
<meta property="article:section" content="{escape(story.section)}">
{csrf}{canonical}
<link rel="stylesheet" href="{escape(noise.asset('/static/site.css'))}">
<script src="{escape(noise.asset('/static/app.js'))}" defer></script>
<script type="application/ld+json">{_json_ld(story)}</script>
</head>"""


def _nav() -> str:
    links = "".join(f'<li><a href="/{s}">{s.title()}</a></li>' for s in SECTIONS)
    return f'<nav aria-label="Sections"><ul>{links}</ul></nav>'


def _clock(noise: Noise) -> str:
    if not noise.on("clock"):
        return ""
    return (f'<span class="live-clock"><time datetime="{iso(noise.now)}">'
            f'{noise.now.strftime("%H:%M:%S")}</time></span>')


def _updated(story: Story, noise: Noise) -> str:
    if not noise.on("updated") or story.modified is None:
        return ""
    minutes = max(1, int((noise.now - story.modified).total_seconds() // 60)) \
        + noise.rng.randint(0, 3)
    return f'<span class="updated">Updated {minutes} minutes ago</span>'


def _ad(noise: Noise) -> str:
    return (f'<div class="ad-slot" id="ad-{noise.token(48)}" data-ad-unit="article-inline" '
            f'aria-hidden="true"><span class="ad-label">Advertisement</span></div>')


def _recirc(noise: Noise) -> str:
    path, title = noise.picks(1)[0]
    return (f'<p class="recirc"><strong>Read more:</strong> '
            f'<a href="{escape(path)}">{escape(title)}</a></p>')


def _body(story: Story, noise: Noise) -> str:
    """The paragraphs, with ad slots (and, if on, "Read more" links) between them."""
    out = []
    for n, paragraph in enumerate(story.paragraphs):
        out.append(f"<p>{escape(paragraph)}</p>")
        last = n == len(story.paragraphs) - 1
        if not last and n % 3 == 1 and noise.on("ads"):
            out.append(_ad(noise))
        if not last and n == 2 and noise.on("recirc"):
            out.append(_recirc(noise))
    return "\n".join(out)


def _standfirst(story: Story) -> str:
    return f'<p class="standfirst">{escape(story.standfirst)}</p>' if story.standfirst else ""


def _correction(story: Story, css_class: str) -> str:
    if not story.correction:
        return ""
    return (f'<p class="{css_class}"><strong>Correction:</strong> '
            f"{escape(story.correction)}</p>")


def _most_read(noise: Noise) -> str:
    if not noise.on("most_read"):
        return ""
    items = "".join(f'<li><a href="{escape(p)}">{escape(t)}</a></li>' for p, t in noise.picks(5))
    return f'<aside class="most-read"><h2>Most read</h2><ol>{items}</ol></aside>'


def _comments(noise: Noise) -> str:
    if not noise.on("comments"):
        return ""
    return f'<a class="comment-count" href="#comments">{noise.rng.randint(0, 900)} comments</a>'


def _newsletter(noise: Noise) -> str:
    csrf = (f'<input type="hidden" name="csrfmiddlewaretoken" value="{noise.token(128)}">'
            if noise.on("csrf") else "")
    return (f'<form class="newsletter" method="post" action="/newsletter">{csrf}'
            f'<label>Get the morning briefing <input type="email" name="email"></label>'
            f"<button>Sign up</button></form>")


def _byline_html(story: Story) -> str:
    names = authors(story.byline)
    if not names:
        return ""
    links = " and ".join(f'<a rel="author" href="/profile/{escape(n.lower().replace(" ", "-"))}">'
                         f"{escape(n)}</a>" for n in names)
    return f'<p class="byline">By {links}</p>'


def gazette(story: Story, noise: Noise) -> str:
    """A broadsheet: masthead, breadcrumbs, article body with inline ads, most-read rail."""
    return f"""{_head(story, noise, "gazette")}
<body><header class="masthead"><a class="logo" href="/">{SITE_NAME}</a>{_clock(noise)}
{_nav()}</header>
<main id="maincontent">
<ol class="breadcrumbs"><li><a href="/">Home</a></li>
<li><a href="/{escape(story.section)}">{escape(story.section.title())}</a></li></ol>
<article class="article">
<header><h1 class="headline">{escape(story.headline)}</h1>
{_standfirst(story)}{_byline_html(story)}
<p class="dateline"><time datetime="{iso(story.published)}">{iso(story.published)}</time>
{_updated(story, noise)} {_comments(noise)}</p></header>
<div class="article-body" itemprop="articleBody">
{_body(story, noise)}
{_correction(story, "correction")}
</div>
</article>
{_most_read(noise)}
</main>
<footer><p>© {SITE_NAME}. All rights reserved.</p>{_newsletter(noise)}
<p class="request">Request {noise.token()}</p></footer>
</body></html>"""


def wire(story: Story, noise: Noise) -> str:
    """A wire service: a story body in a RichText block, related links after it."""
    related = "".join(f'<li><a href="{escape(p)}">{escape(t)}</a></li>' for p, t in noise.picks(3))
    return f"""{_head(story, noise, "wire")}
<body><div class="Page-header"><a href="/" class="Page-logo">{SITE_NAME} Wire</a>
{_nav()}{_clock(noise)}</div>
<div class="Page-content">
<div class="Page-headline"><h1>{escape(story.headline)}</h1>{_standfirst(story)}</div>
<div class="Page-byline">{_byline_html(story)}
<bsp-timestamp><time datetime="{iso(story.modified)}">{iso(story.modified)}</time></bsp-timestamp>
{_updated(story, noise)}</div>
<div class="RichTextStoryBody RichTextBody">
{_body(story, noise)}
</div>
{_correction(story, "Page-correction")}
<div class="Page-actions">{_comments(noise)}</div>
<section class="RelatedList"><h2>Related stories</h2><ul>{related}</ul></section>
{_most_read(noise)}
</div>
<footer class="Page-footer"><p>Copyright {SITE_NAME} Wire.</p>{_newsletter(noise)}</footer>
</body></html>"""


def regional(story: Story, noise: Noise) -> str:
    """A WordPress regional paper: entry-content, share buttons, related posts, comments."""
    related = "".join(f'<div class="jp-relatedposts-post"><a href="{escape(p)}">{escape(t)}</a>'
                      f"</div>" for p, t in noise.picks(3))
    return f"""{_head(story, noise, "regional")}
<body class="single single-post"><div id="page" class="site">
<header id="masthead" class="site-header"><p class="site-title"><a href="/">{SITE_NAME}</a></p>
{_nav()}{_clock(noise)}</header>
<div id="content" class="site-content"><div id="primary" class="content-area">
<article class="post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{escape(story.headline)}</h1>
{_standfirst(story)}<div class="entry-meta"><span class="posted-on"><time
 class="entry-date published" datetime="{iso(story.published)}">{iso(story.published)}</time></span>
<span class="byline">{_byline_html(story)}</span> {_updated(story, noise)}</div></header>
<div class="entry-content">
{_correction(story, "editor-note")}
{_body(story, noise)}
</div>
<footer class="entry-footer"><div class="sharedaddy"><a class="share-facebook"
 href="#">Share</a> <a class="share-twitter" href="#">Post</a></div></footer>
</article>
<div id="jp-relatedposts" class="jp-relatedposts"><h3>Related</h3>{related}</div>
<div id="comments" class="comments-area"><h2 class="comments-title">{_comments(noise)}</h2>
<div id="respond"><form action="/wp-comments-post.php" method="post">
<textarea name="comment"></textarea><button>Post comment</button></form></div></div>
</div>{_most_read(noise)}</div>
<footer id="colophon" class="site-footer">{_newsletter(noise)}
<p>Proudly published by {SITE_NAME}.</p></footer></div></body></html>"""


TEMPLATES = {"gazette": gazette, "wire": wire, "regional": regional}


def template_for(article: str) -> str:
    """The template an article is always shown in (stable: a hash of its id)."""
    names = sorted(TEMPLATES)
    return names[sum(article.encode("utf-8")) % len(names)]


# --- the classic page used by the unit tests ----------------------------------------------

def article_page(
    headline: str, paragraphs: list[str] | tuple[str, ...], *, byline: str = "",
    published: str = "2026-11-20T08:00:00Z", noise: int = 0, lang: str = "en",
    canonical: str | None = None, charset: str | None = "utf-8",
) -> str:
    """A news article page with the chrome real sites have; ``noise`` varies only the chrome.

    The tests' fixed page (``tests/support/pages.py``): its options (charset, language) cover what
    the extractor must handle, where the site's templates cover what real fronts look like.
    """
    rng = random.Random(noise)  # noqa: S311 - page noise, not secrets
    most_read = "".join(
        f'<li><a href="/news/story-{rng.randint(1000, 9999)}">Most read story number '
        f"{rng.randint(1, 99)} about something else entirely</a></li>"
        for _ in range(5)
    )
    ld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
        "author": [{"@type": "Person", "name": name}
                   for name in (n.strip() for n in byline.split(" and ")) if name],
        "datePublished": published,
    }).replace("</", "<\\/")
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    by = f'<p class="byline">By {escape(byline)}</p>' if byline else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta_charset}
<title>{escape(headline)} | {SITE_NAME}</title>
<meta property="og:title" content="{escape(headline)}">
{link}
<script type="application/ld+json">{ld}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a>
<a href="/business">Business</a> <span class="clock">Updated {rng.randint(1, 59)} minutes ago</span>
</nav></header>
<main><article>
<h1>{escape(headline)}</h1>
{by}
<time datetime="{published}">{published}</time>
{body}
</article>
<aside><h2>Most read</h2><ol>{most_read}</ol>
<div class="ad" id="ad-{rng.randint(10**6, 10**7)}">Advertisement</div>
<p>{rng.randint(2, 900)} comments</p></aside></main>
<footer><p>© {SITE_NAME}. All rights reserved. Request id {rng.getrandbits(64):x}</p>
</footer></body></html>"""


# --- fronts, feeds, sitemaps, walls -----------------------------------------------------

def front_page(title: str, items: Sequence[tuple[str, str, str]], noise: Noise) -> str:
    """The homepage or a section front: (path, headline, section) teasers, newest first."""
    teasers = "\n".join(
        f'<li class="teaser"><a class="teaser-link" href="{escape(p)}">{escape(h)}</a>'
        f' <span class="kicker">{escape(s.title())}</span></li>'
        for p, h, s in items)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {SITE_NAME}</title>
<link rel="stylesheet" href="{escape(noise.asset('/static/site.css'))}">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="/atom.xml"></head>
<body><header class="masthead"><a class="logo" href="/">{SITE_NAME}</a>{_clock(noise)}
{_nav()}</header>
<main><h1>{escape(title)}</h1><ul class="teasers">
{teasers}
</ul>{_most_read(noise)}</main>
<footer><p>© {SITE_NAME}.</p>{_newsletter(noise)}</footer></body></html>"""


def rss_feed(base: str, items: list[tuple[str, str]], *, title: str = SITE_NAME,
             dates: Sequence[datetime] | None = None) -> str:
    """An RSS 2.0 feed of (path, title) items (with ``dates``: their pubDates)."""
    entries = []
    for n, (path, headline) in enumerate(items):
        date = (f"<pubDate>{dates[n].strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
                if dates else "")
        entries.append(f"<item><title>{escape(headline)}</title>"
                       f"<link>{escape(base + path)}</link>"
                       f"<guid>{escape(base + path)}</guid>{date}</item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>{escape(base)}/</link>"
            f"<description>News</description>{''.join(entries)}</channel></rss>")


def atom_feed(base: str, items: Sequence[tuple[str, str, datetime]], updated: datetime) -> str:
    """An Atom feed of (path, title, updated) entries."""
    entries = "".join(
        f"<entry><title>{escape(t)}</title><link href=\"{escape(base + p)}\"/>"
        f"<id>{escape(base + p)}</id><updated>{iso(when)}</updated></entry>"
        for p, t, when in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{SITE_NAME}</title>'
            f'<link href="{escape(base)}/"/><id>{escape(base)}/</id>'
            f"<updated>{iso(updated)}</updated>{entries}</feed>")


def news_sitemap(base: str, items: Sequence[tuple[str, str, datetime]]) -> str:
    """A Google News sitemap of (path, title, published) entries."""
    urls = "".join(
        f"<url><loc>{escape(base + p)}</loc><news:news><news:publication>"
        f"<news:name>{SITE_NAME}</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{iso(when)}</news:publication_date>"
        f"<news:title>{escape(t)}</news:title></news:news></url>"
        for p, t, when in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{urls}</urlset>")


def paywall_page(headline: str) -> str:
    """What a metered site answers, with status 200, once the free articles are used up."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(headline)} | {SITE_NAME}</title></head><body>
<header><a href="/">{SITE_NAME}</a></header>
<main><h1>{escape(headline)}</h1>
<div class="paywall"><p>You have read all your free articles this month.</p>
<p><a href="/subscribe">Subscribe</a> to keep reading.</p></div></main></body></html>"""


def consent_page() -> str:
    """A cookie-consent interstitial served, with status 200, instead of the article."""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Before you continue | {SITE_NAME}</title></head><body>
<div class="consent"><h1>We value your privacy</h1>
<p>We and our partners use cookies.</p>
<form method="post" action="/consent"><button name="accept">Accept all</button>
<button name="reject">Reject all</button></form></div></body></html>"""


def not_found_page() -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found | '
            f"{SITE_NAME}</title></head><body><h1>Page not found</h1></body></html>")


def epoch_plus(epoch: datetime, seconds: float) -> datetime:
    return epoch + timedelta(seconds=seconds)
