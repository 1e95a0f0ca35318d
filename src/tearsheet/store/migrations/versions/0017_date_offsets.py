"""date offsets: the UTC offset each page gave its published and modified dates

``versions.published_offset``/``modified_offset`` and ``articles.published_offset`` are
minutes east of UTC, so a date is shown on the day (and at the hour) the page gives
("2024-03-01T23:30:00-05:00" stays March 1, not March 2 in UTC). The instants stay in the
UTC columns (ordering and filters unchanged). Rows stored before this migration keep NULL:
their offset was never kept, and they are shown in UTC as before.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("published_offset", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("modified_offset", sa.Integer(), nullable=True))
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("published_offset", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("published_offset")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("modified_offset")
        batch.drop_column("published_offset")
