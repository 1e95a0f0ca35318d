"""trafilatura's reading of a page, as tearsheet runs it: its options, and the patches
held for one call (no copy of the tree, no recall escalation, no block taken for a caption
box that says it has none, its expressions' regular expressions guarded, and watching
what it does: whether it fell back on loose paragraphs, which elements it took the body
from). Before the call, the elements its cleaning deletes are un-nested, so that the
cleaning deletes them all (:func:`_unnest_cleaned`).

trafilatura has no option for any of these, so each changes one of its module globals
for the call and restores it after. :func:`read` holds a lock meanwhile, so that
extractions on several threads of one process (a library user's) never see each other's
patches nor restore them under each other. If an upgrade renames what a patch changes,
that patch does nothing and a test says so (tests/extract/test_density.py,
tests/extract/test_recheck.py, tests/extract/test_guards.py).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html
import trafilatura
import trafilatura.core
import trafilatura.main_extractor
import trafilatura.settings
from lxml import etree

from tearsheet.extract.guards import guarded_all

__all__ = ["Reading", "Region", "read"]

Region = tuple[int, str, str | None, str | None]
"""An element trafilatura read the body from: its depth (ancestors), tag, class and id."""


@dataclass(frozen=True)
class Reading:
    """trafilatura's body element (None: it found none), whether it read the page's loose
    paragraphs (none of its patterns finding a container), and the elements it took the
    body from."""

    body: etree._Element | None
    recovered: bool
    regions: tuple[Region, ...]


def read(tree: lxml.html.HtmlElement) -> Reading:
    """trafilatura's reading of ``tree`` (which it consumes: no copy is made)."""
    # "txt": the body's tree alone, not also rendered as text (format "python" does that,
    # and nothing here reads it); the extraction's options are the same.
    _unnest_cleaned(tree)
    with _PATCHED, _without_recall_escalation(), _watching_recovery() as recovered, \
            _guarded(), _watching_regions() as regions, _captions_said(), \
            _handed_over(tree) as given:
        document = trafilatura.bare_extraction(given, options=_options())
    return Reading(getattr(document, "body", None), bool(recovered), tuple(regions))


def _unnest_cleaned(tree: lxml.html.HtmlElement) -> None:
    """Remove from ``tree`` each element that trafilatura's cleaning deletes (an
    ``<aside>``, a ``<nav>``, a ``<figure>``…) and that sits inside one of its own tag.

    trafilatura deletes those elements while iterating over them (``tree.iter(tag)``), and
    lxml's iterator has found the next one already: when that next is inside the element
    just deleted, the iteration goes on in the deleted subtree and ends there, so every
    later element of that tag stays in the page. One nested ``<aside>`` in a page's
    header, and every "related story" inset and deals box of the article stays in its
    body (mozilla/readability's lazy-image-2). A nested element goes with its ancestor
    anyway; removed first, trafilatura's iteration never meets one, and its cleaning does
    what it means to. A ``<figure>`` holding a table is one trafilatura keeps (as a
    ``<div>``), and so are forms (trafilatura handles them apart, from a list).
    """
    tags = [tag for tag in getattr(trafilatura.settings, "MANUALLY_CLEANED", ())
            if tag != "form"]
    if not tags:
        return
    nested = [element for element in tree.iter(*tags)
              if next(element.iterancestors(element.tag), None) is not None
              and not (element.tag == "figure" and element.find(".//table") is not None)]
    for element in nested:
        element.drop_tree()  # its tail stays, as trafilatura's deletion keeps it


@contextlib.contextmanager
def _without_recall_escalation() -> Iterator[None]:
    """Skip trafilatura's "recall escalation" (its stage 4) for one extraction.

    For any body under 3,000 characters trafilatura renders the whole page as text to see
    whether the body covers under a fifth of it, and if so extracts again in recall mode.
    On the corpus that changes no body (F1 0.9708 either way) and costs about a fifth of
    the time (bench/extraction.py, docs/extraction.md); sister-section recovery covers
    what it is for on news pages. There is no option for it, so its size threshold is set
    to 0 meanwhile (under ``_PATCHED``).
    """
    with _swapped(trafilatura.core, "ESCALATION_MAX_LENGTH", 0):
        yield


@contextlib.contextmanager
def _swapped(module: Any, name: str, value: Any) -> Iterator[None]:
    """``module.name`` set to ``value`` for the block, then put back: how every patch
    here changes one of trafilatura's module globals for one call (under ``_PATCHED``)."""
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


@functools.cache
def _options() -> trafilatura.settings.Extractor:
    """trafilatura's options, built once: built per call from its configuration they cost
    ~0.15 ms a page (~4 % of an extraction). Fast path with tables; no links, comments,
    images or metadata (read by :mod:`.metadata`); no URL, which only resolves links.
    Shared safely: trafilatura copies them before changing any (its recall retry), and
    extractions hold ``_PATCHED`` anyway."""
    return trafilatura.settings.Extractor(
        fast=True, tables=True, links=False, comments=False, images=False,
        with_metadata=False, output_format="txt")


_LOADER = "load_html"  # trafilatura.core's, which bare_extraction calls
_BODY_XPATH = "BODY_XPATH"  # trafilatura.main_extractor's body expressions, tried in turn
_CAPTIONS = "DISCARD_IMAGE_ELEMENTS"  # trafilatura.main_extractor's caption expressions
_NOT_A_CAPTION = "[not(re:test(concat(@id, ' ', @class), '(^|[^a-z])no[_-]?caption', 'i'))]"
_REGEXP = {"re": "http://exslt.org/regular-expressions"}
_PATCHED = threading.Lock()
_GUARDED = (  # trafilatura's lists of expressions that test classes and ids, where it reads them
    *((trafilatura.core, name) for name in (
        "RAW_TREE_PRUNE_XPATH", "REMOVE_COMMENTS_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH")),
    *((trafilatura.main_extractor, name) for name in (
        "OVERALL_DISCARD_XPATH", "TEASER_DISCARD_XPATH", "PRECISION_DISCARD_XPATH",
        _BODY_XPATH, "COMMENTS_XPATH", "COMMENTS_DISCARD_XPATH")),
)


@dataclass(frozen=True)
class _Handed:
    tree: lxml.html.HtmlElement


@contextlib.contextmanager
def _handed_over(tree: lxml.html.HtmlElement) -> Iterator[Any]:
    """``tree`` for trafilatura to work on as it is, not on a copy of it.

    Given a tree, trafilatura copies it first, to leave the caller's alone; nothing reads
    this one after it (it is consumed: the density reading parses the page again), so the
    copy (a few per cent of an extraction) is spared. It is given wrapped, and its loader,
    unwrapping it meanwhile, returns a tree that is not the object it was given: no copy.
    Should an upgrade rename the loader, the tree is given as it is (and copied).
    """
    core = trafilatura.core
    load = getattr(core, _LOADER, None)
    if load is None:
        yield tree
        return

    def unwrap(value: Any, *args: Any, **kwargs: Any) -> Any:
        return value.tree if isinstance(value, _Handed) else load(value, *args, **kwargs)

    with _swapped(core, _LOADER, unwrap):
        yield _Handed(tree)


@contextlib.contextmanager
def _guarded() -> Iterator[None]:
    """trafilatura's expression lists with their ``re:test`` s guarded (:mod:`.guards`: the
    same answers, ~7 % of an extraction spared), for one extraction. A list an upgrade
    renames, or makes of something else than XPath expressions, is left as it is."""
    with contextlib.ExitStack() as stack:
        for module, name in _GUARDED:
            expressions = getattr(module, name, None)
            if isinstance(expressions, list) and \
                    all(isinstance(e, etree.XPath) for e in expressions):
                stack.enter_context(_swapped(module, name, guarded_all(tuple(expressions))))
        yield


@contextlib.contextmanager
def _captions_said() -> Iterator[None]:
    """trafilatura's caption expressions, but not for an element whose class or id says it
    holds no caption, for one extraction.

    When the page holds no image worth keeping, trafilatura deletes every element whose
    class or id *contains* "caption" (``DISCARD_IMAGE_ELEMENTS``): an image's caption box.
    A template that marks the blocks without one ``no_caption`` (``no-caption``,
    ``nocaption``) loses those blocks, captionless by their own word, whole: on BuzzFeed's
    pages the list item that holds the story's opening sentence, in an ``<h2>`` above its
    picture (mozilla/readability's buzzfeed-1). Each expression is kept and filtered;
    should an upgrade rename them, they are left as they are.
    """
    module = trafilatura.main_extractor
    expressions = getattr(module, _CAPTIONS, None)
    if not isinstance(expressions, list) or not all(
            isinstance(e, etree.XPath) for e in expressions):
        yield
        return
    with _swapped(module, _CAPTIONS, _said(tuple(expressions))):
        yield


@functools.cache
def _said(expressions: tuple[etree.XPath, ...]) -> list[etree.XPath]:
    """Each caption expression, less what says it holds no caption (compiled once)."""
    return [etree.XPath(f"({expression.path}){_NOT_A_CAPTION}", namespaces=_REGEXP)
            for expression in expressions]


@contextlib.contextmanager
def _watching_recovery() -> Iterator[list[bool]]:
    """Whether trafilatura fell back on the page's loose paragraphs for one extraction.

    When none of its patterns finds the body's container (a page laid out in a table, a
    body in bare ``<div>`` s), trafilatura reads the paragraphs, quotes, code and tables
    found anywhere (``recover_wild_text``): a body's lists and headings are not among them.
    Then the density reading is asked (:func:`.density.better_of`). The call is watched by
    wrapping trafilatura's function meanwhile; if an upgrade renames it, nothing is
    watched and tests/extract/test_density.py fails.
    """
    module = trafilatura.main_extractor
    recover = getattr(module, "recover_wild_text", None)
    called: list[bool] = []
    if recover is None:
        yield called
        return

    def watched(*args: Any, **kwargs: Any) -> Any:
        called.append(True)
        return recover(*args, **kwargs)

    with _swapped(module, "recover_wild_text", watched):
        yield called


@contextlib.contextmanager
def _watching_regions() -> Iterator[list[Region]]:
    """The elements trafilatura takes the body from, for one extraction.

    trafilatura tries its body expressions (``BODY_XPATH``: an element whose class or id
    says "article", "entry-content"…, then the first ``<article>``…) in turn and reads the
    first element each finds, until one gives enough text. The fast path's key covers that
    element, which may hold more than the smallest element holding the kept paragraphs: a
    paragraph added anywhere in it may join the body. The expressions are wrapped for the
    call; if an upgrade renames them, nothing is watched (the key then covers less, as it
    did) and tests/extract/test_recheck.py fails.
    """
    module = trafilatura.main_extractor
    expressions = getattr(module, _BODY_XPATH, None)
    found: list[Region] = []
    if not isinstance(expressions, list):
        yield found
        return

    def watched(expression: Any) -> Callable[..., Any]:
        def run(tree: Any, *args: Any, **kwargs: Any) -> Any:
            result = expression(tree, *args, **kwargs)
            if isinstance(result, list) and result and isinstance(result[0], etree._Element):
                first = result[0]
                found.append((sum(1 for _ in first.iterancestors()), str(first.tag),
                              first.get("class"), first.get("id")))
            return result
        return run

    with _swapped(module, _BODY_XPATH, [watched(expression) for expression in expressions]):
        yield found
