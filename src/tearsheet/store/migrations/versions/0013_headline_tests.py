"""headline tests: the variants of an article's alternating headlines, seen, not versions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "headline_tests",
        sa.Column("id", tearsheet.store.schema.Id, primary_key=True),
        sa.Column("article_id", tearsheet.store.schema.Id,
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("headline", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", tearsheet.store.schema.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", tearsheet.store.schema.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("article_id", "content_hash"),
    )


def downgrade() -> None:
    op.drop_table("headline_tests")
