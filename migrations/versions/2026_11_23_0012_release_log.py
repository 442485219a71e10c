"""release log

Revision ID: 2026_11_23_0012
Revises: 2026_11_23_0011
Create Date: 2026-11-23 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0012"
down_revision = "2026_11_23_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_record",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.DateTime(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_record")),
    )
    with op.batch_alter_table("release_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_record_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_release_record_object_id"), ["object_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("release_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_record_object_id"))
        batch_op.drop_index(batch_op.f("ix_release_record_at"))
    op.drop_table("release_record")
