"""report notes

Revision ID: 2026_11_23_0025
Revises: 2026_11_23_0024
Create Date: 2026-11-23 22:18:27.310847
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0025"
down_revision = "2026_11_23_0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_note",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("analyst", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_note")),
        sa.UniqueConstraint("kind", "area", "day", name=op.f("uq_report_note_kind")),
    )


def downgrade() -> None:
    op.drop_table("report_note")
