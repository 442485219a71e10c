"""sign-in failures

Revision ID: 2026_11_24_0026
Revises: 2026_11_23_0025
Create Date: 2026-11-24 00:22:21.124315
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_24_0026"
down_revision = "2026_11_23_0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_sign_in_failures_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_sign_in_failures")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_failures")
