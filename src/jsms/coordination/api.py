"""HTTP API of the working groups: /api/v1/working-groups, /api/v1/meetings (with decisions,
actions, comments, papers and the iCalendar export), /api/v1/actions, and each user's calendar;
the joint security assessments of sites: /api/v1/assessments, their signatures and findings,
/api/v1/findings (remediation, photographs) and the checklists by kind of site."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile

from jsms.coordination import assessments, checklists, service
from jsms.coordination import schemas as s
from jsms.coordination.calendar import calendar_of
from jsms.coordination.feed import actor_for_feed
from jsms.core.crud import ListRequest, Resource, add_routes
from jsms.core.db import new_session, utcnow
from jsms.core.errors import NotFound
from jsms.core.http import ActorDep, RuledRoute, SessionDep, UnitOfWorkRoute, permits, public
from jsms.core.i18n import Translator
from jsms.core.policy import require
from jsms.core.schemas import Page

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)
calendar_router = APIRouter(prefix="/api/v1", route_class=RuledRoute)
ICS_MEDIA = "text/calendar; charset=utf-8"

GROUPS = Resource(
    "working-groups",
    "working groups",
    s.GroupRead,
    s.GroupIn,
    s.GroupUpdate,
    s.GroupParams,
    service.list_groups,
    service.get_group,
    service.create_group,
    service.update_group,
    access=("meeting.read", "meeting.write"),
)
add_routes(router, GROUPS)


def meeting_view(session, actor, meeting) -> s.MeetingRead:
    return s.MeetingRead.model_validate(service.view(meeting))


# Declared before the generic routes so that /meetings/{id}/ics is not taken for an id.
@router.get("/meetings/{meeting_id}/ics", tags=["meetings"], response_class=Response)
@permits("meeting.read")
def meeting_ics(meeting_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """The meeting as an iCalendar file, in the reader's language."""
    meeting = service.get_meeting(session, actor, meeting_id)
    body = calendar_of([meeting], Translator(actor.language), utcnow(), meeting.group.name)
    filename = f"{meeting.group.short_name}-{meeting.number}.ics".replace(" ", "-")
    return Response(
        body, media_type=ICS_MEDIA, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


MEETINGS = Resource(
    "meetings",
    "meetings",
    s.MeetingRead,
    s.MeetingIn,
    s.MeetingUpdate,
    s.MeetingParams,
    service.list_meetings,
    service.get_meeting,
    service.create_meeting,
    service.update_meeting,
    view=meeting_view,
    access=("meeting.read", "meeting.write"),
)
add_routes(router, MEETINGS)


@router.post(
    "/meetings/{meeting_id}/decisions", response_model=s.DecisionRead, status_code=201, tags=["meetings"]
)
@permits("meeting.write")
def add_decision(meeting_id: uuid.UUID, data: s.DecisionIn, session: SessionDep, actor: ActorDep):
    return service.add_decision(session, actor, meeting_id, data)


@router.post(
    "/meetings/{meeting_id}/actions", response_model=s.ActionRead, status_code=201, tags=["meetings"]
)
@permits("meeting.write")
def add_action(meeting_id: uuid.UUID, data: s.ActionIn, session: SessionDep, actor: ActorDep):
    """An action for an organisation, due by a date: reminded before, alerted once overdue."""
    return service.add_action(session, actor, meeting_id, data)


@router.post(
    "/meetings/{meeting_id}/comments", response_model=s.CommentRead, status_code=201, tags=["meetings"]
)
@permits("meeting.comment")
def add_comment(meeting_id: uuid.UUID, data: s.CommentIn, session: SessionDep, actor: ActorDep):
    return service.add_comment(session, actor, meeting_id, data)


@router.post(
    "/meetings/{meeting_id}/papers", response_model=s.AttachmentRead, status_code=201, tags=["meetings"]
)
@permits("meeting.write")
async def add_paper(
    meeting_id: uuid.UUID, file: Annotated[UploadFile, File()], session: SessionDep, actor: ActorDep
):
    """A paper of the meeting (at most 10 MB)."""
    content = await file.read(s.MAX_ATTACHMENT_BYTES + 1)
    return service.add_attachment(
        session, actor, meeting_id, file.filename or "", file.content_type or "", content
    )


@router.get("/meetings/{meeting_id}/papers/{paper_id}", tags=["meetings"], response_class=Response)
@permits("meeting.read")
def get_paper(meeting_id: uuid.UUID, paper_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    paper = service.get_attachment(session, actor, meeting_id, paper_id)
    return Response(
        paper.content,
        media_type=paper.media_type,
        headers={"Content-Disposition": f'attachment; filename="{paper.filename}"'},
    )


@router.get("/actions", response_model=Page[s.ActionRead], tags=["meetings"])
@permits("meeting.read")
def list_actions(session: SessionDep, actor: ActorDep, params: Annotated[s.ActionParams, Query()]):
    """Actions of the meetings the caller may see, soonest due first (`status=open`)."""
    items, total = service.list_actions(session, actor, ListRequest.of(params))
    return {"items": items, "total": total, "limit": params.limit, "offset": params.offset}


@router.patch("/actions/{action_id}", response_model=s.ActionRead, tags=["meetings"])
@permits("action.update")
def update_action(action_id: uuid.UUID, data: s.ActionUpdate, session: SessionDep, actor: ActorDep):
    return service.update_action(session, actor, action_id, data)


@calendar_router.get("/calendar/{username}/{key}.ics", tags=["meetings"], response_class=Response)
@public("a calendar application reads it with the user's secret key in its address")
def user_calendar(username: Annotated[str, Path(max_length=80)], key: Annotated[str, Path(max_length=80)]):
    """A user's meetings as a calendar feed to subscribe to. Calendar programs send no bearer
    token: the address carries a key only this node can make (shown on the meetings page)."""
    with new_session(None) as session:
        actor = actor_for_feed(session, username, key)
        if actor is None:
            raise NotFound("No such calendar")
        meetings = service.meetings_for_calendar(session, actor)
        body = calendar_of(meetings, Translator(actor.language), utcnow(), "JSMS")
    return Response(body, media_type=ICS_MEDIA)


# ---- joint security assessments ----------------------------------------------------------


@router.get("/assessments/checklists/{site_kind}", response_model=list[s.QuestionRead], tags=["assessments"])
@permits("assessment.read")
def checklist(site_kind: Annotated[str, Path(max_length=24)], session: SessionDep, actor: ActorDep):
    """The questions an assessment of a site of this kind answers, in the reader's language."""
    require(session, actor, "assessment.read")
    t = Translator(actor.language)
    return [
        s.QuestionRead(
            key=q.key, area=q.area, area_label=t.gettext(checklists.AREAS[q.area]), text=t.gettext(q.text)
        )
        for q in checklists.checklist_for(site_kind)
    ]


def assessment_view(session, actor, assessment) -> s.AssessmentRead:
    return s.AssessmentRead.model_validate(assessments.view(session, actor, assessment))


ASSESSMENTS = Resource(
    "assessments",
    "assessments",
    s.AssessmentRead,
    s.AssessmentIn,
    s.AssessmentUpdate,
    s.AssessmentParams,
    assessments.list_assessments,
    assessments.get_assessment,
    assessments.create_assessment,
    assessments.update_assessment,
    view=assessment_view,
    access=("assessment.read", "assessment.write"),
)
add_routes(router, ASSESSMENTS)


@router.post("/assessments/{assessment_id}/signatures", response_model=s.AssessmentRead, tags=["assessments"])
@permits("assessment.sign")
def sign_assessment(assessment_id: uuid.UUID, data: s.SignIn, session: SessionDep, actor: ActorDep):
    """Sign for the caller's party; final once an assessor of each party has signed."""
    return assessment_view(session, actor, assessments.sign(session, actor, assessment_id, data))


@router.post(
    "/assessments/{assessment_id}/findings",
    response_model=s.FindingRead,
    status_code=201,
    tags=["assessments"],
)
@permits("assessment.write")
def add_finding(assessment_id: uuid.UUID, data: s.FindingIn, session: SessionDep, actor: ActorDep):
    return assessments.add_finding(session, actor, assessment_id, data)


@router.get("/findings", response_model=Page[s.FindingRead], tags=["assessments"])
@permits("assessment.read")
def list_findings(session: SessionDep, actor: ActorDep, params: Annotated[s.FindingParams, Query()]):
    """Findings of the assessments the caller may see, soonest due first (`status=open`)."""
    items, total = assessments.open_findings(session, actor, ListRequest.of(params))
    return {"items": items, "total": total, "limit": params.limit, "offset": params.offset}


@router.patch("/findings/{finding_id}", response_model=s.FindingRead, tags=["assessments"])
@permits("remediation.update")
def update_finding(finding_id: uuid.UUID, data: s.FindingUpdate, session: SessionDep, actor: ActorDep):
    """Remediation progress; closing needs a closure note."""
    return assessments.update_finding(session, actor, finding_id, data)


@router.post(
    "/findings/{finding_id}/photos", response_model=s.PhotoRead, status_code=201, tags=["assessments"]
)
@permits("remediation.update")
async def add_photo(
    finding_id: uuid.UUID, file: Annotated[UploadFile, File()], session: SessionDep, actor: ActorDep
):
    """A photograph of the finding (JPEG, PNG or WebP, at most 8 MB)."""
    content = await file.read(s.MAX_PHOTO_BYTES + 1)
    return assessments.add_photo(session, actor, finding_id, file.filename or "", content)


@router.get("/findings/{finding_id}/photos/{photo_id}", tags=["assessments"], response_class=Response)
@permits("assessment.read")
def get_photo(finding_id: uuid.UUID, photo_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    photo = assessments.get_photo(session, actor, finding_id, photo_id)
    return Response(
        photo.content, media_type=photo.media_type, headers={"Cache-Control": "private, max-age=3600"}
    )
