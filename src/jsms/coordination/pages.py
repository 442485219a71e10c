"""Working-group pages: the groups and their seats; the meetings, each with its agenda, attendance,
minutes, decisions, actions, comments and papers, the forms that add to them, and its iCalendar
file; every reader's own calendar address. The joint security assessments of sites: the checklist
answered on the page, signatures, findings with photographs and their remediation."""

import uuid
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import select

from jsms.coordination import assessments, checklists, service
from jsms.coordination import schemas as s
from jsms.coordination.api import ASSESSMENTS, GROUPS, MEETINGS
from jsms.coordination.calendar import title_of
from jsms.coordination.feed import feed_path
from jsms.coordination.models import WorkingGroup
from jsms.core.crud import ListRequest
from jsms.core.forms import Column, DetailRow, FormField, PageSpec, add_pages, label, plain
from jsms.core.http import SessionDep, permits
from jsms.core.i18n import N_, Translator
from jsms.core.models import Organisation
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect
from jsms.core.policy import allows, visible
from jsms.core.schemas import PageParams
from jsms.incidents import labels as incident_labels
from jsms.registry import service as registry

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation(
    [
        NavItem("/meetings", N_("Meetings"), "meeting.read", order=60),
        NavItem("/working-groups", N_("Working groups"), "meeting.read", order=61),
        NavItem("/assessments", N_("Site assessments"), "assessment.read", order=62),
    ]
)

SCOPES = {"corridor": N_("Corridor projects"), "non_corridor": N_("Projects outside the corridor")}
SEATS = {"co_chair": N_("Co-chair"), "member": N_("Member"), "secretary": N_("Secretary")}
MEETING_STATES = {"planned": N_("Planned"), "held": N_("Held"), "cancelled": N_("Cancelled")}
ACTION_STATES = {"open": N_("Open"), "done": N_("Done"), "cancelled": N_("Cancelled")}
PARTIES = {"host": N_("Host party"), "partner": N_("Partner party")}


GROUP_PAGES = PageSpec(
    resource=GROUPS,
    title=N_("Working groups"),
    singular=N_("Working group"),
    write_permission="meeting.write",
    columns=[
        Column("name", N_("Name"), plain("name"), link=True, sort="name"),
        Column("short_name", N_("Short name"), plain("short_name")),
        Column("scope", N_("Covers"), label(SCOPES, "scope")),
        Column("members", N_("Members"), lambda g, t: t.number(len(g.members))),
    ],
    details=[
        DetailRow(N_("Name"), plain("name")),
        DetailRow(N_("Short name"), plain("short_name")),
        DetailRow(N_("Covers"), label(SCOPES, "scope")),
        DetailRow(N_("About"), plain("description")),
        DetailRow(N_("Marking"), lambda g, t: incident_labels.MARKINGS[g.tlp]),
    ],
    fields=[
        FormField("name", N_("Name"), required=True, wide=True),
        FormField("short_name", N_("Short name"), required=True),
        FormField("scope", N_("Covers"), "select", SCOPES),
        FormField("description", N_("About"), "textarea", wide=True),
        FormField("tlp", N_("Marking"), "select", incident_labels.MARKINGS),
    ],
    initial=lambda g: {
        "name": g.name,
        "short_name": g.short_name,
        "scope": g.scope,
        "description": g.description,
        "tlp": g.tlp,
    },
    detail_template="coordination/group.html",
    filters=[FormField("scope", N_("Covers"), "select", SCOPES)],
    extra=lambda session, actor, group: {"seats": SEATS, "parties": PARTIES},
)


def _groups(session, actor, t: Translator) -> dict[str, str]:
    stmt = visible(select(WorkingGroup.id, WorkingGroup.short_name), session, actor, WorkingGroup)
    return {str(i): name for i, name in session.execute(stmt.order_by(WorkingGroup.short_name))}


def attendance_text(meeting, t: Translator) -> str:
    counts = service.attendance(meeting)
    return " · ".join(f"{t.gettext(PARTIES[p])} {t.number(n)}" for p, n in sorted(counts.items()))


MEETING_PAGES = PageSpec(
    resource=replace(MEETINGS, view=None),  # the pages show the stored meeting (its group, its rows)
    title=N_("Meetings"),
    singular=N_("Meeting"),
    write_permission="meeting.write",
    columns=[
        Column("starts_at", N_("Date"), lambda m, t: t.datetime(m.starts_at, "short"), sort="starts_at"),
        Column("title", N_("Meeting"), title_of, link=True),
        Column("venue", N_("Venue"), plain("venue")),
        Column("attendance", N_("Present"), attendance_text),
        Column("status", N_("State"), label(MEETING_STATES, "status"), sort="status"),
    ],
    details=[
        DetailRow(N_("Working group"), lambda m, t: m.group.name),
        DetailRow(N_("Starts"), lambda m, t: t.datetime(m.starts_at)),
        DetailRow(N_("Ends"), lambda m, t: t.datetime(m.ends_at)),
        DetailRow(N_("Venue"), plain("venue")),
        DetailRow(N_("Host co-chair"), plain("host_co_chair")),
        DetailRow(N_("Partner co-chair"), plain("partner_co_chair")),
        DetailRow(N_("Present"), attendance_text),
        DetailRow(N_("State"), label(MEETING_STATES, "status")),
        DetailRow(N_("Marking"), lambda m, t: incident_labels.MARKINGS[m.tlp]),
    ],
    fields=[
        FormField("group_id", N_("Working group"), "select", _groups, required=True, create_only=True),
        FormField("number", N_("Number (next if empty)"), "number", create_only=True),
        FormField("starts_at", N_("Starts"), "datetime-local", required=True),
        FormField("ends_at", N_("Ends"), "datetime-local", required=True),
        FormField("venue", N_("Venue"), required=True, wide=True),
        FormField("host_co_chair", N_("Host co-chair"), required=True),
        FormField("partner_co_chair", N_("Partner co-chair"), required=True),
        FormField("status", N_("State"), "select", MEETING_STATES),
        FormField("agenda", N_("Agenda (one item a line)"), "lines", wide=True),
        FormField("minutes", N_("Minutes"), "textarea", wide=True),
        FormField("tlp", N_("Marking"), "select", incident_labels.MARKINGS),
    ],
    initial=lambda m: {
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "venue": m.venue,
        "host_co_chair": m.host_co_chair,
        "partner_co_chair": m.partner_co_chair,
        "status": m.status,
        "agenda": m.agenda,
        "minutes": m.minutes,
        "tlp": m.tlp,
    },
    detail_template="coordination/meeting.html",
    filters=[
        FormField("group_id", N_("Working group"), "select", _groups),
        FormField("status", N_("State"), "select", MEETING_STATES),
    ],
    extra=lambda session, actor, meeting: _meeting_context(session, actor, meeting),
)


def _meeting_context(session, actor, meeting) -> dict[str, Any]:
    owners = {o.id: o for o in session.scalars(select(Organisation).order_by(Organisation.name))}
    return {
        "may_write": allows(session, actor, "meeting.write", meeting),
        "may_comment": allows(session, actor, "meeting.comment", meeting),
        "may_update_actions": allows(session, actor, "action.update"),
        "owners": owners,
        "action_states": ACTION_STATES,
        "parties": PARTIES,
        "feed": feed_path(actor.username),
    }


Text = Annotated[str, Form(min_length=1, max_length=10_000)]


@router.post("/meetings/{meeting_id}/decisions")
@permits("meeting.write")
def add_decision(meeting_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, text: Text):
    service.add_decision(session, actor, meeting_id, s.DecisionIn(text=text))
    return redirect(f"/meetings/{meeting_id}", request)


@router.post("/meetings/{meeting_id}/actions")
@permits("meeting.write")
def add_action(
    meeting_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    text: Text,
    owner_organisation_id: Annotated[uuid.UUID, Form()],
    due_on: Annotated[date, Form()],
):
    data = s.ActionIn(text=text, owner_organisation_id=owner_organisation_id, due_on=due_on)
    service.add_action(session, actor, meeting_id, data)
    return redirect(f"/meetings/{meeting_id}", request)


@router.post("/meetings/{meeting_id}/actions/{action_id}")
@permits("action.update")
def update_action(
    meeting_id: uuid.UUID,
    action_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    status: Annotated[s.ACTION_STATES, Form()],
):
    service.update_action(session, actor, action_id, s.ActionUpdate(status=status))
    return redirect(f"/meetings/{meeting_id}", request)


@router.post("/meetings/{meeting_id}/comments")
@permits("meeting.comment")
def add_comment(meeting_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, text: Text):
    service.add_comment(session, actor, meeting_id, s.CommentIn(text=text))
    return redirect(f"/meetings/{meeting_id}", request)


@router.post("/meetings/{meeting_id}/papers")
@permits("meeting.write")
async def add_paper(
    meeting_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    file: Annotated[UploadFile, File()],
):
    content = await file.read(s.MAX_ATTACHMENT_BYTES + 1)
    service.add_attachment(session, actor, meeting_id, file.filename or "", file.content_type or "", content)
    return redirect(f"/meetings/{meeting_id}", request)


# ---- joint security assessments ----------------------------------------------------------

SEVERITIES = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical")}
ASSESSMENT_STATES = {"open": N_("Open (awaiting signatures)"), "final": N_("Final")}
FINDING_STATES = {"open": N_("Open"), "closed": N_("Closed")}
NOT_APPLICABLE = "na"


def _site_choices(session, actor, t: Translator) -> dict[str, str]:
    items, _ = registry.list_sites(session, actor, ListRequest(PageParams(limit=500, offset=0), sort="name"))
    return {str(site.id): getattr(site, f"name_{t.language}", None) or site.name for site in items}


def _signed_by(assessment, t: Translator) -> str:
    return " · ".join(t.gettext(PARTIES[signature.party]) for signature in assessment.signatures) or "—"


def _score_text(assessment, t: Translator) -> str:
    return t.number(assessment.score) if assessment.score is not None else "—"


ASSESSMENT_PAGES = PageSpec(
    resource=ASSESSMENTS,
    title=N_("Site assessments"),
    singular=N_("Site assessment"),
    write_permission="assessment.write",
    columns=[
        Column("assessed_on", N_("Date"), lambda a, t: t.date(a.assessed_on), link=True, sort="assessed_on"),
        Column("site", N_("Site"), plain("site_name")),
        Column("score", N_("Score"), _score_text, sort="score"),
        Column(
            "signatures",
            N_("Signed by"),
            lambda a, t: " · ".join(t.gettext(PARTIES[g.party]) for g in a.signatures),
        ),
        Column("status", N_("State"), label(ASSESSMENT_STATES, "status"), sort="status"),
    ],
    details=[
        DetailRow(N_("Site"), plain("site_name")),
        DetailRow(N_("Date"), lambda a, t: t.date(a.assessed_on)),
        DetailRow(N_("Score"), _score_text),
        DetailRow(N_("State"), label(ASSESSMENT_STATES, "status")),
        DetailRow(N_("Summary"), plain("summary")),
        DetailRow(N_("Marking"), lambda a, t: incident_labels.MARKINGS[a.tlp]),
    ],
    fields=[
        FormField("site_id", N_("Site"), "select", _site_choices, required=True, create_only=True),
        FormField("assessed_on", N_("Date"), "date", required=True),
        FormField("summary", N_("Summary"), "textarea", wide=True),
        FormField("tlp", N_("Marking"), "select", incident_labels.MARKINGS),
    ],
    initial=lambda a: {"assessed_on": a.assessed_on, "summary": a.summary, "tlp": a.tlp},
    detail_template="coordination/assessment.html",
    filters=[FormField("status", N_("State"), "select", ASSESSMENT_STATES)],
    extra=lambda session, actor, assessment: _assessment_context(session, actor, assessment),
)


def _assessment_context(session, actor, assessment) -> dict[str, Any]:
    owners = {o.id: o for o in session.scalars(select(Organisation).order_by(Organisation.name))}
    signed = {g.party for g in assessment.signatures}
    questions = assessments.questions_of(assessment)
    return {
        "areas": checklists.AREAS,
        "questions": questions,
        "answer_labels": checklists.ANSWERS,
        "not_applicable": NOT_APPLICABLE,
        "area_scores": checklists.area_scores(questions, assessment.answers),
        "may_write": allows(session, actor, "assessment.write", assessment) and not assessment.signatures,
        "may_sign": allows(session, actor, "assessment.sign", assessment) and actor.party not in signed,
        "may_remediate": allows(session, actor, "remediation.update", assessment),
        "owners": owners,
        "severities": SEVERITIES,
        "finding_states": FINDING_STATES,
        "parties": PARTIES,
        "today": date.today(),
    }


def _to_assessment(assessment_id: uuid.UUID, request: Request):
    return redirect(f"/assessments/{assessment_id}", request)


@router.post("/assessments/{assessment_id}/answers")
@permits("assessment.write")
async def save_answers(assessment_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    """The checklist as answered on the page: a score 0–4, "na" (not applicable) or nothing yet."""
    form = await request.form()
    answers: dict[str, str | None] = {}
    for key, value in form.items():
        if key.startswith("q:") and value != "":
            answers[key[2:]] = None if value == NOT_APPLICABLE else value  # the model checks 0–4
    assessments.update_assessment(session, actor, assessment_id, s.AssessmentUpdate(answers=answers))
    return _to_assessment(assessment_id, request)


@router.post("/assessments/{assessment_id}/signatures")
@permits("assessment.sign")
def sign(assessment_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, name: Text):
    assessments.sign(session, actor, assessment_id, s.SignIn(name=name))
    return _to_assessment(assessment_id, request)


@router.post("/assessments/{assessment_id}/findings")
@permits("assessment.write")
def add_finding(
    assessment_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    area: Annotated[s.AREA_KEYS, Form()],
    severity: Annotated[s.SEVERITIES, Form()],
    text: Text,
    remediation: Annotated[str, Form(max_length=5000)] = "",
    owner_org_id: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form()] = "",
):
    data = s.FindingIn(
        area=area,
        severity=severity,
        text=text,
        remediation=remediation,
        owner_org_id=owner_org_id or None,
        due_on=due_on or None,
    )
    assessments.add_finding(session, actor, assessment_id, data)
    return _to_assessment(assessment_id, request)


@router.post("/assessments/{assessment_id}/findings/{finding_id}/close")
@permits("remediation.update")
def close_finding(
    assessment_id: uuid.UUID,
    finding_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    closure_note: Text,
):
    data = s.FindingUpdate(status="closed", closure_note=closure_note)
    assessments.update_finding(session, actor, finding_id, data)
    return _to_assessment(assessment_id, request)


@router.post("/assessments/{assessment_id}/findings/{finding_id}/photos")
@permits("remediation.update")
async def add_photo(
    assessment_id: uuid.UUID,
    finding_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    file: Annotated[UploadFile, File()],
):
    content = await file.read(s.MAX_PHOTO_BYTES + 1)
    assessments.add_photo(session, actor, finding_id, file.filename or "", content)
    return _to_assessment(assessment_id, request)


add_pages(router, GROUP_PAGES)
add_pages(router, MEETING_PAGES)
add_pages(router, ASSESSMENT_PAGES)
