"""The reports page: the day's situation report to open (HTML) or download (PDF) in any of the
three languages, as the reader may see it, and the analyst on duty's outlook for it."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from jsms.core.http import SessionDep, permits
from jsms.core.i18n import LANGUAGES, N_
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect, render
from jsms.core.policy import allows, require
from jsms.geo.provinces import province_names
from jsms.reports import schemas as s
from jsms.reports import service
from jsms.reports.api import assessment_response, sitrep_response

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation([NavItem("/reports", N_("Reports"), "report.read", order=35)])


@router.get("/reports")
@permits("report.read")
def reports(
    request: Request, session: SessionDep, actor: PageActor, day: Annotated[date | None, Query()] = None
):
    require(session, actor, "report.read")
    day = day or service.today()
    outlook = service.note_of(session, service.SITREP, day)
    return render(
        request,
        "reports/index.html",
        {
            "day": day,
            "outlook": outlook,
            "may_write": allows(session, actor, "report.write"),
            "report_languages": LANGUAGES,
            "provinces": province_names(actor.language),
        },
        actor=actor,
    )


@router.get("/reports/sitrep")
@permits("report.read")
def sitrep(session: SessionDep, actor: PageActor, params: Annotated[s.SitrepParams, Query()]):
    return sitrep_response(session, actor, params)


@router.post("/reports/sitrep/outlook")
@permits("report.write")
def write_outlook(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    day: Annotated[date, Form()],
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
):
    service.write_note(session, actor, service.SITREP, day, s.NoteIn(text=text))
    return redirect(f"/reports?day={day.isoformat()}", request)


@router.get("/reports/threat-assessment")
@permits("report.read")
def threat_assessment(session: SessionDep, actor: PageActor, params: Annotated[s.AssessmentParams, Query()]):
    return assessment_response(session, actor, params)


@router.post("/reports/threat-assessment/judgement")
@permits("report.write")
def write_judgement(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    day: Annotated[date, Form()],
    province: Annotated[str, Form(max_length=8)],
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
):
    service.write_note(session, actor, service.ASSESSMENT, day, s.NoteIn(text=text), province)
    return redirect(f"/reports?day={day.isoformat()}", request)
