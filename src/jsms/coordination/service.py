"""Working groups and their meetings: the series of numbered meetings, attendance, agenda and
minutes, decisions, actions owned by organisations (reminded before they fall due, alerted when
overdue), comments of both parties, papers. No commit here.
"""

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.alerts import service as alerts
from jsms.coordination import schemas as s
from jsms.coordination.models import (
    ActionItem,
    Attachment,
    Attendee,
    Decision,
    GroupMember,
    Meeting,
    MeetingComment,
    WorkingGroup,
)
from jsms.core.actor import Actor
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, NotFound, invalid_field
from jsms.core.i18n import N_
from jsms.core.models import Organisation
from jsms.core.policy import get_visible, mark_new, require, visible

REMIND_DAYS = 3  # an open action due within this many days is reminded


# ---- groups ----------------------------------------------------------------------------------


def list_groups(session: Session, actor: Actor, query: ListRequest) -> tuple[list[WorkingGroup], int]:
    return list_page(
        session,
        actor,
        WorkingGroup,
        query,
        text_columns=("name", "short_name"),
        sortable=("name",),
        default_sort="name",
    )


def get_group(session: Session, actor: Actor, group_id: uuid.UUID) -> WorkingGroup:
    return get_visible(session, actor, WorkingGroup, group_id)


def _members(session: Session, items: list[s.MemberIn]) -> list[GroupMember]:
    for index, item in enumerate(items):
        if item.organisation_id is not None and session.get(Organisation, item.organisation_id) is None:
            raise invalid_field(f"members.{index}.organisation_id", N_("no such organisation"))
    return [GroupMember(position=i, **item.model_dump()) for i, item in enumerate(items)]


def _unique_name(session: Session, name: str, group_id: uuid.UUID | None = None) -> None:
    other = session.scalar(select(WorkingGroup.id).where(WorkingGroup.name == name))
    if other is not None and other != group_id:
        raise Conflict(f"A working group named {name!r} exists already")


def create_group(session: Session, actor: Actor, data: s.GroupIn) -> WorkingGroup:
    require(session, actor, "meeting.write")
    _unique_name(session, data.name)
    group = WorkingGroup(
        **data.model_dump(exclude={"members", "tlp"}), members=_members(session, data.members)
    )
    mark_new(session, actor, group, "meeting", data.tlp)
    session.add(group)
    session.flush()
    return group


def update_group(session: Session, actor: Actor, group_id: uuid.UUID, data: s.GroupUpdate) -> WorkingGroup:
    group = get_group(session, actor, group_id)
    require(session, actor, "meeting.write", group)
    if data.name is not None:
        _unique_name(session, data.name, group.id)
    for name, value in data.model_dump(exclude_unset=True, exclude={"members", "tlp"}).items():
        setattr(group, name, value)
    if data.members is not None:
        group.members = _members(session, data.members)
    if data.tlp is not None:
        group.tlp = data.tlp.value
    session.flush()
    return group


# ---- meetings --------------------------------------------------------------------------------


def list_meetings(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Meeting], int]:
    return list_page(
        session,
        actor,
        Meeting,
        query,
        text_columns=("venue", "host_co_chair", "partner_co_chair"),
        sortable=("starts_at", "number", "status"),
        default_sort="-starts_at",
    )


def get_meeting(session: Session, actor: Actor, meeting_id: uuid.UUID) -> Meeting:
    return get_visible(session, actor, Meeting, meeting_id)


def attendance(meeting: Meeting) -> dict[str, int]:
    """How many of each party were present."""
    counts: dict[str, int] = {}
    for attendee in meeting.attendees:
        if attendee.present:
            counts[attendee.party] = counts.get(attendee.party, 0) + 1
    return counts


def _attendees(items: list[s.AttendeeIn]) -> list[Attendee]:
    return [Attendee(position=i, **item.model_dump()) for i, item in enumerate(items)]


def next_number(session: Session, group_id: uuid.UUID) -> int:
    return (session.scalar(select(func.max(Meeting.number)).where(Meeting.group_id == group_id)) or 0) + 1


def create_meeting(session: Session, actor: Actor, data: s.MeetingIn) -> Meeting:
    """The next meeting of a group (its number follows the series unless given)."""
    group = get_group(session, actor, data.group_id)
    require(session, actor, "meeting.write", group)
    number = data.number or next_number(session, group.id)
    taken = session.scalar(select(Meeting.id).where(Meeting.group_id == group.id, Meeting.number == number))
    if taken is not None:
        raise Conflict(f"{group.short_name} has a meeting number {number} already")
    meeting = Meeting(
        **data.model_dump(exclude={"group_id", "number", "attendees", "tlp", "release_to"}),
        group_id=group.id,
        number=number,
        attendees=_attendees(data.attendees),
    )
    mark_new(session, actor, meeting, "meeting", data.tlp, data.release_to)
    session.add(meeting)
    session.flush()
    return meeting


def update_meeting(session: Session, actor: Actor, meeting_id: uuid.UUID, data: s.MeetingUpdate) -> Meeting:
    meeting = get_meeting(session, actor, meeting_id)
    require(session, actor, "meeting.write", meeting)
    changes = data.model_dump(exclude_unset=True, exclude={"attendees", "tlp", "release_to"})
    for name, value in changes.items():
        setattr(meeting, name, value)
    if meeting.ends_at <= meeting.starts_at:
        raise invalid_field("ends_at", N_("the meeting must end after it starts"))
    if data.attendees is not None:
        meeting.attendees = _attendees(data.attendees)
    if data.tlp is not None:
        meeting.tlp = data.tlp.value
    if "release_to" in data.model_fields_set:
        meeting.release_to = list(data.release_to or [])
    session.flush()
    return meeting


def add_decision(session: Session, actor: Actor, meeting_id: uuid.UUID, data: s.DecisionIn) -> Decision:
    meeting = get_meeting(session, actor, meeting_id)
    require(session, actor, "meeting.write", meeting)
    decision = Decision(number=len(meeting.decisions) + 1, text=data.text)
    meeting.decisions.append(decision)
    session.flush()
    return decision


def add_comment(session: Session, actor: Actor, meeting_id: uuid.UUID, data: s.CommentIn) -> MeetingComment:
    """A remark of a member of either party on the meeting (its minutes, its actions)."""
    meeting = get_meeting(session, actor, meeting_id)
    require(session, actor, "meeting.comment", meeting)
    comment = MeetingComment(at=utcnow(), author=actor.username, party=actor.party, text=data.text)
    meeting.comments.append(comment)
    session.flush()
    return comment


def add_attachment(
    session: Session, actor: Actor, meeting_id: uuid.UUID, filename: str, media_type: str, content: bytes
) -> Attachment:
    meeting = get_meeting(session, actor, meeting_id)
    require(session, actor, "meeting.write", meeting)
    if not content:
        raise invalid_field("file", N_("the file is empty"))
    if len(content) > s.MAX_ATTACHMENT_BYTES:
        raise invalid_field(
            "file", N_("a paper may be at most %(mb)s MB"), mb=s.MAX_ATTACHMENT_BYTES // 2**20
        )
    attachment = Attachment(
        filename=upload_name(filename, "paper"),
        media_type=(media_type or "application/octet-stream")[:100],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=actor.username,
    )
    meeting.attachments.append(attachment)
    session.flush()
    return attachment


def upload_name(filename: str, default: str) -> str:
    """The name an uploaded file is kept under: its last path part (browsers on Windows send the
    whole path), at most 200 characters."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or default


def get_attachment(
    session: Session, actor: Actor, meeting_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    meeting = get_meeting(session, actor, meeting_id)
    attachment = next((a for a in meeting.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound(f"The meeting has no paper with id {attachment_id}")
    return attachment


# ---- actions ---------------------------------------------------------------------------------


def list_actions(session: Session, actor: Actor, query: ListRequest) -> tuple[list[ActionItem], int]:
    """Actions of the meetings the reader may see."""
    return list_page(
        session,
        actor,
        ActionItem,
        query,
        text_columns=("text",),
        sortable=("due_on", "status"),
        default_sort="due_on",
        stmt=select(ActionItem).join(ActionItem.meeting),
        policy_model=Meeting,
    )


def get_action(session: Session, actor: Actor, action_id: uuid.UUID) -> ActionItem:
    action = session.get(ActionItem, action_id)
    if action is None:
        raise NotFound(f"No action with id {action_id}")
    get_meeting(session, actor, action.meeting_id)  # 404 unless its meeting may be seen
    return action


def add_action(session: Session, actor: Actor, meeting_id: uuid.UUID, data: s.ActionIn) -> ActionItem:
    meeting = get_meeting(session, actor, meeting_id)
    require(session, actor, "meeting.write", meeting)
    if session.get(Organisation, data.owner_organisation_id) is None:
        raise invalid_field("owner_organisation_id", N_("no such organisation"))
    if data.decision_id is not None and data.decision_id not in {d.id for d in meeting.decisions}:
        raise invalid_field("decision_id", N_("the decision is not one of this meeting's"))
    action = ActionItem(**data.model_dump(), status="open")
    meeting.actions.append(action)
    session.flush()
    return action


def update_action(session: Session, actor: Actor, action_id: uuid.UUID, data: s.ActionUpdate) -> ActionItem:
    """Done, cancelled, given more time: an action closed or moved stops being alerted."""
    action = get_action(session, actor, action_id)
    require(session, actor, "action.update", action)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(action, name, value)
    if data.status in ("done", "cancelled"):
        action.closed_at, action.closed_by = utcnow(), actor.username
    elif data.status == "open":
        action.closed_at = action.closed_by = None
    if action.status != "open" or "due_on" in changes:
        alerts.clear_group(session, _alert_group(action), utcnow())
    session.flush()
    return action


def _alert_group(action: ActionItem) -> str:
    return f"action:{action.id}"


def remind_actions(session: Session, today: date | None = None) -> int:
    """Alert on open actions that fall due within a few days (minor) and on overdue ones
    (moderate); each once per due date, so moving the date alerts afresh. Returns how many."""
    today = today or datetime.now(UTC).date()
    due = session.scalars(
        select(ActionItem).where(
            ActionItem.status == "open", ActionItem.due_on <= today + timedelta(REMIND_DAYS)
        )
    ).all()
    raised = 0
    for action in due:
        overdue = action.due_on < today
        raised += alerts.raise_alert(session, _action_alert(session, action, overdue), utcnow()) is not None
    return raised


def _action_alert(session: Session, action: ActionItem, overdue: bool) -> alerts.AlertDraft:
    meeting = action.meeting
    owner = session.get(Organisation, action.owner_organisation_id)
    kind = "action_overdue" if overdue else "action_due"
    label = f"{meeting.group.short_name} {meeting.number}: {action.text}"
    return alerts.AlertDraft(
        kind=kind,
        severity="moderate" if overdue else "minor",
        key=f"{kind}:{action.id}:{action.due_on.isoformat()}",
        group_key=_alert_group(action),
        subject_type="action",
        subject_id=str(action.id),
        subject_label=label[:200],
        raised_at=utcnow(),
        params={
            "owner": owner.name if owner else "?",
            "action": action.text[:200],
            "day": action.due_on.isoformat(),
        },
        evidence=[
            {"meeting": f"{meeting.group.short_name} {meeting.number}", "due_on": action.due_on.isoformat()}
        ],
        org_id=action.owner_organisation_id,
        tlp=meeting.tlp,
        owner_party=meeting.owner_party,
        release_to=list(meeting.release_to or []),
    )


def meetings_for_calendar(session: Session, actor: Actor, since_days: int = 120) -> list[Meeting]:
    """The meetings a reader's calendar shows: those it may see, from a few months back on."""
    since = utcnow() - timedelta(days=since_days)
    stmt = visible(select(Meeting).where(Meeting.starts_at >= since), session, actor, Meeting)
    return list(session.scalars(stmt.order_by(Meeting.starts_at)).unique())


def view(meeting: Meeting) -> dict[str, Any]:
    """The meeting with its attendance by party (the API's answer)."""
    return {
        **{c: getattr(meeting, c) for c in s.MeetingRead.model_fields if c != "attendance"},
        "attendance": attendance(meeting),
    }


def overdue_actions(session: Session, actor: Actor, today: date) -> list[ActionItem]:
    """Open actions of the meetings the actor may see that fell due before today."""
    stmt = visible(select(ActionItem).join(ActionItem.meeting), session, actor, Meeting).where(
        ActionItem.status == "open", ActionItem.due_on < today
    )
    return list(session.scalars(stmt.order_by(ActionItem.due_on)))
