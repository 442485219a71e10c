"""HTTP API of the reports: the day's situation report as the caller may read it (the partner's
copy holds what the policy releases to the partner), and the analyst's outlook."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute
from jsms.reports import schemas as s
from jsms.reports import service

router = APIRouter(prefix="/api/v1/reports", route_class=UnitOfWorkRoute, tags=["reports"])
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def sitrep_response(session, actor, params: s.SitrepParams) -> Response:
    day = params.date or service.today()
    language = params.lang or actor.language
    report, body = service.situation_report(session, actor, day, language, params.format)
    filename = f"sitrep-{day.isoformat()}-{language}.{params.format}"
    disposition = "attachment" if params.format == "pdf" else "inline"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "X-Marking": report.marking.label,
    }
    return Response(body, media_type=MEDIA[params.format], headers=headers)


@router.get("/sitrep", response_class=Response)
def sitrep(session: SessionDep, actor: ActorDep, params: Annotated[s.SitrepParams, Query()]):
    """The daily situation report (the 24 hours up to 08:00 Pakistan time) as PDF or HTML."""
    return sitrep_response(session, actor, params)


@router.put("/sitrep/{day}/outlook", response_model=s.OutlookRead)
def write_outlook(day: date, data: s.OutlookIn, session: SessionDep, actor: ActorDep):
    """The analyst on duty's outlook for the day's report."""
    return service.write_outlook(session, actor, day, data)
