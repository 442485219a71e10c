"""HTTP plumbing shared by every router: the unit of work per request, authentication, problem+json.

The request's session is opened by the dependencies below and committed by
`UnitOfWorkRoute` once the endpoint has returned, before the response is sent:
a client never sees a success for a change that did not commit.
"""

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from jsms.core.actor import Actor
from jsms.core.auth import actor_for, authenticate, user_for_bearer
from jsms.core.db import ACTOR_KEY, new_session
from jsms.core.errors import DomainError, PreconditionFailed, TooManyRequests, Unauthenticated
from jsms.core.models import User
from jsms.core.policy import require
from jsms.core.throttle import login_throttle

log = logging.getLogger("jsms.http")
PROBLEM_JSON = "application/problem+json"
TOKEN_URL = "/api/v1/auth/token"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def _request_session(request: Request) -> Session:
    session = getattr(request.state, "session", None)
    if session is None:
        # The actor is set once the caller is known. Every request may write, reads included (a
        # read of personal data appends to the audit chain), so on SQLite each takes the write
        # lock when it begins: a transaction that read first and writes later would fail outright
        # if another writer (the event dispatcher, say) committed in between. PostgreSQL ignores it.
        session = new_session(actor=None, write=True)
        request.state.session = session
    return session


def db(request: Request) -> Session:
    return _request_session(request)


def current_actor(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Actor:
    if not token:
        raise Unauthenticated("Sign in: send 'Authorization: Bearer <token>'")
    session = _request_session(request)
    actor = actor_for(user_for_bearer(session, token))
    session.info[ACTOR_KEY] = actor
    return actor


def authorised_actor(token: str | None, action: str) -> Actor:
    """The user behind a bearer token, if allowed to do `action`, read in a short session of its own:
    for endpoints that must not hold the request's session while they wait (streams, the intake)."""
    if not token:
        raise Unauthenticated("Sign in: send 'Authorization: Bearer <token>'")
    with new_session(None) as session:
        actor = actor_for(user_for_bearer(session, token))
        require(session, actor, action)
        return actor


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def admit_sign_in(request: Request) -> None:
    """Count a sign-in attempt from the request's address; refuse beyond the sign-in rate."""
    wait = login_throttle().admit(client_address(request))
    if wait is not None:
        raise TooManyRequests(
            f"Too many sign-in attempts from this address; try again in {wait} s", retry_after=wait
        )


def sign_in(session: Session, username: str, password: str) -> User:
    """The user behind a username and password; a failure is committed (it counts towards the
    account's lock-out) before it is raised, so `session` must be one that may write."""
    try:
        return authenticate(session, username, password)
    except Unauthenticated:
        session.commit()
        raise


SessionDep = Annotated[Session, Depends(db)]
ActorDep = Annotated[Actor, Depends(current_actor)]


# ---- who may call an endpoint ------------------------------------------------------------

RULE_ATTRIBUTE = "jsms_access_rule"


@dataclass(frozen=True)
class AccessRule:
    """Who may call an endpoint, declared beside it and checked before its input is read: a caller
    whose role holds none of the grant gets 403, not a validation error. The service still checks
    each object (scope, marking); the permission test reads these rules from the route table."""

    actions: tuple[str, ...] = ()  # each granted to the caller's role, at some scope
    signed_in: bool = True
    # The endpoint authenticates on its own, in a short session (streams, the ping intake, TAXII).
    checked_by_endpoint: bool = False
    why_public: str = ""
    # A condition beyond the grants that the endpoint checks (which party's node may send it).
    further: str = ""

    def describe(self) -> str:
        if not self.signed_in:
            return f"public: {self.why_public}"
        needed = " and ".join(self.actions) or "any signed-in user"
        return f"{needed}; {self.further}" if self.further else needed


def _ruled(rule: AccessRule):
    def mark(endpoint):
        setattr(endpoint, RULE_ATTRIBUTE, rule)
        return endpoint

    return mark


def permits(*actions: str, checked_by_endpoint: bool = False, further: str = ""):
    """Declare the grants an endpoint needs (all of them), e.g. `@permits("incident.verify")`."""
    return _ruled(AccessRule(tuple(actions), checked_by_endpoint=checked_by_endpoint, further=further))


def signed_in(endpoint):
    """Any signed-in user may call it; the service decides (one's own tokens, say)."""
    return _ruled(AccessRule())(endpoint)


def public(why: str):
    """No sign-in: the endpoint is open (health) or authenticates otherwise (a keyed feed)."""
    return _ruled(AccessRule(signed_in=False, why_public=why))


def _enforcer(rule: AccessRule, actor_source):
    def enforce(request: Request, actor: Annotated[Actor, Depends(actor_source)]) -> None:
        session = _request_session(request)
        for action in rule.actions:
            require(session, actor, action)

    return enforce


def access_rule(route: APIRoute) -> AccessRule | None:
    return getattr(route.endpoint, RULE_ATTRIBUTE, None)


class ProblemField(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, and for bad input where."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField] | None = None


PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


def _problem_doc(description: str) -> dict[str, Any]:
    # A schema reference, not a model: a model per answer and route would be built again for every
    # application instance, hundreds of times (the Problem schema is added to the document once).
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}


# The answers any endpoint may give besides its own, documented once for all of them.
PROBLEMS = {
    400: _problem_doc("The request cannot be read"),
    401: _problem_doc("Not signed in, or the credentials are not valid"),
    403: _problem_doc("The policy does not permit it"),
    404: _problem_doc("No such record, or none the caller may see"),
    409: _problem_doc("It conflicts with the record's state or another record"),
    412: _problem_doc("The record changed since the caller read it (If-Match)"),
    422: _problem_doc("The input is not valid; `errors` says where"),
    429: _problem_doc("Too many requests; Retry-After says when to try again"),
}


class RuledRoute(APIRoute):
    """A route that enforces its endpoint's access rule and shows it in the OpenAPI document,
    with the problem answers every endpoint may give."""

    # Who the caller is: the bearer token here, the session cookie on pages.
    actor_source = staticmethod(current_actor)

    def __init__(self, path: str, endpoint, **kwargs):
        rule = getattr(endpoint, RULE_ATTRIBUTE, None)
        kwargs["responses"] = {**PROBLEMS, **(kwargs.get("responses") or {})}
        if rule is not None:
            if rule.signed_in and not rule.checked_by_endpoint:
                enforce = Depends(_enforcer(rule, self.actor_source))
                kwargs["dependencies"] = [enforce, *(kwargs.get("dependencies") or [])]
            kwargs["openapi_extra"] = {
                **(kwargs.get("openapi_extra") or {}),
                "x-jsms-access": rule.describe(),
            }
        super().__init__(path, endpoint, **kwargs)


class UnitOfWorkRoute(RuledRoute):
    """Commit the request's session after the endpoint succeeded; roll back when it raised."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def unit_of_work_handler(request: Request):
            try:
                response = await handler(request)
                session = getattr(request.state, "session", None)
                if session is not None:
                    await run_in_threadpool(session.commit)
                return response
            except BaseException:
                session = getattr(request.state, "session", None)
                if session is not None:
                    await run_in_threadpool(session.rollback)
                raise
            finally:
                session = getattr(request.state, "session", None)
                if session is not None:
                    request.state.session = None
                    await run_in_threadpool(session.close)

        return unit_of_work_handler


def check_if_match(request: Request, version: int) -> None:
    """Honour If-Match: refuse to change a record someone else changed since the caller read it."""
    expected = request.headers.get("if-match")
    if expected is not None and expected.strip() not in (etag(version), "*"):
        raise PreconditionFailed(f"The record has changed (it is now at version {version}); reload it")


def etag(version: int) -> str:
    return f'"{version}"'


def problem(
    status: int,
    title: str,
    detail: str,
    slug: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:jsms:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def _document_problems(app: FastAPI) -> None:
    """Add the Problem schema, which every endpoint's error answers refer to, to the document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem.pop("$defs", {}))
            schemas["Problem"] = problem
        return app.openapi_schema

    app.openapi = openapi


def install_problem_handlers(app: FastAPI) -> None:
    _document_problems(app)

    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, TooManyRequests):
            headers = exc.headers
        return problem(
            exc.status, exc.title, exc.detail, exc.slug, [e.as_dict() for e in exc.errors], headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        where = ", ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in errors[:5])
        return problem(422, "Invalid input", f"The request is not valid ({where})", "invalid", errors)

    @app.exception_handler(StaleDataError)
    async def stale(_request: Request, _exc: StaleDataError) -> JSONResponse:
        return problem(
            409,
            "Conflict",
            "Someone else changed this record at the same time; reload it",
            "conflict",
        )

    @app.exception_handler(IntegrityError)
    async def integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return problem(
            409,
            "Conflict",
            "The change conflicts with a stored record (a duplicate value or a missing referenced record)",
            "conflict",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(
            exc.status_code,
            str(exc.detail),
            str(exc.detail),
            "http-error",
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return problem(500, "Internal error", "The server failed; the change was not stored", "internal")
