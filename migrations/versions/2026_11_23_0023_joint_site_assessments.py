"""joint site assessments

Revision ID: 2026_11_23_0023
Revises: 2026_11_23_0022
Create Date: 2026-11-23 21:18:10.529955
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0023"
down_revision = "2026_11_23_0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_assessment",
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("site_kind", sa.String(length=24), nullable=False),
        sa.Column("site_owner_org_id", sa.Uuid(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("finalised_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_site_assessment_site_id_site")),
        sa.ForeignKeyConstraint(
            ["site_owner_org_id"],
            ["organisation.id"],
            name=op.f("fk_site_assessment_site_owner_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_assessment")),
    )
    with op.batch_alter_table("site_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_site_assessment_site_on", ["site_id", "assessed_on"], unique=False)

    op.create_table(
        "assessment_finding",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("area", sa.String(length=24), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("remediation", sa.Text(), nullable=False),
        sa.Column("owner_org_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=80), nullable=True),
        sa.Column("closure_note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["site_assessment.id"],
            name=op.f("fk_assessment_finding_assessment_id_site_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisation.id"],
            name=op.f("fk_assessment_finding_owner_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_finding")),
    )
    with op.batch_alter_table("assessment_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_finding_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index("ix_assessment_finding_status_due", ["status", "due_on"], unique=False)

    op.create_table(
        "assessment_signature",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("signed_by", sa.String(length=80), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["site_assessment.id"],
            name=op.f("fk_assessment_signature_assessment_id_site_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_signature")),
        sa.UniqueConstraint("assessment_id", "party", name=op.f("uq_assessment_signature_assessment_id")),
    )
    with op.batch_alter_table("assessment_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_signature_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "finding_photo",
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["assessment_finding.id"],
            name=op.f("fk_finding_photo_finding_id_assessment_finding"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_photo")),
    )
    with op.batch_alter_table("finding_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_photo_finding_id"), ["finding_id"], unique=False)

    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assessment_score", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("assessed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("assessed_on")
        batch_op.drop_column("assessment_score")

    with op.batch_alter_table("finding_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_photo_finding_id"))

    op.drop_table("finding_photo")
    with op.batch_alter_table("assessment_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_signature_assessment_id"))

    op.drop_table("assessment_signature")
    with op.batch_alter_table("assessment_finding", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_finding_status_due")
        batch_op.drop_index(batch_op.f("ix_assessment_finding_assessment_id"))

    op.drop_table("assessment_finding")
    with op.batch_alter_table("site_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_site_assessment_site_on")

    op.drop_table("site_assessment")
