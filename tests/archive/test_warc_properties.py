"""Properties of the WARC reader on damaged files: locating and reading back never raise;
every damaged place reported lies inside the file; what is imported is what was readable."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given

from tearsheet.archive.warc import Capture
from tearsheet.archive.warc_import import Report, locate_warc, read_located
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
        read = [found for found in read_located(located, 1_000_000, report)
                if found is not None]
        assert all(isinstance(capture, Capture) for capture, _ in read)
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
