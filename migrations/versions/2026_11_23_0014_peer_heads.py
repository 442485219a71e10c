"""peer audit heads

Revision ID: 2026_11_23_0014
Revises: 2026_11_23_0013
Create Date: 2026-11-23 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0014"
down_revision = "2026_11_23_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peer_head",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_head")),
    )
    with op.batch_alter_table("peer_head", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_peer_head_node_id"), ["node_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("peer_head", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_head_node_id"))
    op.drop_table("peer_head")
