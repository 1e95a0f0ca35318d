"""The live processes of this machine, read from ``/proc`` (Linux): a test's view of what a
command it started runs (its workers, its children), and what it left behind."""

from __future__ import annotations

from pathlib import Path

_PARENT, _SESSION = 1, 3  # fields 4 and 6 of /proc/<pid>/stat, counted after the name's


def live_processes(*, session: int | None = None, parent: int | None = None) -> list[int]:
    """The ids of the live (not zombie) processes in ``session``, or children of
    ``parent``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if fields[0] == "Z":
            continue
        if (session is None or int(fields[_SESSION]) == session) and \
                (parent is None or int(fields[_PARENT]) == parent):
            found.append(int(stat.parent.name))
    return found
