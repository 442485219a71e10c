"""taxii push: status of writes, push mark

Revision ID: 2026_11_23_0015
Revises: 2026_11_23_0014
Create Date: 2026-11-23 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0015"
down_revision = "2026_11_23_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pushed_through", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_push_at", sa.DateTime(), nullable=True))
    op.create_table(
        "taxii_status",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("collection", sa.String(length=36), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_status")),
    )


def downgrade() -> None:
    op.drop_table("taxii_status")
    with op.batch_alter_table("sync_state", schema=None) as batch_op:
        batch_op.drop_column("last_push_at")
        batch_op.drop_column("pushed_through")
