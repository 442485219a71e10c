"""Registries: projects, units, sites, protected persons, agreements, assets.

Revision ID: 2026_11_22_0002
Revises: 2026_11_22_0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_22_0002"
down_revision = "2026_11_22_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column("programme", sa.String(length=16), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("sponsor_org_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_org_id"],
            ["organisation.id"],
            name=op.f("fk_project_sponsor_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_name"), ["name"], unique=False)

    op.create_table(
        "unit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("call_sign", sa.String(length=40), nullable=True),
        sa.Column("strength", sa.Integer(), nullable=True),
        sa.Column("province", sa.String(length=8), nullable=True),
        sa.Column("hq_lat", sa.Double(), nullable=True),
        sa.Column("hq_lon", sa.Double(), nullable=True),
        sa.Column("area_of_responsibility", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["organisation.id"], name=op.f("fk_unit_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
    )

    op.create_table(
        "site",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column("name_ur", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("security_tier", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("h3_cell", sa.String(length=16), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=True),
        sa.Column("district", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("guarding_unit_id", sa.Uuid(), nullable=True),
        sa.Column("owner_org_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarding_unit_id"], ["unit.id"], name=op.f("fk_site_guarding_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"], ["organisation.id"], name=op.f("fk_site_owner_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_site_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index("ix_site_h3_cell", ["h3_cell"], unique=False)
        batch_op.create_index(batch_op.f("ix_site_name"), ["name"], unique=False)
        batch_op.create_index("ix_site_province", ["province"], unique=False)

    op.create_table(
        "protected_person",
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("name_hanzi", sa.String(length=60), nullable=True),
        sa.Column("name_pinyin", sa.String(length=200), nullable=True),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("gender", sa.String(length=8), nullable=True),
        sa.Column("job_title", sa.String(length=120), nullable=True),
        sa.Column("employer_org_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("emergency_contact_name", sa.String(length=200), nullable=True),
        sa.Column("emergency_contact_phone", sa.Text(), nullable=True),
        sa.Column("passport_number", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("consent_to_tracking", sa.Boolean(), nullable=False),
        sa.Column("consent_recorded_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_org_id"],
            ["organisation.id"],
            name=op.f("fk_protected_person_employer_org_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_protected_person_project_id_project")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_protected_person_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protected_person")),
    )
    with op.batch_alter_table("protected_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protected_person_full_name"), ["full_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_protected_person_nationality"), ["nationality"], unique=False)
        batch_op.create_index(batch_op.f("ix_protected_person_site_id"), ["site_id"], unique=False)

    op.create_table(
        "agreement",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_zh", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("signatories", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
    )

    op.create_table(
        "agreement_item",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("asset_kind", sa.String(length=40), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_item_agreement_id_agreement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_item")),
    )

    op.create_table(
        "asset",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("registration", sa.String(length=40), nullable=True),
        sa.Column("armour_rating", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("owner_org_id", sa.Uuid(), nullable=True),
        sa.Column("agreement_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_unit_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_asset_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_unit_id"], ["unit.id"], name=op.f("fk_asset_assigned_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"], ["organisation.id"], name=op.f("fk_asset_owner_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset")),
        sa.UniqueConstraint("registration", name=op.f("uq_asset_registration")),
    )


def downgrade() -> None:
    op.drop_table("asset")
    op.drop_table("agreement_item")
    op.drop_table("agreement")
    op.drop_table("protected_person")
    op.drop_table("site")
    op.drop_table("unit")
    op.drop_table("project")
