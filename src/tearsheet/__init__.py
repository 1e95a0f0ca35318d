"""tearsheet: a news revision tracker.

The pipeline is discover → fetch → extract → compare → store; each stage is one module
(:mod:`tearsheet.discover`, :mod:`tearsheet.fetch.fetcher`, :mod:`tearsheet.extract.extraction`,
:mod:`tearsheet.diff.fingerprint`, :mod:`tearsheet.store.store`) and :mod:`tearsheet.tracker.tracker` drives them
on the timetable of :mod:`tearsheet.tracker.schedule`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tearsheet")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
