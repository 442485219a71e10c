"""Tracking: the device registry, and the live monitor that binds fixes to journeys, stores them,
runs the engine's checks and raises what it finds as alerts.

The monitor keeps the engine and the device directory in memory and is driven by one thread at
a time (the intake's writer, or a tracking worker): `process` a batch of fixes inside the
caller's unit of work, `tick` the clock, `refresh` the journeys and devices now and then.
"""

import hashlib
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import repeat
from typing import Any

import numpy as np
from sqlalchemy import delete, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jsms.alerts import service as alerts
from jsms.core.actor import Actor
from jsms.core.audit import record_access
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import execute_many_raw, placeholder, unit_of_work, utcnow
from jsms.core.errors import Conflict, Unauthenticated, invalid_field
from jsms.core.i18n import N_
from jsms.core.live import publish_after_commit
from jsms.core.policy import get_visible, require
from jsms.movements import service as movements
from jsms.movements.models import Journey, JourneyPerson, JourneyVehicle
from jsms.movements.schemas import CheckInCreate
from jsms.registry import service as registry
from jsms.risk import service as risk
from jsms.risk import sop
from jsms.tracking import blocks, rollcall
from jsms.tracking import schemas as s
from jsms.tracking.columns import FixColumns, rows_by_key
from jsms.tracking.engine import ESCORT, PROTECTED, Checkpoint, Engine, Finding, Fixes, Limits, Plan
from jsms.tracking.models import Device, DeviceStatus, MonitorState, PingBlock
from jsms.tracking.simulate import Script, Vehicle

TRACKING = Actor.system("tracking")
REFRESH_SECONDS = 2.0
POSITIONS_EVERY_S = 1.0
INCIDENT_NEWS_FOR = timedelta(hours=48)  # an incident older than this is history, not news for a convoy
TEXT_COLUMNS = ("identifier", "label")
SORTABLE = ("identifier", "label", "created_at")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# A change to the registry reaches this process's intake as soon as it commits (a new token must
# be demanded at once); other processes read the registry again within REFRESH_SECONDS.
DEVICES_CHANGED = "jsms.devices.changed"
_registry_listeners: list = []


def on_registry_change(listener) -> None:
    _registry_listeners.append(listener)


def _registry_changed(session: Session) -> None:
    session.info[DEVICES_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _tell_listeners(session: Session) -> None:
    if session.info.pop(DEVICES_CHANGED, False):
        for listener in _registry_listeners:
            listener()


# ---- the registry ------------------------------------------------------------------------


def list_devices(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Device], int]:
    return list_page(
        session, actor, Device, query, text_columns=TEXT_COLUMNS, sortable=SORTABLE, default_sort="identifier"
    )


def get_device(session: Session, actor: Actor, device_id: uuid.UUID) -> Device:
    return get_visible(session, actor, Device, device_id)


def _check_carrier(session: Session, actor: Actor, asset_id, person_id) -> uuid.UUID | None:
    """The carrier must be visible to the actor, and a person must have consented to tracking."""
    if (asset_id is None) == (person_id is None):
        raise invalid_field("asset_id", N_("a device is carried by one vehicle or one person"))
    if asset_id is not None:
        return registry.get_asset(session, actor, asset_id).owner_org_id
    person = registry.get_person(session, actor, person_id)
    if not person.consent_to_tracking:
        raise invalid_field("person_id", N_("%(name)s has not consented to tracking"), name=person.full_name)
    return person.employer_org_id


def create_device(session: Session, actor: Actor, data: s.DeviceCreate) -> Device:
    require(session, actor, "device.write")
    owner = _check_carrier(session, actor, data.asset_id, data.person_id)
    if session.scalar(select(Device.id).where(Device.identifier == data.identifier)) is not None:
        raise Conflict(f"A device with identifier {data.identifier} is already registered")
    device = Device(**data.model_dump(exclude={"require_token"}), owner_org_id=owner)
    require(session, actor, "device.write", device)
    session.add(device)
    session.flush()
    _registry_changed(session)
    return device


def update_device(session: Session, actor: Actor, device_id: uuid.UUID, data: s.DeviceUpdate) -> Device:
    device = get_device(session, actor, device_id)
    require(session, actor, "device.write", device)
    changes = data.model_dump(exclude_unset=True)
    carrier = {k: changes.get(k, getattr(device, k)) for k in ("asset_id", "person_id")}
    if {"asset_id", "person_id"} & changes.keys():
        device.owner_org_id = _check_carrier(session, actor, **carrier)
    for name, value in changes.items():
        setattr(device, name, value)
    session.flush()
    _registry_changed(session)
    return device


def issue_token(session: Session, actor: Actor, device_id: uuid.UUID) -> tuple[Device, str]:
    """A new secret for the device (shown once): from now on its reports must carry it."""
    device = get_device(session, actor, device_id)
    require(session, actor, "device.write", device)
    token = secrets.token_urlsafe(24)
    device.token_digest = token_digest(token)
    session.flush()
    _registry_changed(session)
    return device, token


def track(session: Session, actor: Actor, journey_id: uuid.UUID, limit: int = 20_000) -> list[dict[str, Any]]:
    """The positions reported on a journey, oldest first (personal data: the read is audited)."""
    journey = movements.get_journey(session, actor, journey_id)
    require(session, actor, "track.read")
    record_access(session, "track.read", "journey", journey.id, ["positions"])
    stored = session.scalars(
        select(PingBlock).where(PingBlock.journey_id == journey.id).order_by(PingBlock.t_first)
    )
    return blocks.expand(stored)[:limit]


def positions(session: Session, actor: Actor) -> list[s.PositionRead]:
    """The last position of each device on a journey under way that the actor may see."""
    require(session, actor, "track.read")
    rows = session.execute(
        select(DeviceStatus, Device.identifier, Device.label)
        .join(Device, Device.id == DeviceStatus.device_id)
        .where(DeviceStatus.journey_id.is_not(None))
    ).all()
    allowed = movements.visible_ids(session, actor, {r.DeviceStatus.journey_id for r in rows})
    return [
        s.PositionRead(
            journey_id=r.DeviceStatus.journey_id,
            device=r.identifier,
            label=r.label,
            lat=r.DeviceStatus.lat,
            lon=r.DeviceStatus.lon,
            t=datetime.fromtimestamp(r.DeviceStatus.t, UTC),
            speed_kmh=r.DeviceStatus.speed_kmh,
            battery=r.DeviceStatus.battery,
        )
        for r in rows
        if r.DeviceStatus.journey_id in allowed
    ]


def device_journeys(session: Session) -> dict[uuid.UUID, uuid.UUID]:
    """Which journey being watched each device is on (by the vehicle or the person carrying it):
    the intake partitions by it, so that one worker sees all of a journey's devices."""
    watched = select(Journey.id).where(Journey.id.in_([j.id for j in movements.monitored(session, utcnow())]))
    by_vehicle = (
        select(Device.id, JourneyVehicle.journey_id)
        .join(JourneyVehicle, JourneyVehicle.asset_id == Device.asset_id)
        .where(JourneyVehicle.journey_id.in_(watched))
    )
    by_person = (
        select(Device.id, JourneyPerson.journey_id)
        .join(JourneyPerson, JourneyPerson.person_id == Device.person_id)
        .where(JourneyPerson.journey_id.in_(watched))
    )
    return {device: journey for device, journey in session.execute(by_vehicle.union_all(by_person))}


# ---- the directory of devices ------------------------------------------------------------


@dataclass
class DeviceEntry:
    id: uuid.UUID
    slot: int
    identifier: str
    label: str
    token_digest: str | None
    asset_id: uuid.UUID | None
    person_id: uuid.UUID | None


@dataclass
class Directory:
    """Devices by identifier and by slot (the engine's small integer for a device); a device keeps
    its slot for the life of the process."""

    by_identifier: dict[str, DeviceEntry] = field(default_factory=dict)
    by_slot: list[DeviceEntry] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    generation: int = 0  # counts the changes: whoever bound devices to journeys knows when to again
    _slot_of: dict[str, int] | None = None

    def load(self, session: Session) -> None:
        """Read the active devices again (`generation` counts the times anything changed)."""
        with self.lock:  # the writer and a request may both reload: slots must stay unique
            self._load(session)

    def _load(self, session: Session) -> None:
        slots = {e.id: e.slot for e in self.by_slot}
        rows = session.execute(
            select(
                Device.id,
                Device.identifier,
                Device.label,
                Device.token_digest,
                Device.asset_id,
                Device.person_id,
            ).where(Device.active.is_(True))
        ).all()
        by_slot = list(self.by_slot)
        active: dict[str, DeviceEntry] = {}
        for row in rows:
            slot = slots.get(row.id)
            if slot is None:
                slot = len(by_slot)
                by_slot.append(None)
            entry = DeviceEntry(
                row.id, slot, row.identifier, row.label, row.token_digest, row.asset_id, row.person_id
            )
            by_slot[slot] = entry
            active[row.identifier] = entry
        if active != self.by_identifier:
            self.generation += 1
        self.by_slot, self.by_identifier, self._slot_of = by_slot, active, None

    def find(self, identifier: str) -> DeviceEntry | None:
        return self.by_identifier.get(identifier)

    def slots_of(self, identifiers: list[str]) -> np.ndarray:
        """Each identifier's slot, -1 for one not registered (or not active)."""
        slot_of = self._slot_of
        if slot_of is None or len(slot_of) != len(self.by_identifier):
            slot_of = self._slot_of = {i: e.slot for i, e in self.by_identifier.items()}
        return np.fromiter(map(slot_of.get, identifiers, repeat(-1)), dtype=np.int64, count=len(identifiers))


def accepts(entry: DeviceEntry, token: str | None) -> bool:
    """A device with a token must present it; one without needs none."""
    return entry.token_digest is None or (
        token is not None and secrets.compare_digest(entry.token_digest, token_digest(token))
    )


# ---- the monitor -------------------------------------------------------------------------


@dataclass
class JourneyFacts:
    """What an alert about a journey needs to say and to whom it may be shown."""

    id: uuid.UUID
    label: str
    org_id: uuid.UUID | None
    tlp: str
    owner_party: str
    release_to: list[str]


def journey_label(journey: Journey) -> str:
    return f"{journey.origin_label} → {journey.destination_label}"


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def plan_of(journey: Journey, protected: tuple[int, ...], escorts: tuple[int, ...]) -> Plan:
    coordinates = np.asarray(journey.route["coordinates"], dtype=float).reshape(-1, 2)
    requirements = sop.Requirements.model_validate(journey.assessment["requirements"])
    started = next((e.at for e in reversed(journey.events) if e.action == "started"), None)
    checkpoints = [
        Checkpoint(c["name"], float(c["distance_m"]), float(c["offset_s"]), float(c["lat"]), float(c["lon"]))
        for c in journey.checkpoints
    ]
    if len(checkpoints) < 2:  # a journey planned without checkpoints: its two ends
        checkpoints = [
            Checkpoint(journey.origin_label, 0.0, 0.0, journey.origin_lat, journey.origin_lon),
            Checkpoint(
                journey.destination_label,
                float(journey.route.get("distance_m", 0)),
                float(journey.route.get("duration_s", 0)),
                journey.destination_lat,
                journey.destination_lon,
            ),
        ]
    return Plan(
        journey_id=str(journey.id),
        label=journey_label(journey),
        status=journey.status,
        route_lat=coordinates[:, 1].copy(),
        route_lon=coordinates[:, 0].copy(),
        checkpoints=checkpoints,
        window_end=journey.window_end.timestamp(),
        started_at=_timestamp(started) if journey.status == "under_way" else None,
        projected_arrival=journey.projected_arrival.timestamp(),
        checkin_due=[datetime.fromisoformat(t).timestamp() for t in journey.checkin_schedule],
        checkin_interval_s=requirements.checkin_interval_minutes * 60.0,
        allowed_level=int(journey.assessment.get("threat_level", 5)),
        limits=Limits.from_monitoring(requirements.monitoring.model_dump()),
        protected=protected,
        escorts=escorts,
        version=journey.version,
    )


class Monitor:
    """The live engine bound to the database (one per tracking process or partition owner)."""

    def __init__(self, journey_filter=None):
        # journey_filter(journey_id) -> bool: the journeys this monitor owns (a worker's partitions)
        self.journey_filter = journey_filter or (lambda _id: True)
        self.engine = Engine()
        self.directory = Directory()
        # By device slot: the plan index of its journey (-1: none) and its role there.
        self._plan_of_slot = np.zeros(0, dtype=np.int64)
        self._role_of_slot = np.zeros(0, dtype=np.int64)
        self.journey_of_device: dict[uuid.UUID, uuid.UUID] = {}
        self.facts: dict[str, JourneyFacts] = {}
        self._versions: dict[uuid.UUID, int] = {}
        self._bound_generation = -1
        self._refreshed = 0.0
        self._moved: set[int] = set()  # device slots heard since the live picture was last sent
        self._positions_sent = 0.0

    # ---- what to watch ---------------------------------------------------------------

    def refresh(self, session: Session, force: bool = False) -> None:
        """Reload devices and the journeys to watch; cheap when nothing changed (the journeys,
        routes and all, are read again only when one of them changed or the devices did)."""
        if not force and time.monotonic() - self._refreshed < REFRESH_SECONDS:
            return
        self._refreshed = time.monotonic()
        self.directory.load(session)  # (a request may have reloaded it already: hence the generation)
        self.engine.zones = risk.zone_map(session)
        now = utcnow()
        versions = {
            i: v for i, v in movements.monitored_versions(session, now).items() if self.journey_filter(i)
        }
        generation = self.directory.generation
        if not force and generation == self._bound_generation and versions == self._versions:
            return
        self._bound_generation = generation
        journeys = [j for j in movements.monitored(session, now) if j.id in versions]
        rebuild = force or versions != self._versions
        self._versions = {j.id: j.version for j in journeys}
        self._bind(session, journeys, rebuild)

    def _bind(self, session: Session, journeys: list[Journey], rebuild: bool) -> None:
        by_asset: dict[uuid.UUID, list[DeviceEntry]] = {}
        by_person: dict[uuid.UUID, list[DeviceEntry]] = {}
        for entry in self.directory.by_identifier.values():
            if entry.asset_id:
                by_asset.setdefault(entry.asset_id, []).append(entry)
            if entry.person_id:
                by_person.setdefault(entry.person_id, []).append(entry)
        plans, binding, journey_of = [], {}, {}
        for index, journey in enumerate(journeys):
            protected, escorts = [], []
            for vehicle in journey.vehicles:
                for entry in by_asset.get(vehicle.asset_id, []):
                    (escorts if vehicle.role == "escort" else protected).append(entry.slot)
            for person in journey.persons:
                protected += [entry.slot for entry in by_person.get(person.person_id, [])]
            for slot in protected:
                binding[slot] = (index, PROTECTED)
            for slot in escorts:
                binding[slot] = (index, ESCORT)
            for slot in (*protected, *escorts):
                journey_of[self.directory.by_slot[slot].id] = journey.id
            plans.append(plan_of(journey, tuple(protected), tuple(escorts)))
            self.facts[str(journey.id)] = JourneyFacts(
                journey.id,
                journey_label(journey),
                journey.requesting_org_id,
                journey.tlp,
                journey.owner_party,
                list(journey.release_to),
            )
        plan_of_slot = np.full(len(self.directory.by_slot), -1, dtype=np.int64)
        role_of_slot = np.zeros(len(self.directory.by_slot), dtype=np.int64)
        for slot, (index, role) in binding.items():
            plan_of_slot[slot], role_of_slot[slot] = index, role
        self._plan_of_slot, self._role_of_slot = plan_of_slot, role_of_slot
        self.journey_of_device = journey_of
        if rebuild or [p.protected + p.escorts for p in plans] != [
            p.protected + p.escorts for p in self.engine.plans
        ]:
            self.engine.set_plans(plans, self._saved_states(session, plans))

    def _saved_states(self, session: Session, plans: list[Plan]) -> dict[str, dict[str, Any]]:
        """What another process (or this one before a restart) remembered of newly watched journeys."""
        ids = [uuid.UUID(p.journey_id) for p in plans if p.journey_id not in self.engine.index_of]
        if not ids:
            return {}
        rows = session.execute(
            select(MonitorState.journey_id, MonitorState.state).where(MonitorState.journey_id.in_(ids))
        )
        return {str(j): state for j, state in rows}

    # ---- fixes -----------------------------------------------------------------------

    def process(self, session: Session, fixes: FixColumns, received: float) -> None:
        """Store a batch of fixes, check them, raise what they show; in the caller's unit of work."""
        self.refresh(session)
        slots = self.directory.slots_of(fixes.device)
        known = slots >= 0
        if not known.all():  # a device deactivated since intake accepted its report
            index = np.flatnonzero(known)
            fixes, slots = fixes.take(index), slots[index]
        if len(fixes) == 0:
            return
        by_device = rows_by_key(slots)
        self._store(session, fixes, by_device, received)
        outcome = self.engine.observe(self._arrays(fixes, slots))
        self._sos(session, fixes, slots)
        self._apply(session, outcome)
        self._moved.update(slot for slot, _ in by_device)

    def _store(self, session: Session, fixes: FixColumns, by_device, received: float) -> None:
        groups = []
        for slot, rows in by_device:
            device = self.directory.by_slot[slot].id
            groups.append((device, self.journey_of_device.get(device), rows))
        blocks.store(session, fixes, groups, received)
        latest = [(device, journey, int(rows[np.argmax(fixes.t[rows])])) for device, journey, rows in groups]
        _upsert_status(session, fixes, latest)

    def _arrays(self, fixes: FixColumns, slots: np.ndarray) -> Fixes:
        return Fixes(
            device=slots,
            journey=_per_slot(self._plan_of_slot, slots, -1),
            role=_per_slot(self._role_of_slot, slots, 0),
            t=fixes.t,
            lat=fixes.lat,
            lon=fixes.lon,
            speed_kmh=fixes.speed_kmh,
            accuracy=fixes.accuracy,
            positioned=fixes.positioned,
        )

    def _sos(self, session: Session, fixes: FixColumns, slots: np.ndarray) -> None:
        for row, alarm in fixes.alarm.items():
            if alarm != "sos":
                continue
            fix, entry = fixes.fix(row), self.directory.by_slot[int(slots[row])]
            journey = self.facts.get(str(self.journey_of_device.get(entry.id)))
            lat, lon = (fix.lat, fix.lon) if fix.has_position else (None, None)
            evidence = {"device": entry.identifier, "t": fix.t, "lat": lat, "lon": lon, "alarm": "sos"}
            draft = alerts.AlertDraft(
                kind="sos",
                severity="extreme",
                key=f"sos:{entry.id}:{fix.t:.3f}",
                group_key=f"sos:{entry.id}",
                subject_type="device",
                subject_id=str(entry.id),
                subject_label=f"{entry.label} — {journey.label}" if journey else entry.label,
                raised_at=datetime.fromtimestamp(fix.t, UTC),
                params={"device": entry.label},
                evidence=[evidence],
                lat=lat,
                lon=lon,
                journey_id=journey.id if journey else None,
                device_id=entry.id,
                org_id=journey.org_id if journey else None,
                **(_marking(journey) if journey else {}),
            )
            alerts.raise_alert(session, draft, utcnow())

    def in_unit(self, work: Callable[[Session], Any]) -> None:
        """Do `work` in one unit of work and send the live picture after it; if it fails, what is in
        memory may be ahead of what was stored: forget it (it is read again from the database)."""
        try:
            with unit_of_work(TRACKING) as session:
                work(session)
                self.publish_positions(session)
        except Exception:
            self.forget()
            raise

    def forget(self) -> None:
        """Drop what is in memory (after a failed unit of work): reload it from the database."""
        self.engine = Engine()
        self._versions = {}
        self._bound_generation = -1
        self._refreshed = 0.0

    def _apply(self, session: Session, outcome, save: bool = True) -> None:
        for finding in outcome.findings:
            alerts.raise_alert(session, self._draft(finding), utcnow())
        for journey_id, kind in outcome.cleared:
            alerts.clear_group(session, f"{kind}:{journey_id}", utcnow())
        for journey_id, _at in outcome.departed:
            journey = session.get(Journey, uuid.UUID(journey_id))
            if journey is not None and journey.status == "approved":
                movements.start(session, TRACKING, journey.id, N_("Departure seen by tracking"))
        for journey_id, _at in outcome.arrived:
            journey = session.get(Journey, uuid.UUID(journey_id))
            if journey is not None and journey.status == "under_way":
                movements.complete(session, TRACKING, journey.id, N_("Arrival seen by tracking"))
        if save:
            self._save_states(session, outcome.changed)

    def _draft(self, finding: Finding) -> alerts.AlertDraft:
        journey = self.facts[finding.journey_id]
        device = self.directory.by_slot[finding.device] if finding.device is not None else None
        evidence = [
            {**item, "device": self.directory.by_slot[item["device"]].identifier}
            if isinstance(item.get("device"), int)
            else item
            for item in finding.evidence
        ]
        return alerts.AlertDraft(
            kind=finding.kind,
            severity=finding.severity,
            key=finding.key,
            group_key=finding.group_key,
            subject_type="journey",
            subject_id=str(journey.id),
            subject_label=journey.label,
            raised_at=datetime.fromtimestamp(finding.t, UTC),
            params=finding.params,
            evidence=evidence,
            lat=finding.lat,
            lon=finding.lon,
            journey_id=journey.id,
            device_id=device.id if device else None,
            org_id=journey.org_id,
            **_marking(journey),
        )

    def _save_states(self, session: Session, changed: set[str]) -> None:
        if not changed:
            return
        now = utcnow()
        rows = [
            {"journey_id": uuid.UUID(j), "state": self.engine.state_of(j).as_json(), "updated_at": now}
            for j in changed
            if j in self.engine.index_of
        ]
        _upsert(session, MonitorState, rows, ["journey_id"])

    # ---- the clock -------------------------------------------------------------------

    def tick(self, session: Session, now: float | None = None) -> None:
        self.refresh(session)
        ids = [uuid.UUID(p.journey_id) for p in self.engine.plans]
        for journey_id, at in movements.last_checkins(session, ids).items():
            self.engine.record_checkin(str(journey_id), at.timestamp())
        self._apply(session, self.engine.tick(now if now is not None else time.time()))

    def incident_verified(self, session: Session, payload: dict[str, Any]) -> None:
        """Journeys whose route ahead passes near a verified incident. Run on a fresh monitor (the
        event dispatcher's), from the states the live monitors saved; it saves nothing itself, and
        the alerts' keys keep a second run from raising anything twice."""
        if payload.get("lat") is None or not recent_incident(payload.get("occurred_at")):
            return
        self.refresh(session, force=True)
        label = payload.get("title") or payload.get("kind") or "incident"
        outcome = self.engine.incident_near(
            str(payload["id"]), float(payload["lat"]), float(payload["lon"]), label, time.time()
        )
        self._apply(session, outcome, save=False)

    # ---- the live picture ------------------------------------------------------------

    def publish_positions(self, session: Session) -> None:
        """At most once a second: the latest position of every device heard since, to the pages."""
        if not self._moved or time.monotonic() - self._positions_sent < POSITIONS_EVERY_S:
            return
        self._positions_sent = time.monotonic()
        moved, self._moved = sorted(self._moved), set()
        engine, items = self.engine, []
        for slot in moved:
            entry = self.directory.by_slot[slot]
            journey_id = self.journey_of_device.get(entry.id)
            if journey_id is None or slot >= len(engine.device_t) or np.isnan(engine.device_lat[slot]):
                continue
            speed = float(engine.device_speed[slot])
            items.append(
                {
                    "journey_id": str(journey_id),
                    "device": entry.identifier,
                    "label": entry.label,
                    "lat": round(float(engine.device_lat[slot]), 6),
                    "lon": round(float(engine.device_lon[slot]), 6),
                    "t": float(engine.device_t[slot]),
                    "speed_kmh": None if speed != speed else speed,
                }
            )
        if items:
            publish_after_commit(session, {"type": "positions", "items": items})


def _marking(journey: JourneyFacts) -> dict[str, Any]:
    return {"tlp": journey.tlp, "owner_party": journey.owner_party, "release_to": journey.release_to}


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def _upsert(session: Session, model, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Insert or replace rows by primary key, in one statement, on SQLite and PostgreSQL."""
    if not rows:
        return
    stmt = _insert(session, model)
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates), rows)


STATUS_COLUMNS = ("device_id", "t", "lat", "lon", "speed_kmh", "battery", "journey_id")
# The same upsert on SQLite and PostgreSQL; a heartbeat without a position keeps the last place.
UPSERT_STATUS = (
    f"INSERT INTO device_status ({', '.join(STATUS_COLUMNS)}) VALUES ({{marks}}) "
    "ON CONFLICT (device_id) DO UPDATE SET t = excluded.t, speed_kmh = excluded.speed_kmh, "
    "battery = excluded.battery, journey_id = excluded.journey_id, "
    "lat = coalesce(excluded.lat, device_status.lat), lon = coalesce(excluded.lon, device_status.lon)"
)


def _per_slot(values: np.ndarray, slots: np.ndarray, default: int) -> np.ndarray:
    """values[slot] for each slot; `default` for a device registered after the last binding."""
    out = np.full(len(slots), default, dtype=np.int64)
    inside = slots < len(values)
    out[inside] = values[slots[inside]]
    return out


def _upsert_status(
    session: Session, fixes: FixColumns, rows: list[tuple[uuid.UUID, uuid.UUID | None, int]]
) -> None:
    """Each device's last report (device, journey, row), straight to the driver like the pings."""
    sqlite_ = session.get_bind().dialect.name == "sqlite"

    def number(column: np.ndarray, row: int) -> float | None:
        value = float(column[row])
        return None if value != value else value  # NaN: none

    values = [
        (
            device.hex if sqlite_ else device,
            float(fixes.t[row]),
            number(fixes.lat, row),
            number(fixes.lon, row),
            number(fixes.speed_kmh, row),
            number(fixes.battery, row),
            (journey.hex if sqlite_ else journey) if journey else None,
        )
        for device, journey, row in rows
    ]
    execute_many_raw(
        session, UPSERT_STATUS.format(marks=", ".join([placeholder(session)] * len(STATUS_COLUMNS))), values
    )


# ---- the field page ----------------------------------------------------------------------


def field_device(session: Session, identifier: str, token: str) -> Device:
    """The device a field page belongs to: its identifier and its token must both match."""
    device = session.scalar(select(Device).where(Device.identifier == identifier, Device.active.is_(True)))
    if (
        device is None
        or device.token_digest is None
        or not secrets.compare_digest(device.token_digest, token_digest(token))
    ):
        raise Unauthenticated(
            "This field link is not valid (any more); ask the operations room for a new one"
        )
    return device


def field_actor(device: Device) -> Actor:
    return Actor(
        username=f"device:{device.identifier}",
        role="field_device",
        party="host",
        organisation_id=device.owner_org_id,
        display_name=device.label,
    )


def field_journey(session: Session, device: Device) -> Journey | None:
    """The journey the device is on now (under way first, else approved)."""
    journeys = movements.journeys_of(
        session, [device.asset_id] if device.asset_id else [], [device.person_id] if device.person_id else []
    )
    journeys.sort(key=lambda j: (j.status != "under_way", j.window_start))
    return journeys[0] if journeys else None


def field_checkin(session: Session, device: Device, lat: float | None, lon: float | None, note: str = ""):
    actor = field_actor(device)
    require(session, actor, "field.report")
    journey = field_journey(session, device)
    if journey is None or journey.status != "under_way":
        raise Conflict("There is no journey under way to check in to")
    data = CheckInCreate(method="field", person_id=device.person_id, lat=lat, lon=lon, note=note)
    checkin = movements.record_checkin(session, actor, journey.id, data)
    rollcall.account_by_checkin(session, actor, device.person_id, journey.id)
    return checkin


def sos_status(session: Session, device: Device) -> dict[str, Any]:
    """Where the device's latest SOS stands: received, acknowledged (by whom), escalated, resolved."""
    alert = alerts.latest_for_device(session, device.id, "sos")
    if alert is None:
        return {"state": "none"}
    return {
        "state": alert.status,
        "alert_id": str(alert.id),
        "raised_at": alert.raised_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": alert.acknowledged_by,
        "tier": alert.tier,
    }


# ---- the simulator's convoys -------------------------------------------------------------


def recent_incident(occurred_at: str | None) -> bool:
    """Whether an incident is news for the convoys on the road (a verified record of last year's
    attack is history, kept in the risk picture, not an alert)."""
    if occurred_at is None:
        return False
    occurred = datetime.fromisoformat(occurred_at)
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    return utcnow() - occurred <= INCIDENT_NEWS_FOR


def simulated_vehicles(session: Session, with_incidents: bool = True) -> list[Vehicle]:
    """A simulated vehicle for every tracker on a journey being watched; with incidents, the first
    journey deviates, the second's escort goes silent and the third sends an SOS."""
    monitor = Monitor()
    monitor.refresh(session, force=True)
    vehicles: list[Vehicle] = []
    for index, plan in enumerate(monitor.engine.plans):
        routes = monitor.engine.routes
        route_km = float(routes.cum_m[routes.start[index] + routes.nseg[index]]) / 1000
        duration_h = max((plan.projected_arrival - (plan.started_at or plan.window_end)) / 3600, 0.1)
        speed = min(max(route_km / duration_h, 30.0), 90.0)
        halts = [cp.offset_m for cp in plan.checkpoints[1:-1]]
        for role, slots in (("protected", plan.protected), ("escort", plan.escorts)):
            for number, slot in enumerate(slots):
                script = Script()
                if with_incidents and role == "protected" and number == 0:
                    script = [Script(deviation_at=60), Script(), Script(sos_at=300)][index % 3]
                if with_incidents and role == "escort" and number == 0 and index % 3 == 1:
                    script = Script(silence_at=120)
                vehicles.append(
                    Vehicle(
                        identifier=monitor.directory.by_slot[slot].identifier,
                        lat=plan.route_lat,
                        lon=plan.route_lon,
                        speed_kmh=speed,
                        halts_m=halts,
                        offset_m=150.0 * (number + 1) if role == "escort" else 0.0,
                        script=script,
                    )
                )
    return vehicles


# ---- retention ---------------------------------------------------------------------------


def purge_positions(session: Session, before: datetime) -> dict[str, Any]:
    """Delete the positions taken before `before`: stored pings, devices' last positions and the
    live engine's saved state, but nothing of a journey still under way. Says what went."""
    cutoff = before.timestamp()
    under_way = select(Journey.id).where(Journey.status == "under_way")
    expired = (PingBlock.t_last < cutoff) & (
        PingBlock.journey_id.is_(None) | PingBlock.journey_id.not_in(under_way)
    )
    blocks, pings = session.execute(
        select(func.count(), func.coalesce(func.sum(PingBlock.count), 0)).where(expired)
    ).one()
    journeys = session.scalars(
        select(PingBlock.journey_id).where(expired, PingBlock.journey_id.is_not(None)).distinct()
    ).all()
    session.execute(delete(PingBlock).where(expired))
    statuses = session.execute(
        delete(DeviceStatus).where(
            DeviceStatus.t < cutoff,
            DeviceStatus.journey_id.is_(None) | DeviceStatus.journey_id.not_in(under_way),
        )
    ).rowcount
    session.execute(
        delete(MonitorState).where(
            MonitorState.updated_at < before, MonitorState.journey_id.not_in(under_way)
        )
    )
    return {
        "pings": int(pings),
        "blocks": blocks,
        "last_positions": statuses,
        "journeys": sorted(str(j) for j in journeys),
    }
