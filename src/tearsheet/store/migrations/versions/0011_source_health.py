"""source health: why each check was refused, its body length, and a source's broken flag

``checks.reason`` names a failed check's cause for machines (``blocked``, ``needs_browser``,
``too_short``, ``held``…), ``checks.body_length`` the characters of the body a check read,
and ``checks.source_id`` (filled from the articles for earlier checks) lets a source's
recent checks be read by one index range. ``sources.broken_since`` and ``broken_reason``
hold the "extraction broken since …" flag, set once per breakage (it is what makes the
notification go out once).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checks") as batch:
        batch.add_column(sa.Column("source_id", sa.BigInteger().with_variant(
            sa.Integer(), "sqlite"), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("body_length", sa.Integer(), nullable=True))
    op.execute("UPDATE checks SET source_id = (SELECT articles.source_id FROM articles "
               "WHERE articles.id = checks.article_id)")
    op.create_index("ix_checks_source_id_checked_at", "checks", ["source_id", "checked_at"])
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("broken_since", tearsheet.store.schema.UTCDateTime(),
                                   nullable=True))
        batch.add_column(sa.Column("broken_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("broken_reason")
        batch.drop_column("broken_since")
    op.drop_index("ix_checks_source_id_checked_at", table_name="checks")
    with op.batch_alter_table("checks") as batch:
        batch.drop_column("body_length")
        batch.drop_column("reason")
        batch.drop_column("source_id")
