"""Each version records which extractor read it (migration 0018, ``versions.extractor``),
on both backends; versions stored before keep NULL, and the migration goes down again."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from tearsheet.extract.revision import extractor_revision
from tearsheet.store.store import Store
from tests.support.dated import stored
from tests.support.storekit import head_revision, sql


def test_a_version_records_the_extractor_that_read_it(store: Store) -> None:
    stored(store)
    assert sql(store, "SELECT extractor FROM versions") == [(extractor_revision(),)]
    assert len(extractor_revision()) == 16
    assert int(extractor_revision(), 16) >= 0  # hex digits


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", "tearsheet.store:migrations")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def _columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("versions")}
    finally:
        engine.dispose()


def test_the_migration_upgrades_and_downgrades(store: Store, store_url: str) -> None:
    """A version stored before 0018 keeps NULL (an older, unknown extractor); the
    downgrade drops the column and keeps the rows, the upgrade brings it back."""
    assert head_revision() == "0018"
    stored(store)
    store.close()
    _migrate(store_url, "0017", down=True)
    assert "extractor" not in _columns(store_url)
    _migrate(store_url, "0018")
    assert "extractor" in _columns(store_url)
    reopened = Store.open(store_url)
    try:
        assert sql(reopened, "SELECT number, extractor FROM versions") == [(1, None)]
    finally:
        reopened.close()
