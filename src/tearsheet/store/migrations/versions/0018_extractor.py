"""extractor: which revision of the extractor read each version

``versions.extractor`` is :func:`tearsheet.extract.revision.extractor_revision` of the
tearsheet that stored the version: when a later tearsheet reads the same page differently,
the tracker reads the version's raw capture again before calling the difference an edit
(see tearsheet.tracker.reread). Versions stored before this migration keep NULL: read by
an unknown, older extractor.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("extractor", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("extractor")
