"""Each user's meeting calendar as a feed address: calendar programs subscribe to a URL and send
no bearer token, so the address carries a key made from the node's secret and the username. A new
secret key invalidates every feed address; a deactivated user's feed answers 404."""

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.auth import actor_for
from jsms.core.crypto import purpose_digest
from jsms.core.models import User

PURPOSE = b"calendar-feed"


def feed_key(username: str) -> str:
    return purpose_digest(PURPOSE, username)[:32]


def feed_path(username: str) -> str:
    return f"/api/v1/calendar/{username}/{feed_key(username)}.ics"


def actor_for_feed(session: Session, username: str, key: str) -> Actor | None:
    if not hmac.compare_digest(key.encode(), feed_key(username).encode()):
        return None
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    return actor_for(user) if user is not None else None
