"""User accounts and their API tokens."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.auth import create_api_token, hash_password, unlock
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, Forbidden, NotFound, invalid_field
from jsms.core.i18n import N_
from jsms.core.models import ApiToken, User
from jsms.core.parties import check_role_fits, get_organisation
from jsms.core.policy import DEVICE_ROLES, ROLES, require

LANGUAGES = ("en", "zh", "ur")
TIMEZONES = ("Asia/Karachi", "Asia/Shanghai", "UTC")
MIN_PASSWORD_LENGTH = 8


def check_password_strength(password: str, *, allow_short: bool = False) -> None:
    if not allow_short and len(password) < MIN_PASSWORD_LENGTH:
        raise invalid_field(
            "password", N_("must be at least %(count)d characters long"), count=MIN_PASSWORD_LENGTH
        )


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: str,
    organisation_id: uuid.UUID,
    password: str | None,
    language: str = "en",
    timezone: str = "Asia/Karachi",
    allow_short_password: bool = False,
) -> User:
    require(session, actor, "user.write")
    if role not in ROLES or role in DEVICE_ROLES:
        roles = ", ".join(r for r in ROLES if r not in DEVICE_ROLES)
        raise invalid_field("role", f"unknown role {role!r}; expected one of {roles}")
    if language not in LANGUAGES:
        raise invalid_field("language", f"expected one of {', '.join(LANGUAGES)}")
    if timezone not in TIMEZONES:
        raise invalid_field("timezone", f"expected one of {', '.join(TIMEZONES)}")
    if session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"A user named {username!r} already exists")
    org = get_organisation(session, organisation_id)
    check_role_fits(role, ROLES[role], org)
    if password is not None:
        check_password_strength(password, allow_short=allow_short_password)
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        organisation=org,
        password_hash=hash_password(password) if password else None,
        language=language,
        timezone=timezone,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, actor: Actor, user_id: uuid.UUID) -> User:
    if actor.user_id != user_id:
        require(session, actor, "user.read")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}")
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user named {username!r}")
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    require(session, actor, "user.read")
    return list(session.scalars(select(User).order_by(User.username)))


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    if actor.user_id != user.id:
        require(session, actor, "user.write")
    check_password_strength(password)
    user.password_hash = hash_password(password)
    session.flush()


def unlock_user(session: Session, actor: Actor, user: User) -> bool:
    """Lift a lock-out after failed sign-ins; False if the account had none to lift."""
    require(session, actor, "user.write")
    return unlock(session, user)


def issue_api_token(
    session: Session, actor: Actor, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a long-lived token for a device or integration acting as `user`."""
    if actor.user_id != user.id:
        require(session, actor, "token.create")
    if not name.strip():
        raise invalid_field("name", N_("must not be empty"))
    return create_api_token(session, user, name.strip(), expires_at)


def revoke_api_token(session: Session, actor: Actor, token_id: uuid.UUID) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No API token with id {token_id}")
    if token.user_id != actor.user_id:
        try:
            require(session, actor, "token.create")
        except Forbidden:
            raise NotFound(f"No API token with id {token_id}") from None
    token.revoked_at = utcnow()
    session.flush()
    return token
