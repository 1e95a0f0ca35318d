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
returned, so a version reported stored survives a power cut. A check's raw response,
when it is to be archived, is written into the WARC archive by this thread too, with the
other captures of its group and one fsync a file, before the group's commit: a version
never points at a record that is not on disk (:meth:`Archive.capture_group`). Atomicity
is unchanged too: each check's version, check row and schedule are in one transaction,
so a killed process never leaves half a check. If a group fails (one bad record, a full
disk), it is rolled back whole and its checks are written again one by one, so one bad
check fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from tearsheet.archive.warc import Archive
from tearsheet.fetch.fetcher import Response
from tearsheet.store.records import CheckRecord
from tearsheet.store.store import Store

T = TypeVar("T")
MAX_GROUP = 256  # checks in one commit at most (one transaction's worth of memory)
GATHER = 0.05  # seconds a group waits at most for the checks still expected

_Reply = Future[Any] | asyncio.Future[Any]
"""Where an item's outcome goes: a thread's future (:meth:`StoreWriter.submit`), or an
event loop's (:meth:`StoreWriter.record`: a group's outcomes reach their loop together)."""
_Outcome = tuple[bool, Any]  # (True, the result) or (False, the exception)
R = TypeVar("R", Future[int | None], asyncio.Future[int | None])  # a record's


@dataclass(frozen=True)
class _Call:
    function: Callable[[], Any]
    future: _Reply


Archived = tuple[Archive, Response]
"""A check's raw response and the archive to write it into before the check is recorded
(its version, if it makes one, then points at the record)."""


@dataclass(frozen=True)
class _Record:
    record: CheckRecord
    future: _Reply
    archived: Archived | None = None


class StoreWriter:
    """One thread that runs the tracker's store writes in order; checks in groups.

    Started lazily by the first write; :meth:`close` writes what is queued, then stops.
    The thread is woken only when it must act: an item while it is idle, another write
    (it ends a group), the last expected check, a full group, :meth:`close`. A check that
    joins a group being gathered is queued without a wake (a thread's wake costs both
    threads more CPU than the check's own share of the commit), and a group's outcomes
    reach the event loop in one call, not one per check.
    """

    def __init__(self, store: Store, *, gather: float = GATHER) -> None:
        self.store = store
        self.gather = gather
        self.commits = 0  # group commits of checks (for the benchmark: checks per commit)
        # Articles whose check is in flight and has not been submitted yet: a group waits
        # for them (at most ``gather`` seconds). Only a hint: a wrong one costs latency.
        self._expected: set[int] = set()
        self._items: deque[_Call | _Record | None] = deque()
        self._wake: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._idle = False  # the thread waits for any item (not a group's last ones)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    async def record(self, record: CheckRecord, *,
                     archived: Archived | None = None) -> int | None:
        """Record a check (see :meth:`Store.record_check`) once it is durably stored;
        ``archived``: its raw response, archived first (see the module's docstring)."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        return await self._queue(record, future, archived)

    def submit(self, record: CheckRecord, *,
               archived: Archived | None = None) -> Future[int | None]:
        """Queue a check to record; the future resolves after its commit."""
        return self._queue(record, Future(), archived)

    def _queue(self, record: CheckRecord, future: R, archived: Archived | None) -> R:
        self._expected.discard(record.article.id)
        self._put(_Record(record, future, archived))
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
        if not self._expected:
            self._wake.put(None)  # the group being gathered has nothing left to wait for

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run another write (claim leases, add articles...) on the writer thread, in order."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._put(_Call(lambda: function(*args, **kwargs), future))
        return await future

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
            self._items.append(None)
            self._wake.put(None)
            thread.join()

    def _put(self, item: _Call | _Record) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the store writer is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="store-writer",
                                                daemon=True)
                self._thread.start()
            self._items.append(item)
        # Read after the append: a thread that found no item set ``_idle`` before it
        # looked, so either it sees this item or this sees it idle (a spare wake is
        # harmless: the thread looks again and waits again).
        if (self._idle or not isinstance(item, _Record) or not self._expected
                or len(self._items) >= MAX_GROUP):
            self._wake.put(None)

    def _take(self, room: int) -> list[_Call | _Record | None]:
        """Up to ``room`` of the items queued, in order."""
        taken: list[_Call | _Record | None] = []
        while self._items and len(taken) < room:
            taken.append(self._items.popleft())
        return taken

    def _gather(self) -> list[_Call | _Record | None]:
        """The next items: whatever is queued (waiting while nothing is), and while only
        checks came, those expected that arrive within ``gather`` seconds of the first."""
        while not self._items:
            self._idle = True
            if not self._items:
                self._wake.get()
            self._idle = False
        items = self._take(MAX_GROUP)
        deadline = time.monotonic() + self.gather
        while (len(items) < MAX_GROUP and self._expected
               and all(isinstance(item, _Record) for item in items)):
            wait = deadline - time.monotonic()
            if wait <= 0:
                break
            with contextlib.suppress(queue.Empty):  # the deadline: commit what came
                self._wake.get(timeout=wait)
            items += self._take(MAX_GROUP - len(items))
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
        results = self.store.record_group(_archived(group))
        if not any(isinstance(result, Exception) for result in results):
            self.commits += 1
        loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], _Outcome]]] = {}
        for item, result in zip(group, results, strict=True):
            outcome = (not isinstance(result, Exception), result)
            if isinstance(item.future, Future):
                if item.future.set_running_or_notify_cancel():
                    _set(item.future, outcome)  # its waiter wakes in its own thread
            else:
                loops.setdefault(item.future.get_loop(), []).append((item.future, outcome))
        for loop, replies in loops.items():
            _reply(loop, replies)


def _archived(group: list[_Record]) -> list[CheckRecord]:
    """The group's records, each version pointing at its raw response once that is
    written: the group's captures in one go an archive (one fsync a file). A capture that
    could not be written leaves its version without a pointer (the archive logged it)."""
    records = [item.record for item in group]
    captures: dict[Archive, list[tuple[int, Response]]] = {}
    for n, item in enumerate(group):
        if item.archived is not None:
            archive, response = item.archived
            captures.setdefault(archive, []).append((n, response))
    for archive, pending in captures.items():
        pointers = archive.capture_group([response for _, response in pending])
        for (n, _), pointer in zip(pending, pointers, strict=True):
            version = records[n].version
            if pointer is not None and version is not None:
                records[n] = replace(records[n], version=replace(version, capture=pointer))
    return records


def _settle(future: _Reply, function: Callable[[], Any]) -> None:
    """Run ``function`` unless its caller gave up waiting; put its outcome in ``future``."""
    if isinstance(future, Future):
        if future.set_running_or_notify_cancel():
            _set(future, _outcome(function))
    elif not future.cancelled():
        _reply(future.get_loop(), [(future, _outcome(function))])


def _outcome(function: Callable[[], Any]) -> _Outcome:
    try:
        return True, function()
    except BaseException as exc:
        return False, exc


def _set(future: _Reply, outcome: _Outcome) -> None:
    """Set a future (a thread's, set running; a loop's, on its loop) to ``outcome``."""
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _reply(loop: asyncio.AbstractEventLoop,
           replies: list[tuple[asyncio.Future[Any], _Outcome]]) -> None:
    """An event loop's futures: set on that loop, all of them in one call."""
    with contextlib.suppress(RuntimeError):  # the loop was closed: nobody waits for these
        loop.call_soon_threadsafe(_deliver, replies)


def _deliver(replies: list[tuple[asyncio.Future[Any], _Outcome]]) -> None:
    for future, outcome in replies:
        if not future.done():  # done: its waiter was cancelled
            _set(future, outcome)
