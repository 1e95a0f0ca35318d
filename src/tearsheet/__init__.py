"""tearsheet: a news revision tracker.

The pipeline is discover → fetch → extract → diff → store → show/notify; each stage is a
package (:mod:`tearsheet.fetch`, :mod:`tearsheet.extract`, :mod:`tearsheet.diff`,
:mod:`tearsheet.store`, :mod:`tearsheet.archive`, :mod:`tearsheet.export`,
:mod:`tearsheet.notify`, :mod:`tearsheet.web`) and :mod:`tearsheet.tracker` drives them.
``docs/architecture.md`` draws it.

The names a library user needs are here, loaded on first use (so that ``tearsheet --help``
does not import the database and web layers)::

    from tearsheet import Settings, Store, extract, diff

``extract`` and ``diff`` are the stages' entry-point functions; their modules are imported
with ``from tearsheet.diff import align`` (``import tearsheet.diff.align as align`` would
look ``align`` up on the function, as with any package whose ``__init__`` does
``from .diff import diff``).
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
import types as _types
from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _version
from typing import TYPE_CHECKING
from typing import Any as _Any

try:
    __version__ = _version("tearsheet")
except _NotInstalled:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from tearsheet.config import Settings as Settings
    from tearsheet.diff import diff as diff
    from tearsheet.errors import TearsheetError as TearsheetError
    from tearsheet.extract import extract as extract
    from tearsheet.fetch import Fetcher as Fetcher
    from tearsheet.store import Store as Store
    from tearsheet.tracker import Tracker as Tracker

_LAZY = {
    "Fetcher": "tearsheet.fetch",
    "Settings": "tearsheet.config",
    "Store": "tearsheet.store",
    "TearsheetError": "tearsheet.errors",
    "Tracker": "tearsheet.tracker",
    "diff": "tearsheet.diff",
    "extract": "tearsheet.extract",
}


class _Package(_types.ModuleType):
    """The package, whose ``extract`` and ``diff`` stay the functions.

    Importing a subpackage sets it as an attribute of its parent (``tearsheet.diff`` = the
    package); the entry-point function of the same name must win, as it would with an eager
    ``from tearsheet.diff import diff``. The subpackages stay in ``sys.modules``.
    """

    def __setattr__(self, name: str, value: _Any) -> None:
        if name in ("diff", "extract") and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


def __getattr__(name: str) -> _Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'tearsheet' has no attribute {name!r}")
    value = getattr(_importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


_sys.modules[__name__].__class__ = _Package

__all__ = [
    "Fetcher", "Settings", "Store", "TearsheetError", "Tracker", "__version__", "diff",
    "extract",
]
