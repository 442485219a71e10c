"""HTTP API of welfare: /api/v1/casualties and /api/v1/compensation-cases (approvals, rejection,
payments). Every read is audited by the service."""

import uuid

from fastapi import APIRouter

from jsms.core.crud import Resource, add_routes
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.core.schemas import with_personal_data
from jsms.welfare import schemas as s
from jsms.welfare import service

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)


def casualty_view(session, actor, casualty) -> s.CasualtyDetail:
    """A casualty with personal data only where the policy allows."""
    public = s.CasualtyRead.model_validate(casualty)
    return with_personal_data(s.CasualtyDetail, public, service.personal_data(session, actor, casualty))


CASUALTIES = Resource(
    "casualties",
    "welfare",
    s.CasualtyRead,
    s.CasualtyIn,
    s.CasualtyUpdate,
    s.CasualtyParams,
    service.list_casualties,
    service.read_casualty,
    service.create_casualty,
    service.update_casualty,
    view=casualty_view,
    detail=s.CasualtyDetail,
    access=("casualty.read", "casualty.write"),
)
add_routes(router, CASUALTIES)


def case_view(session, actor, case) -> s.CaseDetail:
    return s.CaseDetail.model_validate(service.detail_view(session, actor, case))


def case_row(session, actor, case) -> s.CaseRead:
    return s.CaseRead.model_validate(service.view(case))


CASES = Resource(
    "compensation-cases",
    "welfare",
    s.CaseRead,
    s.CaseIn,
    s.CaseUpdate,
    s.CaseParams,
    service.list_cases,
    service.read_case,
    service.create_case,
    service.update_case,
    view=case_view,
    detail=s.CaseDetail,
    row=case_row,
    access=("compensation.read", "compensation.write"),
)
add_routes(router, CASES)


@router.post("/compensation-cases/{case_id}/approve", response_model=s.CaseDetail, tags=["welfare"])
@permits("compensation.approve")
def approve_case(case_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """The first approval of the case's terms, or the second (another person; the other party
    where the policy wants both parties for compensation amounts)."""
    return case_view(session, actor, service.approve_case(session, actor, case_id))


@router.post("/compensation-cases/{case_id}/reject", response_model=s.CaseDetail, tags=["welfare"])
@permits("compensation.approve")
def reject_case(case_id: uuid.UUID, data: s.RejectIn, session: SessionDep, actor: ActorDep):
    return case_view(session, actor, service.reject_case(session, actor, case_id, data))


@router.post(
    "/compensation-cases/{case_id}/beneficiaries",
    response_model=s.CaseDetail,
    status_code=201,
    tags=["welfare"],
)
@permits("compensation.write")
def add_beneficiary(case_id: uuid.UUID, data: s.BeneficiaryIn, session: SessionDep, actor: ActorDep):
    """Another beneficiary; a change of terms, so a first approval given before is withdrawn."""
    service.add_beneficiary(session, actor, case_id, data)
    return case_view(session, actor, service.get_case(session, actor, case_id))


@router.delete(
    "/compensation-cases/{case_id}/beneficiaries/{beneficiary_id}", status_code=204, tags=["welfare"]
)
@permits("compensation.write")
def remove_beneficiary(case_id: uuid.UUID, beneficiary_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    service.remove_beneficiary(session, actor, case_id, beneficiary_id)


@router.post(
    "/compensation-cases/{case_id}/payments", response_model=s.PaymentRead, status_code=201, tags=["welfare"]
)
@permits("compensation.pay")
def add_payment(case_id: uuid.UUID, data: s.PaymentIn, session: SessionDep, actor: ActorDep):
    """A transfer towards the case; refused (409) before the case's second approval."""
    return service.add_payment(session, actor, case_id, data)


@router.patch(
    "/compensation-cases/{case_id}/payments/{payment_id}", response_model=s.PaymentRead, tags=["welfare"]
)
@permits("compensation.pay")
def update_payment(
    case_id: uuid.UUID, payment_id: uuid.UUID, data: s.PaymentUpdate, session: SessionDep, actor: ActorDep
):
    return service.update_payment(session, actor, case_id, payment_id, data)
