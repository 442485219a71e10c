"""Casualties of incidents and the compensation of their families. No commit here.

Every read of a casualty or a case is audited (lists too, one record per row shown), whether or
not personal data is shown: the auditor can tell who looked at whose record. A case is approved
in two steps by two different people — of the two parties when the policy lists
"compensation.amount" among its dual approvals — and nothing is paid before the second step.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.audit import record_access, record_listing
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, Forbidden, NotFound, invalid_field
from jsms.core.i18n import N_
from jsms.core.models import Organisation
from jsms.core.policy import active_policy, allows, get_visible, require
from jsms.core.schemas import PageParams
from jsms.incidents import service as incidents
from jsms.registry import service as registry
from jsms.welfare import schemas as s
from jsms.welfare.models import Beneficiary, Casualty, CompensationCase, Payment

DUAL_DECISION = "compensation.amount"
OPEN_STATES = ("draft", "first_approved")


def _organisation_exists(session: Session, field: str, org_id: uuid.UUID | None) -> None:
    if org_id is not None and session.get(Organisation, org_id) is None:
        raise invalid_field(field, N_("no such organisation"))


# ---- casualties ------------------------------------------------------------------------------


def list_casualties(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Casualty], int]:
    rows, total = list_page(
        session,
        actor,
        Casualty,
        query,
        text_columns=("occupation",),  # names are encrypted: not searchable in SQL
        sortable=("created_at", "outcome", "nationality"),
        default_sort="-created_at",
    )
    record_listing(session, "casualty.list", "casualty", [c.id for c in rows])
    return rows, total


def get_casualty(session: Session, actor: Actor, casualty_id: uuid.UUID) -> Casualty:
    return get_visible(session, actor, Casualty, casualty_id)


def may_read_casualty(session: Session, actor: Actor, casualty_id: uuid.UUID) -> bool:
    """Whether the actor may open the casualty's record (a case can be visible when it is not)."""
    try:
        get_casualty(session, actor, casualty_id)
    except (NotFound, Forbidden):
        return False
    return True


def read_casualty(session: Session, actor: Actor, casualty_id: uuid.UUID) -> Casualty:
    """A casualty for a reader to look at: the look itself is audited."""
    casualty = get_casualty(session, actor, casualty_id)
    record_access(session, "casualty.read", "casualty", casualty.id, shown_fields(session, actor, casualty))
    return casualty


def may_see_personal(session: Session, actor: Actor, record: Casualty | CompensationCase) -> bool:
    try:
        require(session, actor, "casualty.read_personal", record)
    except Forbidden:
        return False
    return True


def shown_fields(session: Session, actor: Actor, casualty: Casualty) -> list[str]:
    if not may_see_personal(session, actor, casualty):
        return []
    return [name for name in Casualty.PERSONAL_FIELDS if getattr(casualty, name)]


def personal_data(session: Session, actor: Actor, casualty: Casualty) -> dict[str, str | None] | None:
    """The casualty's personal fields, if the policy shows them to the actor."""
    if not may_see_personal(session, actor, casualty):
        return None
    return {name: getattr(casualty, name) for name in Casualty.PERSONAL_FIELDS}


def create_casualty(session: Session, actor: Actor, data: s.CasualtyIn) -> Casualty:
    require(session, actor, "casualty.write")
    incident = incidents.get_incident(session, actor, data.incident_id)
    values = data.model_dump(exclude={"incident_id"})
    if data.person_id is not None:
        person = registry.get_person(session, actor, data.person_id)
        values["name"] = data.name or person.full_name
        values["nationality"] = data.nationality or person.nationality
        values["employer_org_id"] = data.employer_org_id or person.employer_org_id
        values["occupation"] = data.occupation or person.job_title or ""
    _organisation_exists(session, "employer_org_id", values["employer_org_id"])
    casualty = Casualty(incident_id=incident.id, **values)
    require(session, actor, "casualty.write", casualty)
    session.add(casualty)
    session.flush()
    return casualty


def update_casualty(
    session: Session, actor: Actor, casualty_id: uuid.UUID, data: s.CasualtyUpdate
) -> Casualty:
    casualty = get_casualty(session, actor, casualty_id)
    require(session, actor, "casualty.write", casualty)
    changes = data.model_dump(exclude_unset=True)
    if "employer_org_id" in changes:
        _organisation_exists(session, "employer_org_id", changes["employer_org_id"])
    for name, value in changes.items():
        setattr(casualty, name, value)
    require(session, actor, "casualty.write", casualty)  # not moved out of the actor's own reach
    for case in session.scalars(select(CompensationCase).where(CompensationCase.casualty_id == casualty.id)):
        case.nationality, case.employer_org_id = casualty.nationality, casualty.employer_org_id
    session.flush()
    return casualty


def casualties_of(session: Session, actor: Actor, incident_id: uuid.UUID) -> list[Casualty]:
    """The casualties of one incident the actor may see (for the incident page)."""
    query = ListRequest(PageParams(limit=500, offset=0), filters={"incident_id": incident_id})
    return list_casualties(session, actor, query)[0]


# ---- compensation cases ----------------------------------------------------------------------


def list_cases(session: Session, actor: Actor, query: ListRequest) -> tuple[list[CompensationCase], int]:
    rows, total = list_page(
        session,
        actor,
        CompensationCase,
        query,
        text_columns=("reference", "basis"),
        sortable=("created_at", "reference", "status", "amount"),
        default_sort="-created_at",
    )
    record_listing(session, "compensation.list", "compensation_case", [c.id for c in rows])
    return rows, total


def get_case(session: Session, actor: Actor, case_id: uuid.UUID) -> CompensationCase:
    return get_visible(session, actor, CompensationCase, case_id)


def read_case(session: Session, actor: Actor, case_id: uuid.UUID) -> CompensationCase:
    """A case for a reader to look at: the look is audited, with the personal fields it showed."""
    case = get_case(session, actor, case_id)
    fields = (
        ["beneficiaries.name", "beneficiaries.bank_account"] if may_see_personal(session, actor, case) else []
    )
    record_access(session, "compensation.read", "compensation_case", case.id, fields)
    return case


def cases_of(session: Session, actor: Actor, casualty_id: uuid.UUID) -> list[CompensationCase]:
    """The compensation cases of one casualty the actor may see (none without compensation.read)."""
    if not allows(session, actor, "compensation.read"):
        return []
    query = ListRequest(PageParams(limit=50, offset=0), filters={"casualty_id": casualty_id})
    return list_cases(session, actor, query)[0]


def _beneficiaries(items: list[s.BeneficiaryIn]) -> list[Beneficiary]:
    return [Beneficiary(position=i, **item.model_dump()) for i, item in enumerate(items)]


def _next_reference(session: Session, year: int) -> str:
    prefix = f"CC-{year}-"
    count = session.scalar(select(func.count()).where(CompensationCase.reference.startswith(prefix))) or 0
    return f"{prefix}{count + 1:03d}"


def create_case(session: Session, actor: Actor, data: s.CaseIn) -> CompensationCase:
    require(session, actor, "compensation.write")
    casualty = get_casualty(session, actor, data.casualty_id)
    _organisation_exists(session, "payer_org_id", data.payer_org_id)
    reference = data.reference or _next_reference(session, utcnow().year)
    if session.scalar(select(CompensationCase.id).where(CompensationCase.reference == reference)):
        raise Conflict(f"A compensation case {reference} exists already")
    case = CompensationCase(
        **data.model_dump(exclude={"beneficiaries", "reference"}),
        reference=reference,
        nationality=casualty.nationality,
        employer_org_id=casualty.employer_org_id,
        beneficiaries=_beneficiaries(data.beneficiaries),
    )
    require(session, actor, "compensation.write", case)
    session.add(case)
    session.flush()
    return case


def update_case(session: Session, actor: Actor, case_id: uuid.UUID, data: s.CaseUpdate) -> CompensationCase:
    case = _open_case_to_change(session, actor, case_id)
    changes = data.model_dump(exclude_unset=True, exclude={"beneficiaries"})
    if "payer_org_id" in changes:
        _organisation_exists(session, "payer_org_id", changes["payer_org_id"])
    material = {"amount", "currency"} & changes.keys() or data.beneficiaries is not None
    for name, value in changes.items():
        setattr(case, name, value)
    if data.beneficiaries is not None:
        case.beneficiaries = _beneficiaries(data.beneficiaries)
    if material:
        _terms_changed(case)
    session.flush()
    return case


def add_beneficiary(session: Session, actor: Actor, case_id: uuid.UUID, data: s.BeneficiaryIn) -> Beneficiary:
    case = _open_case_to_change(session, actor, case_id)
    if sum((b.share_percent for b in case.beneficiaries), data.share_percent) > 100:
        raise invalid_field("share_percent", N_("the shares would add up to more than 100 percent"))
    beneficiary = Beneficiary(position=len(case.beneficiaries), **data.model_dump())
    case.beneficiaries.append(beneficiary)
    _terms_changed(case)
    session.flush()
    return beneficiary


def remove_beneficiary(session: Session, actor: Actor, case_id: uuid.UUID, beneficiary_id: uuid.UUID) -> None:
    case = _open_case_to_change(session, actor, case_id)
    beneficiary = next((b for b in case.beneficiaries if b.id == beneficiary_id), None)
    if beneficiary is None:
        raise NotFound(f"Case {case.reference} has no beneficiary {beneficiary_id}")
    case.beneficiaries.remove(beneficiary)
    _terms_changed(case)
    session.flush()


def _open_case_to_change(session: Session, actor: Actor, case_id: uuid.UUID) -> CompensationCase:
    case = get_case(session, actor, case_id)
    require(session, actor, "compensation.write", case)
    if case.status not in OPEN_STATES:
        raise Conflict(f"Case {case.reference} is {case.status}; it can no longer be changed")
    return case


def _terms_changed(case: CompensationCase) -> None:
    if case.status == "first_approved":
        _withdraw_first_approval(case)  # the approval was of other terms


def _withdraw_first_approval(case: CompensationCase) -> None:
    case.status = "draft"
    case.first_approved_by = case.first_approved_party = case.first_approved_at = None


def approve_case(session: Session, actor: Actor, case_id: uuid.UUID) -> CompensationCase:
    """The first or the second approval of a case's terms."""
    case = get_case(session, actor, case_id)
    require(session, actor, "compensation.approve", case)
    if case.status not in OPEN_STATES:
        raise Conflict(f"Case {case.reference} is {case.status}, not awaiting approval")
    shares = sum((b.share_percent for b in case.beneficiaries), Decimal(0))
    if shares != 100:
        raise Conflict(f"The beneficiaries' shares of case {case.reference} add up to {shares}%, not 100%")
    now = utcnow()
    if case.status == "draft":
        case.first_approved_by, case.first_approved_party, case.first_approved_at = (
            actor.username,
            actor.party,
            now,
        )
        case.status = "first_approved"
    else:
        if actor.username == case.first_approved_by:
            raise Conflict("The second approval must come from someone other than the first approver")
        if DUAL_DECISION in active_policy(session).dual_approval and actor.party == case.first_approved_party:
            raise Conflict(
                f"The {actor.party} party has approved already; the second approval is the other party's"
            )
        case.second_approved_by, case.second_approved_party, case.second_approved_at = (
            actor.username,
            actor.party,
            now,
        )
        case.status = "approved"
    session.flush()
    return case


def reject_case(session: Session, actor: Actor, case_id: uuid.UUID, data: s.RejectIn) -> CompensationCase:
    case = get_case(session, actor, case_id)
    require(session, actor, "compensation.approve", case)
    if case.status not in OPEN_STATES:
        raise Conflict(f"Case {case.reference} is {case.status}, not awaiting approval")
    case.status, case.rejected_by, case.rejection_reason = "rejected", actor.username, data.reason
    session.flush()
    return case


def paid_total(case: CompensationCase, states: tuple[str, ...] = ("completed",)) -> Decimal:
    return sum((p.amount for p in case.payments if p.status in states), Decimal("0.00"))


def approvals(case: CompensationCase) -> list[dict[str, Any]]:
    steps = [
        (case.first_approved_by, case.first_approved_party, case.first_approved_at),
        (case.second_approved_by, case.second_approved_party, case.second_approved_at),
    ]
    return [{"by": by, "party": party, "at": at} for by, party, at in steps if by]


def add_payment(session: Session, actor: Actor, case_id: uuid.UUID, data: s.PaymentIn) -> Payment:
    case = get_case(session, actor, case_id)
    require(session, actor, "compensation.pay", case)
    if case.status != "approved":
        raise Conflict(f"Case {case.reference} is {case.status}: nothing is paid before its second approval")
    committed = paid_total(case, ("initiated", "completed"))
    if committed + data.amount > case.amount:
        raise invalid_field(
            "amount",
            N_("%(amount)s would exceed what the case is owed (%(left)s %(currency)s left)"),
            amount=str(data.amount),
            left=str(case.amount - committed),
            currency=case.currency,
        )
    if data.paid_on > date.today():
        raise invalid_field("paid_on", N_("the date is in the future"))
    payment = Payment(**data.model_dump(), recorded_by=actor.username)
    case.payments.append(payment)
    _settle(case)
    session.flush()
    return payment


def update_payment(
    session: Session, actor: Actor, case_id: uuid.UUID, payment_id: uuid.UUID, data: s.PaymentUpdate
) -> Payment:
    """The bank's answer: the transfer completed, or came back."""
    case = get_case(session, actor, case_id)
    require(session, actor, "compensation.pay", case)
    payment = next((p for p in case.payments if p.id == payment_id), None)
    if payment is None:
        raise NotFound(f"Case {case.reference} has no payment {payment_id}")
    if payment.status != "initiated":
        raise Conflict(f"The payment {payment.reference} is {payment.status} already")
    payment.status = data.status
    _settle(case)
    session.flush()
    return payment


def _settle(case: CompensationCase) -> None:
    """Paid once completed transfers cover the amount; approved again if one came back."""
    case.status = "paid" if paid_total(case) >= case.amount else "approved"


def view(case: CompensationCase) -> dict[str, Any]:
    """The case as its answer (without beneficiaries: see detail_view)."""
    paid = paid_total(case)
    return {
        **{name: getattr(case, name) for name in s.CaseRead.model_fields if hasattr(case, name)},
        "incident_id": case.casualty.incident_id,
        "outcome": case.casualty.outcome,
        "approvals": approvals(case),
        "paid": paid,
        "outstanding": case.amount - paid,
        "payments": case.payments,
    }


def detail_view(session: Session, actor: Actor, case: CompensationCase) -> dict[str, Any]:
    shown = may_see_personal(session, actor, case)
    beneficiaries = [
        {
            "id": b.id,
            "relationship_to_casualty": b.relationship_to_casualty,
            "share_percent": b.share_percent,
            **({"name": b.name, "bank_account": b.bank_account} if shown else {}),
        }
        for b in case.beneficiaries
    ]
    return {**view(case), "beneficiaries": beneficiaries, "personal_data_withheld": not shown}


# ---- retention ---------------------------------------------------------------------------

SETTLED_STATES = ("paid", "rejected")


def erase_settled_personal_data(session: Session, before: datetime) -> dict[str, list[uuid.UUID]]:
    """Erase identity numbers and notes of casualties, and beneficiaries' bank accounts, once every
    case of the casualty was settled (paid or rejected) and nothing changed since before `before`.
    Names stay: the record of who was harmed and who was paid. Each erasure is audited."""
    unsettled = select(CompensationCase.casualty_id).where(
        (CompensationCase.status.not_in(SETTLED_STATES)) | (CompensationCase.updated_at >= before)
    )
    casualties = session.scalars(
        select(Casualty).where(
            Casualty.updated_at < before,
            Casualty.id.not_in(unsettled),
            Casualty.identity_number.is_not(None) | Casualty.notes.is_not(None),
        )
    ).all()
    for casualty in casualties:
        casualty.identity_number = casualty.notes = None
    beneficiaries = session.scalars(
        select(Beneficiary)
        .join(CompensationCase)
        .where(
            CompensationCase.status.in_(SETTLED_STATES),
            CompensationCase.updated_at < before,
            Beneficiary.bank_account.is_not(None),
        )
    ).all()
    for beneficiary in beneficiaries:
        beneficiary.bank_account = None
    session.flush()
    return {"casualties": [c.id for c in casualties], "beneficiaries": [b.id for b in beneficiaries]}
