"""One CPU for a tracker's own threads (``worker.cpu``).

Why: a tracker process runs several Python threads (the event loop that fetches, the
store's writer, which writes the WARC records too, the extraction thread when
``fetch.extract_processes`` is 0) and CPython runs one of them at a time (the GIL). Left
to the operating system, they sit on different CPUs, and at every hand-off the
interpreter moves to a core whose caches hold none of its state: in
``bench/checkloop.py``, with extraction on a thread, a new version cost 10-25 % more CPU
than with the threads kept on one CPU, where they take turns anyway
(docs/performance.md, "One CPU for the tracker's threads"; with extraction workers, no
difference was measured). The other CPUs are for processes: the extraction workers,
which run on every CPU the tracker was allowed (see :func:`allowed_cpus`), Chromium,
more trackers.

Linux only (``sched_setaffinity``); elsewhere nothing is kept and the threads run where
the system puts them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from tearsheet.errors import ConfigError

__all__ = ["CpuChoice", "allowed_cpus", "keep_on_one_cpu", "released"]

log = logging.getLogger(__name__)

CpuChoice = int | Literal["auto", "any"]
"""``worker.cpu``: a CPU's number; ``auto``, one no other process is kept on (the one the
process runs on, if free); ``any``, not kept."""

_before: frozenset[int] | None = None  # the CPUs allowed before the threads were kept
_lock = threading.Lock()
_PROCESSOR_FIELD = 39  # of /proc/<tid>/stat: the CPU the thread last ran on (proc(5))


def keep_on_one_cpu(choice: CpuChoice) -> int | None:
    """Keep every thread of this process, and every thread or process they start later,
    on one CPU (``choice``); the CPU, or None when nothing is kept (``any``, a system
    without affinity, a process allowed one CPU anyway). Raises :class:`ConfigError` for
    a CPU the process may not use. Called again, it moves them to the new choice (``any``:
    back to every CPU they were allowed)."""
    global _before
    if not hasattr(os, "sched_setaffinity"):
        return None
    with _lock:
        if choice == "any":
            if _before is not None:
                _set_all(_before)
                _before = None
            return None
        allowed = _before if _before is not None else frozenset(os.sched_getaffinity(0))
        if len(allowed) < 2:
            return None
        cpu = _least_kept(allowed) if choice == "auto" else choice
        if cpu not in allowed:
            raise ConfigError(
                f"worker.cpu is {choice}, but this process may only run on CPUs "
                f"{_spans(allowed)}: choose one of them, or \"auto\"")
        _set_all(frozenset({cpu}))
        _before = allowed
    log.info("the tracker's threads are kept on CPU %d of %s (worker.cpu)", cpu,
             _spans(allowed))
    return cpu


def allowed_cpus() -> frozenset[int] | None:
    """The CPUs this process could run on before :func:`keep_on_one_cpu` (None: it kept
    nothing): what a worker process it starts is given back (``extraction_pool``)."""
    return _before


@contextlib.contextmanager
def released() -> Iterator[None]:
    """The calling thread on every CPU the process was allowed, for the block, so that a
    process started meanwhile (Chromium's driver) is not kept on the tracker's CPU."""
    before = _before
    if before is None:
        yield
        return
    own = os.sched_getaffinity(0)
    os.sched_setaffinity(0, before)
    try:
        yield
    finally:
        os.sched_setaffinity(0, own)


def _set_all(cpus: frozenset[int]) -> None:
    """Every thread of this process on ``cpus``."""
    for thread in _threads():
        with contextlib.suppress(ProcessLookupError):  # a thread that just ended
            os.sched_setaffinity(thread, cpus)


def _threads() -> list[int]:
    """The ids of this process's threads (Linux's ``/proc/self/task``; else this one)."""
    try:
        return [int(name) for name in os.listdir("/proc/self/task")]
    except OSError:
        return [0]


def _least_kept(allowed: frozenset[int]) -> int:
    """The CPU for ``auto``: of ``allowed``, one that the fewest other processes are kept
    on (another tracker, started before: several on one machine spread by themselves;
    the kernel's own per-CPU threads are not counted), the one the calling thread runs
    on among those."""
    kept = dict.fromkeys(allowed, 0)
    me = os.getpid()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if int(status.parent.name) == me:
                continue
            text = status.read_text()
            # (a kernel's thread has no memory, no VmSize: its CPUs are not counted)
            cpus = _allowed_list(text) if "\nVmSize:" in text else frozenset()
        except (OSError, ValueError):
            continue  # gone meanwhile, or not ours to read
        if len(cpus) == 1 and (cpu := next(iter(cpus))) in kept:
            kept[cpu] += 1
    fewest = min(kept.values())
    candidates = frozenset(cpu for cpu, count in kept.items() if count == fewest)
    return _running_on(candidates)


def _allowed_list(status: str) -> frozenset[int]:
    """The CPUs a ``/proc/<pid>/status`` allows (``Cpus_allowed_list: 0-3,6``)."""
    for line in status.splitlines():
        if line.startswith("Cpus_allowed_list:"):
            cpus: set[int] = set()
            for span in line.split(":", 1)[1].strip().split(","):
                first, _, last = span.partition("-")
                cpus.update(range(int(first), int(last or first) + 1))
            return frozenset(cpus)
    return frozenset()


def _running_on(allowed: frozenset[int]) -> int:
    """The CPU the calling thread runs on (its last, from ``/proc``), or the first it may."""
    try:
        stat = Path("/proc/thread-self/stat").read_text()
        # Fields after the command's name, which may hold spaces and parentheses.
        cpu = int(stat.rsplit(")", 1)[1].split()[_PROCESSOR_FIELD - 3])
    except (OSError, IndexError, ValueError):
        return min(allowed)
    return cpu if cpu in allowed else min(allowed)


def _spans(cpus: frozenset[int]) -> str:
    """``0-3,6`` for CPUs 0, 1, 2, 3 and 6 (as ``taskset`` and ``lscpu`` write them)."""
    runs: list[list[int]] = []
    for cpu in sorted(cpus):
        if runs and runs[-1][-1] == cpu - 1:
            runs[-1].append(cpu)
        else:
            runs.append([cpu])
    return ",".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
