"""The live processes of this machine, read from ``/proc`` (Linux): a test's view of what a
command it started runs (its workers, its children, the CPUs they may use), and what it
left behind."""

from __future__ import annotations

from pathlib import Path

_PARENT, _SESSION = 1, 3  # fields 4 and 6 of /proc/<pid>/stat, counted after the name's


def live_processes(*, session: int | None = None, parent: int | None = None) -> list[int]:
    """The ids of the live (not zombie) processes in ``session``, or children of
    ``parent``."""
    return [pid for pid, fields in _stats()
            if (session is None or int(fields[_SESSION]) == session)
            and (parent is None or int(fields[_PARENT]) == parent)]


def descendants(ancestor: int) -> list[int]:
    """The ids of the live processes ``ancestor`` started, and theirs, at any depth."""
    parents = {pid: int(fields[_PARENT]) for pid, fields in _stats()}
    found = []
    for pid in parents:
        up = parents.get(pid, 0)
        while up > 1 and up != ancestor:
            up = parents.get(up, 0)
        if up == ancestor:
            found.append(pid)
    return found


def cpus_of(pid: int | str, task: int | None = None) -> list[int]:
    """The CPUs a process (``"self"`` too), or one of its threads, may run on."""
    where = Path(f"/proc/{pid}") if task is None else Path(f"/proc/{pid}/task/{task}")
    for line in (where / "status").read_text().splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return cpu_list(line.split(":", 1)[1])
    raise AssertionError(f"no Cpus_allowed_list in {where}/status")


def cpu_list(spans: str) -> list[int]:
    """The CPUs of a list as ``/proc`` and ``taskset`` write it (``0-3,6``)."""
    cpus: list[int] = []
    for span in spans.strip().split(","):
        first, _, last = span.partition("-")
        cpus += range(int(first), int(last or first) + 1)
    return cpus


def _stats() -> list[tuple[int, list[str]]]:
    """Each live process's id and the fields of its ``stat`` after its name's."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if fields[0] != "Z":
            found.append((int(stat.parent.name), fields))
    return found
