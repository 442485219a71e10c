"""Incident logic: record, verify, reject, close; sources and investigation. No commit here.

Verifying, changing a verified incident, or rejecting one emits a domain event through the
outbox (`incident.verified`, `incident.changed`, `incident.withdrawn`): the risk picture and,
later, alerts and the partner node follow from those events, after the change has committed.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, DomainError, Forbidden, invalid_field
from jsms.core.events import emit
from jsms.core.i18n import N_
from jsms.core.marking import Tlp
from jsms.core.policy import get_visible, mark_new, require, visible
from jsms.geo.provinces import place_point
from jsms.incidents import schemas as s
from jsms.incidents.models import Incident, IncidentSource, Investigation, InvestigationStep

SORTABLE = ("occurred_at", "kind", "province", "state", "killed", "created_at")
TEXT_COLUMNS = ("title", "place_name", "claimed_by", "district")


def list_incidents(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Incident], int]:
    return list_page(
        session,
        actor,
        Incident,
        query,
        text_columns=TEXT_COLUMNS,
        sortable=SORTABLE,
        default_sort="-occurred_at",
    )


def get_incident(session: Session, actor: Actor, incident_id: uuid.UUID) -> Incident:
    return get_visible(session, actor, Incident, incident_id)


def _place(incident: Incident, lat: float, lon: float) -> None:
    where = place_point(lat, lon)
    if where is None:
        raise invalid_field(
            "lat", N_("the location %(lat).5f, %(lon).5f is outside Pakistan"), lat=lat, lon=lon
        )
    incident.lat, incident.lon = lat, lon
    incident.province = where.province.code
    incident.district = where.district.name if where.district else None
    incident.h3_cell = where.h3_cell


def _sources(items: list[s.SourceIn]) -> list[IncidentSource]:
    return [
        IncidentSource(
            position=i,
            title=item.title,
            url=str(item.url) if item.url else None,
            publisher=item.publisher,
            published_on=item.published_on,
        )
        for i, item in enumerate(items)
    ]


def create_incident(
    session: Session,
    actor: Actor,
    data: s.IncidentCreate,
    *,
    source_system: str = "field",
    external_id: str | None = None,
    historical: bool = False,
    synthetic: bool = False,
) -> Incident:
    """Record a draft incident (the analyst verifies it before it counts anywhere)."""
    require(session, actor, "incident.write")
    values = data.model_dump(exclude={"lat", "lon", "sources", "tlp", "release_to"})
    incident = Incident(
        **values,
        source_system=source_system,
        external_id=external_id,
        historical=historical,
        synthetic=synthetic,
        state="draft",
        sources=_sources(data.sources),
    )
    _place(incident, data.lat, data.lon)
    mark_new(session, actor, incident, "incident", data.tlp, data.release_to)
    session.add(incident)
    session.flush()
    return incident


def update_incident(
    session: Session, actor: Actor, incident_id: uuid.UUID, data: s.IncidentUpdate
) -> Incident:
    incident = get_incident(session, actor, incident_id)
    require(session, actor, "incident.write", incident)
    if incident.state in ("closed", "rejected"):
        raise Conflict(f"The incident is {incident.state}; reopen it before changing it")
    changes = data.model_dump(exclude_unset=True)
    if "lat" in changes:
        _place(incident, changes.pop("lat"), changes.pop("lon"))
    if "sources" in changes:
        changes.pop("sources")
        incident.sources = _sources(data.sources or [])
    if changes.get("tlp") is not None:
        incident.tlp = Tlp(changes.pop("tlp")).value
    if "release_to" in changes:
        incident.release_to = list(changes.pop("release_to") or [])
    for name, value in changes.items():
        setattr(incident, name, value)
    session.flush()
    if incident.state == "verified":
        emit(session, "incident.changed", event_payload(incident))
    return incident


def event_payload(incident: Incident) -> dict[str, Any]:
    """What the risk picture needs to know of an incident, without reading its table."""
    return {
        "id": str(incident.id),
        "lat": incident.lat,
        "lon": incident.lon,
        "h3_cell": incident.h3_cell,
        "province": incident.province,
        "district": incident.district,
        "kind": incident.kind,
        "occurred_at": incident.occurred_at.isoformat(),
        "killed": incident.killed,
        "injured": incident.injured,
        "killed_protected": incident.killed_protected,
        "protected_nationality_targeted": incident.protected_nationality_targeted,
        "state": incident.state,
        "title": incident.title,
    }


def verify_incident(session: Session, actor: Actor, incident_id: uuid.UUID) -> Incident:
    incident = get_incident(session, actor, incident_id)
    require(session, actor, "incident.verify", incident)
    if incident.state != "draft":
        raise Conflict(f"Only a draft can be verified; this incident is {incident.state}")
    incident.state = "verified"
    incident.verified_at = utcnow()
    incident.verified_by = actor.username
    incident.state_reason = None
    session.flush()
    emit(session, "incident.verified", event_payload(incident))
    return incident


def reject_incident(session: Session, actor: Actor, incident_id: uuid.UUID, reason: str) -> Incident:
    """Reject a draft, or withdraw a verified incident found to be false (it leaves the risk picture)."""
    incident = get_incident(session, actor, incident_id)
    require(session, actor, "incident.verify", incident)
    if incident.state not in ("draft", "verified"):
        raise Conflict(f"The incident is {incident.state}; it cannot be rejected")
    was_verified = incident.state == "verified"
    incident.state = "rejected"
    incident.state_reason = reason
    session.flush()
    if was_verified:
        emit(session, "incident.withdrawn", event_payload(incident))
    return incident


def close_incident(session: Session, actor: Actor, incident_id: uuid.UUID, reason: str = "") -> Incident:
    """Close a verified incident: its record is complete. It stays in the risk picture."""
    incident = get_incident(session, actor, incident_id)
    require(session, actor, "incident.verify", incident)
    if incident.state != "verified":
        raise Conflict(f"Only a verified incident can be closed; this one is {incident.state}")
    incident.state = "closed"
    incident.state_reason = reason or None
    session.flush()
    return incident


def record_investigation(
    session: Session, actor: Actor, incident_id: uuid.UUID, data: s.InvestigationIn
) -> Investigation:
    incident = get_incident(session, actor, incident_id)
    require(session, actor, "investigation.write", incident)
    if incident.investigation is None:
        incident.investigation = Investigation(**data.model_dump())
    else:
        for name, value in data.model_dump().items():
            setattr(incident.investigation, name, value)
    session.flush()
    return incident.investigation


# What a step tells of where the investigation stands (a later stage is never undone by an earlier one).
STAGE_OF_STEP = {"arrest": "arrests_made", "charge": "charged", "hearing": "on_trial", "verdict": "concluded"}
STAGES = ("open", "suspects_identified", "arrests_made", "charged", "on_trial", "concluded")


def add_investigation_step(
    session: Session, actor: Actor, incident_id: uuid.UUID, data: s.StepIn
) -> Investigation:
    """Record a step (arrests, charges, a hearing, a verdict) and bring the summary up to date:
    arrests counted, the stage reached, the next hearing."""
    incident = get_incident(session, actor, incident_id)
    require(session, actor, "investigation.write", incident)
    if incident.investigation is None:
        incident.investigation = Investigation()
    investigation = incident.investigation
    investigation.steps.append(
        InvestigationStep(**data.model_dump(), recorded_by=actor.username, recorded_at=utcnow())
    )
    investigation.steps.sort(key=lambda done: done.on)  # as it happened, whenever it was recorded
    if data.kind == "arrest":
        investigation.arrests = (investigation.arrests or 0) + (data.count or 1)
    stage = STAGE_OF_STEP.get(data.kind)
    current = investigation.status or "open"
    if stage and current in STAGES and STAGES.index(stage) > STAGES.index(current):
        investigation.status = stage
    today = utcnow().date()
    upcoming = (
        investigation.next_hearing
        if investigation.next_hearing and investigation.next_hearing >= today
        else None
    )
    if data.kind == "hearing" and data.on >= today and (upcoming is None or data.on < upcoming):
        investigation.next_hearing = data.on
    session.flush()
    return investigation


def investigation_of(session: Session, actor: Actor, incident: Incident) -> Investigation | None:
    """The incident's investigation, where the policy shows investigations to the actor."""
    try:
        require(session, actor, "investigation.read", incident)
    except Forbidden:
        return None
    return incident.investigation


@dataclass(frozen=True)
class RiskInputs:
    """The counted incidents as arrays, for the risk surface (verified or closed, not rejected)."""

    ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    occurred_day: np.ndarray
    kinds: np.ndarray
    killed: np.ndarray
    injured: np.ndarray
    protected: np.ndarray


COUNTED_STATES = ("verified", "closed")


def risk_inputs(session: Session) -> RiskInputs:
    """Every counted incident, whatever its marking: the risk picture is the host's own."""
    rows = session.execute(
        select(
            Incident.id,
            Incident.lat,
            Incident.lon,
            Incident.occurred_at,
            Incident.kind,
            Incident.killed,
            Incident.injured,
            Incident.protected_nationality_targeted,
        ).where(Incident.state.in_(COUNTED_STATES))
    ).all()
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 8
    return RiskInputs(
        ids=[str(i) for i in columns[0]],
        lat=np.array(columns[1], dtype=float),
        lon=np.array(columns[2], dtype=float),
        occurred_day=np.array([moment.timestamp() / 86400 for moment in columns[3]], dtype=float),
        kinds=np.array(columns[4], dtype=object),
        killed=np.array([np.nan if v is None else v for v in columns[5]], dtype=float),
        injured=np.array([np.nan if v is None else v for v in columns[6]], dtype=float),
        protected=np.array(columns[7], dtype=bool),
    )


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    already_present: int = 0
    skipped: list[tuple[int, str]] | None = None
    bad: list[tuple[int, str]] | None = None

    def __post_init__(self) -> None:
        self.skipped = self.skipped or []
        self.bad = self.bad or []


def import_incidents(
    session: Session, actor: Actor, rows, source_system: str, *, verify: bool = False, progress=None
) -> ImportSummary:
    """Create the incidents of a data set that are not there yet (idempotent: the data set's own
    ids are kept); bad rows are reported by line and the good ones kept; each row is its own
    savepoint, so one failure never undoes another row."""
    from jsms.incidents.imports import BadRow, SkippedRow

    require(session, actor, "incident.write")
    if verify:
        require(session, actor, "incident.verify")
    summary = ImportSummary()
    known = set(session.scalars(select(Incident.external_id).where(Incident.source_system == source_system)))
    for parsed in rows:
        summary.read += 1
        if progress is not None:
            progress()
        if isinstance(parsed, SkippedRow):
            summary.skipped.append((parsed.line, parsed.reason))
            continue
        if isinstance(parsed, BadRow):
            summary.bad.append((parsed.line, parsed.reason))
            continue
        if parsed.external_id in known:
            summary.already_present += 1
            continue
        try:
            with session.begin_nested():
                incident = create_incident(
                    session,
                    actor,
                    parsed.incident,
                    source_system=source_system,
                    external_id=parsed.external_id,
                )
                if verify:
                    verify_incident(session, actor, incident.id)
        except DomainError as error:
            summary.bad.append((parsed.line, str(error)))
            continue
        known.add(parsed.external_id)
        summary.created += 1
    return summary


MAP_LIMIT = 5000


def recent_counted(session: Session, actor: Actor, since: datetime) -> list[Incident]:
    """The counted incidents since a time that the actor may see, newest first (for the map)."""
    stmt = visible(select(Incident), session, actor, Incident).where(
        Incident.state.in_(COUNTED_STATES), Incident.occurred_at >= since
    )
    return list(session.scalars(stmt.order_by(Incident.occurred_at.desc()).limit(MAP_LIMIT)))


def with_casualties(session: Session, actor: Actor, limit: int = 300) -> list[Incident]:
    """The incidents the actor may see that killed or hurt someone, newest first (to record
    casualties against)."""
    stmt = visible(select(Incident), session, actor, Incident).where(
        (func.coalesce(Incident.killed, 0) + func.coalesce(Incident.injured, 0)) > 0
    )
    return list(session.scalars(stmt.order_by(Incident.occurred_at.desc()).limit(limit)))


def counted_between(
    session: Session, actor: Actor, start: datetime, end: datetime, province: str | None = None
) -> list[Incident]:
    """The counted incidents that occurred in [start, end) (in a province, if given) and the actor
    may see, in time order (for reports)."""
    stmt = visible(select(Incident), session, actor, Incident).where(
        Incident.state.in_(COUNTED_STATES), Incident.occurred_at >= start, Incident.occurred_at < end
    )
    if province is not None:
        stmt = stmt.where(Incident.province == province)
    return list(session.scalars(stmt.order_by(Incident.occurred_at)))
