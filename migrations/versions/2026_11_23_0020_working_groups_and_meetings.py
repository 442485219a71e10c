"""working groups and meetings

Revision ID: 2026_11_23_0020
Revises: 2026_11_23_0019
Create Date: 2026-11-23 19:01:13.245451
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_0020"
down_revision = "2026_11_23_0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "working_group",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group")),
        sa.UniqueConstraint("name", name=op.f("uq_working_group_name")),
    )
    op.create_table(
        "meeting",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("host_co_chair", sa.String(length=200), nullable=False),
        sa.Column("partner_co_chair", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("owner_party", sa.String(length=16), nullable=False),
        sa.Column("release_to", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_group.id"], name=op.f("fk_meeting_group_id_working_group")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("group_id", "number", name=op.f("uq_meeting_group_id")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_meeting_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "meeting_attachment",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
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
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_attachment_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attachment")),
    )
    with op.batch_alter_table("meeting_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_attachment_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_attendee",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_attendee_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendee")),
    )
    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_attendee_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_comment",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_comment_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_comment")),
    )
    with op.batch_alter_table("meeting_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_comment_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_decision",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_decision_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_decision")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_meeting_decision_meeting_id")),
    )
    with op.batch_alter_table("meeting_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_decision_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "working_group_member",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["working_group.id"], name=op.f("fk_working_group_member_group_id_working_group")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_working_group_member_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group_member")),
    )
    with op.batch_alter_table("working_group_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_working_group_member_group_id"), ["group_id"], unique=False)

    op.create_table(
        "action_item",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["meeting_decision.id"], name=op.f("fk_action_item_decision_id_meeting_decision")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_action_item_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_action_item_owner_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index("ix_action_item_status_due", ["status", "due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_status_due")
        batch_op.drop_index(batch_op.f("ix_action_item_meeting_id"))

    op.drop_table("action_item")
    with op.batch_alter_table("working_group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_working_group_member_group_id"))

    op.drop_table("working_group_member")
    with op.batch_alter_table("meeting_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_decision_meeting_id"))

    op.drop_table("meeting_decision")
    with op.batch_alter_table("meeting_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_comment_meeting_id"))

    op.drop_table("meeting_comment")
    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendee_meeting_id"))

    op.drop_table("meeting_attendee")
    with op.batch_alter_table("meeting_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attachment_meeting_id"))

    op.drop_table("meeting_attachment")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_starts_at")
        batch_op.drop_index(batch_op.f("ix_meeting_group_id"))

    op.drop_table("meeting")
    op.drop_table("working_group")
