"""Welfare pages: casualties of incidents (names only where the policy shows them) and
compensation cases with their beneficiaries, two approvals and payments. Every page that shows a
record audits the look, through the same service calls as the API."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from jsms.core.crud import ListRequest
from jsms.core.forms import Column, DetailRow, FormField, PageSpec, add_pages, label, personal, plain
from jsms.core.http import SessionDep, permits
from jsms.core.i18n import N_, Translator
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect
from jsms.core.policy import allows
from jsms.core.schemas import PageParams
from jsms.incidents import service as incidents
from jsms.registry import service as registry
from jsms.welfare import schemas as s
from jsms.welfare import service
from jsms.welfare.api import CASES, CASUALTIES

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation(
    [
        NavItem("/casualties", N_("Casualties"), "casualty.read", order=55),
        NavItem("/compensation-cases", N_("Compensation"), "compensation.read", order=56),
    ]
)
CHOICES = PageParams(limit=300, offset=0)

OUTCOMES = {"killed": N_("Killed"), "injured": N_("Injured")}
RELATIONSHIPS = {
    "spouse": N_("Spouse"),
    "child": N_("Child"),
    "parent": N_("Parent"),
    "sibling": N_("Sibling"),
    "other": N_("Other relative"),
}
CASE_STATES = {
    "draft": N_("Awaiting first approval"),
    "first_approved": N_("Awaiting second approval"),
    "approved": N_("Approved, to be paid"),
    "paid": N_("Paid"),
    "rejected": N_("Rejected"),
}
PAYMENT_STATES = {"initiated": N_("Initiated"), "completed": N_("Completed"), "returned": N_("Returned")}
PARTIES = {"host": N_("Host party"), "partner": N_("Partner party")}


def _incident_choices(session, actor, t: Translator) -> dict[str, str]:
    items = incidents.with_casualties(session, actor)
    return {str(i.id): f"{t.date(i.occurred_at.date())} · {i.title}" for i in items}


def _person_choices(session, actor, t: Translator) -> dict[str, str]:
    if not allows(session, actor, "person.read"):
        return {}
    items, _ = registry.list_persons(session, actor, ListRequest(CHOICES))
    return {str(p.id): p.full_name for p in items}


def _organisation_choices(session, actor, t: Translator) -> dict[str, str]:
    items, _ = registry.list_organisations(session, actor, ListRequest(CHOICES))
    return {str(o.id): getattr(o, f"name_{t.language}", None) or o.name for o in items}


def _casualty_choices(session, actor, t: Translator) -> dict[str, str]:
    items, _ = service.list_casualties(session, actor, ListRequest(CHOICES))
    return {
        str(c.id): f"{t.gettext(OUTCOMES[c.outcome])} · {c.nationality} · {c.occupation or '—'} · "
        f"{t.date(c.created_at.date())}"
        for c in items
    }


CASUALTY_PAGES = PageSpec(
    resource=CASUALTIES,
    title=N_("Casualties"),
    singular=N_("Casualty"),
    write_permission="casualty.write",
    columns=[
        Column(
            "created_at",
            N_("Recorded"),
            lambda c, t: t.date(c.created_at.date()),
            link=True,
            sort="created_at",
        ),
        Column("outcome", N_("Outcome"), label(OUTCOMES, "outcome"), sort="outcome"),
        Column("nationality", N_("Nationality"), plain("nationality"), sort="nationality"),
        Column("occupation", N_("Occupation"), plain("occupation")),
    ],
    details=[
        DetailRow(N_("Name"), personal("name")),
        DetailRow(N_("Identity document number"), personal("identity_number")),
        DetailRow(N_("Outcome"), label(OUTCOMES, "outcome")),
        DetailRow(N_("Nationality"), plain("nationality")),
        DetailRow(N_("Occupation"), plain("occupation")),
        DetailRow(N_("Notes"), personal("notes")),
    ],
    fields=[
        FormField(
            "incident_id", N_("Incident"), "select", _incident_choices, required=True, create_only=True
        ),
        FormField(
            "person_id", N_("Protected person (if registered)"), "select", _person_choices, create_only=True
        ),
        FormField("name", N_("Name"), help=N_("Taken from the register for a protected person")),
        FormField("nationality", N_("Nationality"), help=N_("Two-letter country code, e.g. CN")),
        FormField("outcome", N_("Outcome"), "select", OUTCOMES, required=True),
        FormField("occupation", N_("Occupation")),
        FormField("employer_org_id", N_("Employer"), "select", _organisation_choices),
        FormField("identity_number", N_("Identity document number")),
        FormField("notes", N_("Notes"), "textarea", wide=True),
    ],
    initial=lambda c: {
        "name": c.name,
        "nationality": c.nationality,
        "outcome": c.outcome,
        "occupation": c.occupation,
        "employer_org_id": c.employer_org_id,
        "identity_number": c.identity_number,
        "notes": c.notes,
    },
    detail_template="welfare/casualty.html",
    filters=[FormField("outcome", N_("Outcome"), "select", OUTCOMES)],
    extra=lambda session, actor, casualty: {
        "incident": incidents.get_incident(session, actor, casualty.incident_id),
        "cases": service.cases_of(session, actor, casualty.id),
        "case_states": CASE_STATES,
    },
)


def _approvals_text(case, t: Translator) -> str:
    return " · ".join(f"{a.by} ({t.gettext(PARTIES[a.party])})" for a in case.approvals) or "—"


CASE_PAGES = PageSpec(
    resource=CASES,
    title=N_("Compensation cases"),
    singular=N_("Compensation case"),
    write_permission="compensation.write",
    form_grants=("casualty.read",),
    columns=[
        Column("reference", N_("Case"), plain("reference"), link=True, sort="reference"),
        Column("outcome", N_("Casualty"), label(OUTCOMES, "outcome")),
        Column("amount", N_("Amount"), lambda c, t: t.money(c.amount, c.currency), sort="amount"),
        Column("paid", N_("Paid"), lambda c, t: t.money(c.paid, c.currency)),
        Column("status", N_("State"), label(CASE_STATES, "status"), sort="status"),
    ],
    details=[
        DetailRow(N_("Case"), plain("reference")),
        DetailRow(N_("Casualty"), label(OUTCOMES, "outcome")),
        DetailRow(N_("Nationality"), plain("nationality")),
        DetailRow(N_("Amount"), lambda c, t: t.money(c.amount, c.currency)),
        DetailRow(N_("Basis"), plain("basis")),
        DetailRow(N_("State"), label(CASE_STATES, "status")),
        DetailRow(N_("Approved by"), _approvals_text),
        DetailRow(N_("Paid"), lambda c, t: t.money(c.paid, c.currency)),
        DetailRow(N_("Outstanding"), lambda c, t: t.money(c.outstanding, c.currency)),
    ],
    fields=[
        FormField(
            "casualty_id", N_("Casualty"), "select", _casualty_choices, required=True, create_only=True
        ),
        FormField("amount", N_("Amount"), "number", required=True, step="0.01"),
        FormField("currency", N_("Currency"), help=N_("Three-letter code, e.g. USD or PKR"), required=True),
        FormField("basis", N_("Basis"), "textarea", wide=True),
        FormField("payer_org_id", N_("Paid by"), "select", _organisation_choices),
    ],
    initial=lambda c: {
        "amount": c.amount,
        "currency": c.currency,
        "basis": c.basis,
        "payer_org_id": c.payer_org_id,
    },
    detail_template="welfare/case.html",
    filters=[FormField("status", N_("State"), "select", CASE_STATES)],
    extra=lambda session, actor, case: _case_context(session, actor, case),
)


def _case_context(session, actor, case) -> dict[str, Any]:
    return {
        "casualty_visible": service.may_read_casualty(session, actor, case.casualty_id),
        "may_change": allows(session, actor, "compensation.write", case)
        and case.status in service.OPEN_STATES,
        "may_approve": allows(session, actor, "compensation.approve", case)
        and case.status in service.OPEN_STATES,
        "may_pay": allows(session, actor, "compensation.pay", case) and case.status == "approved",
        "may_settle": allows(session, actor, "compensation.pay", case),
        "relationships": RELATIONSHIPS,
        "payment_states": PAYMENT_STATES,
        "parties": PARTIES,
        "today": date.today(),
    }


def _back(case_id: uuid.UUID, request: Request):
    return redirect(f"/compensation-cases/{case_id}", request)


@router.post("/compensation-cases/{case_id}/approve")
@permits("compensation.approve")
def approve(case_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    service.approve_case(session, actor, case_id)
    return _back(case_id, request)


@router.post("/compensation-cases/{case_id}/reject")
@permits("compensation.approve")
def reject(
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
):
    service.reject_case(session, actor, case_id, s.RejectIn(reason=reason))
    return _back(case_id, request)


@router.post("/compensation-cases/{case_id}/beneficiaries")
@permits("compensation.write")
def add_beneficiary(
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    relationship_to_casualty: Annotated[s.RELATIONSHIPS, Form()],
    share_percent: Annotated[Decimal, Form(gt=0, le=100)],
    bank_account: Annotated[str, Form(max_length=60)] = "",
):
    data = s.BeneficiaryIn(
        name=name,
        relationship_to_casualty=relationship_to_casualty,
        share_percent=share_percent,
        bank_account=bank_account or None,
    )
    service.add_beneficiary(session, actor, case_id, data)
    return _back(case_id, request)


@router.post("/compensation-cases/{case_id}/beneficiaries/{beneficiary_id}/remove")
@permits("compensation.write")
def remove_beneficiary(
    case_id: uuid.UUID, beneficiary_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor
):
    service.remove_beneficiary(session, actor, case_id, beneficiary_id)
    return _back(case_id, request)


@router.post("/compensation-cases/{case_id}/payments")
@permits("compensation.pay")
def add_payment(
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    amount: Annotated[Decimal, Form(gt=0)],
    paid_on: Annotated[date, Form()],
    reference: Annotated[str, Form(min_length=1, max_length=80)],
):
    data = s.PaymentIn(amount=amount, paid_on=paid_on, reference=reference)
    service.add_payment(session, actor, case_id, data)
    return _back(case_id, request)


@router.post("/compensation-cases/{case_id}/payments/{payment_id}")
@permits("compensation.pay")
def settle_payment(
    case_id: uuid.UUID,
    payment_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    status: Annotated[s.PAYMENT_OUTCOMES, Form()],
):
    service.update_payment(session, actor, case_id, payment_id, s.PaymentUpdate(status=status))
    return _back(case_id, request)


add_pages(router, CASUALTY_PAGES)
add_pages(router, CASE_PAGES)
