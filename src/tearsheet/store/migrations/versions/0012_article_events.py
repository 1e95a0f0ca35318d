"""article events: unpublished, moved, paywalled, blocked, returned — never versions

``article_events`` records what happened to an article beside its versions, and
``articles.status`` the state it is in since the last event (NULL: live), so a second 404
is not a second event.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("status", sa.String(length=20), nullable=True))
    op.create_table(
        "article_events",
        sa.Column("id", tearsheet.store.schema.Id, primary_key=True),
        sa.Column("article_id", tearsheet.store.schema.Id,
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", tearsheet.store.schema.UTCDateTime(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_article_events_article_id_at", "article_events", ["article_id", "at"])
    op.create_index("ix_article_events_at", "article_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_article_events_at", table_name="article_events")
    op.drop_index("ix_article_events_article_id_at", table_name="article_events")
    op.drop_table("article_events")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("status")
