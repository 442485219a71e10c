"""news feeds

Revision ID: 2026_11_23_0019
Revises: 2026_11_23_0018
Create Date: 2026-11-23 18:24:53.410642
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0019"
down_revision = "2026_11_23_0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "news_feed",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("poll_minutes", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(), nullable=True),
        sa.Column("last_new_articles", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_feed")),
        sa.UniqueConstraint("url", name=op.f("uq_news_feed_url")),
    )


def downgrade() -> None:
    op.drop_table("news_feed")
