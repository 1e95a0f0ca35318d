"""Export: the stored versions as datasets, streamed.

:mod:`.versions` writes JSONL, Parquet and WARC; :mod:`.git` one commit per version
(``git fast-import``); :mod:`.newsedits` the NewsEdits dataset's tables.
"""

from tearsheet.export.git import write_git
from tearsheet.export.newsedits import write_newsedits
from tearsheet.export.versions import ExportReport, write_jsonl, write_parquet, write_warc

__all__ = [
    "ExportReport", "write_git", "write_jsonl", "write_newsedits", "write_parquet",
    "write_warc",
]
