"""A tracker's threads kept on one CPU (tearsheet.affinity), its workers and Chromium not.

Keeping threads on a CPU is a change to the whole process, and to every process it starts
later: each test that keeps them does so in a Python process of its own (the session's
own threads run anywhere, tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tearsheet.affinity import allowed_cpus, keep_on_one_cpu
from tearsheet.config import Settings
from tearsheet.errors import ConfigError
from tests.support.localserver import LocalServer
from tests.support.newsroom import Newsroom, Story, write_config
from tests.support.pages import LOREM
from tests.support.processes import cpus_of, live_processes
from tests.support.served import chromium

ROOT = Path(__file__).resolve().parents[1]  # the scripts import tests.support
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
pytestmark = pytest.mark.skipif(
    len(CPUS) < 2, reason="keeping threads on one CPU needs a Linux process allowed two "
                          "CPUs or more (sched_getaffinity)")


def _run(script: str) -> dict[str, object]:
    """``script`` in a Python process of its own (not told to leave its threads anywhere);
    what it printed last, as JSON."""
    env = {k: v for k, v in os.environ.items() if k != "TEARSHEET_WORKER__CPU"}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(found, dict)
    return found


def test_every_thread_is_kept_on_the_cpu_it_runs_on_and_threads_started_later_too() -> None:
    found = _run("""
        import json, os, threading
        from tearsheet.affinity import allowed_cpus, keep_on_one_cpu
        waiting = threading.Event()
        before = threading.Thread(target=waiting.wait)
        before.start()
        cpus = sorted(os.sched_getaffinity(0))
        cpu = keep_on_one_cpu("auto")
        seen = {}
        later = threading.Thread(target=lambda: seen.update(later=sorted(os.sched_getaffinity(0))))
        later.start(); later.join()
        threads = [sorted(os.sched_getaffinity(int(t))) for t in os.listdir("/proc/self/task")]
        waiting.set(); before.join()
        print(json.dumps({"cpus": cpus, "cpu": cpu, "threads": threads, **seen,
                          "allowed": sorted(allowed_cpus())}))
    """)
    cpu = found["cpu"]
    assert cpu in CPUS
    assert len(found["threads"]) >= 2  # the main thread and the one started before
    assert all(cpus == [cpu] for cpus in found["threads"])
    assert found["later"] == [cpu]
    assert found["allowed"] == found["cpus"] == CPUS


@pytest.mark.parametrize("taken", [0, -1], ids=["first-taken", "last-taken"])
def test_auto_avoids_a_cpu_another_tracker_is_kept_on(taken: int) -> None:
    cpu = CPUS[taken]
    other = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom tearsheet.affinity import "
         f"keep_on_one_cpu\nkeep_on_one_cpu({cpu})\nprint('kept', flush=True)\n"
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "kept"
        found = _run("""
            import json
            from tearsheet.affinity import keep_on_one_cpu
            print(json.dumps({"cpu": keep_on_one_cpu("auto")}))
        """)
    finally:
        other.communicate("", timeout=30)
    assert found["cpu"] in CPUS
    assert found["cpu"] != cpu


def test_a_chosen_cpu_then_another_then_any() -> None:
    found = _run(f"""
        import json, os
        from tearsheet.affinity import keep_on_one_cpu
        first = keep_on_one_cpu({CPUS[-1]})
        on_first = sorted(os.sched_getaffinity(0))
        second = keep_on_one_cpu({CPUS[0]})  # chosen among all it was allowed, not one
        on_second = sorted(os.sched_getaffinity(0))
        third = keep_on_one_cpu("any")
        print(json.dumps({{"first": first, "on_first": on_first, "second": second,
                          "on_second": on_second, "third": third,
                          "on_third": sorted(os.sched_getaffinity(0))}}))
    """)
    assert found == {"first": CPUS[-1], "on_first": [CPUS[-1]], "second": CPUS[0],
                     "on_second": [CPUS[0]], "third": None, "on_third": CPUS}


def test_a_process_started_in_released_runs_anywhere_and_one_started_outside_does_not(
) -> None:
    found = _run("""
        import json, subprocess
        from tearsheet.affinity import keep_on_one_cpu, released
        from tests.support.processes import cpus_of
        cpu = keep_on_one_cpu("auto")
        with released():
            free = subprocess.Popen(["sleep", "30"])
        kept = subprocess.Popen(["sleep", "30"])
        found = {"cpu": cpu, "free": cpus_of(free.pid), "kept": cpus_of(kept.pid),
                 "self": cpus_of("self")}
        free.kill(); kept.kill()
        print(json.dumps(found))
    """)
    assert found["kept"] == found["self"] == [found["cpu"]]
    assert found["free"] == CPUS


def test_extraction_workers_run_on_every_cpu_the_tracker_was_allowed() -> None:
    found = _run("""
        import asyncio, json, os
        from tearsheet.affinity import keep_on_one_cpu
        from tearsheet.tracker.extraction_pool import ExtractionPool
        cpu = keep_on_one_cpu("auto")
        pool = ExtractionPool(2)
        try:
            workers = asyncio.run(pool.run(os.sched_getaffinity, 0))
        finally:
            pool.close()
        print(json.dumps({"cpu": cpu, "workers": sorted(workers),
                          "tracker": sorted(os.sched_getaffinity(0))}))
    """)
    assert found["tracker"] == [found["cpu"]]
    assert found["workers"] == CPUS


def test_any_keeps_nothing() -> None:
    assert keep_on_one_cpu("any") is None
    assert allowed_cpus() is None
    assert sorted(os.sched_getaffinity(0)) == CPUS


def test_a_cpu_the_process_may_not_use_is_refused_with_the_ones_it_may() -> None:
    with pytest.raises(ConfigError, match=r"worker\.cpu is 4095, but this process may only "
                                          r"run on CPUs [0-9,-]+: choose one of them"):
        keep_on_one_cpu(4095)
    assert sorted(os.sched_getaffinity(0)) == CPUS  # nothing was kept meanwhile
    assert allowed_cpus() is None


@pytest.mark.parametrize(("given", "expected"), [
    ("auto", "auto"), ("any", "any"), ("1", 1), (3, 3)])
def test_the_setting_takes_a_cpu_or_a_word(given: object, expected: object,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEARSHEET_WORKER__CPU")  # (the environment overrides the file)
    assert Settings(worker={"cpu": given}).worker.cpu == expected


@pytest.mark.parametrize("given", ["-1", "all", "one", -2, 1.5])
def test_the_setting_refuses_anything_else(given: object,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEARSHEET_WORKER__CPU")
    with pytest.raises(ValueError, match="cpu"):
        Settings(worker={"cpu": given})


def _each_allowed(pids: list[int]) -> list[list[int]]:
    try:
        return [cpus_of(pid) for pid in pids]
    except OSError:  # one ended meanwhile
        return []


@pytest.mark.parametrize("choice", ["auto", "any"])
def test_tearsheet_run_keeps_its_threads_on_one_cpu_and_not_its_workers(
    server: LocalServer, tmp_path: Path, choice: str,
) -> None:
    newsroom = Newsroom(server)
    server.route("/feed.xml", newsroom.feed)
    newsroom.publish("/news/story", Story("A story of the day", list(LOREM)))
    config = write_config(tmp_path, server)
    config.write_text(config.read_text().replace("[fetch]", "[worker]\ncpu = \"" + choice +
                                                 "\"\n[fetch]\nextract_processes = 2"))
    env = {k: v for k, v in os.environ.items() if k != "TEARSHEET_WORKER__CPU"}
    proc = subprocess.Popen([sys.executable, "-m", "tearsheet", "run", "--config", str(config)],
                            stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        workers: list[int] = []
        while time.time() < deadline and not (
                len(workers) >= 2 and _each_allowed(workers) == [CPUS] * len(workers)):
            time.sleep(0.05)  # the fork server's children, once started: the two workers
            workers = [w for server_ in live_processes(parent=proc.pid)
                       for w in live_processes(parent=server_)]
        assert len(workers) >= 2, "the tracker started no extraction worker"
        assert _each_allowed(workers) == [CPUS] * len(workers)
        threads = [cpus_of(proc.pid, int(t)) for t in os.listdir(f"/proc/{proc.pid}/task")]
        assert len(threads) >= 3  # the event loop, the store's writer, discovery…
        if choice == "auto":
            assert len(threads[0]) == 1 and threads[0][0] in CPUS
            assert all(cpus == threads[0] for cpus in threads), threads
        else:
            assert all(cpus == CPUS for cpus in threads), threads
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_chromium_is_not_kept_on_the_trackers_cpu(tmp_path: Path) -> None:
    found = _run(f"""
        import asyncio, json, os
        from tearsheet.affinity import keep_on_one_cpu
        from tearsheet.config import load_settings
        from tearsheet.fetch.browser import Browser
        from tearsheet.fetch.fetcher import Fetcher
        from tests.support.processes import cpus_of, descendants

        settings = load_settings(database_url="sqlite:///{tmp_path / 'ts.db'}",
                                 fetch={{"browser_path": {chromium()!r}}})

        async def go():
            async with Fetcher(settings.fetch) as fetcher, \\
                    Browser(settings.fetch, fetcher) as browser:
                await browser.start()
                return {{pid: cpus_of(pid) for pid in descendants(os.getpid())}}

        cpu = keep_on_one_cpu("auto")
        children = asyncio.run(go())
        print(json.dumps({{"cpu": cpu, "children": children, "self": cpus_of("self")}}))
    """)
    children = found["children"]
    assert isinstance(children, dict) and children, "no Chromium process was found"
    assert found["self"] == [found["cpu"]]
    assert all(cpus == CPUS for cpus in children.values()), children
