"""The extractor's revision changes with what decides extraction output (a module's code,
a library's version) and with nothing else (comments, docstrings, layout)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tearsheet.extract import revision
from tearsheet.extract.revision import extractor_revision, revision_of

LIBRARIES = {"trafilatura": "2.3.1", "lxml": "6.2.0"}


def _copy(tmp_path: Path) -> list[Path]:
    """A copy of the extractor's modules, to edit."""
    folder = tmp_path / "extract"
    shutil.copytree(revision.PACKAGE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return sorted(folder.glob("*.py"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_changed_rule_makes_a_new_revision(tmp_path: Path) -> None:
    paths = _copy(tmp_path)
    before = revision_of(paths, LIBRARIES)
    assert revision_of(paths, LIBRARIES) == before  # stable
    _edit(tmp_path / "extract" / "furniture.py", "import re", "import re\nWORDS = 3")
    assert revision_of(paths, LIBRARIES) != before


def test_comments_docstrings_and_layout_keep_the_revision(tmp_path: Path) -> None:
    paths = _copy(tmp_path)
    before = revision_of(paths, LIBRARIES)
    furniture = tmp_path / "extract" / "furniture.py"
    _edit(furniture, '"""', '"""Reworded. ')  # the module's docstring
    _edit(furniture, "import re", "import re  # a comment\n\n\n")
    assert revision_of(paths, LIBRARIES) == before


def test_a_library_upgrade_makes_a_new_revision(tmp_path: Path) -> None:
    paths = _copy(tmp_path)
    assert revision_of(paths, LIBRARIES) != revision_of(
        paths, {**LIBRARIES, "lxml": "6.2.1"})


def test_the_installed_libraries_and_what_they_require_count() -> None:
    """The libraries are found in the modules' imports, with what they require in turn:
    htmldate, justext and courlan are trafilatura's, never named by tearsheet's code."""
    found = revision._installed({"trafilatura", "lxml", "charset_normalizer"})
    assert {"trafilatura", "lxml", "charset-normalizer", "htmldate", "justext",
            "courlan"} <= set(found)
    assert revision._installed({"not_a_module_anywhere"}) == {}


def test_the_process_revision_is_computed_once() -> None:
    first = extractor_revision()
    assert len(first) == revision.LENGTH and extractor_revision() == first
    assert revision._cached.cache_info().misses == 1
