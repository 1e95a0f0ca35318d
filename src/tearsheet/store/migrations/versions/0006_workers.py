"""many workers on one store: who holds each lease, feed leases, per-host politeness

Workers on several machines claim articles and feeds with a lease; ``leased_by`` names the
worker, so a check whose lease another worker took over is not recorded twice. ``hosts``
holds, per host, the earliest moment the next request may start, shared by every worker.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("leased_by", sa.String(length=100), nullable=True))
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("leased_until", tearsheet.store.schema.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("leased_by", sa.String(length=100), nullable=True))
    op.create_table(
        "hosts",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("next_allowed_at", tearsheet.store.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_hosts")),
    )


def downgrade() -> None:
    op.drop_table("hosts")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("leased_by")
        batch.drop_column("leased_until")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("leased_by")
