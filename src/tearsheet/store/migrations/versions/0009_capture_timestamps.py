"""trusted timestamps of the raw captures: a queue of captures to stamp, and the batches

Each new version whose raw capture is to be timestamped gets a ``capture_stamps`` row (the
record's SHA-256) in the transaction that stores it; the stamper sends the pending digests
to the timestamping authority in batches and keeps each batch's manifest and RFC 3161 token
in ``timestamp_batches``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "timestamp_batches",
        sa.Column("id", Id, nullable=False),
        sa.Column("tsa_url", sa.Text(), nullable=False),
        sa.Column("manifest", sa.LargeBinary(), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("stamped_at", tearsheet.store.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timestamp_batches")),
    )
    op.create_table(
        "capture_stamps",
        sa.Column("version_id", Id, nullable=False),
        sa.Column("digest", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", tearsheet.store.schema.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("batch_id", Id, nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["timestamp_batches.id"],
                                name=op.f("fk_capture_stamps_batch_id_timestamp_batches"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"],
                                name=op.f("fk_capture_stamps_version_id_versions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_capture_stamps")),
    )
    op.create_index("ix_capture_stamps_status_next_attempt_at", "capture_stamps",
                    ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_capture_stamps_status_next_attempt_at", table_name="capture_stamps")
    op.drop_table("capture_stamps")
    op.drop_table("timestamp_batches")
