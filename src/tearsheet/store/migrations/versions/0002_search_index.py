"""full-text search index over versions (SQLite FTS5)

Every version's headline and text are indexed, so a search finds text that was later
removed. Versions are never updated, only inserted (and deleted with their article), so
two triggers keep the index in step. On PostgreSQL the same is a GIN index over an
expression (:data:`tearsheet.store.schema.SEARCH_VECTOR`), which PostgreSQL keeps in step itself.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tearsheet.store.schema import SEARCH_INDEX, SEARCH_VECTOR

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {SEARCH_INDEX} ON versions USING gin ({SEARCH_VECTOR.format(v='')})")
        return
    op.execute("""
        CREATE VIRTUAL TABLE versions_fts USING fts5(
            title, text, content='versions', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2')
    """)
    op.execute("""
        CREATE TRIGGER versions_fts_insert AFTER INSERT ON versions BEGIN
            INSERT INTO versions_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END
    """)
    op.execute("""
        CREATE TRIGGER versions_fts_delete AFTER DELETE ON versions BEGIN
            INSERT INTO versions_fts(versions_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END
    """)
    op.execute("INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        return
    op.execute("DROP TRIGGER IF EXISTS versions_fts_delete")
    op.execute("DROP TRIGGER IF EXISTS versions_fts_insert")
    op.execute("DROP TABLE IF EXISTS versions_fts")
