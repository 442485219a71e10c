"""GET /api/v1/live: server-sent events for the pages — convoys moving, alerts raised and handled.

Each watcher sees only what the policy lets it: positions of journeys it may see (the set is
read again every few seconds), and an alert only after it has been read through the same
policy check as the API's (so a withheld alert never reaches a partner's screen).
"""

import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from jsms.alerts import service as alerts
from jsms.core.actor import Actor
from jsms.core.db import new_session
from jsms.core.errors import NotFound
from jsms.core.http import authorised_actor
from jsms.core.i18n import Translator
from jsms.core.live import broker
from jsms.core.pages import SESSION_COOKIE
from jsms.core.policy import allows
from jsms.movements import service as movements

router = APIRouter()
VISIBLE_FOR_S = 5.0


def _visible_journeys(actor: Actor, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    with new_session(actor) as session:
        if not allows(session, actor, "track.read"):
            return set()
        return movements.visible_ids(session, actor, ids, ("approved", "under_way", "completed"))


def _alert_for(actor: Actor, alert_id: str) -> dict[str, Any] | None:
    with new_session(actor) as session:
        try:
            alert = alerts.get_alert(session, actor, uuid.UUID(alert_id), with_events=False)
        except NotFound:
            return None
        translator = Translator(actor.language, actor.timezone)
        return {
            "id": str(alert.id),
            "kind": alert.kind,
            "severity": alert.severity,
            "status": alert.status,
            "tier": alert.tier,
            "label": translator.gettext(alerts.KIND_LABELS.get(alert.kind, alert.kind)),
            "message": alerts.render(alert, translator),
            "subject": alert.subject_label,
            "journey_id": str(alert.journey_id) if alert.journey_id else None,
            "lat": alert.lat,
            "lon": alert.lon,
            "raised_at": alert.raised_at.isoformat(),
            "acknowledged_by": alert.acknowledged_by,
        }


class _JourneyFilter:
    """The journeys a watcher may see, learnt as they appear and read again every few seconds."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.allowed: set[uuid.UUID] = set()
        self.asked: set[uuid.UUID] = set()
        self.read_at = 0.0

    async def keep(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = {uuid.UUID(item["journey_id"]) for item in items}
        if ids - self.asked or time.monotonic() - self.read_at > VISIBLE_FOR_S:
            self.asked |= ids
            self.allowed = await run_in_threadpool(_visible_journeys, self.actor, self.asked)
            self.read_at = time.monotonic()
        return [item for item in items if uuid.UUID(item["journey_id"]) in self.allowed]


async def live_actor(request: Request, authorization: str | None = Header(None)) -> Actor:
    """The watcher: a bearer token (API clients) or the session cookie (pages)."""
    token = (authorization or "").removeprefix("Bearer ").strip() or request.cookies.get(SESSION_COOKIE)
    return await run_in_threadpool(authorised_actor, token, "alert.read")


@router.get("/api/v1/live", response_class=EventSourceResponse, tags=["live"])
async def live(actor: Annotated[Actor, Depends(live_actor)]) -> AsyncIterator[ServerSentEvent]:
    """Events: `positions` (the latest fix of each moving device), `alert` (raised, repeated,
    acknowledged, escalated, cleared, resolved) and `resync` (events were missed: read again)."""
    subscription = broker.subscribe()
    journeys = _JourneyFilter(actor)
    try:
        yield ServerSentEvent(event="hello", data={"user": actor.username})
        while True:
            message = await subscription.queue.get()
            if subscription.missed:
                subscription.missed = False
                yield ServerSentEvent(event="resync", data={})
            if message["type"] == "positions":
                items = await journeys.keep(message["items"])
                if items:
                    yield ServerSentEvent(event="positions", data=items)
            elif message["type"] == "alert":
                alert = await run_in_threadpool(_alert_for, actor, message["id"])
                if alert is not None:
                    yield ServerSentEvent(event="alert", data={**alert, "change": message["change"]})
    finally:
        broker.unsubscribe(subscription)
