from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tearsheet.cli import main
from tests.localserver import LocalServer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1, scripted by the test."""
    srv = LocalServer().start()
    try:
        yield srv
    finally:
        srv.stop()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test (visibly) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpora live beside the repository)")
    return path


def cli(*args: str) -> int:
    """Run the ``tearsheet`` command in this process; returns its exit status."""
    try:
        main(list(args))
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0
