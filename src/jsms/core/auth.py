"""Users, passwords (Argon2), access tokens (JWT) and long-lived API tokens."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.audit import record_event
from jsms.core.config import get_settings
from jsms.core.db import acting_as, utcnow
from jsms.core.errors import Unauthenticated
from jsms.core.models import ApiToken, SignInFailures, User

API_TOKEN_PREFIX = "jsms_"
JWT_ALGORITHM = "HS256"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User) -> Actor:
    return Actor(
        username=user.username,
        role=user.role,
        party=user.organisation.party.code,
        user_id=user.id,
        display_name=user.display_name,
        organisation_id=user.organisation_id,
        org_path=user.organisation.path,
        language=user.language,
        timezone=user.timezone,
    )


@dataclass
class AccountLocked(Unauthenticated):
    """A right or wrong password for an account locked after repeated failures."""

    until: datetime | None = None


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this name and password. A wrong password counts towards the account's
    lock-out; the caller commits even when this raises, so that the failure is kept."""
    user = session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash when the user is unknown, so timing does not reveal it.
    stored = user.password_hash if user else _DUMMY_HASH
    matches = password_matches(stored, password)
    if user is None or not user.active:
        raise Unauthenticated("Incorrect username or password")
    failures = session.get(SignInFailures, user.id)
    now = utcnow()
    if failures is not None and failures.locked_until is not None and failures.locked_until > now:
        raise AccountLocked(
            f"The account is locked after {failures.count} failed sign-ins until "
            f"{failures.locked_until:%H:%M} UTC; an administrator can unlock it sooner",
            until=failures.locked_until,
        )
    if not matches:
        _count_failure(session, user, failures, now)
        raise Unauthenticated("Incorrect username or password")
    if failures is not None:
        session.delete(failures)
    return user


def _count_failure(session: Session, user: User, failures: SignInFailures | None, now) -> None:
    settings = get_settings()
    if failures is None:
        failures = SignInFailures(user_id=user.id, count=0)
        session.add(failures)
    failures.count += 1
    failures.last_at = now
    if failures.count >= settings.login_lockout_failures:
        failures.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        # Nobody is signed in here: the lock is recorded in the audit chain by the system.
        with acting_as(session, Actor.system("sign-in")):
            record_event(
                session,
                "user.locked",
                "user",
                user.id,
                {"failures": failures.count, "until": failures.locked_until},
            )
    session.flush()


def unlock(session: Session, user: User) -> bool:
    """Clear the account's failed sign-ins (an administrator's act); False if it had none."""
    failures = session.get(SignInFailures, user.id)
    if failures is None:
        return False
    session.delete(failures)
    record_event(session, "user.unlock", "user", user.id, {"failures": failures.count})
    return True


_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


def issue_access_token(user: User, minutes: int | None = None) -> tuple[str, int]:
    """A signed, short-lived bearer token for an interactive user; returns it and its lifetime."""
    settings = get_settings()
    lifetime = 60 * (minutes or settings.access_token_minutes)
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "name": user.username,
        "iat": now,
        "exp": now + timedelta(seconds=lifetime),
        "ver": user.version,
    }
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=JWT_ALGORITHM)
    return token, lifetime


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    session: Session, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a long-lived token; the secret is returned once and only its hash is kept."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[:12],
        token_hash=_token_digest(secret),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def user_for_bearer(session: Session, token: str) -> User:
    """Resolve a bearer token (access token or API token) to an active user."""
    if token.startswith(API_TOKEN_PREFIX):
        api_token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
        now = utcnow()
        if (
            api_token is None
            or api_token.revoked_at is not None
            or (api_token.expires_at is not None and api_token.expires_at <= now)
        ):
            raise Unauthenticated("The API token is unknown, revoked or expired")
        user = api_token.user
    else:
        try:
            claims = jwt.decode(
                token,
                get_settings().secret_key.get_secret_value(),
                algorithms=[JWT_ALGORITHM],
                options={"require": ["exp", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"The access token is not valid: {error}") from error
        user = session.get(User, uuid.UUID(claims["sub"]))
        # A token issued before a password or role change (version bump) no longer counts.
        if user is not None and claims.get("ver") != user.version:
            raise Unauthenticated("The access token was issued before the account changed")
    if user is None or not user.active:
        raise Unauthenticated("The account is unknown or disabled")
    return user
