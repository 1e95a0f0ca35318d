"""where each version's raw response is archived: a WARC file, offset and length

A version is proof only with the page it was read from; the WARC record (ISO 28500) keeps
that page, and these columns point at it (NULL: not captured, e.g. stored before 0004).

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("warc_file", sa.Text(), nullable=True))
        batch.add_column(sa.Column("warc_offset", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("warc_length", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        for name in ("warc_length", "warc_offset", "warc_file"):
            batch.drop_column(name)
