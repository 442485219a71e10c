"""casualties and compensation

Revision ID: 2026_11_23_0022
Revises: 2026_11_23_0021
Create Date: 2026-11-23 21:13:42.186230
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0022"
down_revision = "2026_11_23_0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "casualty",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("identity_number", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("employer_org_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("occupation", sa.String(length=120), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_org_id"], ["organisation.id"], name=op.f("fk_casualty_employer_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_casualty_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["protected_person.id"], name=op.f("fk_casualty_person_id_protected_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty")),
    )
    with op.batch_alter_table("casualty", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_casualty_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_casualty_nationality"), ["nationality"], unique=False)

    op.create_table(
        "compensation_case",
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("casualty_id", sa.Uuid(), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("employer_org_id", sa.Uuid(), nullable=True),
        sa.Column("payer_org_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("first_approved_by", sa.String(length=80), nullable=True),
        sa.Column("first_approved_party", sa.String(length=16), nullable=True),
        sa.Column("first_approved_at", sa.DateTime(), nullable=True),
        sa.Column("second_approved_by", sa.String(length=80), nullable=True),
        sa.Column("second_approved_party", sa.String(length=16), nullable=True),
        sa.Column("second_approved_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_by", sa.String(length=80), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["casualty_id"], ["casualty.id"], name=op.f("fk_compensation_case_casualty_id_casualty")
        ),
        sa.ForeignKeyConstraint(
            ["employer_org_id"],
            ["organisation.id"],
            name=op.f("fk_compensation_case_employer_org_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_org_id"], ["organisation.id"], name=op.f("fk_compensation_case_payer_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_case")),
        sa.UniqueConstraint("reference", name=op.f("uq_compensation_case_reference")),
    )
    with op.batch_alter_table("compensation_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compensation_case_casualty_id"), ["casualty_id"], unique=False)

    op.create_table(
        "compensation_beneficiary",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("relationship_to_casualty", sa.String(length=16), nullable=False),
        sa.Column("share_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("bank_account", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compensation_case.id"],
            name=op.f("fk_compensation_beneficiary_case_id_compensation_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_beneficiary")),
    )
    with op.batch_alter_table("compensation_beneficiary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compensation_beneficiary_case_id"), ["case_id"], unique=False)

    op.create_table(
        "compensation_payment",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["compensation_case.id"],
            name=op.f("fk_compensation_payment_case_id_compensation_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_payment")),
    )
    with op.batch_alter_table("compensation_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compensation_payment_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("compensation_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compensation_payment_case_id"))

    op.drop_table("compensation_payment")
    with op.batch_alter_table("compensation_beneficiary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compensation_beneficiary_case_id"))

    op.drop_table("compensation_beneficiary")
    with op.batch_alter_table("compensation_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compensation_case_casualty_id"))

    op.drop_table("compensation_case")
    with op.batch_alter_table("casualty", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_casualty_nationality"))
        batch_op.drop_index(batch_op.f("ix_casualty_incident_id"))

    op.drop_table("casualty")
