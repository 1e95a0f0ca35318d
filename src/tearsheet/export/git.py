"""A git repository with one commit per version (the NewsDiffs store), for ``git log -p``.

Each article is one text file, ``<source>/<host>/<path>.txt`` (headline, byline, URL, then
the body); each version is one commit, dated at its capture time, in capture order. The
commits are streamed into ``git fast-import`` (the ``git`` binary, run with an argument
list, never through a shell), so memory stays flat and a million versions take minutes,
not hours of ``git commit``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from tearsheet.errors import ExportError
from tearsheet.export.versions import Progress

COMMITTER = b"tearsheet <tearsheet@localhost>"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def article_path(source: str, url: str) -> str:
    """A stable, safe file name for an article: no ``..``, no absolute path, no oddities."""
    parts = urlsplit(url)
    segments = [_UNSAFE.sub("-", unquote(s)).strip("-.")[:80]
                for s in (parts.path or "/").split("/")]
    segments = [s for s in segments if s] or ["index"]
    if parts.query:
        segments[-1] += "-" + _UNSAFE.sub("-", parts.query).strip("-.")[:40]
    host = _UNSAFE.sub("-", parts.hostname or "unknown").strip("-.") or "unknown"
    name = _UNSAFE.sub("-", source).strip("-.") or "source"
    return "/".join([name, host, *segments]) + ".txt"


def render(row: dict[str, Any]) -> bytes:
    """The file's content at one version."""
    lines = [row["title"] or ""]
    if row["byline"]:
        lines.append(f"By {row['byline']}")
    lines += [row["url"], "", row["text"]]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _data(out: IO[bytes], payload: bytes) -> None:
    out.write(b"data %d\n" % len(payload))
    out.write(payload)
    out.write(b"\n")


def write_git(rows: Iterable[dict[str, Any]], folder: Path,
              progress: Progress | None = None) -> int:
    """Create a repository in ``folder`` (new or empty) from versions in capture order."""
    git = shutil.which("git")
    if git is None:
        raise ExportError("the git export needs the git program (e.g. apt-get install git)")
    if folder.exists() and any(folder.iterdir()):
        raise ExportError(f"{folder} is not empty: the git export makes a new repository")
    folder.mkdir(parents=True, exist_ok=True)
    _run([git, "init", "--quiet", "--initial-branch=main", str(folder)])
    count = 0
    importer = subprocess.Popen(  # noqa: S603 - the git binary, an argument list
        [git, "-C", str(folder), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert importer.stdin is not None
    try:
        for row in rows:
            count += 1
            stamp = int(row["captured_at"].timestamp())
            message = (f"{row['title'] or row['url']}\n\nVersion {row['number']} of "
                       f"{row['url']}\nSource: {row['source']}\nCaptured: "
                       f"{row['captured_at'].isoformat()}\n").encode()
            importer.stdin.write(b"commit refs/heads/main\n")
            importer.stdin.write(b"committer %s %d +0000\n" % (COMMITTER, stamp))
            _data(importer.stdin, message)
            path = article_path(row["source"], row["url"]).encode("utf-8")
            importer.stdin.write(b"M 100644 inline %s\n" % path)  # [A-Za-z0-9._/-] only
            _data(importer.stdin, render(row))
            if progress is not None:
                progress(1)
        importer.stdin.write(b"done\n")
        importer.stdin.close()
    except BrokenPipeError:
        pass
    error = importer.stderr.read().decode("utf-8", "replace") if importer.stderr else ""
    if importer.wait() != 0:
        raise ExportError(f"git fast-import failed: {error.strip()}")
    if count:
        _run([git, "-C", str(folder), "checkout", "--quiet", "--force", "main"])
    return count


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ExportError(f"{' '.join(command[1:3])} failed: {result.stderr.strip()}")
