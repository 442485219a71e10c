"""report notes and subscriptions

Revision ID: 2026_11_23_0025
Revises: 2026_11_23_0024
Create Date: 2026-11-23 22:23:01.726926
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
    op.create_table(
        "report_subscription",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_report_subscription_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_subscription")),
    )
    with op.batch_alter_table("report_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_subscription_user_id"), ["user_id"], unique=False)

    op.create_table(
        "report_delivery",
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("marking", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["report_subscription.id"],
            name=op.f("fk_report_delivery_subscription_id_report_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_delivery")),
        sa.UniqueConstraint("subscription_id", "day", name=op.f("uq_report_delivery_subscription_id")),
    )


def downgrade() -> None:
    op.drop_table("report_delivery")
    with op.batch_alter_table("report_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_subscription_user_id"))

    op.drop_table("report_subscription")
    op.drop_table("report_note")
