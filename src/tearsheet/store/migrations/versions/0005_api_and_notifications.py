"""hidden articles, sources added through the API, the notification outbox

- ``articles.hidden``: an article hidden by an administrator (through the API) is left
  out of the web UI, the feeds and the API's lists; it is still tracked and stored.
- ``sources.origin`` (``config`` or ``api``) and ``sources.removed_at``: a source added
  through the API lives in the database (its feeds in ``feeds``), where the tracker's
  discovery reads it; removing it stops its discovery and checks, and keeps its versions.
- ``notify_outbox``: one row per (rule, version) to deliver, with its delivery state, so a
  crash neither loses nor duplicates a notification (beyond at-least-once);
  ``notify_state``: the notifier's cursor over the versions.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ADD COLUMN (with a constant default) on both databases: no table is rebuilt, so
    # the upgrade takes no time whatever the number of articles.
    op.add_column("articles", sa.Column("hidden", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column("sources", sa.Column("origin", sa.String(16), nullable=False,
                                       server_default="config"))
    op.add_column("sources", sa.Column("removed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "notify_outbox",
        sa.Column("id", Id, primary_key=True),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("version_id", Id, sa.ForeignKey("versions.id", ondelete="CASCADE",
                                                   name="fk_notify_outbox_version_id_versions"),
                  nullable=True),
        sa.Column("source_id", Id, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("summary_id", Id, nullable=True),
        sa.Column("items", sa.Integer(), nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("id", name="pk_notify_outbox"),
        sa.UniqueConstraint("rule", "version_id", name="uq_notify_outbox_rule_version_id"),
    )
    op.create_index("ix_notify_outbox_status_next_attempt_at", "notify_outbox",
                    ["status", "next_attempt_at"])
    op.create_index("ix_notify_outbox_rule_source_id_created_at", "notify_outbox",
                    ["rule", "source_id", "created_at"])
    op.create_table(
        "notify_state",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_notify_state"),
    )


def downgrade() -> None:
    op.drop_table("notify_state")
    op.drop_index("ix_notify_outbox_rule_source_id_created_at", "notify_outbox")
    op.drop_index("ix_notify_outbox_status_next_attempt_at", "notify_outbox")
    op.drop_table("notify_outbox")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("removed_at")
        batch.drop_column("origin")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("hidden")
