"""each version's change summary (kinds, significance, boring, words)

The front page filters and orders changes by kind and significance; computing every diff
at read time does not scale to millions of versions, so the tracker stores the summary
with the version (and `tearsheet db upgrade` fills it in for older versions).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("kinds", sa.Text(), nullable=True))
        batch.add_column(sa.Column("significance", sa.Float(), nullable=True))
        batch.add_column(sa.Column("boring", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("words_added", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("words_removed", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        for name in ("words_removed", "words_added", "boring", "significance", "kinds"):
            batch.drop_column(name)
