"""what a change means: edit intents, silent corrections, the correction note

Each change's summary gains its intents (coarse, dominant first, and fine labels, stored as
``,name,name,`` like ``kinds``), whether an existing claim changed with no note
(``silent_correction``), and the note the new version carries. NULL ``intents`` marks a
change stored before this revision: ``fill_missing_summaries`` reads it again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("intents", sa.Text(), nullable=True))
        batch.add_column(sa.Column("intent_labels", sa.Text(), nullable=True))
        batch.add_column(sa.Column("silent_correction", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("correction_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        for name in ("correction_note", "silent_correction", "intent_labels", "intents"):
            batch.drop_column(name)
