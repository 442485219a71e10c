"""The shell's own pages: sign-in, sign-out, language, the dashboard and its map data."""

import json
import uuid
from functools import lru_cache
from importlib import resources
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from jsms.core import governance
from jsms.core.auth import AccountLocked, issue_access_token
from jsms.core.config import get_settings
from jsms.core.errors import DomainError, Invalid, TooManyRequests, Unauthenticated
from jsms.core.http import SessionDep, admit_sign_in, permits, public, sign_in, signed_in
from jsms.core.i18n import LANGUAGES, N_
from jsms.core.pages import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    NavItem,
    PageActor,
    PageRoute,
    add_navigation,
    language_of,
    redirect,
    render,
    secure_cookies,
)
from jsms.core.policy import (
    ACTION_LABELS,
    DECISION_LABELS,
    SCOPE_LABELS,
    PolicyDocument,
    allows,
    parse_rule,
)
from jsms.geo import gazetteer
from jsms.geo.provinces import PROVINCES

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation([NavItem("/", N_("Dashboard"), order=0)])
SESSION_HOURS = 12


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would help phishing."""
    if not target or urlparse(target).netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
@public("the sign-in form")
def login_form(request: Request, next: str | None = None):
    return render(request, "login.html", {"next": _safe_next(next), "failed": False})


@router.post("/login")
@public("signing in: the password is the credential (rate-limited, locks out)")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
):
    try:
        admit_sign_in(request)
        user = sign_in(session, username, password)
    except (Unauthenticated, TooManyRequests) as refusal:
        return _login_refused(request, refusal, username, next)
    token, lifetime = issue_access_token(user, minutes=SESSION_HOURS * 60)
    response = redirect(_safe_next(next), request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=lifetime,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )
    if LANGUAGE_COOKIE not in request.cookies:
        response.set_cookie(LANGUAGE_COOKIE, user.language, max_age=365 * 86400, samesite="lax")
    return response


def _login_refused(request: Request, refusal: DomainError, username: str, next: str):
    context = {"next": _safe_next(next), "username": username, "failed": True}
    headers = {}
    if isinstance(refusal, AccountLocked):
        context["locked_until"] = refusal.until
    elif isinstance(refusal, TooManyRequests):
        context["retry_seconds"], headers = refusal.retry_after, refusal.headers
    response = render(request, "login.html", context, status_code=refusal.status)
    response.headers.update(headers)
    return response


@router.post("/logout")
@public("signing out")
def logout(request: Request):
    response = redirect("/login", request)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/language")
@public("the language of the pages, kept in a cookie")
def choose_language(request: Request, language: Annotated[str, Form()], next: Annotated[str, Form()] = "/"):
    """Switch the page language; the browser remembers the choice for a year.

    The account's own language is only the default for a browser that has made no choice:
    changing the account would change its version and end the session's token.
    """
    chosen = language if language in LANGUAGES else language_of(request)
    response = redirect(_safe_next(next), request)
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/")
@signed_in
def dashboard(request: Request, session: SessionDep, actor: PageActor):
    layers = {"sites": allows(session, actor, "site.read"), "units": allows(session, actor, "unit.read")}
    return render(request, "dashboard.html", {"layers": layers, "provinces": PROVINCES}, actor=actor)


@lru_cache(maxsize=1)
def _basemap_json() -> bytes:
    """Pakistan's provinces, main roads and cities: the base layer drawn with no tile server."""
    data = resources.files("jsms.geo").joinpath("data")
    provinces = json.loads(data.joinpath("pk_provinces.geojson").read_text())
    roads = json.loads(data.joinpath("pk_main_roads.geojson").read_text())
    cities = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {"name": p.name, "population": p.population},
            }
            for p in gazetteer.places()
            if p.population >= 50_000
        ],
    }
    return json.dumps(
        {"provinces": provinces, "roads": roads, "cities": cities}, separators=(",", ":")
    ).encode()


@router.get("/map/basemap.json")
@signed_in
def basemap(_actor: PageActor):
    return Response(
        _basemap_json(), media_type="application/json", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get("/map/config.json")
@signed_in
def map_config(request: Request, actor: PageActor):
    settings = get_settings()
    return JSONResponse(
        {
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "language": language_of(request, actor),
        }
    )


# ---- the mechanism policy ----------------------------------------------------------------

add_navigation([NavItem("/policy", N_("Mechanism policy"), "policy.read", order=90)])
VERSION_STATUS_LABELS = {
    "proposed": N_("Awaiting approval"),
    "active": N_("In force"),
    "superseded": N_("Superseded"),
    "withdrawn": N_("Withdrawn"),
}


@router.get("/policy")
@permits("policy.read")
def policy_page(request: Request, session: SessionDep, actor: PageActor):
    """The policy in force, its history, proposals awaiting approval, and who approved what."""
    versions = governance.list_versions(session, actor)
    active = next((v for v in versions if v.status == "active"), None)
    document = PolicyDocument.model_validate(active.document) if active else PolicyDocument()
    grants = [(action, [parse_rule(rule) for rule in rules]) for action, rules in document.grants.items()]
    return render(
        request,
        "policy.html",
        {
            "active": active,
            "versions": versions,
            "document": document,
            "grants": grants,
            "action_labels": ACTION_LABELS,
            "scope_labels": SCOPE_LABELS,
            "decision_labels": DECISION_LABELS,
            "can_propose": allows(session, actor, "policy.propose"),
            "can_approve": allows(session, actor, "policy.approve"),
            "status_labels": VERSION_STATUS_LABELS,
            "draft": json.dumps(document.model_dump(mode="json"), indent=2, ensure_ascii=False),
        },
        actor=actor,
    )


@router.post("/policy/proposals")
@permits("policy.propose")
def propose_policy(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    summary: Annotated[str, Form(max_length=2000)],
    document: Annotated[str, Form()],
):
    try:
        proposal = PolicyDocument.model_validate_json(document)
    except ValidationError as error:
        raise Invalid(f"The policy document is not valid: {error.errors()[0]['msg']}") from None
    if not summary.strip():
        raise Invalid("A proposal needs a summary")
    governance.propose(session, actor, proposal, summary.strip())
    return redirect("/policy", request)


@router.post("/policy/{version_id}/approve")
@permits("policy.approve")
def approve_policy(version_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    governance.approve(session, actor, version_id)
    return redirect("/policy", request)
