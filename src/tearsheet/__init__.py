"""tearsheet: a news revision tracker.

The pipeline is discover → fetch → extract → diff → store → show/notify; each stage is one
package (:mod:`tearsheet.fetch`, :mod:`tearsheet.extract`, :mod:`tearsheet.diff`,
:mod:`tearsheet.store`, ...) and :mod:`tearsheet.tracker` drives them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tearsheet")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
