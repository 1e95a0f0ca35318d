"""Import benchmark: captures per second of ``tearsheet import warc``, extraction included.

Targets: at least 50 captures/s on one core (issue #9); at least 0.8x the rate of
``extract()`` alone over the same records, and peak memory that does not grow with the
file or the body size (issue #21). The import reads and extracts in the tracker's worker
processes and commits on a writer thread: its CPU is reported whole (this process and
its workers, ``import CPU ÷ extract CPU``) beside its rate per wall second, because on a
machine whose cores are all busy the wall-time ratio follows the CPU ratio.

The WARC file: the bundled newsroom's histories and the four shared archived ones (when
../shared is present), rendered in the simulator's templates with fresh page noise, each
version captured ``--copies`` times (default 2: half the captures are unchanged re-captures,
as in real archives), the whole set repeated under ``--repeat`` URL prefixes to reach a
few thousand captures. Baselines measured in the same run, on the same file:

- **warcio**: iterate the records and read every payload (``ArchiveIterator``): the floor
  of any WARC import;
- **extract**: :func:`tearsheet.extract.extraction.extract` of every capture, nothing else: the part
  of the import that is the extractor's.

The import: extraction in ``os.cpu_count()`` worker processes (as shipped), and again in
one process (``fetch.extract_processes = 0``); a fresh SQLite store (WAL,
``synchronous=FULL``, as shipped), an archive folder (``archive.keep = "versions"``: each
version's record copied, fsynced once per batch), ``import_warc``. ``--page-kb 2000``
pads every page to 2 MB (an inline JSON script), for the memory bound: the importing
process's peak RSS must not grow with it (nor with ``--repeat``, the file's size).
Medians of ``--runs`` runs; the ratio to each baseline is taken within a run.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from common import (
    Timing,
    cpu_seconds,
    median,
    peak_rss_bytes,
    reset_peak_rss,
    rss_bytes,
    sqlite_url,
    table,
)
from tearsheet.archive.warc import Archive, iter_captures
from tearsheet.archive.warc_import import Importer, import_warc
from tearsheet.config import load_settings
from tearsheet.errors import ExtractionError
from tearsheet.extract.extraction import extract
from tearsheet.simulate import Version, convert_files, load_histories
from tearsheet.simulate.warcs import write_warc
from tearsheet.store.store import Store
from tearsheet.tracker.extraction_pool import ExtractionPool

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "histories"


def histories(repeat: int) -> list[Version]:
    base = load_histories()
    if SHARED.is_dir():
        base += convert_files(sorted(SHARED.glob("*.json")))
    else:
        print(f"note: {SHARED} is absent; the bundled histories only", file=sys.stderr)
    versions = []
    for copy in range(repeat):  # the same stories again, as other articles
        versions += [dataclasses.replace(v, article=f"{v.article}-{copy}",
                                         path=f"/r{copy}{v.path}") for v in base]
    return sorted(versions, key=lambda v: v.at)


def timed(work: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def baseline_warcio(path: Path) -> int:
    count = 0
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                record.content_stream().read()
                count += 1
    return count


def baseline_extract(path: Path) -> int:  # its CPU: this process's, as timed() counts
    count = 0
    with open(path, "rb") as fh:
        for capture in iter_captures(fh, 8_000_000):
            assert not isinstance(capture, str), capture
            with contextlib.suppress(ExtractionError):
                extract(capture.body, capture.url, capture.charset)
            count += 1
    return count


def one_import(path: Path, folder: Path, processes: int) -> tuple[Timing, str]:
    settings = load_settings(None, database_url=sqlite_url(folder / "ts.db"),
                             archive={"dir": str(folder / "warc")},
                             fetch={"extract_processes": processes})
    store = Store.open(settings.database_url)
    archive = Archive.from_settings(settings)
    # The pool offer_located would start, started here (before the clock: a second or two
    # once per import) so that its workers' CPU can be counted.
    pool = ExtractionPool(processes)
    for job in [pool.submit(os.getpid) for _ in range(max(processes, 1))]:
        job.result()
    importer = Importer(settings, store, archive=archive, pool=pool)
    result = {}

    def work() -> None:
        result["report"] = import_warc(importer, [path])

    reset_peak_rss()
    before = rss_bytes()
    started = {pid: cpu_seconds(pid) for pid in pool.worker_pids()}
    wall, cpu = timed(work)
    cpu += sum(cpu_seconds(pid) - started.get(pid, 0.0) for pid in pool.worker_pids())
    growth = (peak_rss_bytes() - before) / 2**20
    report = result["report"]
    pool.close()
    store.close()
    outcome = (f"{report.imported} versions, {report.unchanged} unchanged, "
               f"{sum(report.skipped.values())} skipped; peak RSS +{growth:.1f} MB")
    return Timing(report.captures, wall, cpu, outcome), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=12, help="copies of the histories")
    parser.add_argument("--copies", type=int, default=2, help="captures of each version")
    parser.add_argument("--page-kb", type=int, default=0,
                        help="pad each page to this many KB (e.g. 2000: 2 MB bodies)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tearsheet-bench-backfill-") as tmp:
        folder = Path(tmp)
        warc = folder / "captures.warc.gz"
        captures = write_warc(histories(args.repeat), warc, copies=args.copies,
                              size=args.page_kb * 1000)
        size = warc.stat().st_size / 1e6
        print(f"{captures} captures in {size:.1f} MB (gzip); {args.runs} runs", flush=True)
        rows: dict[str, list[float]] = {k: [] for k in (
            "warcio/s", "extract/s", "import/s", "import/cpu-s", "import÷warcio",
            "import÷extract", "import CPU÷extract CPU", "import peak RSS growth, MB",
            "one-process import/s", "one-process÷extract")}
        outcome = ""
        for run in range(args.runs):
            wall_w, _ = timed(lambda: baseline_warcio(warc))
            wall_e, cpu_e = timed(lambda: baseline_extract(warc))
            target = folder / f"run{run}"
            target.mkdir()
            timing, outcome = one_import(warc, target, os.cpu_count() or 1)
            (folder / f"single{run}").mkdir()
            single, _ = one_import(warc, folder / f"single{run}", 0)
            rows["one-process import/s"].append(single.per_second)
            rows["one-process÷extract"].append(wall_e / single.wall_s)
            assert timing.count == captures, (timing.count, captures)
            rows["warcio/s"].append(captures / wall_w)
            rows["extract/s"].append(captures / wall_e)
            rows["import/s"].append(timing.per_second)
            rows["import/cpu-s"].append(captures / timing.cpu_s)
            rows["import÷warcio"].append(wall_w / timing.wall_s)
            rows["import÷extract"].append(wall_e / timing.wall_s)
            rows["import CPU÷extract CPU"].append(timing.cpu_s / cpu_e)
            rows["import peak RSS growth, MB"].append(growth_mb(outcome))
            print(f"run {run + 1}: import {timing.per_second:.1f} captures/s "
                  f"({timing.cpu_ms:.1f} CPU ms each); warcio {captures / wall_w:.0f}/s, "
                  f"extract {captures / wall_e:.1f}/s — {outcome}", flush=True)
        print()
        print(table([(name, f"{median(values):.2f}", " ".join(f"{v:.2f}" for v in values))
                     for name, values in rows.items()], ("measure", "median", "runs")))
        print(f"\ntarget ≥ 0.8× extract() (issue #21): "
              f"{'met' if median(rows['import÷extract']) >= 0.8 else 'NOT met'} "
              f"({median(rows['import÷extract']):.2f}×, medians)")
        print(f"import outcome: {outcome}; target ≥ 50 captures/s on one core: "
              f"{'met' if median(rows['import/cpu-s']) >= 50 else 'NOT met'} "
              f"(per CPU second; {median(rows['import/s']):.1f} per wall second)")


def growth_mb(outcome: str) -> float:
    return float(outcome.rsplit("+", 1)[1].split()[0])


if __name__ == "__main__":
    sys.exit(main())
