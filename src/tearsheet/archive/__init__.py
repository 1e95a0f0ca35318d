"""Archive: the raw captures as WARC, and article histories imported from web archives.

:class:`Archive` (:mod:`.warc`) appends each kept response to rotating WARC files and
reads a version's capture back; :mod:`.warc_import` rebuilds histories from WARC files
by the tracker's own judgement; :mod:`.cdx` finds captures through CDX indexes (a folder
or a Wayback-style endpoint).
"""

from tearsheet.archive.cdx import import_from_directory, import_from_endpoint
from tearsheet.archive.warc import Archive, Capture, read_capture
from tearsheet.archive.warc_import import Importer, Report, import_warc

__all__ = [
    "Archive", "Capture", "Importer", "Report", "import_from_directory",
    "import_from_endpoint", "import_warc", "read_capture",
]
