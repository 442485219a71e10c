"""The permission matrix over the route table: every endpoint × role × party, and every marking.

The endpoints are read from the application's routers, so a new endpoint without an access rule
fails here. Each rule names the grants the endpoint needs; every demo user (one per role and
party) calls every endpoint, and whoever the policy excludes must get 403 before any input is
read. Then the markings: a record of each shareable kind, marked in turn with each TLP level
(and released to the partner by name), is read by every user; what the agreed rules below hide
must answer 404, whatever else the user may do.
"""

import re
import uuid
from datetime import date
from functools import cache

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select, update

from jsms.alerts import service as alerts
from jsms.alerts.models import Alert
from jsms.coordination.models import Meeting, SiteAssessment, WorkingGroup
from jsms.core import db as core_db
from jsms.core.actor import Actor
from jsms.core.auth import actor_for
from jsms.core.http import access_rule
from jsms.core.models import User
from jsms.core.pages import PageRoute
from jsms.core.policy import DEFAULT_GRANTS, active_policy, decide
from jsms.incidents.models import Incident
from jsms.movements.models import Journey
from jsms.osint.models import NewsEvent
from jsms.registry.models import Agreement, Site, Unit
from jsms.tracking import rollcall
from jsms.tracking.models import RollCall
from jsms.web.app import ROUTERS
from tests.conftest import DEMO_USERS

NIL = "00000000-0000-0000-0000-000000000000"
WITH_BODY = {"POST", "PUT", "PATCH"}
# Endpoints that stream until the client leaves: only their refusals are tried.
STREAMS = {"/api/v1/live"}


def api_routes() -> list[tuple[str, APIRoute]]:
    return [
        (method, route)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and not isinstance(route, PageRoute)
        for method in sorted(route.methods - {"HEAD"})
    ]


def route_id(entry: tuple[str, APIRoute]) -> str:
    method, route = entry
    return f"{method} {route.path}"


def test_every_endpoint_has_an_access_rule():
    routes = api_routes()
    assert len(routes) > 190
    missing = [route_id(r) for r in routes if access_rule(r[1]) is None]
    assert missing == [], "endpoints without @permits / @signed_in / @public"


def test_every_rule_names_grants_the_policy_has():
    for entry in api_routes():
        rule = access_rule(entry[1])
        unknown = [a for a in rule.actions if a not in DEFAULT_GRANTS]
        assert unknown == [], f"{route_id(entry)} needs unknown grants {unknown}"


def test_the_openapi_document_shows_each_rule(api):
    document = api.client.get("/api/v1/openapi.json").json()
    verify = document["paths"]["/api/v1/incidents/{incident_id}/verify"]["post"]
    assert verify["x-jsms-access"] == "incident.verify"
    assert document["paths"]["/api/v1/health"]["get"]["x-jsms-access"].startswith("public: ")


def _example(name: str, annotation) -> str:
    if annotation is uuid.UUID:
        return NIL
    if annotation is date:
        return "2026-11-20"
    return {"area": "PK-BA", "site_kind": "port", "province": "PK-BA"}.get(name, "x")


# Reports come as HTML here: the PDF would only make the refusals slower to reach.
QUERIES = {"/api/v1/reports/sitrep": "?format=html", "/api/v1/reports/threat-assessment": "?format=html"}


def url_of(route: APIRoute) -> str:
    types = {p.name: p.field_info.annotation for p in route.dependant.path_params}
    path = re.sub(r"\{([a-z_]+)(:path)?\}", lambda m: _example(m.group(1), types.get(m.group(1))), route.path)
    return path + QUERIES.get(route.path, "")


@cache
def actors(database_url: str) -> dict[str, Actor]:
    with core_db.new_session(None) as session:
        users = session.scalars(select(User).where(User.username.in_(DEMO_USERS)))
        return {user.username: actor_for(user) for user in users}


@pytest.mark.parametrize("entry", api_routes(), ids=route_id)
def test_an_endpoint_refuses_whoever_its_rule_excludes(sqlite_api, sqlite_node, entry):
    """On SQLite only: the rule is checked before any query (the markings below use both)."""
    api, node = sqlite_api, sqlite_node
    method, route = entry
    rule = access_rule(route)
    url = url_of(route)
    body = {"json": {}} if method in WITH_BODY else {}
    with core_db.new_session(None) as session:
        policy = active_policy(session)
    if rule.signed_in and route.path not in STREAMS:
        anonymous = api.client.request(method, url, **body)
        assert anonymous.status_code == 401, f"{method} {url} answered {anonymous.status_code} to nobody"
    for username, actor in actors(node.database_url).items():
        decisions = [decide(actor, action, policy) for action in rule.actions]
        allowed = all(d.allowed for d in decisions)
        if allowed and route.path in STREAMS:
            continue
        answer = api.client.request(method, url, headers=api.headers(username), **body)
        if not allowed:
            assert answer.status_code == 403, f"{username} ({actor.role}) got {answer.status_code}"
        elif all(d.scopes is None for d in decisions) and not rule.further:
            assert answer.status_code != 403, f"{username} ({actor.role}) refused: {answer.text}"


# ---- markings ----------------------------------------------------------------------------

# Of a record the host owns, what each reader may see (the default mechanism policy): the host
# everything; the partner up to TLP:AMBER; a company up to TLP:GREEN; either, anything released
# to its party by name.
PARTNER_CEILING = ("clear", "green", "amber")
COMPANY_CEILING = ("clear", "green")
MARKINGS = [
    ("clear", []),
    ("green", []),
    ("amber", []),
    ("amber+strict", []),
    ("red", []),
    ("red", ["partner"]),
]


def agreed_visible(actor: Actor, tlp: str, release_to: list[str]) -> bool:
    if actor.party == "host":
        return True
    if actor.party in release_to:
        return True
    ceiling = COMPANY_CEILING if actor.role == "company_security_manager" else PARTNER_CEILING
    return tlp in ceiling


# The shareable kinds the demo holds, by the address of one record, and a record to use.
MARKED = {
    "incidents": (Incident, lambda: Incident.state == "verified"),
    "journeys": (Journey, lambda: Journey.status == "approved"),
    "units": (Unit, lambda: True),
    "sites": (Site, lambda: True),
    "agreements": (Agreement, lambda: True),
    "working-groups": (WorkingGroup, lambda: True),
    "meetings": (Meeting, lambda: True),
    "assessments": (SiteAssessment, lambda: True),
    "osint/proposals": (NewsEvent, lambda: True),
}


def _an_alert(session) -> None:
    draft = alerts.AlertDraft(
        kind="sos",
        severity="extreme",
        key=f"test:{uuid.uuid4()}",
        group_key="test",
        subject_type="journey",
        subject_id="test",
        subject_label="A convoy's SOS",
        raised_at=core_db.utcnow(),
    )
    alerts.raise_alert(session, draft, core_db.utcnow())


def _a_roll_call(session) -> None:
    incident = session.scalar(select(Incident.id).where(Incident.state == "verified").limit(1))
    rollcall.open_roll_call(session, Actor.system("tests"), incident)


# The kinds the demo holds none of until its journeys run: one is made first.
MARKED |= {"alerts": (Alert, lambda: True), "rollcalls": (RollCall, lambda: True)}
MAKERS = {"alerts": _an_alert, "rollcalls": _a_roll_call}


@pytest.mark.parametrize("kind", sorted(MARKED))
def test_no_reader_sees_what_its_marking_withholds(api, node, kind):
    model, chosen = MARKED[kind]
    if kind in MAKERS:
        with core_db.new_session(Actor.system("tests"), write=True) as session:
            MAKERS[kind](session)
            session.commit()
    with core_db.new_session(None) as session:
        # Not the company's own (it sees its own records whatever their marking).
        company = actors(node.database_url)["company.security"]
        own_column = getattr(model, getattr(model, "__scope_columns__", {}).get("own", ""), None)
        others = (
            [] if own_column is None else [own_column.is_(None) | (own_column != company.organisation_id)]
        )
        stmt = select(model.id).where(model.owner_party == "host", chosen(), *others).limit(1)
        record_id = session.scalar(stmt)
        policy = active_policy(session)
    assert record_id is not None, f"the demo holds no {kind} to mark"
    read_action = f"{model.__policy_name__}.read"
    for tlp, release_to in MARKINGS:
        with core_db.new_session(Actor.system("tests"), write=True) as session:
            session.execute(update(model).where(model.id == record_id).values(tlp=tlp, release_to=release_to))
            session.commit()
        for username, actor in actors(node.database_url).items():
            answer = api.get(f"/api/v1/{kind}/{record_id}", username)
            decision = decide(actor, read_action, policy)
            seen = f"{username} reading {kind} marked {tlp} {release_to}: {answer.status_code}"
            if not decision.allowed:
                assert answer.status_code == 403, seen
            elif not agreed_visible(actor, tlp, release_to):
                assert answer.status_code == 404, seen
            elif decision.scopes is None:
                assert answer.status_code == 200, seen
