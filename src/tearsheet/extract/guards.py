"""trafilatura's XPath expressions, rewritten to find the same elements for less: each
regular-expression test guarded by substring tests, each test of tag names made a union.

trafilatura finds what to prune, the body's container and the byline with XPath
expressions over every element of the page, many of them testing a class or an id with
EXSLT's ``re:test``. libxml2 calls back into Python for each such test, on every element
of the page whether or not it has the attribute. Every match of ``author-?name|AuthorName``
contains "author" or "AuthorName", so ``re:test(@class, 'author-?name|AuthorName')`` is
preceded here by ``contains(@class, 'author') or contains(@class, 'AuthorName')``, which
libxml2 answers itself: the callback runs only where the test may hold. The answers are the same by
construction (a guard is a necessary condition; a pattern it cannot bound is left as it
is), and tests/extract/test_guards.py checks it on trafilatura's own expressions and on
the corpora's pages. ``python bench/guards.py``: the same extractions of the corpora's 620
real pages, with ~7 % less CPU.

Most of trafilatura's expressions also begin ``.//*[self::div or self::section …]``:
libxml2 evaluates a predicate by making a context for each node it filters, so the step
costs about as much for every element of the page as a whole prune does (~0.5 µs an
element; a page of 360 elements, 0.17 ms an expression). ``(.//div|.//section …)`` walks
the same elements and keeps the named ones without a predicate (0.02 ms), and the
predicates that follow filter only those. Both select the same elements in the same
(document) order as long as no following predicate counts positions, which among one
parent's children (the original) and among the whole set (the union) differ: a step whose
predicates may be numbers is left as it is (:func:`tag_unions`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from lxml import etree

__all__ = ["guarded", "guarded_all", "literals", "tag_unions"]

MAX_LITERALS = 6
"""Substrings a guard may test: past that, a long list of ``contains()`` costs more than
the callback it spares (trafilatura's pattern of ~60 furniture classes, measured); such a
pattern's test is guarded by the attribute's presence alone."""

# Of an attribute or a union of them (``@id|@class``): both functions read the string of
# the union's first node in document order (XPath's string conversion; lxml hands an
# extension function the sorted node-set), which for two attributes of one element is
# the one written first.
_TEST = re.compile(r"re:test\(\s*(@[\w-]+(?:\s*\|\s*@[\w-]+)*)\s*,\s*'([^']*)'\s*\)")
_SPECIAL = frozenset("\\.^$|?*+()[]{}")
_QUANTIFIERS = frozenset("?*+{")
_LOOKAROUNDS = ("?=", "?!", "?<=", "?<!")


def literals(pattern: str) -> frozenset[str] | None:
    """Substrings one of which is in every string ``pattern`` matches (none contains
    another), or None when the pattern cannot be bounded so (it may match an empty
    string, or uses a construct this reading does not follow: a flag, a named group)."""
    found = _alternatives(pattern)
    if not found:
        return None
    return frozenset(s for s in found if not any(o != s and o in s for o in found))


def guarded(expression: etree.XPath, *, unions: bool = True) -> etree.XPath:
    """``expression`` with each ``re:test`` of attributes behind ``contains()`` tests of
    its pattern's :func:`literals` (at most :data:`MAX_LITERALS` of them), or else, if
    the pattern fails on an empty string, behind the attribute's presence; and, unless
    ``unions`` is false (a caller that reads the step itself), its tests of tag names
    made :func:`tag_unions`."""
    path = _TEST.sub(_guard, expression.path)
    if unions:
        path = tag_unions(path)
    if path == expression.path:
        return expression
    return etree.XPath(path, namespaces={"re": "http://exslt.org/regular-expressions"})


# A step over descendants that keeps elements by tag name alone: ``.//*[self::div or
# self::section]`` (or from the root, ``//*[…]``).
_NAMED_STEP = re.compile(r"(\.//|//)\*\[\s*(self::[\w-]+(?:\s+or\s+self::[\w-]+)*)\s*\]")
_BOOLEAN_CALL = re.compile(r"(?:not|contains|starts-with|boolean|re:test)\(")
_BOOLEAN_OPERATOR = re.compile(r"\s(?:or|and)\s|[=<>]")


def tag_unions(path: str) -> str:
    """``path`` with each step ``.//*[self::a or self::b]`` that begins a location path
    written ``(.//a|.//b)``: the same elements, in the same order, without a predicate
    evaluated for every element of the page. Only where the step is followed by nothing
    but predicates that are each, at their top level, boolean (an ``or``, an ``and``, a
    comparison, or one call of a boolean function) and never read a position: a number
    there, or ``position()``, would count positions, among one parent's children before
    and among the whole union after."""
    out: list[str] = []
    done = 0
    for step in _NAMED_STEP.finditer(path):
        before = path[:step.start()].rstrip()
        end = _predicates_end(path, step.end())
        if (before and before[-1] not in "(|") or end is None:
            continue
        following = path[end[0]:].lstrip()
        if (following and following[0] not in ")|") or not all(map(_boolean, end[1])):
            continue
        axis = step.group(1)
        names = re.findall(r"self::([\w-]+)", step.group(2))
        out += [path[done:step.start()], "(" + "|".join(axis + name for name in names) + ")"]
        done = step.end()
    return "".join(out) + path[done:]


def _predicates_end(path: str, at: int) -> tuple[int, list[str]] | None:
    """Where the predicates that follow ``at`` end, and their texts (None if one does not
    close)."""
    found: list[str] = []
    while True:
        start = len(path) - len(path[at:].lstrip())
        if start >= len(path) or path[start] != "[":
            return at, found
        close = _closing(path, start)
        if close < 0:
            return None
        found.append(path[start + 1:close])
        at = close + 1


def _closing(path: str, at: int) -> int:
    """The index of the bracket or parenthesis that closes the one at ``at`` (-1 if
    none), string literals skipped."""
    depth, quote = 0, ""
    for n in range(at, len(path)):
        char = path[n]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                return n
    return -1


def _boolean(predicate: str) -> bool:
    """Whether ``predicate``'s value is a boolean by its top level alone (see
    :func:`tag_unions`): an ``or``, ``and`` or comparison outside any parenthesis, or one
    call of a boolean function, or such an expression in parentheses."""
    text = predicate.strip()
    if "position(" in text or "last(" in text:
        return False  # a boolean of positions (``position() < 3``)
    while text.startswith("(") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    call = _BOOLEAN_CALL.match(text)
    if call and _closing(text, call.end() - 1) == len(text) - 1:
        return True
    return _BOOLEAN_OPERATOR.search(_top_level(text)) is not None


def _top_level(text: str) -> str:
    """``text`` with what is inside parentheses, brackets and string literals blanked."""
    kept: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
            char = " "
        elif char in "'\"":
            quote, char = char, " "
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth:
            char = " "
        kept.append(char)
    return "".join(kept)


@functools.lru_cache(maxsize=64)
def guarded_all(expressions: tuple[etree.XPath, ...]) -> list[etree.XPath]:
    """Each of ``expressions`` :func:`guarded` (a tuple: each list of trafilatura's is
    rewritten once a process, then found in the cache)."""
    return [guarded(e) for e in expressions]


def _guard(test: re.Match[str]) -> str:
    attribute, pattern = test.group(1), test.group(2)
    found = literals(pattern)
    if found and len(found) <= MAX_LITERALS:
        condition = " or ".join(f"contains({attribute}, '{s}')" for s in sorted(found))
    elif _never_empty(pattern):
        condition = attribute  # an element without the attribute is passed over at least
    else:
        return test.group(0)
    return f"(({condition}) and {test.group(0)})"


def _never_empty(pattern: str) -> bool:
    """Whether ``pattern`` fails on the empty string, which is what an absent attribute
    gives ``re:test``."""
    try:
        return re.search(pattern, "") is None
    except re.error:
        return False


def _alternatives(pattern: str) -> set[str] | None:
    """The union of each top-level alternative's necessary substrings (None if one has
    none)."""
    found: set[str] = set()
    for alternative in _split(pattern):
        if alternative is None:
            return None
        needed = _sequence(alternative)
        if not needed:
            return None
        found |= needed
    return found


def _split(pattern: str) -> list[str | None]:
    """``pattern`` cut at its top-level ``|`` (None for an unbalanced one)."""
    parts: list[str | None] = []
    depth, start = 0, 0
    try:
        for n, char in _scan(pattern):
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth < 0:
                    return [None]
            elif char == "|" and depth == 0:
                parts.append(pattern[start:n])
                start = n + 1
    except ValueError:
        return [None]
    if depth:
        return [None]
    parts.append(pattern[start:])
    return parts


def _scan(pattern: str, at: int = 0) -> Iterator[tuple[int, str]]:
    """The characters of ``pattern`` from ``at`` that are neither escaped nor in a
    character class, with their indexes (ValueError for a class that never closes)."""
    n = at
    while n < len(pattern):
        char = pattern[n]
        if char == "\\":
            n += 2
        elif char == "[":
            n = _class_end(pattern, n)
            if n < 0:
                raise ValueError(pattern)
        else:
            yield n, char
            n += 1


def _class_end(pattern: str, at: int) -> int:
    """The index after the character class opening at ``at`` (-1 if it never closes)."""
    n = at + 1
    if n < len(pattern) and pattern[n] == "^":
        n += 1
    if n < len(pattern) and pattern[n] == "]":
        n += 1  # a "]" first is a character of the class
    while n < len(pattern):
        if pattern[n] == "\\":
            n += 2
        elif pattern[n] == "]":
            return n + 1
        else:
            n += 1
    return -1


def _sequence(alternative: str) -> set[str] | None:
    """Substrings one of which every match of ``alternative`` (no top-level ``|``)
    contains: its longest run of plain characters, or a group's own substrings."""
    runs: list[str] = []
    groups: list[set[str]] = []
    run, n = "", 0
    while n < len(alternative):
        char = alternative[n]
        if char == "(":
            end = _group_end(alternative, n)
            if end < 0:
                return None
            inner = alternative[n + 1:end - 1]
            if inner.startswith(_LOOKAROUNDS):  # matches no character: ends the run
                runs.append(run)
                run, n = "", end
                continue
            if inner.startswith("?"):
                if not inner.startswith("?:"):
                    return None  # a flag, a named group: not followed
                inner = inner[2:]
            needed = _alternatives(inner)
            if needed and not _optional(alternative, end):
                groups.append(needed)
            runs.append(run)
            run, n = "", _after_quantifier(alternative, end)
            continue
        if char == "[":
            end = _class_end(alternative, n)
            if end < 0:
                return None
            runs.append(run)
            run, n = "", _after_quantifier(alternative, end)
            continue
        if char == "\\":
            if n + 1 >= len(alternative):
                return None
            escaped = alternative[n + 1]
            if escaped.isalnum():  # \s, \d, \b, \w…: a class or an anchor, not a character
                runs.append(run)
                run, n = "", _after_quantifier(alternative, n + 2)
                continue
            char, width = escaped, 2
        elif char in _SPECIAL:
            runs.append(run)
            run, n = "", n + 1
            continue
        else:
            width = 1
        following = n + width
        if following < len(alternative) and alternative[following] in _QUANTIFIERS:
            runs.append(run)  # a character repeated or optional ends the run, left out
            run, n = "", _after_quantifier(alternative, following)
            continue
        run += char
        n = following
    runs.append(run)
    longest = max(runs, key=len)
    best_group = max(groups, key=lambda g: min(map(len, g)), default=None)
    if best_group is not None and min(map(len, best_group)) > len(longest):
        return best_group
    return {longest} if longest else best_group


def _group_end(pattern: str, at: int) -> int:
    """The index after the group opening at ``at`` (-1 if it never closes)."""
    depth = 0
    try:
        for n, char in _scan(pattern, at):
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return n + 1
    except ValueError:
        return -1
    return -1


def _optional(pattern: str, at: int) -> bool:
    """Whether what ends at ``at`` may be left out (``?``, ``*``, ``{0…}``)."""
    if at >= len(pattern):
        return False
    return pattern[at] in "?*" or pattern.startswith(("{0}", "{0,", "{,"), at)


def _after_quantifier(pattern: str, at: int) -> int:
    """The index after the quantifier at ``at``, if one is there (and its ``?``/``+``)."""
    if at >= len(pattern):
        return at
    if pattern[at] in "?*+":
        at += 1
    elif pattern[at] == "{":
        close = pattern.find("}", at)
        if close < 0:
            return at  # a literal "{": read on as a character
        at = close + 1
    else:
        return at
    if at < len(pattern) and pattern[at] in "?+":
        at += 1  # lazy or possessive
    return at
