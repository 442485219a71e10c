"""received reports keep their name

Revision ID: 2026_11_23_0017
Revises: 2026_11_23_0016
Create Date: 2026-11-23 16:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0017"
down_revision = "2026_11_23_0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("received_object", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("received_object", schema=None) as batch_op:
        batch_op.drop_column("name")
