"""Properties of the WARC reader on damaged files: locating and reading back never raise;
every damaged place reported lies inside the file; what is imported is what was readable."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given

from tearsheet.archive.import_jobs import Read, read_and_extract
from tearsheet.archive.warc import Unreadable
from tearsheet.archive.warc_import import Report, locate_warc
from tearsheet.config import LimitSettings
from tearsheet.simulate import load_histories
from tearsheet.simulate.warcs import write_warc
from tests.support.fuzz import BOUNDED, mutated


def _sample(compress: bool) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.warc"
        write_warc(load_histories()[:3], path, copies=1, compress=compress)
        return path.read_bytes()


PLAIN, GZIPPED = _sample(False), _sample(True)


def read_all(data: bytes) -> tuple[Report, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.warc"
        path.write_bytes(data)
        report = Report()
        located = locate_warc([path], report)
        read = []
        for item in located:  # as the import's workers read them
            got = read_and_extract(item.path, item.offset, item.length, item.url,
                                   1_000_000, None, (), LimitSettings())
            if isinstance(got, Unreadable):
                report.damage(got.reason, item.path, item.offset, str(got))
            else:
                assert isinstance(got, Read)
                read.append(got)
        assert all(0 <= d.offset <= len(data) and d.message for d in report.damaged)
        return report, len(read)


@BOUNDED
@given(data=mutated(PLAIN))
def test_a_damaged_plain_warc_is_read_as_far_as_it_goes(data: bytes) -> None:
    report, read = read_all(data)
    if data == PLAIN:
        assert read == 3 and not report.damaged


@BOUNDED
@given(data=mutated(GZIPPED))
def test_a_damaged_gzipped_warc_is_read_as_far_as_it_goes(data: bytes) -> None:
    report, read = read_all(data)
    if data == GZIPPED:
        assert read == 3 and not report.damaged
