"""Coordination tables: the joint working groups, their numbered meetings, what the meetings
decided, and the actions that follow, each owned by an organisation until it is done; the joint
security assessments of sites, their signatures, findings and remediation."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jsms.core.db import Audited, Base, IdMixin, TimestampMixin, UTCDateTime, VersionMixin
from jsms.core.marking import Marked


class WorkingGroup(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """A standing group of both parties (the corridor's security group, the non-corridor one)."""

    __tablename__ = "working_group"
    __policy_name__ = "meeting"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(16), default="corridor")  # corridor | non_corridor
    description: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list["GroupMember"]] = relationship(
        back_populates="group", lazy="selectin", cascade="all, delete-orphan", order_by="GroupMember.position"
    )


class GroupMember(IdMixin, Audited, Base):
    """A seat on a group: who holds it, for which organisation and party, in what role."""

    __tablename__ = "working_group_member"

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("working_group.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")  # "Additional Secretary (Interior)"
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    party: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16), default="member")  # co_chair | member | secretary

    group: Mapped[WorkingGroup] = relationship(back_populates="members")


class Meeting(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """The n-th meeting of a group: when, where, who chaired and attended, agenda and minutes."""

    __tablename__ = "meeting"
    __policy_name__ = "meeting"
    __table_args__ = (UniqueConstraint("group_id", "number"), Index("ix_meeting_starts_at", "starts_at"))

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("working_group.id"), index=True)
    number: Mapped[int]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(300))
    host_co_chair: Mapped[str] = mapped_column(String(200))
    partner_co_chair: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="planned")  # planned | held | cancelled
    agenda: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[str] = mapped_column(Text, default="")

    group: Mapped[WorkingGroup] = relationship(lazy="joined")
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="meeting", lazy="selectin", cascade="all, delete-orphan", order_by="Attendee.position"
    )
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="meeting", lazy="selectin", cascade="all, delete-orphan", order_by="Decision.number"
    )
    actions: Mapped[list["ActionItem"]] = relationship(
        back_populates="meeting", lazy="selectin", cascade="all, delete-orphan", order_by="ActionItem.due_on"
    )
    comments: Mapped[list["MeetingComment"]] = relationship(
        back_populates="meeting", lazy="selectin", cascade="all, delete-orphan", order_by="MeetingComment.at"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="meeting",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="Attachment.filename",
    )


class Attendee(IdMixin, Audited, Base):
    __tablename__ = "meeting_attendee"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    party: Mapped[str] = mapped_column(String(16))
    present: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")


class Decision(IdMixin, TimestampMixin, Audited, Base):
    __tablename__ = "meeting_decision"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")


class ActionItem(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """Something a meeting asked an organisation to do by a date; reminded before, alerted after."""

    __tablename__ = "action_item"
    __table_args__ = (Index("ix_action_item_status_due", "status", "due_on"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting.id"), index=True)
    decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meeting_decision.id"))
    text: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | done | cancelled
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="actions")


class MeetingComment(IdMixin, Audited, Base):
    __tablename__ = "meeting_comment"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(80))
    party: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="comments")


class Attachment(IdMixin, TimestampMixin, Audited, Base):
    """A paper of the meeting (agenda notes, presentation, signed minutes), kept in the database."""

    __tablename__ = "meeting_attachment"
    __audit_redact__ = frozenset({"content"})

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(80))

    meeting: Mapped[Meeting] = relationship(back_populates="attachments")


class SiteAssessment(IdMixin, TimestampMixin, VersionMixin, Marked, Audited, Base):
    """A joint security assessment of one site: the checklist of its kind answered, findings,
    and final only once an assessor of each party has signed it."""

    __tablename__ = "site_assessment"
    __policy_name__ = "assessment"
    __scope_columns__ = {"own": "site_owner_org_id"}
    __table_args__ = (Index("ix_site_assessment_site_on", "site_id", "assessed_on"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    site_kind: Mapped[str] = mapped_column(String(24))  # the checklist it was made with
    site_owner_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    team: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{name, party}]
    answers: Mapped[dict[str, int | None]] = mapped_column(JSON, default=dict)  # question → 0..4 | None
    score: Mapped[float | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | final
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    signatures: Mapped[list["AssessmentSignature"]] = relationship(
        back_populates="assessment",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="AssessmentSignature.signed_at",
    )
    findings: Mapped[list["Finding"]] = relationship(
        back_populates="assessment",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="Finding.created_at",
    )


class AssessmentSignature(IdMixin, Audited, Base):
    """One party's assessor signing the assessment as it stands."""

    __tablename__ = "assessment_signature"
    __table_args__ = (UniqueConstraint("assessment_id", "party"),)

    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site_assessment.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    signed_by: Mapped[str] = mapped_column(String(80))
    signer_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    assessment: Mapped[SiteAssessment] = relationship(back_populates="signatures")


class Finding(IdMixin, TimestampMixin, VersionMixin, Audited, Base):
    """A weakness the assessors found, and its remediation, owned by an organisation until closed."""

    __tablename__ = "assessment_finding"
    __table_args__ = (Index("ix_assessment_finding_status_due", "status", "due_on"),)

    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site_assessment.id"), index=True)
    area: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(12))  # low | medium | high | critical
    text: Mapped[str] = mapped_column(Text)
    remediation: Mapped[str] = mapped_column(Text, default="")
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(80))
    closure_note: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[SiteAssessment] = relationship(back_populates="findings")
    photos: Mapped[list["FindingPhoto"]] = relationship(
        back_populates="finding",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="FindingPhoto.created_at",
    )


class FindingPhoto(IdMixin, TimestampMixin, Audited, Base):
    """A photograph of a finding (JPEG, PNG or WebP, checked to be one), kept in the database."""

    __tablename__ = "finding_photo"
    __audit_redact__ = frozenset({"content"})

    finding_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment_finding.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(80))

    finding: Mapped[Finding] = relationship(back_populates="photos")
