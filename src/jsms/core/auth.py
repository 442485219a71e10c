"""Users, passwords (Argon2), access tokens (JWT) and long-lived API tokens."""

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.db import utcnow
from jsms.core.errors import Unauthenticated
from jsms.core.models import ApiToken, User

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


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash when the user is unknown, so timing does not reveal it.
    stored = user.password_hash if user else _DUMMY_HASH
    if not password_matches(stored, password) or user is None or not user.active:
        raise Unauthenticated("Incorrect username or password")
    return user


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
