"""Page plumbing shared by every domain's `pages.py`: templates, the signed-in user, CSRF, errors.

Pages authenticate with a session cookie holding the same signed token the API issues;
every form post carries a CSRF token that must match the one in its own cookie (double
submit), and the cookies are HttpOnly and SameSite=Lax. Pages call the same service
functions as the API, so the policy decides what they show; a refusal renders a 403
page, a withheld object a 404 page.
"""

import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.auth import actor_for, user_for_bearer
from jsms.core.config import get_settings
from jsms.core.db import ACTOR_KEY
from jsms.core.errors import DomainError, Unauthenticated
from jsms.core.http import UnitOfWorkRoute, _request_session
from jsms.core.i18n import LANGUAGES, N_, Translator, language_or_default
from jsms.core.policy import ROLE_LABELS, allows

SESSION_COOKIE = "jsms_session"
CSRF_COOKIE = "jsms_csrf"
LANGUAGE_COOKIE = "jsms_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

_template_packages: list[str] = ["jsms.core"]


def add_template_package(package: str) -> None:
    """Let a domain's `templates/` folder serve pages (called by the app factory)."""
    if package not in _template_packages:
        _template_packages.append(package)
        environment.cache_clear()


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates of every registered package (rebuilt when a package is added)."""
    loaders = [PackageLoader(p, "templates") for p in _template_packages]
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class LoginRequired(Exception):
    """The page needs a signed-in user; the handler redirects to the sign-in page."""


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # an N_()-marked message id
    permission: str | None = None
    order: int = 50


_navigation: list[NavItem] = []


def add_navigation(items: Iterable[NavItem]) -> None:
    for item in items:
        if item not in _navigation:
            _navigation.append(item)
    _navigation.sort(key=lambda item: item.order)


def language_of(request: Request, actor: Actor | None = None) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return language_or_default(actor.language if actor else None)


def page_actor(request: Request) -> Actor:
    """The signed-in user of a page request (the session cookie), or a redirect to sign in."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired
    session = _request_session(request)
    try:
        actor = actor_for(user_for_bearer(session, token))
    except Unauthenticated:
        raise LoginRequired from None
    session.info[ACTOR_KEY] = actor
    request.state.actor = actor
    return actor


def csrf_token(request: Request) -> str:
    """The token forms must send back; created once per browser and kept in its cookie."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing page request whose CSRF token does not match its cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not sent or not hmac.compare_digest(expected, str(sent)):
        raise CsrfRejected


class CsrfRejected(Exception):
    """A form post without the right CSRF token."""


PageActor = Annotated[Actor, Depends(page_actor)]


def translator_for(request: Request, actor: Actor | None) -> Translator:
    timezone = actor.timezone if actor else get_settings().default_timezone
    return Translator(language_of(request, actor), timezone)


def navigation_for(session: Session, actor: Actor) -> list[NavItem]:
    return [
        item for item in _navigation if item.permission is None or allows(session, actor, item.permission)
    ]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page in the user's language, with the shell's navigation and the CSRF token."""
    t = translator_for(request, actor)
    session = getattr(request.state, "session", None)
    values = {
        "request": request,
        "actor": actor,
        "t": t,
        "_": t.gettext,
        "ngettext": t.ngettext,
        "languages": LANGUAGES,
        "csrf_token": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "nav": navigation_for(session, actor) if actor and session is not None else [],
        "settings": get_settings(),
        "role_labels": ROLE_LABELS,
        "htmx": request.headers.get("hx-request") == "true",
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    _remember_csrf(request, response)
    return response


def secure_cookies(request: Request) -> bool:
    """Send cookies over HTTPS only: as configured, else whenever the request came over HTTPS."""
    configured = get_settings().secure_cookies
    return request.url.scheme == "https" if configured is None else configured


def _remember_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new is not None:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="lax", secure=secure_cookies(request))


def redirect(url: str, request: Request) -> Response:
    """Go to another page: a plain redirect, or HX-Redirect for an HTMX request."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


ERROR_TITLES = {
    401: N_("Sign in"),
    403: N_("Not permitted"),
    404: N_("Not found"),
    409: N_("Conflict"),
    412: N_("Changed meanwhile"),
    422: N_("Invalid input"),
}
ERROR_EXPLANATIONS = {
    403: N_("The mechanism policy does not allow you to see or do this."),
    404: N_("There is no such record, or it has not been released to you."),
    409: N_("The change conflicts with a stored record."),
    412: N_("Someone changed this record after you opened it; reload it and try again."),
    422: N_("The input is not valid; nothing was stored."),
}


class PageRoute(UnitOfWorkRoute):
    """A page route: CSRF checked on posts, errors rendered as pages in the user's language."""

    actor_source = staticmethod(page_actor)

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                await check_csrf(request)
                return await handler(request)
            except LoginRequired:
                target = quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
                return redirect(f"/login?next={target}", request)
            except CsrfRejected:
                return error_page(
                    request, 403, "", N_("The form has expired; reload the page and try again.")
                )
            except DomainError as error:
                return error_page(request, error.status, error.detail)
            except ValidationError as error:  # a form's values that its input model refuses
                return error_page(request, 422, _validation_detail(error, translator_for(request, None)))

        return page_handler


def _validation_detail(error: ValidationError, t: Translator) -> str:
    from jsms.core.forms import field_messages  # forms builds on this module

    by_field, general = field_messages(error, t)
    return "; ".join([*(f"{name}: {message}" for name, message in by_field.items()), *general])


def error_page(request: Request, status: int, detail: str, explanation: str | None = None) -> HTMLResponse:
    """An error in the user's language. 403 and 404 say what happened without revealing more; for
    bad input the technical detail (field names, in English) is shown under the explanation."""
    actor = getattr(request.state, "actor", None)
    context = {
        "status": status,
        "title": ERROR_TITLES.get(status, N_("Error")),
        "explanation": explanation
        or ERROR_EXPLANATIONS.get(status, N_("The request could not be carried out.")),
        "detail": detail if status in (409, 412, 422) else "",
    }
    return render(request, "error.html", context, actor=actor, status_code=status)
