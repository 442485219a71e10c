"""alert channels name their audience

Revision ID: 2026_11_23_0016
Revises: 2026_11_23_0015
Create Date: 2026-11-23 16:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0016"
down_revision = "2026_11_23_0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_channel", schema=None) as batch_op:
        batch_op.drop_column("audience")
