"""investigation steps

Revision ID: 2026_11_23_0021
Revises: 2026_11_23_0020
Create Date: 2026-11-23 19:54:02.327183
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0021"
down_revision = "2026_11_23_0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "investigation_step",
        sa.Column("investigation_id", sa.Uuid(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f("fk_investigation_step_investigation_id_investigation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation_step")),
    )
    with op.batch_alter_table("investigation_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_investigation_step_investigation_id"), ["investigation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("investigation_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investigation_step_investigation_id"))

    op.drop_table("investigation_step")
