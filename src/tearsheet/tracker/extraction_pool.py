"""The extraction pool: a check's CPU work (extraction, the change summary, and the parsing
of discovery documents) off the loop.

Why processes: extraction (trafilatura, lxml) is ~6 ms of CPU per page and holds the GIL
nearly all the time, so on a thread it only took turns with the event loop that fetches.
In worker processes it runs beside the loop, on the other cores. Pages go to the workers
as bytes, results come back as :class:`~tearsheet.extract.extraction.Extraction` values.

A worker that dies (killed, out of memory, a crash in a C library on a hostile page)
breaks the whole pool in :mod:`concurrent.futures`: every check waiting on it fails with
:class:`ExtractionError` (reason ``worker_died``), which is a failed check retried later,
never a version; the next job starts a new pool. Workers leave stopping to the tracker
(see :func:`_worker_started`) and exit by themselves if the tracker dies. ``processes``
of 0 extracts on one thread in this process (the benches).

A job that runs past ``time_limit`` (``fetch.extract_timeout``) is stopped the only way a
process pool allows, by stopping its workers: its check fails as ``too_slow`` (never a
version), and the other jobs the pool held, innocent, are run again in the new pool (those
whose time ran out with it too: they were waiting behind it). Why:
some pages make a parser quadratic (one tag of 50,000 attributes is a minute of libxml2;
100,000 paragraphs, of trafilatura's ``//p//text()``), and a hostile site can serve one; a
worker held for an hour by one page is a tracker slowed for everyone. A thread cannot be
stopped: with ``processes`` of 0 there is no limit. Hence one worker process, not a
thread, on a machine of one core (the setting's default there): the limit holds wherever
the tracker runs as configured by default. The one-off commands (``tearsheet extract``,
``tearsheet check``) and the WARC import read hostile pages too, and are bounded the same
way (:func:`run_once`, :meth:`ExtractionPool.wait`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any, TypeVar
from weakref import WeakKeyDictionary, WeakSet

from tearsheet.affinity import allowed_cpus
from tearsheet.errors import ExtractionError, Refusal

log = logging.getLogger(__name__)

T = TypeVar("T")
# imported once, in the fork server
PRELOAD = ["tearsheet.extract.extraction", "tearsheet.diff.changes", "tearsheet.discover"]
TERM_GRACE = 10.0  # seconds a worker keeps serving after SIGTERM (worker.shutdown_grace)
POOL_FAILURES = frozenset({Refusal.WORKER_DIED, Refusal.TOO_SLOW})
"""The refusals the pool itself raises: about the worker, not the page (whose own refusals
name it), and no sign of whether extraction still reads the source."""
_frozen = False  # this process's heap was frozen (freeze_heap)


def freeze_heap() -> None:
    """Leave what this process has loaded so far out of every later full garbage
    collection (once a process: the tracker's, and each extraction worker's).

    Why: a tracker's heap is mostly what it loaded at start (the modules of the extractor,
    the store, the web client: ~130,000 objects) and none of it is ever garbage, yet each
    full collection walked all of it: ~70-90 ms of CPU, about once every few hundred new
    versions (extraction allocates a lot), ~0.3 ms a new version in ``bench/checkloop.py``.
    Frozen, they are never walked again; what is made later is collected as before. The
    garbage made so far is collected first, so none of it is kept for good."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()


class ExtractionPool:
    """Runs picklable functions in ``processes`` worker processes (or one thread)."""

    def __init__(self, processes: int, *, term_grace: float = TERM_GRACE,
                 time_limit: float = 0.0, forked: bool = False) -> None:
        """``term_grace``: seconds a worker keeps serving after a SIGTERM (the tracker's
        ``worker.shutdown_grace``); ``time_limit``: seconds a job of :meth:`run` or
        :meth:`wait` may take in worker processes (0: no limit); ``forked``: workers
        forked from this process, which must then run no other thread (a one-off
        command: no fork server to start, the extractor is loaded already)."""
        self.processes = processes
        self.term_grace = term_grace
        self.time_limit = time_limit
        self.forked = forked
        self._executor: Executor | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._stopped: WeakSet[Executor] = WeakSet()  # pools stopped for a job's time
        self._pools: WeakKeyDictionary[Future[Any], Executor] = WeakKeyDictionary()

    @property
    def uses_processes(self) -> bool:
        return self.processes > 0

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in the pool; :class:`ExtractionError` if the worker
        died under it (the pool is replaced for the next job) or if it ran past the time
        limit (``too_slow``)."""
        job = functools.partial(function, *args, **kwargs)
        loop = asyncio.get_running_loop()
        executor = self._current()
        try:
            running = loop.run_in_executor(executor, job)
        except BrokenProcessPool:  # broken before this job was sent: not its fault
            self._replace(executor)
            executor = self._current()
            running = loop.run_in_executor(executor, job)
        if self.uses_processes and self.time_limit > 0:
            try:  # (not wait_for: a TimeoutError the job raised is the job's own)
                done, _ = await asyncio.wait({running}, timeout=self.time_limit)
            except asyncio.CancelledError:
                running.cancel()
                raise
            if not done:
                # Its end (a broken pool) is nobody's to read. Not cancelled: a cancelled
                # job still queued makes the pool's manager thread fail as it breaks.
                running.add_done_callback(_read_and_drop)
                if executor in self._stopped:  # stopped for an older job: run it again
                    return await self.run(function, *args, **kwargs)
                # Counted from submission, and jobs start in the order they came: the
                # first job of a pool to run out of time is one that has been running.
                self._stop(executor)
                raise _too_slow(self.time_limit)
        try:
            return await running
        except BrokenProcessPool:
            if executor in self._stopped:  # stopped for another job's time: run it again
                return await self.run(function, *args, **kwargs)
            self._replace(executor)
            raise ExtractionError("the extraction worker process died (killed, or out of "
                                  "memory); the check will be retried",
                                  reason="worker_died") from None

    def submit(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """``function(*args, **kwargs)`` in the pool, for a caller without an event loop
        (the WARC import). If a worker dies under it, its future raises
        :class:`BrokenProcessPool` and the pool is replaced for the next job."""
        job = functools.partial(function, *args, **kwargs)
        executor = self._current()
        try:
            future = executor.submit(job)
        except BrokenProcessPool:  # broken before this job was sent: not its fault
            self._replace(executor)
            executor = self._current()
            future = executor.submit(job)
        future.add_done_callback(functools.partial(self._replace_if_broken, executor))
        self._pools[future] = executor
        return future

    def wait(self, future: Future[T]) -> T:
        """The result of a job of :meth:`submit`; :class:`ExtractionError` (``too_slow``)
        when it is not done within the time limit of the wait, whose workers are then
        stopped as :meth:`run` stops them (the other jobs of that pool raise
        :class:`BrokenProcessPool`: theirs to run again). Counted from the call: waited for
        in the order they were submitted, the job waited for has been running since the
        one before it ended, so it gets its whole time at least."""
        if not (self.uses_processes and self.time_limit > 0):
            return future.result()
        try:
            return future.result(timeout=self.time_limit)
        except TimeoutError:
            if future.done():  # the job's own TimeoutError
                raise
        executor = self._pools.get(future)
        if executor is not None:
            self._stop(executor)
        raise _too_slow(self.time_limit)

    def start(self) -> None:
        """Start the workers now (a fork server's first start imports the extractor, a
        second or two), so the first checks do not wait for them."""
        executor = self._current()
        if isinstance(executor, ProcessPoolExecutor):
            for _ in range(self.processes):  # a worker is started per job waiting for one
                executor.submit(os.getpid)

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (for tests and the benchmark's CPU accounting)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return [p.pid for p in list(processes.values()) if p.pid is not None]

    def close(self) -> None:
        """Stop the workers, after the jobs already running (queued ones are dropped)."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _current(self) -> Executor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the extraction pool is closed")
            if self._executor is None:
                self._executor = self._start()
            return self._executor

    def _replace(self, broken: Executor) -> None:
        """Drop a broken pool (once, however many checks saw it break)."""
        with self._lock:
            if self._executor is not broken:
                return
            self._executor = None
        log.warning("an extraction worker process died; starting new ones")
        broken.shutdown(wait=False, cancel_futures=True)

    def _stop(self, executor: Executor) -> None:
        """Stop a pool's workers (a job ran past its time; which worker runs it, a process
        pool does not say): the next job starts a new pool, and the jobs this one held fail
        with :class:`BrokenProcessPool`, which :meth:`run` answers by running them again.
        Not shut down with its queue cancelled: a cancelled job would cancel its check."""
        with self._lock:
            if self._executor is executor:
                self._executor = None
            self._stopped.add(executor)
        processes = getattr(executor, "_processes", None) or {}
        log.warning("an extraction job ran past %g s; stopping its workers (%d)",
                    self.time_limit, len(processes))
        for process in list(processes.values()):
            process.kill()
        executor.shutdown(wait=False)

    def _replace_if_broken(self, executor: Executor, future: Future[Any]) -> None:
        if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
            self._replace(executor)

    def _start(self) -> Executor:
        if not self.uses_processes:
            # One thread, not several: extraction holds the GIL, more threads only switch.
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        if self.forked and "fork" in multiprocessing.get_all_start_methods():
            return ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context(
                "fork"), initializer=_worker_started,
                initargs=(os.getpid(), self.term_grace, allowed_cpus()))
        return process_pool(self.processes, self.term_grace)


def run_once(function: Callable[..., T], *args: Any, time_limit: float, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a worker process of its own, for a one-off command
    (``tearsheet extract``, ``tearsheet check``): stopped past ``time_limit`` seconds
    (``fetch.extract_timeout``; 0: no limit) with :class:`ExtractionError` (``too_slow``),
    as the tracker's jobs are, and a worker that dies says so (``worker_died``) instead of
    taking the command with it. Not from an event loop. The worker is forked from this
    process when it runs no other thread (~10 ms: the extractor is loaded already), else it
    comes from the fork server (a second or two, which imports the extractor)."""
    pool = ExtractionPool(1, time_limit=time_limit, forked=threading.active_count() == 1)
    try:
        return asyncio.run(pool.run(function, *args, **kwargs))
    finally:
        pool.close()


def _too_slow(limit: float) -> ExtractionError:
    return ExtractionError(
        f"extraction ran past fetch.extract_timeout ({limit:g} s) and was stopped: a page "
        "a parser takes minutes over (a tag of thousands of attributes, hundreds of "
        "thousands of paragraphs)", reason=Refusal.TOO_SLOW)


def _read_and_drop(future: asyncio.Future[Any]) -> None:
    """Read a dropped job's outcome, so that asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


def process_pool(processes: int, term_grace: float = TERM_GRACE) -> ProcessPoolExecutor:
    """``processes`` extraction workers, from a fork server, not fork: the caller has
    threads (the store writer) that a fork would copy mid-lock; the server imports the
    extractor once, so a new pool is quick. (Where there is no fork server, as on Windows,
    each worker starts afresh.)"""
    context: BaseContext = multiprocessing.get_context("spawn")
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(PRELOAD)
        context = server
    return ProcessPoolExecutor(processes, mp_context=context,
                               initializer=_worker_started,
                               initargs=(os.getpid(), term_grace, allowed_cpus()))


def _worker_started(tracker_pid: int, term_grace: float = TERM_GRACE,
                    cpus: frozenset[int] | None = None) -> None:
    """In each worker: leave stopping to the tracker, and exit if the tracker is gone; run
    on ``cpus``, every CPU the tracker was allowed before it kept its threads on one (the
    fork server it forks from was started from one of those threads): the workers are the
    tracker's parallelism (tearsheet.affinity).

    Ctrl-C reaches the whole process group: the workers ignore it, the tracker finishes
    its in-flight checks and then stops them. A SIGTERM (a service manager stops every
    process of the service) gives them the same grace before they exit.
    """
    if cpus is not None:
        with contextlib.suppress(OSError):  # (a CPU taken offline since: left as it is)
            os.sched_setaffinity(0, cpus)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    freeze_heap()  # the extractor the fork server preloaded
    signal.signal(signal.SIGTERM, lambda *_: _exit_after(term_grace))
    parent = os.getppid()  # the fork server, which exits with the tracker
    threading.Thread(target=_exit_when_orphaned, args=(parent, tracker_pid), daemon=True,
                     name="watch-tracker").start()


def _exit_after(seconds: float) -> None:
    timer = threading.Timer(seconds, os._exit, args=(0,))
    timer.daemon = True
    timer.start()


def _exit_when_orphaned(parent: int, tracker_pid: int) -> None:
    while True:
        threading.Event().wait(1.0)
        if os.getppid() != parent or not _alive(tracker_pid):
            os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
