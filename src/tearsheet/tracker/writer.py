"""The store writer: every write of the tracker on one thread, checks committed in groups.

Why: a durable commit waits for the disk (SQLite's ``synchronous=FULL`` syncs the WAL on
every commit, ~5-10 ms). Done on the event loop, that wait stopped every fetch; done once
per check, it capped a tracker near 100 checks/s whatever the CPU. Here one thread does
the writes, in the order they were asked for, and the checks that finished while the
previous commit was waiting go into the next one together: one sync for all of them.
A group also waits a little (at most :data:`GATHER`) for the checks still in flight that
the tracker said to :meth:`StoreWriter.expect`: on an idle writer each check would
otherwise commit alone and pay a whole transaction's CPU (0.6 ms on SQLite, against
0.09 ms a check in a group of 8; see docs/performance.md). It stops waiting as soon as
none is left to come, another write is asked for, or the writer is closed.

Durability is unchanged: a check's future resolves only after the commit that holds it
returned, so a version reported stored survives a power cut. Atomicity is unchanged too:
each check's version, check row and schedule are in one transaction, so a killed process
never leaves half a check. If a group fails (one bad record, a full disk), it is rolled
back whole and its checks are written again one by one, so one bad check fails alone.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from tearsheet.store.records import CheckRecord
from tearsheet.store.store import Store

T = TypeVar("T")
MAX_GROUP = 256  # checks in one commit at most (one transaction's worth of memory)
GATHER = 0.05  # seconds a group waits at most for the checks still expected


@dataclass(frozen=True)
class _Call:
    function: Callable[[], Any]
    future: Future[Any]


@dataclass(frozen=True)
class _Record:
    record: CheckRecord
    future: Future[int | None]


class StoreWriter:
    """One thread that runs the tracker's store writes in order; checks in groups.

    Started lazily by the first write; :meth:`close` writes what is queued, then stops.
    """

    def __init__(self, store: Store, *, gather: float = GATHER) -> None:
        self.store = store
        self.gather = gather
        self.commits = 0  # group commits of checks (for the benchmark: checks per commit)
        # Articles whose check is in flight and has not been submitted yet: a group waits
        # for them (at most ``gather`` seconds). Only a hint: a wrong one costs latency.
        self._expected: set[int] = set()
        self._queue: queue.SimpleQueue[_Call | _Record | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    async def record(self, record: CheckRecord) -> int | None:
        """Record a check (see :meth:`Store.record_check`) once it is durably stored."""
        return await asyncio.wrap_future(self.submit(record))

    def submit(self, record: CheckRecord) -> Future[int | None]:
        """Queue a check to record; the future resolves after its commit."""
        future: Future[int | None] = Future()
        self._expected.discard(record.article.id)
        self._put(_Record(record, future))
        return future

    def expect(self, article_id: int) -> None:
        """A check of ``article_id`` is in flight: a group being gathered may wait for it."""
        self._expected.add(article_id)

    def forget(self, article_id: int) -> None:
        """The check of ``article_id`` is over (recorded, or never to be: merged, failed on
        the store). A group waiting for it alone stops waiting."""
        if article_id not in self._expected:
            return  # recorded: submit forgot it
        self._expected.discard(article_id)
        with self._lock:
            if not self._expected and self._thread is not None:
                self._queue.put(_Call(_nothing, Future()))  # wakes the gathering group

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run another write (claim leases, add articles...) on the writer thread, in order."""
        return await asyncio.wrap_future(self.submit_call(function, *args, **kwargs))

    def submit_call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Queue ``function(*args, **kwargs)``; it runs after every write queued before it."""
        future: Future[T] = Future()
        self._put(_Call(lambda: function(*args, **kwargs), future))
        return future

    def close(self) -> None:
        """Write everything queued, then stop the thread (waits for it)."""
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _put(self, item: _Call | _Record) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the store writer is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="store-writer",
                                                daemon=True)
                self._thread.start()
            self._queue.put(item)

    def _gather(self) -> list[_Call | _Record | None]:
        """The next items: whatever is queued, and while only checks came, those expected
        that arrive within ``gather`` seconds of the first."""
        items = [self._queue.get()]
        deadline = time.monotonic() + self.gather
        only_checks = isinstance(items[0], _Record)
        while len(items) < MAX_GROUP:
            try:
                item = self._queue.get_nowait()  # what arrived meanwhile joins in
            except queue.Empty:
                wait = deadline - time.monotonic()
                if not only_checks or not self._expected or wait <= 0:
                    break
                try:
                    item = self._queue.get(timeout=wait)
                except queue.Empty:
                    break
            items.append(item)
            only_checks = only_checks and isinstance(item, _Record)
        return items

    def _run(self) -> None:
        stopping = False
        while not stopping:
            items = self._gather()
            group: list[_Record] = []
            for item in items:
                if isinstance(item, _Record):
                    group.append(item)
                    continue
                self._commit(group)  # writes keep their order
                group = []
                if item is None:
                    stopping = True
                else:
                    _settle(item.future, item.function)
            self._commit(group)

    def _commit(self, group: list[_Record]) -> None:
        # A check whose waiting task was cancelled meanwhile (abandoned at shutdown) is
        # still written: its result is real, and its lease is released either way.
        if not group:
            return
        results = self.store.record_group([item.record for item in group])
        if not any(isinstance(result, Exception) for result in results):
            self.commits += 1
        for item, result in zip(group, results, strict=True):
            if not item.future.set_running_or_notify_cancel():
                continue
            if isinstance(result, Exception):
                item.future.set_exception(result)
            else:
                item.future.set_result(result)


def _nothing() -> None:
    return None


def _settle(future: Future[Any], function: Callable[[], Any]) -> None:
    """Run ``function`` and put its result, or its exception, in ``future``."""
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(function())
    except BaseException as exc:
        future.set_exception(exc)
