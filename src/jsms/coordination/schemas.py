"""Pydantic in/out models of the working groups, meetings, decisions and actions, and of the joint
security assessments of sites."""

import uuid
from datetime import date, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field, model_validator

from jsms.core.crud import ListParams
from jsms.core.marking import Tlp
from jsms.core.schemas import NoNulls, ReadModel, Strict
from jsms.incidents.schemas import PARTY_CODES, UtcTime

SCOPES = Literal["corridor", "non_corridor"]
SEATS = Literal["co_chair", "member", "secretary"]
MEETING_STATES = Literal["planned", "held", "cancelled"]
ACTION_STATES = Literal["open", "done", "cancelled"]
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class MemberIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    title: str = Field("", max_length=200)
    organisation_id: uuid.UUID | None = None
    party: PARTY_CODES
    role: SEATS = "member"


class MemberRead(ReadModel):
    name: str
    title: str
    organisation_id: uuid.UUID | None
    party: str
    role: str


class GroupIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    short_name: str = Field(min_length=1, max_length=40)
    scope: SCOPES = "corridor"
    description: str = Field("", max_length=5000)
    members: list[MemberIn] = Field(default_factory=list, max_length=200)
    tlp: Tlp | None = None


class GroupUpdate(Strict, NoNulls):
    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, min_length=1, max_length=40)
    scope: SCOPES | None = None
    description: str | None = Field(None, max_length=5000)
    members: list[MemberIn] | None = Field(None, max_length=200)
    tlp: Tlp | None = None


class GroupRead(ReadModel):
    id: uuid.UUID
    name: str
    short_name: str
    scope: str
    description: str
    members: list[MemberRead]
    tlp: str
    version: int


class GroupParams(ListParams):
    scope: SCOPES | None = None


class AttendeeIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field("", max_length=200)
    party: PARTY_CODES
    present: bool = True


class AttendeeRead(ReadModel):
    name: str
    organisation: str
    party: str
    present: bool


class MeetingIn(Strict):
    group_id: uuid.UUID
    number: int | None = Field(None, ge=1, le=10_000, description="Next in the group's series if left out")
    starts_at: UtcTime
    ends_at: UtcTime
    venue: str = Field(min_length=1, max_length=300)
    host_co_chair: str = Field(min_length=1, max_length=200)
    partner_co_chair: str = Field(min_length=1, max_length=200)
    status: MEETING_STATES = "planned"
    agenda: list[str] = Field(default_factory=list, max_length=100)
    minutes: str = Field("", max_length=100_000)
    attendees: list[AttendeeIn] = Field(default_factory=list, max_length=500)
    tlp: Tlp | None = None
    release_to: list[PARTY_CODES] | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self):
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class MeetingUpdate(Strict, NoNulls):
    nullable: ClassVar[frozenset[str]] = frozenset({"release_to"})

    starts_at: UtcTime | None = None
    ends_at: UtcTime | None = None
    venue: str | None = Field(None, min_length=1, max_length=300)
    host_co_chair: str | None = Field(None, min_length=1, max_length=200)
    partner_co_chair: str | None = Field(None, min_length=1, max_length=200)
    status: MEETING_STATES | None = None
    agenda: list[str] | None = Field(None, max_length=100)
    minutes: str | None = Field(None, max_length=100_000)
    attendees: list[AttendeeIn] | None = Field(None, max_length=500)
    tlp: Tlp | None = None
    release_to: list[PARTY_CODES] | None = None


class DecisionIn(Strict):
    text: str = Field(min_length=1, max_length=10_000)


class DecisionRead(ReadModel):
    id: uuid.UUID
    number: int
    text: str


class ActionIn(Strict):
    text: str = Field(min_length=1, max_length=5000)
    owner_organisation_id: uuid.UUID
    due_on: date
    decision_id: uuid.UUID | None = None


class ActionUpdate(Strict, NoNulls):
    status: ACTION_STATES | None = None
    due_on: date | None = None
    note: str | None = Field(None, max_length=5000)


class ActionRead(ReadModel):
    id: uuid.UUID
    meeting_id: uuid.UUID
    decision_id: uuid.UUID | None
    text: str
    owner_organisation_id: uuid.UUID
    due_on: date
    status: str
    closed_at: datetime | None
    closed_by: str | None
    note: str
    version: int


class ActionParams(ListParams):
    status: ACTION_STATES | None = None
    owner_organisation_id: uuid.UUID | None = None


class CommentIn(Strict):
    text: str = Field(min_length=1, max_length=5000)


class CommentRead(ReadModel):
    at: datetime
    author: str
    party: str
    text: str


class AttachmentRead(ReadModel):
    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str


class MeetingRead(ReadModel):
    id: uuid.UUID
    group_id: uuid.UUID
    number: int
    starts_at: datetime
    ends_at: datetime
    venue: str
    host_co_chair: str
    partner_co_chair: str
    status: str
    agenda: list[str]
    minutes: str
    attendees: list[AttendeeRead]
    decisions: list[DecisionRead]
    actions: list[ActionRead]
    comments: list[CommentRead]
    attachments: list[AttachmentRead]
    attendance: dict[str, int] = Field(description="Present, by party")
    tlp: str
    version: int


class MeetingParams(ListParams):
    group_id: uuid.UUID | None = None
    status: MEETING_STATES | None = None


# ---- joint security assessments ----------------------------------------------------------

SEVERITIES = Literal["low", "medium", "high", "critical"]
FINDING_STATES = Literal["open", "closed"]
AREA_KEYS = Literal[
    "perimeter", "access_control", "guard_force", "cctv_lighting", "drills", "sop_compliance", "evacuation"
]
Answer = Annotated[int, Field(ge=0, le=4)] | None
MAX_PHOTO_BYTES = 8 * 1024 * 1024


class AssessorIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    party: PARTY_CODES


class AssessmentIn(Strict):
    site_id: uuid.UUID
    assessed_on: date
    team: list[AssessorIn] = Field(default_factory=list, max_length=50)
    answers: dict[str, Answer] = Field(
        default_factory=dict, description="Question key → 0 (absent) … 4 (good), or null: not applicable"
    )
    summary: str = Field("", max_length=20_000)
    tlp: Tlp | None = None
    release_to: list[PARTY_CODES] | None = None


class AssessmentUpdate(Strict, NoNulls):
    """A change to an assessment nobody has signed yet. Answers are merged into those given."""

    nullable: ClassVar[frozenset[str]] = frozenset({"release_to"})

    assessed_on: date | None = None
    team: list[AssessorIn] | None = Field(None, max_length=50)
    answers: dict[str, Answer] | None = None
    summary: str | None = Field(None, max_length=20_000)
    tlp: Tlp | None = None
    release_to: list[PARTY_CODES] | None = None


class SignIn(Strict):
    name: str = Field(min_length=1, max_length=200, description="The assessor's name as signed")


class SignatureRead(ReadModel):
    party: str
    signed_by: str
    signer_name: str
    signed_at: datetime


class FindingIn(Strict):
    area: AREA_KEYS
    severity: SEVERITIES
    text: str = Field(min_length=1, max_length=5000)
    remediation: str = Field("", max_length=5000)
    owner_org_id: uuid.UUID | None = None
    due_on: date | None = None


class FindingUpdate(Strict, NoNulls):
    """Progress of a remediation: its owner, date, and closure (with a note)."""

    nullable: ClassVar[frozenset[str]] = frozenset({"owner_org_id", "due_on"})

    remediation: str | None = Field(None, max_length=5000)
    owner_org_id: uuid.UUID | None = None
    due_on: date | None = None
    status: FINDING_STATES | None = None
    closure_note: str | None = Field(None, max_length=5000)


class PhotoRead(ReadModel):
    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str


class FindingRead(ReadModel):
    id: uuid.UUID
    assessment_id: uuid.UUID
    area: str
    severity: str
    text: str
    remediation: str
    owner_org_id: uuid.UUID | None
    due_on: date | None
    status: str
    closed_at: datetime | None
    closed_by: str | None
    closure_note: str
    photos: list[PhotoRead]
    version: int


class QuestionRead(BaseModel):
    key: str
    area: str
    area_label: str
    text: str


class AssessmentRead(ReadModel):
    id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    site_kind: str
    assessed_on: date
    team: list[dict[str, str]]
    answers: dict[str, int | None]
    score: float | None
    area_scores: dict[str, float | None]
    unanswered: list[str]
    summary: str
    status: str
    finalised_at: datetime | None
    signatures: list[SignatureRead]
    findings: list[FindingRead]
    tlp: str
    version: int


class AssessmentParams(ListParams):
    site_id: uuid.UUID | None = None
    status: Literal["open", "final"] | None = None


class FindingParams(ListParams):
    status: FINDING_STATES | None = None
    severity: SEVERITIES | None = None
