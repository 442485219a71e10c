"""Outbox: domain events written in the same transaction as the change.

Revision ID: 2026_11_22_0003
Revises: 2026_11_22_0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_22_0003"
down_revision = "2026_11_22_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox_event")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_event_id")),
    )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_event_pending", ["delivered_at", "seq"], unique=False)


def downgrade() -> None:
    op.drop_table("outbox_event")
