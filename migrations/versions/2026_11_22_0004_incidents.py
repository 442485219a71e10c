"""Incidents, their sources and investigations.

Revision ID: 2026_11_22_0004
Revises: 2026_11_22_0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_22_0004"
down_revision = "2026_11_22_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("time_precision", sa.String(length=8), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=True),
        sa.Column("district", sa.String(length=80), nullable=True),
        sa.Column("h3_cell", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("target_category", sa.String(length=24), nullable=False),
        sa.Column("protected_nationality_targeted", sa.Boolean(), nullable=False),
        sa.Column("killed", sa.Integer(), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=True),
        sa.Column("killed_protected", sa.Integer(), nullable=True),
        sa.Column("injured_protected", sa.Integer(), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("verified_by", sa.String(length=80), nullable=True),
        sa.Column("historical", sa.Boolean(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("source_system", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("source_system", "external_id", name=op.f("uq_incident_source_system")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index("ix_incident_h3_cell", ["h3_cell"], unique=False)
        batch_op.create_index("ix_incident_province", ["province"], unique=False)
        batch_op.create_index("ix_incident_state_occurred", ["state", "occurred_at"], unique=False)

    op.create_table(
        "incident_source",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_source_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_source")),
    )
    with op.batch_alter_table("incident_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_source_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "investigation",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("arrests", sa.Integer(), nullable=False),
        sa.Column("charges", sa.Text(), nullable=False),
        sa.Column("prosecution", sa.Text(), nullable=False),
        sa.Column("next_hearing", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_investigation_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_investigation_incident_id")),
    )


def downgrade() -> None:
    op.drop_table("investigation")
    op.drop_table("incident_source")
    op.drop_table("incident")
