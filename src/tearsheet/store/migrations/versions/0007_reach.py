"""reach: cards posted to social networks (threads), Wayback Machine saves

``social_posts`` records each post made for a notification rule's account, before it is
sent (``sending``) and after (``sent``, with the network's ids), so later changes of an
article are threaded under its first post and a crash never posts twice.
``wayback_saves`` queues each version of a ``wayback = true`` source for Save Page Now;
``versions.memento_url`` keeps the copy it made.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = tearsheet.store.schema.UTCDateTime


def upgrade() -> None:
    # A plain ADD COLUMN, nullable: no table is rebuilt, whatever the number of versions.
    op.add_column("versions", sa.Column("memento_url", sa.Text(), nullable=True))
    op.create_table(
        "social_posts",
        sa.Column("id", Id, nullable=False),
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("article_id", Id, nullable=False),
        sa.Column("version_id", Id, nullable=True),
        sa.Column("delivery_id", Id, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.Text(), nullable=True),
        sa.Column("post_cid", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("sent_at", Moment(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_social_posts_article_id_articles")),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], ondelete="SET NULL",
                                name=op.f("fk_social_posts_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_posts")),
        sa.UniqueConstraint("account", "delivery_id",
                            name=op.f("uq_social_posts_account_delivery_id")),
    )
    op.create_index("ix_social_posts_account_article_id", "social_posts",
                    ["account", "article_id"])
    op.create_table(
        "wayback_saves",
        sa.Column("version_id", Id, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", Moment(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("saved_at", Moment(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], ondelete="CASCADE",
                                name=op.f("fk_wayback_saves_version_id_versions")),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_wayback_saves")),
    )
    op.create_index("ix_wayback_saves_status_next_attempt_at", "wayback_saves",
                    ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_wayback_saves_status_next_attempt_at", table_name="wayback_saves")
    op.drop_table("wayback_saves")
    op.drop_index("ix_social_posts_account_article_id", table_name="social_posts")
    op.drop_table("social_posts")
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("memento_url")
