"""Mutation sweep of the fast path: does it ever call an edited page unchanged?

Why: the fast path (``extract/recheck.py``) may call a page unchanged only when a full
extraction would give the same fingerprint; a wrong "unchanged" is a lost version. This
edits the pages of ``../shared/corpora`` and checks every edit the fast path lets through.

For each page that gets a decision key with a digest (written out by lxml first, so that
the edit is the one difference between the page the key is made from and the page
checked), ``--edits`` times, one of:

- ``insert``: a 30-word prose ``<p>`` added after a random block element of the body,
  anywhere (menus, footers, sidebars included);
- ``word``: one shown word (outside links) reversed;
- ``delete``: a small element (ten descendants at most) removed, its tail kept.

When the fast path says unchanged, the edit is extracted in full and its fingerprint
compared with the first extraction's: a difference is a **miss**. Prints each miss and a
summary; exits 1 when any. A page's edits depend on ``--seed`` and the page alone
(``--match`` reruns one). ~10 min for every page of
the three corpora (``--pages`` takes a spread of fewer).
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
from pathlib import Path

import lxml.html

from tearsheet.diff import fingerprint
from tearsheet.errors import ExtractionError
from tearsheet.extract import check_capture, extract_capture
from tearsheet.extract.fast_path import recheck
from tearsheet.extract.recheck import DecisionKey

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
URL = "https://news.example/2026/story"
BLOCKS = ("p", "div", "li", "section", "article", "h2", "h3", "ul", "table", "aside",
          "footer")
PROSE = ("the council said on tuesday that its new budget would include more money for "
         "schools roads and parks after residents asked for changes during a long public "
         "meeting held downtown last week")


def digest_key(key: str | None) -> DecisionKey | None:
    """The stored ``key`` when it has a digest to judge an edited page by; None for no key
    or a key of the capture alone (which only the very same bytes match)."""
    known = DecisionKey.loads(key)
    return known if known is not None and known.digest else None


def corpus_pages(root: Path, pages: int | None) -> list[Path]:
    found = sorted(root.glob("readability/*/source.html.gz")) + \
        sorted(root.glob("trafilatura-eval/html/*.gz")) + \
        sorted(root.glob("extraction/html/*.gz"))
    if pages:
        found = found[:: max(1, len(found) // pages)][:pages]
    return found


def _in_body(tree: lxml.html.HtmlElement, tags: tuple[str, ...]) -> list[lxml.html.HtmlElement]:
    body = tree.find("body")
    return [] if body is None else list(body.iterdescendants(*tags))


def _written(tree: lxml.html.HtmlElement) -> bytes:
    """The page written out whole: the comments after its end too (a cache's signature,
    which the fast path reads past: ``page_scans.ends_whole``)."""
    return bytes(lxml.html.tostring(tree.getroottree(), encoding="utf-8",
                                    doctype="<!DOCTYPE html>"))


def _named(element: lxml.html.HtmlElement) -> str:
    """The element as a reader of the report finds it: its tag, class and id."""
    classes, ident = element.get("class"), element.get("id")
    return f"<{element.tag}" + (f' class="{classes}"' if classes else "") + \
        (f' id="{ident}"' if ident else "") + ">"


def inserted(page: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    tree = lxml.html.fromstring(page)
    spots = _in_body(tree, BLOCKS)
    if not spots:
        return None
    words = PROSE.split()
    rng.shuffle(words)
    paragraph = lxml.html.Element("p")
    paragraph.text = " ".join(words).capitalize() + "."
    spot = rng.choice(spots)
    spot.addnext(paragraph)
    return _written(tree), f"a paragraph after {_named(spot)}"


def word_reversed(page: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    tree = lxml.html.fromstring(page)
    spots = [(e, part) for e in _in_body(tree, ("*",))
             if e.tag not in ("script", "style", "template", "a")
             and not any(a.tag == "a" for a in e.iterancestors())
             for part in ("text", "tail")
             if any(len(w) >= 4 and w.isalpha() for w in (getattr(e, part) or "").split())]
    if not spots:
        return None
    element, part = rng.choice(spots)
    text = str(getattr(element, part))
    word = rng.choice([w for w in text.split() if len(w) >= 4 and w.isalpha()])
    try:
        setattr(element, part, text.replace(word, word[::-1], 1))
    except ValueError:  # a control character lxml will not write back: another page
        return None
    return _written(tree), f"{word!r} reversed in {_named(element)}"


def deleted(page: bytes, rng: random.Random) -> tuple[bytes, str] | None:
    tree = lxml.html.fromstring(page)
    spots = [e for e in _in_body(tree, ("*",))
             if isinstance(e.tag, str) and sum(1 for _ in e.iterdescendants()) <= 10]
    if not spots:
        return None
    spot = spots[rng.randrange(len(spots))]
    named = _named(spot)
    spot.drop_tree()
    return _written(tree), f"{named} removed"


EDITS = {"insert": inserted, "word": word_reversed, "delete": deleted}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--kind", choices=sorted(EDITS), default="insert")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--edits", type=int, default=20, help="edits a page")
    parser.add_argument("--pages", type=int, default=0, help="a spread of this many (0: all)")
    parser.add_argument("--corpora", type=Path, default=SHARED)
    parser.add_argument("--match", default="", help="only pages whose path holds this")
    args = parser.parse_args()
    if not args.corpora.is_dir():
        sys.exit(f"no corpora at {args.corpora} (the shared folder beside the repository)")
    edit = EDITS[args.kind]
    keyed = calls = 0
    misses: list[str] = []
    for path in corpus_pages(args.corpora, args.pages or None):
        if args.match not in str(path):
            continue
        name = path.parent.name if path.name == "source.html.gz" else path.name
        rng = random.Random(f"{args.seed}:{name}")  # a page's edits, whatever else is swept
        try:
            tree = lxml.html.fromstring(gzip.decompress(path.read_bytes()))
            page = _written(tree)
            first = check_capture(page, URL, "utf-8", "text/html")
        except (ExtractionError, ValueError, lxml.etree.ParserError):
            continue
        if digest_key(first.key) is None or first.extraction is None:
            continue
        keyed += 1
        before = fingerprint(first.extraction)
        for _ in range(args.edits):
            made = edit(page, rng)
            if made is None:
                continue
            edited, what = made
            if recheck(edited, URL, "utf-8", "text/html", first.key) is None:
                continue
            calls += 1
            try:
                after = fingerprint(extract_capture(edited, URL, "utf-8", "text/html"))
            except ExtractionError as exc:
                after = f"refused: {exc.reason}"
            if after != before:
                misses.append(name)
                print(f"miss: {name}: {what}", flush=True)
    print(f"{args.kind} sweep, seed {args.seed}: {keyed} pages with a key, {calls} edits "
          f"called unchanged, {len(misses)} misses on {len(set(misses))} pages")
    sys.exit(1 if misses else 0)


if __name__ == "__main__":
    main()
