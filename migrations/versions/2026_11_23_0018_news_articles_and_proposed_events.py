"""news articles and proposed events

Revision ID: 2026_11_23_0018
Revises: 2026_11_23_0017
Create Date: 2026-11-23 18:08:05.863249
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0018"
down_revision = "2026_11_23_0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "news_event",
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_news_event_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_event")),
    )
    with op.batch_alter_table("news_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_event_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index("ix_news_event_status_date", ["status", "occurred_on"], unique=False)

    op.create_table(
        "news_article",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=1000), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reports_new_incident", sa.Boolean(), nullable=False),
        sa.Column("extraction", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("decided", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["news_event.id"], name=op.f("fk_news_article_event_id_news_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_article")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_news_article_fingerprint")),
    )
    with op.batch_alter_table("news_article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_article_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_news_article_published_on"), ["published_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("news_article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_article_published_on"))
        batch_op.drop_index(batch_op.f("ix_news_article_event_id"))

    op.drop_table("news_article")
    with op.batch_alter_table("news_event", schema=None) as batch_op:
        batch_op.drop_index("ix_news_event_status_date")
        batch_op.drop_index(batch_op.f("ix_news_event_incident_id"))

    op.drop_table("news_event")
