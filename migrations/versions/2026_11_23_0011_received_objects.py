"""received STIX objects

Revision ID: 2026_11_23_0011
Revises: 2026_11_23_0010
Create Date: 2026-11-23 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0011"
down_revision = "2026_11_23_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_object",
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("local_id", sa.Uuid(), nullable=True),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("modified", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("stix_id", name=op.f("pk_received_object")),
    )
    with op.batch_alter_table("received_object", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_object_local_id"), ["local_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("received_object", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_object_local_id"))
    op.drop_table("received_object")
