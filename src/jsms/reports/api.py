"""HTTP API of the reports: the day's situation report and a province's weekly threat assessment
as the caller may read them (the partner's copy holds what the policy releases to the partner),
and what the analysts write into them."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from jsms.core.crud import ListRequest
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits, signed_in
from jsms.core.schemas import PageParams, page_params
from jsms.reports import delivery, service
from jsms.reports import schemas as s

router = APIRouter(prefix="/api/v1/reports", route_class=UnitOfWorkRoute, tags=["reports"])
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _file(body: bytes, name: str, format: str, marking) -> Response:
    disposition = "attachment" if format == "pdf" else "inline"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{name}.{format}"',
        "X-Marking": marking.label,
    }
    return Response(body, media_type=MEDIA[format], headers=headers)


def sitrep_response(session, actor, params: s.SitrepParams) -> Response:
    day = params.date or service.today()
    language = params.lang or actor.language
    report, body = service.situation_report(session, actor, day, language, params.format)
    return _file(body, f"sitrep-{day.isoformat()}-{language}", params.format, report.marking)


def assessment_response(session, actor, params: s.AssessmentParams) -> Response:
    day = params.date or service.today()
    language = params.lang or actor.language
    report, body = service.threat_assessment(session, actor, params.province, day, language, params.format)
    name = f"threat-assessment-{params.province}-{day.isoformat()}-{language}"
    return _file(body, name, params.format, report.marking)


@router.get("/sitrep", response_class=Response)
@permits("report.read")
def sitrep(session: SessionDep, actor: ActorDep, params: Annotated[s.SitrepParams, Query()]):
    """The daily situation report (the 24 hours up to 08:00 Pakistan time) as PDF or HTML."""
    return sitrep_response(session, actor, params)


@router.put("/sitrep/{day}/outlook", response_model=s.NoteRead)
@permits("report.write")
def write_outlook(day: date, data: s.NoteIn, session: SessionDep, actor: ActorDep):
    """The analyst on duty's outlook for the day's report."""
    return service.write_note(session, actor, service.SITREP, day, data)


@router.get("/threat-assessment", response_class=Response)
@permits("report.read")
def threat_assessment(session: SessionDep, actor: ActorDep, params: Annotated[s.AssessmentParams, Query()]):
    """A province's weekly threat assessment (the seven days up to 08:00 on `date`) as PDF or HTML."""
    return assessment_response(session, actor, params)


@router.put("/threat-assessment/{province}/{day}/judgement", response_model=s.NoteRead)
@permits("report.write")
def write_judgement(
    province: Annotated[str, Path(max_length=8)],
    day: date,
    data: s.NoteIn,
    session: SessionDep,
    actor: ActorDep,
):
    """The analyst's judgement for the province's week ending on `day`."""
    return service.write_note(session, actor, service.ASSESSMENT, day, data, province)


@router.get("/subscriptions", response_model=list[s.SubscriptionRead])
@permits("report.read")
def my_subscriptions(session: SessionDep, actor: ActorDep):
    """The caller's standing orders for reports by e-mail."""
    return delivery.subscriptions(session, actor)


@router.post("/subscriptions", response_model=s.SubscriptionRead, status_code=201)
@permits("report.read")
def subscribe(data: s.SubscriptionIn, session: SessionDep, actor: ActorDep):
    """Receive a report by e-mail: each day's SITREP, or a province's assessment each Monday, as
    the policy lets the caller read it."""
    return delivery.subscribe(session, actor, data)


@router.delete("/subscriptions/{subscription_id}", status_code=204, response_class=Response)
@signed_in
def unsubscribe(subscription_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    delivery.unsubscribe(session, actor, subscription_id)


@router.get("/deliveries", response_model=list[s.DeliveryRead])
@signed_in
def my_deliveries(session: SessionDep, actor: ActorDep, page: Annotated[PageParams, Depends(page_params)]):
    """The reports sent to the caller (or tried), newest first."""
    return delivery.deliveries(session, actor, ListRequest(page))
