"""URL identity: tearsheet's canonicalize beside courlan's normalize_url (issue 14 item 4).

trafilatura normalises URLs with courlan; tearsheet has its own ``urls.canonicalize``.
An article's identity must (a) give every link to one article the same key — feeds and
share buttons add campaign tags, click ids, fragments, default ports, upper-case hosts —
and (b) never give two articles one key, or one stops being tracked. Measured on the real
article URLs of trafilatura's evaluation set (``../shared/corpora/trafilatura-eval``):

- **same article**: each URL with the decorations links carry in the wild (one at a time
  and all together); a hit when the decorated URL gets the URL's own key;
- **distinct articles**: the set's URLs themselves, plus each URL whose query holds a
  content parameter (``?id=``, ``?cid=``, ``?Seq_Code=``, …) with its value changed; a
  false merge when two different articles get one key.

Usage: ``python bench/urls.py [CORPUS_DIR] [-v]`` (a table; ``-v`` lists the false merges).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tearsheet.urls import canonicalize

# What links add to an article's URL (each seen on news sites' feeds and share links).
DECORATIONS: list[tuple[str, Callable[[str], str]]] = [
    ("utm_* campaign", lambda u: _add(u, [("utm_source", "rss"), ("utm_medium", "feed")])),
    ("fbclid", lambda u: _add(u, [("fbclid", "IwAR0abc")])),
    ("gclid", lambda u: _add(u, [("gclid", "Cj0KCQ")])),
    ("ocid (MSN)", lambda u: _add(u, [("ocid", "msedgntp")])),
    ("smid (NYT share)", lambda u: _add(u, [("smid", "tw-share")])),
    ("at_medium (BBC)", lambda u: _add(u, [("at_medium", "RSS"), ("at_campaign", "KARANGA")])),
    ("ref", lambda u: _add(u, [("ref", "homepage")])),
    ("fragment", lambda u: u.split("#")[0] + "#comments"),
    ("upper-case scheme and host", lambda u: _upper_host(u)),
    ("default port", lambda u: _port(u)),
    ("all of them", lambda u: _port(_upper_host(_add(
        u, [("utm_source", "rss"), ("fbclid", "x"), ("ocid", "y"), ("smid", "z")])))
        + "#top"),
]
# Query parameters that name the article (a changed value is another article).
CONTENT = {"id", "cid", "seq_code", "p", "story", "articleid", "article_id", "sid", "nid",
           "aid", "item", "news_id", "newsid", "docid", "page_id", "postid", "source"}
SYNTHETIC = [  # content parameters the set does not hold, as real CMSs write them
    "https://news.example.com/article.php?cid=1042", "https://news.example.com/view?story=88",
    "https://news.example.com/n.php?sid=3141", "https://news.example.com/a?source=wire-77",
    "https://news.example.com/read?uid=abc123", "https://news.example.com/x?session=12",
    "https://news.example.com/display?eid=5521",
]


def _add(url: str, params: list[tuple[str, str]]) -> str:
    """``url`` with ``params`` appended to its query as they are (SPIP's "?article8532"
    has no "=")."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _upper_host(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.upper(), parts.netloc.upper(), parts.path, parts.query,
                       parts.fragment))


def _port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port is not None:
        return url
    port = 443 if parts.scheme.lower() == "https" else 80
    return urlunsplit((parts.scheme, f"{parts.netloc}:{port}", parts.path, parts.query,
                       parts.fragment))


def _other_article(url: str) -> str | None:
    """``url`` with its content parameter's value changed (another article), if any."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for n, (key, value) in enumerate(query):
        if key.lower() in CONTENT or key.lower() in ("uid", "session", "eid"):
            changed = list(query)
            changed[n] = (key, value + "9")
            return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(changed), ""))
    return None


def candidates() -> dict[str, Callable[[str], str]]:
    from courlan import normalize_url

    return {
        "tearsheet canonicalize": canonicalize,
        "courlan normalize_url": lambda u: normalize_url(u),
        "courlan normalize_url strict": lambda u: normalize_url(u, strict=True),
    }


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "-v"]
    corpus = Path(args[0] if args else "../shared/corpora/trafilatura-eval")
    if not (corpus / "evaldata.json").is_file():
        sys.exit(f"no evaldata.json in {corpus}: pass the trafilatura-eval corpus folder")
    urls = sorted({u.strip() for u in json.loads((corpus / "evaldata.json").read_text())})
    urls = [u for u in urls if u.startswith(("http://", "https://"))]
    others = [o for o in (_other_article(u) for u in [*urls, *SYNTHETIC]) if o]
    distinct = sorted({*urls, *SYNTHETIC, *others})
    print(f"{len(urls)} article URLs, {len(DECORATIONS)} decorations; {len(distinct)} distinct "
          f"articles ({len(others)} with a content parameter changed, "
          f"{len(SYNTHETIC)} synthetic)\n")
    header = ["candidate", *[d for d, _ in DECORATIONS], "same article", "false merges",
              "µs/URL"]
    rows = []
    for name, key in candidates().items():
        hits = []
        for _, decorate in DECORATIONS:
            hits.append(sum(key(decorate(u)) == key(u) for u in urls))
        keys: dict[str, str] = {}
        merges = 0
        for url in distinct:
            found = key(url)
            if found in keys and keys[found] != url:
                merges += 1
                if "-v" in sys.argv:
                    print(f"{name}: {keys[found]} and {url} -> {found}")
            keys.setdefault(found, url)
        start = time.perf_counter()
        for _ in range(3):
            for url in urls:
                key(url)
        micro = (time.perf_counter() - start) / (3 * len(urls)) * 1e6
        rows.append([name, *[f"{h}/{len(urls)}" for h in hits],
                     f"{sum(hits)}/{len(urls) * len(DECORATIONS)}", str(merges),
                     f"{micro:.1f}"])
    for n, title in enumerate(header):
        print(f"{title:28s} " + "  ".join(f"{row[n]:>30s}" for row in rows))


if __name__ == "__main__":
    main()
