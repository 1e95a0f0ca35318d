"""The extractor's revision: a short digest of everything that decides what it reads.

A version records which extractor read it (``versions.extractor``), so that an upgrade of
tearsheet whose rules read a page differently is told apart from an edit of the page (see
:mod:`tearsheet.tracker.reread`). The digest is computed, never bumped by hand: it covers

- the code of every module of this package, plus the few modules outside it whose code
  decides what a version holds or how two readings compare (:data:`ALSO_READ`). Code is
  taken as its syntax tree without docstrings, so comments, docstrings and layout can
  change without a new revision, and a changed rule always makes one;
- the versions of the libraries those modules import (trafilatura, lxml, …, found in the
  source, not listed here) and of everything those libraries require in turn (htmldate,
  justext, courlan …): a library's upgrade may read a page differently too;
- Python's version (its Unicode database: the fingerprint normalizes to NFC).

It is computed once per process (reading the sources and the installed distributions'
metadata takes some milliseconds): the tracker asks for it off its event loop.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata as metadata
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ALSO_READ = ("urls.py", "diff/fingerprint.py")
"""Modules of tearsheet outside ``extract/`` (relative to the package) whose code decides
a version: the canonical address, and the fingerprint that compares two readings."""
LENGTH = 16  # hex digits kept: a revision is told apart, not secured

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_lock = threading.Lock()


def extractor_revision() -> str:
    """This process's extractor revision (computed once, then cached)."""
    with _lock:  # callers on several threads wait for the one computation
        return _cached()


@functools.cache
def _cached() -> str:
    return revision_of([*sorted(PACKAGE.glob("*.py")),
                        *(PACKAGE.parent / name for name in ALSO_READ)])


def revision_of(paths: Iterable[Path], distributions: Mapping[str, str] | None = None) -> str:
    """The revision of an extractor made of the modules at ``paths``, with the installed
    libraries they import (or ``distributions``, name to version, when given)."""
    digest = hashlib.sha256()
    imported: set[str] = set()
    for path in paths:
        code, names = _code(path)
        digest.update(f"{path.name}\0{code}\0".encode())
        imported |= names
    found = dict(distributions) if distributions is not None else _installed(imported)
    for name, version in sorted(found.items()):
        digest.update(f"{name}=={version}\0".encode())
    digest.update(f"python {sys.version_info[:2]} unicode {unicodedata.unidata_version}"
                  .encode())
    return digest.hexdigest()[:LENGTH]


def _code(path: Path) -> tuple[str, set[str]]:
    """A module's code as its syntax tree without docstrings (comments and layout are not
    in it), and the top-level names of what it imports from outside tearsheet."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value,
                                                                       str):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    names -= {"tearsheet", "__future__", *sys.stdlib_module_names}
    return ast.dump(tree), names


def _installed(modules: set[str]) -> dict[str, str]:
    """The distributions that provide ``modules`` and everything they require (not their
    extras), with their installed versions."""
    waiting = sorted(modules)  # a module is mostly its distribution's name
    provides: Mapping[str, list[str]] | None = None
    found: dict[str, str] = {}
    while waiting:
        name = waiting.pop()
        key = _canonical(name)
        if key in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:  # an optional requirement not installed,
            if name in modules and name not in found:  # or a module named otherwise
                provides = provides or metadata.packages_distributions()
                waiting += [dist for dist in provides.get(name, []) if dist != name]
            continue
        found[key] = dist.version
        for requirement in dist.requires or []:
            if "extra ==" in requirement.replace("extra==", "extra =="):
                continue
            match = _REQUIREMENT.match(requirement)
            if match:
                waiting.append(match.group(1))
    return found


def _canonical(name: str) -> str:
    """A distribution's name as PEP 503 compares them (``jusText`` is ``justext``)."""
    return re.sub(r"[-_.]+", "-", name).lower()
