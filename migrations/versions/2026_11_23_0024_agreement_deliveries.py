"""agreement deliveries

Revision ID: 2026_11_23_0024
Revises: 2026_11_23_0023
Create Date: 2026-11-23 21:25:56.823926
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0024"
down_revision = "2026_11_23_0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement_delivery",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("recipient_org_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("handed_over_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["agreement_item.id"], name=op.f("fk_agreement_delivery_item_id_agreement_item")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_org_id"],
            ["organisation.id"],
            name=op.f("fk_agreement_delivery_recipient_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_delivery")),
    )
    with op.batch_alter_table("agreement_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_delivery_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_asset_delivery_id"), ["delivery_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_asset_delivery_id_agreement_delivery"),
            "agreement_delivery",
            ["delivery_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_asset_delivery_id_agreement_delivery"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_asset_delivery_id"))
        batch_op.drop_column("delivery_id")

    with op.batch_alter_table("agreement_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_delivery_item_id"))

    op.drop_table("agreement_delivery")
