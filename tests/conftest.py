"""Fixtures only: servers, stores on both backends. Helpers live in ``tests/support/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.backends import BACKENDS
from tests.support.localserver import LocalServer

if TYPE_CHECKING:
    from tearsheet.store.store import Store


@pytest.fixture(scope="session", autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Tests never write into the user's data directory (WARC files and the signing key of
    stores that are not SQLite files go to ``$XDG_DATA_HOME/tearsheet``): one of their own,
    for this process and the processes it starts."""
    folder = tmp_path_factory.mktemp("xdg-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def threads_on_any_cpu() -> Iterator[None]:
    """A tracker a test runs (``tearsheet run`` in this process, say) leaves its threads
    where the system puts them: kept on one CPU, they would keep the rest of the session
    there, and every process it starts. tests/test_affinity.py keeps them in processes of
    its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEARSHEET_WORKER__CPU", "any")
        yield


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1, scripted by the test."""
    srv = LocalServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated to head, copied for each test that wants one."""
    from tearsheet.store.store import Store
    from tests.support import postgres

    postgres.ensure_server()
    name = postgres.create_database()
    try:
        Store.open(postgres.url(name), upgrade=True).close()
        yield name
    finally:
        postgres.drop_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a fresh store on ``backend``: an SQLite file not yet created, or a new
    PostgreSQL database at the current schema (as after `tearsheet db upgrade`)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ts.db'}"
        return
    from tests.support import postgres

    with postgres.database(request.getfixturevalue("pg_template")) as url:
        yield url


@pytest.fixture
def empty_store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on ``backend`` (no schema at all)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ts.db'}"
        return
    from tests.support import postgres

    postgres.ensure_server()
    with postgres.database() as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A store opened on ``store_url`` (both backends), closed after the test."""
    from tearsheet.store.store import Store

    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()
