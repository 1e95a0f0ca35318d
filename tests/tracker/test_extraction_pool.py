"""The extraction pool: a worker killed mid-check fails that check cleanly, and the pool
recovers; a job past the time limit is stopped; a whole tracker stops cleanly with checks
in flight (SIGTERM, Ctrl-C)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearsheet.config import Settings, load_settings
from tearsheet.errors import ExtractionError
from tearsheet.extract.extraction import Extraction, extract
from tearsheet.fetch.fetcher import Fetcher
from tearsheet.store.store import Store
from tearsheet.tracker import tracker as tracker_module
from tearsheet.tracker.extraction_pool import ExtractionPool
from tearsheet.tracker.tracker import Tracker, assemble
from tests.support.hang import asleep
from tests.support.localserver import LocalServer, Reply
from tests.support.newsroom import Newsroom, Story, export, slow, write_config
from tests.support.pages import LOREM, SLOW_PAGE, article_page, rss_feed
from tests.support.processes import live_processes

# ~1 s of extraction: long enough to be killed in the middle of it.
BIG_PAGE = article_page("A very long story", [f"{LOREM[0]} Paragraph {i}." for i in range(20_000)])


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def _settings(tmp_path: Path, server: LocalServer, processes: int,
              **fetch: object) -> Settings:
    config = write_config(tmp_path, server, first_interval='"1h"')
    settings = load_settings(config)
    return settings.model_copy(update={"fetch": settings.fetch.model_copy(
        update={"extract_processes": processes, "max_bytes": 16_000_000, "timeout": 10.0,
                **fetch})})


def _one_story(server: LocalServer, tmp_path: Path, page: str,
               **fetch: object) -> tuple[Settings, Store]:
    """A feed of one story at /news/story, served as ``page``; two extraction workers."""
    server.route("/feed.xml", Reply(body=rss_feed(server.base, [("/news/story", "Story")]),
                                    headers={"Content-Type": "application/rss+xml"}))
    server.route("/news/story", page)
    settings = _settings(tmp_path, server, processes=2, **fetch)
    return settings, Store.open(settings.database_url)


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def test_a_worker_killed_mid_check_fails_that_check_and_the_pool_recovers(
    server: LocalServer, tmp_path: Path,
) -> None:
    settings, store = _one_story(server, tmp_path, BIG_PAGE)
    clock = Clock()
    killed: list[int] = []

    async def kill_a_busy_worker(tracker: Tracker) -> None:
        while not killed:
            busy = [pid for pid in tracker.pool.worker_pids() if _state(pid) == "R"]
            if busy and server.hits("/news/story"):
                os.kill(busy[0], signal.SIGKILL)
                killed.append(busy[0])
            await asyncio.sleep(0.005)

    async def go() -> tuple[list[int], list[int]]:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher, clock=clock) as tracker:
            await tracker.sync_sources()
            await tracker.discover()
            killer = asyncio.create_task(kill_a_busy_worker(tracker))
            assert await tracker.check_due(asyncio.Event(), until=clock()) == 1
            killer.cancel()
            before = tracker.pool.worker_pids()
            clock.offset = timedelta(hours=3)  # past the failed check's backoff
            assert await tracker.check_due(asyncio.Event(), until=clock()) == 1
            return before, tracker.pool.worker_pids()

    _, workers_after = asyncio.run(go())
    with store.engine.connect() as conn:
        checks = conn.exec_driver_sql("SELECT outcome, error FROM checks ORDER BY id").all()
        versions = conn.exec_driver_sql("SELECT number FROM versions").all()
    store.close()
    assert killed
    assert checks[0][0] == "failed" and "[worker_died]" in checks[0][1], checks
    assert checks[1][0] == "new_version"  # the next check, in a new pool, stored it
    assert versions == [(1,)]  # and the failure left no phantom
    assert killed[0] not in workers_after


def test_a_pool_broken_while_idle_is_replaced_before_the_next_job() -> None:
    page = article_page("A short story", LOREM).encode()
    pool = ExtractionPool(2)

    async def go() -> str | None:
        await pool.run(extract, page, "http://news.example/a")
        for pid in pool.worker_pids():
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(_state(p) not in ("gone", "Z") for p in pool.worker_pids()) \
                and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the executor notices and marks itself broken
        return (await pool.run(extract, page, "http://news.example/a")).title

    try:
        assert asyncio.run(go()) == "A short story"
    finally:
        pool.close()


def test_a_job_past_the_time_limit_fails_as_too_slow_and_the_jobs_beside_it_run_again() -> None:
    slow_page, page = SLOW_PAGE.encode(), article_page("A short story", LOREM).encode()
    pool = ExtractionPool(2)

    async def go() -> tuple[list[Extraction | BaseException], list[int], list[int], float]:
        await pool.run(extract, page, "http://news.example/a")  # the fork server is up
        pool.time_limit = 5.0
        before = pool.worker_pids()
        started = time.monotonic()
        # Both workers held by slow pages: the short ones wait in the stopped pool.
        found = await asyncio.gather(
            *(pool.run(extract, slow_page, "http://news.example/slow") for _ in range(2)),
            *(pool.run(extract, page, "http://news.example/a") for _ in range(4)),
            return_exceptions=True)
        took = time.monotonic() - started
        after = (await pool.run(extract, page, "http://news.example/a")).title
        assert after == "A short story"  # a new pool serves the next job
        return found, before, pool.worker_pids(), took

    try:
        found, before, workers_after, took = asyncio.run(go())
    finally:
        pool.close()
    slow, short = found[:2], found[2:]
    assert all(isinstance(f, ExtractionError) and f.reason == "too_slow" for f in slow), slow
    assert "fetch.extract_timeout (5 s)" in str(slow[0])
    assert [getattr(f, "title", f) for f in short] == ["A short story"] * 4
    assert took < 30  # stopped, not parsed to the end (a minute here)
    deadline = time.monotonic() + 10  # the stopped workers are gone
    while any(_state(p) not in ("gone", "Z") for p in before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_state(p) in ("gone", "Z") for p in before)
    assert not set(before) & set(workers_after)


def test_one_worker_is_a_process_whose_jobs_have_a_time_limit() -> None:
    # A machine of one core gets one worker by default: a process, which can be stopped,
    # not a thread, which cannot; the job after the stopped one runs in a new worker.
    slow_page, page = SLOW_PAGE.encode(), article_page("A short story", LOREM).encode()
    pool = ExtractionPool(1, time_limit=3.0)

    async def go() -> tuple[BaseException | Extraction, str, list[int], list[int]]:
        await pool.run(extract, page, "http://news.example/a")  # the fork server is up
        before = pool.worker_pids()
        stopped = (await asyncio.gather(
            pool.run(extract, slow_page, "http://news.example/slow"),
            return_exceptions=True))[0]
        after = (await pool.run(extract, page, "http://news.example/a")).title
        return stopped, after, before, pool.worker_pids()

    try:
        stopped, after, before, workers_after = asyncio.run(go())
    finally:
        pool.close()
    assert isinstance(stopped, ExtractionError) and stopped.reason == "too_slow", stopped
    assert after == "A short story"
    assert len(before) == 1 and before != [os.getpid()] and not set(before) & set(workers_after)


def test_a_job_waited_for_past_the_time_limit_is_stopped_and_the_pool_serves_the_next() -> None:
    # The WARC import's way: jobs submitted from a thread without an event loop.
    slow_page, page = SLOW_PAGE.encode(), article_page("A short story", LOREM).encode()
    pool = ExtractionPool(1, time_limit=3.0)
    try:
        pool.wait(pool.submit(extract, page, "http://news.example/a"))  # the fork server is up
        before = pool.worker_pids()
        started = time.monotonic()
        slow, queued = (pool.submit(extract, slow_page, "http://news.example/slow"),
                        pool.submit(extract, page, "http://news.example/a"))
        with pytest.raises(ExtractionError) as stopped:
            pool.wait(slow)
        took = time.monotonic() - started
        with pytest.raises(BrokenProcessPool):  # held by the stopped pool: the caller's
            pool.wait(queued)  # to run again
        after = pool.wait(pool.submit(extract, page, "http://news.example/a")).title
    finally:
        pool.close()
    assert stopped.value.reason == "too_slow" and "(3 s)" in str(stopped.value)
    assert 2.5 < took < 20  # its whole time, then stopped (the parse alone is a minute)
    assert after == "A short story" and not set(before) & set(pool.worker_pids())


# Run in a process of its own: whether the worker is forked depends on the threads of the
# process that asks, and pytest's has others (the local servers).
ONE_OFF = """
import sys, threading
import tearsheet
from tearsheet.errors import ExtractionError
from tearsheet.extract.extraction import extract
from tearsheet.tracker.extraction_pool import run_once
from tests.support.pages import LOREM, SLOW_PAGE, article_page

def mark():  # set in this process only, after the fork server was started (if it is)
    return getattr(tearsheet, "MARK", None)

if __name__ == "__main__":
    tearsheet.MARK = "set in the command"
    if sys.argv[1] == "thread":
        threading.Thread(target=threading.Event().wait, daemon=True).start()
    page = article_page("A short story", LOREM)
    print(run_once(extract, page, "http://news.example/a", time_limit=30).title)
    print(run_once(mark, time_limit=30))
    try:
        run_once(extract, SLOW_PAGE, "http://news.example/slow", time_limit=2)
    except ExtractionError as exc:
        print(exc.reason)
"""


@pytest.mark.parametrize(("threads", "forked"), [("none", True), ("thread", False)])
def test_a_one_off_extraction_runs_in_a_worker_of_its_own_with_the_time_limit(
        tmp_path: Path, threads: str, forked: bool) -> None:
    script = tmp_path / "one_off.py"
    script.write_text(ONE_OFF, encoding="utf-8")
    started = time.monotonic()
    root = str(Path(__file__).resolve().parents[2])  # for tests.support
    done = subprocess.run([sys.executable, str(script), threads], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": root})
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    title, mark, reason = done.stdout.split("\n")[:3]
    assert title == "A short story"
    # Forked from the command when it runs no other thread (it has the command's state);
    # from the fork server otherwise (a fork would copy the other thread's locks).
    assert mark == ("set in the command" if forked else "None")
    assert reason == "too_slow" and took < 40  # stopped: the parse alone is a minute


def test_a_thread_has_no_time_limit() -> None:
    # A thread cannot be stopped: the job runs to its end, however long.
    pool = ExtractionPool(0, time_limit=0.05)
    try:
        found = asyncio.run(pool.run(extract, BIG_PAGE.encode(), "http://news.example/big"))
    finally:
        pool.close()
    assert found.title == "A very long story"


def test_a_page_past_the_time_limit_is_a_failed_check_not_a_version(
    server: LocalServer, tmp_path: Path,
) -> None:
    settings, store = _one_story(server, tmp_path, SLOW_PAGE, extract_timeout=5.0)

    async def go() -> None:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher, clock=Clock()) as tracker:
            await tracker.sync_sources()
            await tracker.discover()
            assert await tracker.check_due(asyncio.Event(), until=Clock()()) == 1

    asyncio.run(go())
    with store.engine.connect() as conn:
        checks = conn.exec_driver_sql("SELECT outcome, error FROM checks").all()
        versions = conn.exec_driver_sql("SELECT count(*) FROM versions").scalar()
        status = conn.exec_driver_sql("SELECT status FROM articles").scalar()
    store.close()
    assert len(checks) == 1 and checks[0][0] == "failed", checks
    assert checks[0][1].startswith(server.url("/news/story")) and "[too_slow]" in checks[0][1]
    assert versions == 0 and status is None  # no version, and not "unpublished"


def test_a_summary_past_the_time_limit_leaves_the_version_stored_without_it(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The change summary (a diff: CPU work in the pool) is stopped at the time limit, and
    the version it explains is stored all the same, not lost check after check."""
    settings, store = _one_story(server, tmp_path, article_page("A story", LOREM),
                                 extract_timeout=3.0)
    clock = Clock()

    async def go() -> list[str]:
        async with Fetcher(settings.fetch) as fetcher, \
                assemble(settings, store, fetcher, clock=clock) as tracker:
            await tracker.sync_sources()
            await tracker.discover()
            assert await tracker.check_due(asyncio.Event(), until=clock()) == 1
            server.route("/news/story", article_page("A story", [*LOREM, "A new line."]))
            monkeypatch.setattr(tracker_module, "summarize", asleep)
            clock.offset = timedelta(hours=3)
            assert await tracker.check_due(asyncio.Event(), until=clock()) == 1
            return list(tracker.stats.recent)

    events = asyncio.run(go())
    with store.engine.connect() as conn:
        checks = conn.exec_driver_sql("SELECT outcome FROM checks ORDER BY id").all()
        versions = conn.exec_driver_sql(
            "SELECT number, kinds, text FROM versions ORDER BY number").all()
    store.close()
    assert checks == [("new_version",), ("new_version",)]
    assert [(number, kinds) for number, kinds, _ in versions] == [(1, None), (2, None)]
    assert versions[1][2].endswith("A new line.")
    assert any("stored without its change summary" in e and "too_slow" in e
               for e in events), events


@pytest.mark.parametrize("processes", [0, 1, 2])
def test_extraction_gives_the_same_result_in_a_thread_and_in_processes(processes: int) -> None:
    page = article_page("Same everywhere", LOREM).encode()
    pool = ExtractionPool(processes)
    try:
        found = asyncio.run(pool.run(extract, page, "http://news.example/a"))
    finally:
        pool.close()
    assert found == extract(page, "http://news.example/a")
    assert pool.uses_processes == (processes > 0)


@pytest.mark.parametrize(("sig", "group"), [
    pytest.param(signal.SIGTERM, False, id="sigterm"),
    pytest.param(signal.SIGINT, True, id="ctrl-c-to-the-process-group"),
    pytest.param(signal.SIGTERM, True, id="sigterm-to-the-process-group"),
])
def test_stopping_with_checks_in_flight_finishes_them_and_leaves_no_process(
    server: LocalServer, tmp_path: Path, sig: signal.Signals, group: bool,
) -> None:
    newsroom = Newsroom(server)
    server.route("/feed.xml", newsroom.feed)
    for i in range(6):
        newsroom.publish(f"/news/story-{i}", Story(f"Story number {i}", list(LOREM)))
        handler = newsroom.server.routes[f"/news/story-{i}"]
        newsroom.server.route(f"/news/story-{i}", slow(handler, 0.5))  # type: ignore[arg-type]
    config = write_config(tmp_path, newsroom.server, first_interval='"1h"')
    config.write_text(config.read_text().replace("[fetch]", "[fetch]\nextract_processes = 2\n"
                                                 "per_host_concurrency = 8"))
    proc = subprocess.Popen([sys.executable, "-m", "tearsheet", "run", "--config", str(config)],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 30
    while len([r for r in newsroom.server.requests if "/story-" in r.path]) < 6 \
            and time.time() < deadline:
        time.sleep(0.02)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert "6 checks, 6 new versions, 0 failed" in err.decode(), err.decode()
    assert sorted(v["url"] for v in export(config, tmp_path)) == sorted(
        newsroom.server.url(f"/news/story-{i}") for i in range(6))
    deadline = time.time() + 10  # the fork server and the workers are gone too
    while live_processes(session=proc.pid) and time.time() < deadline:
        time.sleep(0.05)
    assert live_processes(session=proc.pid) == []


def test_a_killed_tracker_leaves_no_worker_behind(server: LocalServer, tmp_path: Path) -> None:
    newsroom = Newsroom(server)
    server.route("/feed.xml", newsroom.feed)
    for i in range(4):
        newsroom.publish(f"/news/story-{i}", Story(f"Story number {i}", list(LOREM)))
    config = write_config(tmp_path, server, first_interval='"0.1s"', max_interval='"0.1s"')
    config.write_text(config.read_text().replace("[fetch]", "[fetch]\nextract_processes = 2"))
    proc = subprocess.Popen([sys.executable, "-m", "tearsheet", "run", "--config", str(config)],
                            stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 30
    while len(live_processes(session=proc.pid)) < 4 and time.time() < deadline:
        time.sleep(0.05)  # the tracker, the fork server and its workers
    assert len(live_processes(session=proc.pid)) >= 4
    proc.kill()
    proc.wait()
    deadline = time.time() + 15
    while live_processes(session=proc.pid) and time.time() < deadline:
        time.sleep(0.1)
    assert live_processes(session=proc.pid) == []


FREEZE = """
import gc, weakref
from tearsheet.tracker.extraction_pool import freeze_heap

class Node:
    pass

cycle = Node()
cycle.self = cycle  # garbage that only a collection frees
dead = weakref.ref(cycle)
del cycle
freeze_heap()
frozen = gc.get_freeze_count()
freeze_heap()  # once a process: the second call freezes nothing more
print(dead() is None, frozen > 10_000, gc.get_freeze_count() == frozen)
"""


def test_the_heap_is_frozen_once_and_its_garbage_collected_first() -> None:
    """What a process loaded at start is left out of later full collections (a tracker's
    ~130,000 objects: ~0.3 ms a new version); the garbage made before is freed, not kept."""
    result = subprocess.run([sys.executable, "-c", FREEZE], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                sys.path)})
    assert result.stdout.split() == ["True", "True", "True"]
