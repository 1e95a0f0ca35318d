"""Archive: the raw captures as WARC, and article histories imported from web archives.

:class:`Archive` (:mod:`.warc`) appends each kept response to rotating WARC files and
reads a version's capture back; :mod:`.warc_import` rebuilds histories from WARC files
by the tracker's own judgement; :mod:`.cdx` finds captures through CDX indexes (a folder
or a Wayback-style endpoint). Proof: :mod:`.wacz` writes an article's captures as a
signed WACZ package, :mod:`.verify` checks one, :mod:`.signing` holds the key and the
signature, :mod:`.timestamps` speaks RFC 3161 and :mod:`.stamper` timestamps new captures.
"""

from tearsheet.archive.cdx import import_from_directory, import_from_endpoint
from tearsheet.archive.signing import SigningKey
from tearsheet.archive.stamper import Stamper
from tearsheet.archive.verify import Verdict, verify_package
from tearsheet.archive.wacz import write_package
from tearsheet.archive.warc import Archive, Capture, read_capture
from tearsheet.archive.warc_import import Importer, Report, import_warc

__all__ = [
    "Archive", "Capture", "Importer", "Report", "SigningKey", "Stamper", "Verdict",
    "import_from_directory", "import_from_endpoint", "import_warc", "read_capture",
    "verify_package", "write_package",
]
