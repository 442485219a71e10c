"""GET /api/v1/live: server-sent events for the pages — convoys moving, alerts raised and handled.

Each watcher sees only what the policy lets it: positions of journeys it may see (the set is
read again every few seconds), and an alert only if the policy's read rule lets it read the
alert — decided in memory from the alert's marking (the twin of the API's SQL rule, tested to
agree with it), or by the database where only it can tell — so a withheld alert never reaches a
partner's screen.
"""

import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from jsms.alerts import service as alerts
from jsms.alerts.models import Alert
from jsms.core.actor import Actor
from jsms.core.db import new_session
from jsms.core.errors import NotFound
from jsms.core.http import RuledRoute, authorised_actor, permits
from jsms.core.i18n import Translator
from jsms.core.live import broker
from jsms.core.pages import SESSION_COOKIE
from jsms.core.policy import Reader, allows, read_in_memory, reader_for
from jsms.movements import service as movements

router = APIRouter(route_class=RuledRoute)
VISIBLE_FOR_S = 5.0


def _visible_journeys(actor: Actor, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    with new_session(actor) as session:
        if not allows(session, actor, "track.read"):
            return set()
        return movements.visible_ids(session, actor, ids, ("approved", "under_way", "completed"))


def _alert_view(message: dict[str, Any], translator: Translator) -> dict[str, Any]:
    """An alert as a watcher's page shows it, worded in the watcher's language."""
    return {
        "id": message["id"],
        "kind": message["kind"],
        "severity": message["severity"],
        "status": message["status"],
        "tier": message["tier"],
        "label": translator.gettext(alerts.KIND_LABELS.get(message["kind"], message["kind"])),
        "message": alerts.render_message(message["kind"], message["message"], message["params"], translator),
        "subject": message["subject"],
        "journey_id": message["journey_id"],
        "lat": message["lat"],
        "lon": message["lon"],
        "raised_at": message["raised_at"],
        "acknowledged_by": message["acknowledged_by"],
    }


def _stored_alert(actor: Actor, message: dict[str, Any]) -> dict[str, Any] | None:
    """The alert as stored, if the actor may read it (the database decides)."""
    with new_session(actor) as session:
        try:
            alert = alerts.get_alert(session, actor, uuid.UUID(message["id"]), with_events=False)
        except NotFound:
            return None
        return alerts.live_message(alert, message["change"])


def _reader(actor: Actor) -> Reader:
    with new_session(actor) as session:
        return reader_for(session, actor)


class _AlertFilter:
    """Whether a watcher may see an alert, decided in memory from the alert's marking with the
    policy read every few seconds; when only the database can tell, the database decides."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.translator = Translator(actor.language, actor.timezone)
        self.reader: Reader | None = None
        self.read_at = 0.0

    async def view(self, message: dict[str, Any]) -> dict[str, Any] | None:
        if self.reader is None or time.monotonic() - self.read_at > VISIBLE_FOR_S:
            self.reader = await run_in_threadpool(_reader, self.actor)
            self.read_at = time.monotonic()
        allowed = read_in_memory(self.reader, Alert, message)
        if allowed is None:
            message = await run_in_threadpool(_stored_alert, self.actor, message)
            allowed = message is not None
        return _alert_view(message, self.translator) if allowed else None


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
@permits("alert.read", checked_by_endpoint=True)
async def live(actor: Annotated[Actor, Depends(live_actor)]) -> AsyncIterator[ServerSentEvent]:
    """Events: `positions` (the latest fix of each moving device), `alert` (raised, repeated,
    acknowledged, escalated, cleared, resolved) and `resync` (events were missed: read again)."""
    subscription = broker.subscribe()
    journeys, alert_filter = _JourneyFilter(actor), _AlertFilter(actor)
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
                alert = await alert_filter.view(message)
                if alert is not None:
                    yield ServerSentEvent(event="alert", data={**alert, "change": message["change"]})
    finally:
        broker.unsubscribe(subscription)
