"""browse indexes and statistics counters: the pages that read every article or version

At 1,000,000 versions the statistics page took ~9 s to render cold (changes per day
joined every recent version to its article; the median time to a first change read every
second version) and a source's page sorted all its articles. Now:

- ``change_counts``: changes per source and UTC day, counted by the store as it writes a
  version after the first (backfilled here);
- ``articles.first_change_seconds``: seconds from first sight to the second version, set
  when it is stored (backfilled here), with an index per source for the median;
- ``ix_articles_source_id_moment``: a source's articles in the order its page lists them
  (``coalesce(last_changed_at, first_seen_at)``, id);
- ``ix_articles_source_id_last_changed_at``: a source's last change, one index look-up;
- ``ix_articles_version_count``: the most edited articles.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearsheet.store.schema

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "change_counts",
        sa.Column("source_id", tearsheet.store.schema.Id, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"],
                                name=op.f("fk_change_counts_source_id_sources"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_id", "day", name=op.f("pk_change_counts")),
    )
    op.execute("""
        INSERT INTO change_counts (source_id, day, changes)
        SELECT a.source_id, date(v.captured_at), count(*)
        FROM versions AS v JOIN articles AS a ON a.id = v.article_id
        WHERE v.number > 1
        GROUP BY a.source_id, date(v.captured_at)""")
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("first_change_seconds", sa.Float(), nullable=True))
    if postgres:
        op.execute("""
            UPDATE articles AS a
            SET first_change_seconds = EXTRACT(EPOCH FROM v.captured_at - a.first_seen_at)
            FROM versions AS v WHERE v.article_id = a.id AND v.number = 2""")
    else:
        op.execute("""
            UPDATE articles SET first_change_seconds = (
                SELECT (julianday(v.captured_at) - julianday(articles.first_seen_at)) * 86400.0
                FROM versions AS v WHERE v.article_id = articles.id AND v.number = 2)
            WHERE version_count > 1""")
    moment = sa.text("coalesce(last_changed_at, first_seen_at)")
    op.create_index("ix_articles_source_id_moment", "articles",
                    ["source_id", moment, "id"])
    op.create_index("ix_articles_source_id_last_changed_at", "articles",
                    ["source_id", "last_changed_at"])
    op.create_index("ix_articles_version_count", "articles", ["version_count", "id"])
    op.create_index("ix_articles_source_id_first_change_seconds", "articles",
                    ["source_id", "first_change_seconds"],
                    sqlite_where=sa.text("first_change_seconds IS NOT NULL"),
                    postgresql_where=sa.text("first_change_seconds IS NOT NULL"))
    if postgres:  # the planner's statistics know the new column at once
        op.execute("ANALYZE articles")


def downgrade() -> None:
    for name in ("ix_articles_source_id_first_change_seconds", "ix_articles_version_count",
                 "ix_articles_source_id_version_count", "ix_articles_source_id_moment"):
        op.drop_index(name, table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("first_change_seconds")
    op.drop_table("change_counts")
