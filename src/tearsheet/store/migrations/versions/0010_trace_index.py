"""the trace index: MinHash LSH keys of every version, to find where a copy came from

``trace_keys`` holds, per article, each MinHash key any of its versions has (see
``tearsheet.diff.sketch``): a copy's keys find the articles it may come from with one
indexed lookup per key. A version adds only the keys its article did not have yet, so a
small edit costs a few rows. ``trace_state`` keeps ``backlog``: versions with an id up to
it were stored before this index and are indexed by ``tearsheet db upgrade`` (and at the
start of ``tearsheet run``), newest first.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trace_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", tearsheet.store.schema.Id, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_trace_keys_article_id_articles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "article_id", name=op.f("pk_trace_keys")),
        sqlite_with_rowid=False,  # the primary key is the table: half the size
    )
    op.create_index(op.f("ix_trace_keys_article_id"), "trace_keys", ["article_id"])
    op.create_table(
        "trace_state",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_trace_state")),
    )
    # No row for an empty store (a copy's target must be empty: tearsheet migrate-store).
    op.execute("INSERT INTO trace_state (name, value) "
               "SELECT 'backlog', MAX(id) FROM versions HAVING MAX(id) IS NOT NULL")


def downgrade() -> None:
    op.drop_table("trace_state")
    op.drop_index(op.f("ix_trace_keys_article_id"), table_name="trace_keys")
    op.drop_table("trace_keys")
