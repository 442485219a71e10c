"""What the exchange pages show: the other node's connection health, what left and what came in,
and for one incident whether it is released, why not, and when it left.

Titles are read through the caller's own read filter, so the exchange pages show no more of a record
than its own page would."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.db import utcnow
from jsms.core.i18n import N_
from jsms.core.models import ReleaseRecord
from jsms.core.policy import active_policy, get_visible, release_filter, require, visible
from jsms.incidents.models import Incident
from jsms.sharing import service, stix
from jsms.sharing.models import PeerHead, ReceivedObject, SyncState

STALE_AFTER = timedelta(hours=1)  # no successful exchange for this long: the link needs a look
HEALTH_LABELS = {
    "ok": N_("Connected"),
    "stale": N_("No exchange for over an hour"),
    "failing": N_("Failing"),
    "never": N_("Never reached"),
}
CHANNEL_LABELS = {
    "export": N_("File export"),
    "taxii": N_("Read over TAXII"),
    "push": N_("Pushed over TAXII"),
    "email": N_("E-mail"),
    "webhook": N_("Webhook"),
    "report": N_("Report"),
}


def other_party() -> str:
    return "partner" if get_settings().node_party == "host" else "host"


@dataclass
class PeerHealth:
    """The link to one other node, as the last syncs left it."""

    peer: str
    health: str  # a key of HEALTH_LABELS
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    pulled_through: datetime | None
    pushed_through: datetime | None


def _last_exchange(state: SyncState) -> datetime | None:
    return max((t for t in (state.last_success_at, state.last_push_at) if t), default=None)


def _health(state: SyncState, now: datetime) -> str:
    if state.last_error:
        return "failing"
    done = _last_exchange(state)
    if done is None:
        return "never"
    return "ok" if now - done < STALE_AFTER else "stale"


def peers(session: Session, actor: Actor) -> list[PeerHealth]:
    require(session, actor, "sharing.read")
    now = utcnow()
    return [
        PeerHealth(
            peer=state.peer,
            health=_health(state, now),
            last_success_at=_last_exchange(state),
            last_attempt_at=state.last_attempt_at,
            last_error=state.last_error,
            pulled_through=state.cursor,
            pushed_through=state.pushed_through,
        )
        for state in session.scalars(select(SyncState).order_by(SyncState.peer))
    ]


def peer_heads(session: Session, actor: Actor) -> list[PeerHead]:
    """The newest signed audit head kept of each other node."""
    require(session, actor, "sharing.read")
    newest = select(func.max(PeerHead.id)).group_by(PeerHead.node_id)
    return list(session.scalars(select(PeerHead).where(PeerHead.id.in_(newest)).order_by(PeerHead.node_id)))


def _titles(session: Session, actor: Actor, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The titles of those incidents the caller may read."""
    if not ids:
        return {}
    stmt = visible(select(Incident.id, Incident.title).where(Incident.id.in_(ids)), session, actor, Incident)
    return {key: value for key, value in session.execute(stmt)}


@dataclass
class Line:
    """One row of the outgoing or incoming list: the record (its title when the caller may read
    it) and what happened to it."""

    at: datetime
    object_id: uuid.UUID | None
    title: str | None
    stix_id: str
    version: datetime
    details: dict[str, Any] = field(default_factory=dict)


def outgoing(session: Session, actor: Actor, limit: int = 50) -> list[Line]:
    """The release log, newest first."""
    require(session, actor, "sharing.read")
    records = list(session.scalars(select(ReleaseRecord).order_by(ReleaseRecord.id.desc()).limit(limit)))
    titles = _titles(session, actor, {r.object_id for r in records})
    return [
        Line(
            r.at,
            r.object_id,
            titles.get(r.object_id),
            r.stix_id,
            r.version,
            {"audience": r.audience, "channel": r.channel, "actor": r.actor, "tlp": r.tlp},
        )
        for r in records
    ]


def release_counts(session: Session, actor: Actor) -> dict[str, int]:
    """How many releases each way of leaving has logged."""
    require(session, actor, "sharing.read")
    stmt = select(ReleaseRecord.channel, func.count()).group_by(ReleaseRecord.channel)
    return {key: value for key, value in session.execute(stmt)}


def incoming(session: Session, actor: Actor, limit: int = 50) -> list[Line]:
    """What was taken in from the other node, newest first."""
    require(session, actor, "sharing.read")
    stmt = select(ReceivedObject).order_by(ReceivedObject.received_at.desc()).limit(limit)
    received = list(session.scalars(stmt))
    titles = _titles(session, actor, {r.local_id for r in received if r.local_id})
    return [
        Line(
            r.received_at,
            r.local_id,
            titles.get(r.local_id) if r.local_id else r.name,
            r.stix_id,
            r.modified,
            {"origin": r.origin, "type": r.object_type},
        )
        for r in received
    ]


def preview_list(session: Session, actor: Actor) -> tuple[list[Incident], int, list[str]]:
    """What the other node receives now (logging nothing): the incidents, how many threat-level
    reports, and the incident fields withheld from it."""
    audience = other_party()
    chosen = service.releasable_incidents(session, actor, audience)
    reports = service.threat_level_releases(session, audience, None, service.this_node())
    return chosen, len(reports), sorted(active_policy(session).redactions.get("incident", []))


@dataclass
class ObjectSharing:
    """One incident's place in the exchange."""

    incident: Incident
    released: bool
    reason: str | None  # why it is not released (a message to translate)
    releases: list[ReleaseRecord]
    received: ReceivedObject | None
    withheld: list[str]
    objects: list[Any]  # the STIX objects the other node receives (empty when not released)


def object_status(session: Session, actor: Actor, incident_id: uuid.UUID) -> ObjectSharing:
    require(session, actor, "sharing.read")
    incident = get_visible(session, actor, Incident, incident_id)
    audience = other_party()
    received = session.scalar(select(ReceivedObject).where(ReceivedObject.local_id == incident.id))
    reason = _withheld_because(session, incident, audience)
    withheld = sorted(frozenset(active_policy(session).redactions.get("incident", [])) & stix.WITHHOLDABLE)
    releases = list(
        session.scalars(
            select(ReleaseRecord)
            .where(ReleaseRecord.object_id == incident.id)
            .order_by(ReleaseRecord.id.desc())
            .limit(50)
        )
    )
    objects = []
    if reason is None:
        objects = stix.incident_objects(incident, service.this_node(), frozenset(withheld))
    return ObjectSharing(incident, reason is None, reason, releases, received, withheld, objects)


def _withheld_because(session: Session, incident: Incident, audience: str) -> str | None:
    if incident.owner_party != get_settings().node_party:
        return N_("Received from the other node: it is not released onward.")
    if incident.state not in service.RELEASED_STATES:
        return N_("Only verified or closed incidents are released.")
    stmt = select(Incident.id).where(
        Incident.id == incident.id, release_filter(session, get_settings().node_party, audience, Incident)
    )
    if session.scalar(stmt) is None:
        return N_("Its marking or release-to list withholds it from the other party.")
    return None
