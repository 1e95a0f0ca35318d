"""The package's layering, read from the source (AST), as httpx tests its exported members.

- ``extract/`` and ``diff/`` are pure: they import no I/O (HTTP, SQL, web servers) and no
  stage that does I/O, so they run anywhere, on any text, and their tests need no server;
- ``store/`` imports nothing above it (web, notify, tracker, CLI);
- nothing outside ``cli/`` imports the CLI, and tests and benchmarks run it through its
  entry point, never its command modules;
- every package's ``__init__`` is its contract: an ``__all__``, sorted (ruff's RUF022 order),
  naming every public name the ``__init__`` binds;
- no module is over 600 lines.

Imports anywhere in a module count (inside functions and ``if TYPE_CHECKING:`` too): a lazy
or type-only import is still a dependency on the layer. Each rule is also run on small
synthetic trees (``test_each_rule_can_fail``) to prove it reports what it should.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
MAX_LINES = 600

IO = ("httpx", "sqlalchemy", "fastapi", "starlette", "uvicorn", "psycopg",
      "tearsheet.store", "tearsheet.fetch", "tearsheet.web", "tearsheet.tracker",
      "tearsheet.notify", "tearsheet.archive")


@dataclass(frozen=True)
class Layer:
    """Modules under ``packages`` (minus ``exempt``) may not import anything under ``banned``."""

    name: str
    packages: tuple[str, ...]
    banned: tuple[str, ...]
    why: str
    exempt: tuple[str, ...] = ()


LAYERS = [
    Layer("extract", ("tearsheet.extract",), IO, "extraction is pure: no I/O"),
    Layer("diff", ("tearsheet.diff",), IO, "the diff engine is pure: no I/O"),
    Layer("store", ("tearsheet.store",),
          ("tearsheet.web", "tearsheet.notify", "tearsheet.tracker", "tearsheet.cli",
           "fastapi", "httpx"),
          "the store is below the web, the notifier, the tracker and the CLI"),
    # `python -m tearsheet` is the command line's other entry point.
    Layer("cli", ("tearsheet",), ("tearsheet.cli",), "nothing outside cli/ imports the CLI",
          exempt=("tearsheet.cli", "tearsheet.__main__")),
]

# Bound by every module that wants them, and directives rather than names of the package.
DIRECTIVES = ("annotations", "TYPE_CHECKING")

# Alembic's script directory: revision files Alembic loads by path, not an import API.
NOT_AN_API = ("tearsheet.store.migrations",)


# --- reading the source -------------------------------------------------------------------

def modules(root: Path) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module under ``root`` (a ``src`` or repository folder)."""
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything ``module`` imports; ``from a import b`` yields
    ``a.b`` (``b`` may be a submodule), relative imports resolved."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                package = package if is_package else package[:-1]
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base


def layer_violations(root: Path, layer: Layer) -> list[str]:
    found = []
    for module, path in modules(root):
        if not within(module, layer.packages) or within(module, layer.exempt):
            continue
        for line, name in imports(module, path):
            if within(name, layer.banned):
                found.append(f"{module} (line {line}) imports {name}: {layer.why}")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def bound_names(tree: ast.Module) -> dict[str, bool]:
    """The names a module's top level binds at run time: name -> bound by an import."""
    names: dict[str, bool] = {}

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        names[alias.asname or alias.name.split(".")[0]] = True
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names[node.name] = False
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for leaf in ast.walk(target):
                        if isinstance(leaf, ast.Name):
                            names[leaf.id] = False

    visit(tree.body)
    return names


def declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            try:
                value = ast.literal_eval(node.value) if node.value is not None else None
            except ValueError:
                return None
            return list(value) if isinstance(value, list | tuple) else None
    return None


def ruff_order(name: str) -> tuple[int, list[tuple[int, int | str]]]:
    """RUF022's "isort-style" key: SCREAMING_CASE, then CamelCase, then the rest, each in
    natural order (``v2`` before ``v10``)."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    natural = [(0, int(part)) if part.isdigit() else (1, part)
               for part in re.split(r"(\d+)", name) if part]
    return kind, natural


def packages(root: Path) -> list[str]:
    return [m for m, p in modules(root) if p.name == "__init__.py" and not within(m, NOT_AN_API)]


def export_violations(root: Path, package: str) -> list[str]:
    """What is wrong with ``package``'s ``__all__``: absent, unsorted, missing a public
    name the ``__init__`` binds, or naming one it does not."""
    init = root.joinpath(*package.split("."), "__init__.py")
    where = f"{package.replace('.', '/')}/__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"), str(init))
    exported = declared_all(tree)
    if exported is None:
        return [f"{where} has no literal __all__"]
    found = []
    expected = sorted(exported, key=ruff_order)
    if exported != expected:
        found.append(f"{package}.__all__ is not sorted (ruff RUF022 order): {expected}")
    bound = bound_names(tree)
    folder = init.parent
    submodules = {p.stem for p in folder.glob("*.py")} | {
        p.parent.name for p in folder.glob("*/__init__.py")}
    for name, by_import in sorted(bound.items()):
        if name.startswith("_") or name in exported or name in DIRECTIVES:
            continue
        if by_import and name in submodules:
            continue
        found.append(f"{where} binds {name!r} but __all__ omits it "
                     f"(export it, or bind it as _{name})")
    lazy = "__getattr__" in bound
    for name in exported:
        if name not in bound and name not in submodules and not lazy:
            found.append(f"{package}.__all__ names {name!r}, which {package} does not bind")
    return found


def too_long(module: str, path: Path) -> list[str]:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines > MAX_LINES:
        return [f"{module} has {lines} lines (at most {MAX_LINES}: split it by concept)"]
    return []


def oversized(root: Path) -> list[str]:
    return [line for module, path in modules(root) for line in too_long(module, path)]


def cli_internals(root: Path, folder: str) -> list[str]:
    """Tests and benchmarks run the CLI through its entry point (tests/support/cli.py, a
    subprocess); only tests/cli/ tests the command modules themselves."""
    found = []
    for module, path in modules(root / folder):
        where = f"{folder}.{module}"
        if within(where, ("tests.cli", "tests.support.cli")):
            continue
        for line, name in imports(where, path):
            if within(name, ("tearsheet.cli",)):
                found.append(f"{where} (line {line}) imports {name}: run the CLI through "
                             "tests.support.cli.cli or a subprocess")
    return found


def report(found: list[str]) -> str:
    return "\n".join(["", *found])


# --- the rules on tearsheet -----------------------------------------------------------------

# Cases (rule:case id) that fail on main because of code the lead is changing for issue #13;
# strict: when the fix lands the case passes, the run fails, and its entry must go.
PENDING: dict[str, str] = {}


def pending(case: str) -> list[pytest.MarkDecorator]:
    reason = PENDING.get(case)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize("layer", [
    pytest.param(layer, id=layer.name, marks=pending(f"layer:{layer.name}")) for layer in LAYERS])
def test_layers_import_only_what_is_below_them(layer: Layer) -> None:
    found = layer_violations(SRC, layer)
    assert not found, report(found)


@pytest.mark.parametrize(
    "package", [pytest.param(p, id=p, marks=pending(f"exports:{p}")) for p in packages(SRC)])
def test_each_package_exports_a_sorted_and_complete_all(package: str) -> None:
    found = export_violations(SRC, package)
    assert not found, report(found)


@pytest.mark.parametrize(("module", "path"), [
    pytest.param(m, p, id=m, marks=pending(f"lines:{m}")) for m, p in modules(SRC)])
def test_no_module_is_over_600_lines(module: str, path: Path) -> None:
    found = too_long(module, path)
    assert not found, report(found)


@pytest.mark.parametrize("folder", ["tests", "bench"])
def test_tests_and_benchmarks_do_not_import_the_cli_internals(folder: str) -> None:
    found = cli_internals(ROOT, folder)
    assert not found, report(found)


def test_the_rules_see_every_stage() -> None:
    """The scan is not vacuous: it finds the stage packages and their imports."""
    found = set(packages(SRC))
    stages = {"fetch", "extract", "diff", "store", "tracker", "archive", "export", "notify",
              "web", "cli", "simulate"}
    assert {f"tearsheet.{s}" for s in stages} <= found
    store = SRC / "tearsheet" / "store" / "store.py"
    assert any(within(n, ("sqlalchemy",)) for _, n in imports("tearsheet.store.store", store))


# --- each rule can fail ---------------------------------------------------------------------

def write(root: Path, files: dict[str, str]) -> Path:
    """A synthetic source tree: ``{"tearsheet/diff/x.py": source}``; every folder a package."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        for folder in path.relative_to(root).parents[:-1]:
            init = root / folder / "__init__.py"
            if not init.exists():
                init.write_text("__all__: list[str] = []\n", encoding="utf-8")
    return root


LAYER = {layer.name: layer for layer in LAYERS}
CASES = {
    # name: (files, how to check the tree, a phrase the report must hold)
    "extract imports httpx": (
        {"tearsheet/extract/body.py": "import httpx\n"},
        lambda root: layer_violations(root, LAYER["extract"]),
        "tearsheet.extract.body (line 1) imports httpx"),
    "diff imports the store, lazily": (
        {"tearsheet/diff/summary.py":
         "def f():\n    from tearsheet.store.store import Store\n    return Store\n"},
        lambda root: layer_violations(root, LAYER["diff"]),
        "tearsheet.diff.summary (line 2) imports tearsheet.store.store.Store"),
    "diff imports the store for types only": (
        {"tearsheet/diff/summary.py":
         "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
         "    from tearsheet import store\n"},
        lambda root: layer_violations(root, LAYER["diff"]),
        "tearsheet.diff.summary (line 3) imports tearsheet.store"),
    "diff imports the fetcher relatively": (
        {"tearsheet/diff/render.py": "from ..fetch.fetcher import Fetcher\n"},
        lambda root: layer_violations(root, LAYER["diff"]),
        "tearsheet.diff.render (line 1) imports tearsheet.fetch.fetcher.Fetcher"),
    "store imports the web": (
        {"tearsheet/store/browse.py": "from tearsheet.web.words import summary_line\n"},
        lambda root: layer_violations(root, LAYER["store"]),
        "tearsheet.store.browse (line 1) imports tearsheet.web.words.summary_line"),
    "store imports fastapi": (
        {"tearsheet/store/store.py": "import os\nimport fastapi.responses\n"},
        lambda root: layer_violations(root, LAYER["store"]),
        "tearsheet.store.store (line 2) imports fastapi.responses"),
    "the web imports the CLI": (
        {"tearsheet/web/app.py": "from tearsheet.cli import console\n"},
        lambda root: layer_violations(root, LAYER["cli"]),
        "tearsheet.web.app (line 1) imports tearsheet.cli.console"),
    "a top module imports a CLI module": (
        {"tearsheet/config.py": "import tearsheet.cli.tracking\n"},
        lambda root: layer_violations(root, LAYER["cli"]),
        "tearsheet.config (line 1) imports tearsheet.cli.tracking"),
    "no __all__": (
        {"tearsheet/fetch/__init__.py": "from tearsheet.fetch.fetcher import Fetcher\n",
         "tearsheet/fetch/fetcher.py": "class Fetcher: ...\n"},
        lambda root: export_violations(root, "tearsheet.fetch"),
        "tearsheet/fetch/__init__.py has no literal __all__"),
    "__all__ not sorted": (
        {"tearsheet/diff/__init__.py":
         "from tearsheet.diff.changes import Change, diff\n__all__ = ['diff', 'Change']\n",
         "tearsheet/diff/changes.py": "class Change: ...\ndef diff(): ...\n"},
        lambda root: export_violations(root, "tearsheet.diff"),
        "tearsheet.diff.__all__ is not sorted (ruff RUF022 order): ['Change', 'diff']"),
    "__all__ misses a re-export": (
        {"tearsheet/store/__init__.py":
         "from tearsheet.store.store import Store, open_store\n__all__ = ['Store']\n",
         "tearsheet/store/store.py": "class Store: ...\ndef open_store(): ...\n"},
        lambda root: export_violations(root, "tearsheet.store"),
        "tearsheet/store/__init__.py binds 'open_store' but __all__ omits it"),
    "__all__ misses a definition, not a submodule": (
        {"tearsheet/cli/__init__.py":
         "from __future__ import annotations\nfrom tearsheet.cli import tracking\n"
         "app = object()\ndef main(): ...\n__all__ = ['main']\n",
         "tearsheet/cli/tracking.py": ""},
        lambda root: export_violations(root, "tearsheet.cli"),
        "tearsheet/cli/__init__.py binds 'app' but __all__ omits it"),
    "__all__ names what is not there": (
        {"tearsheet/export/__init__.py": "__all__ = ['export_versions']\n"},
        lambda root: export_violations(root, "tearsheet.export"),
        "tearsheet.export.__all__ names 'export_versions', which tearsheet.export does not"),
    "a module over 600 lines": (
        {"tearsheet/tracker/tracker.py": "x = 1\n" * 601},
        oversized,
        "tearsheet.tracker.tracker has 601 lines"),
    "a test imports a CLI module": (
        {"tests/tracker/test_x.py": "from tearsheet.cli.tracking import run\n"},
        lambda root: cli_internals(root, "tests"),
        "tests.tracker.test_x (line 1) imports tearsheet.cli.tracking.run"),
    "a benchmark imports the CLI": (
        {"bench/simulate.py": "import tearsheet.cli\n"},
        lambda root: cli_internals(root, "bench"),
        "bench.simulate (line 1) imports tearsheet.cli"),
}

GOOD = {
    "tearsheet/__init__.py": '"""Doc."""\nfrom importlib.metadata import version as _v\n'
                             '__version__ = _v("x")\n__all__ = ["__version__"]\n',
    "tearsheet/diff/__init__.py":
        "from __future__ import annotations\nfrom tearsheet.diff import align\n"
        "from tearsheet.diff.changes import MAX_UNITS, Change, diff\n"
        "__all__ = ['MAX_UNITS', 'Change', 'diff']\n",
    "tearsheet/diff/align.py": "import difflib\n",
    "tearsheet/diff/changes.py": "from tearsheet.diff.align import difflib\nfrom typing import "
                                 "TYPE_CHECKING\nif TYPE_CHECKING:\n    from tearsheet import "
                                 "errors\nMAX_UNITS = 2\nclass Change: ...\ndef diff(): ...\n",
    "tearsheet/store/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from tearsheet.store.store import Store\n"
                                   "def __getattr__(name): ...\n__all__ = ['Store']\n",
    "tearsheet/store/store.py": "import sqlalchemy\nfrom tearsheet.diff import diff\n",
    "tearsheet/cli/__init__.py": "__all__: list[str] = []\ndef _serve():\n"
                                 "    import tearsheet.web\n",
    "tearsheet/__main__.py": "from tearsheet.cli import main\n",
    "tests/cli/test_cli.py": "from tearsheet.cli import main\n",
    "tests/support/cli.py": "from tearsheet.cli import main\n",
    "tests/web/test_web.py": "import tearsheet.web\nimport tearsheet.client\n",
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_can_fail(case: str, tmp_path: Path) -> None:
    files, check, phrase = CASES[case]
    found = check(write(tmp_path, files))
    assert any(phrase in line for line in found), found


def test_a_tree_that_keeps_the_rules_passes(tmp_path: Path) -> None:
    """The other side: what the rules allow (type-only imports of allowed layers, lazy
    re-exports, submodules, private names, the entry points importing the CLI)."""
    root = write(tmp_path, GOOD)
    found = [*(v for layer in LAYERS for v in layer_violations(root, layer)),
             *(v for p in packages(root) for v in export_violations(root, p)),
             *oversized(root), *cli_internals(root, "tests")]
    assert found == []


def test_ruff_order_matches_ruffs_sort() -> None:
    """The order ``ruff check --fix`` (RUF022) gives these names, so the two never disagree."""
    names = ["diff", "v10", "Change", "MAX_UNITS", "v2", "A", "Alignment", "ALIGN",
             "__version__", "_x", "zeta", "Beta"]
    assert sorted(names, key=ruff_order) == [
        "ALIGN", "MAX_UNITS", "A", "Alignment", "Beta", "Change", "__version__", "_x", "diff",
        "v2", "v10", "zeta"]
