"""The live part of the demo: journeys under way with trackers on their vehicles, driven by the
simulator so that the live map moves and alerts arrive while someone looks at it."""

import logging
import threading
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core.db import unit_of_work
from jsms.demo import data
from jsms.demo.loader import DEMO_ACTOR, PAKISTAN, plan_journey
from jsms.movements import service as movements
from jsms.movements.models import Journey
from jsms.registry.models import ProtectedPerson, Site, Unit
from jsms.tracking import schemas as ts
from jsms.tracking import service as tracking
from jsms.tracking.simulate import Simulation
from jsms.tracking.simulate import run as run_simulation

log = logging.getLogger(__name__)
PLANNED_HOUR = 9  # the approved window: inside every SOP's allowed hours


def begin_live_journeys() -> int:
    """Start the demo's live journeys once per node, each vehicle with a tracker and the first
    consenting person with a phone; returns how many were started (0 when some are under way)."""
    with unit_of_work(DEMO_ACTOR) as session:
        if session.scalar(select(func.count()).select_from(Journey).where(Journey.status == "under_way")):
            return 0
        units = {unit.call_sign: unit for unit in session.scalars(select(Unit))}
        sites = {site.name: site for site in session.scalars(select(Site))}
        units_by_key = {key: units[row[4]] for key, row in data.UNITS.items() if row[4] in units}
        sites_by_key = {site.key: sites[site.name] for site in data.SITES if site.name in sites}
        for plan in data.LIVE_JOURNEYS:
            journey = plan_journey(session, plan, units_by_key, sites_by_key, _next_planned_departure())
            journey = movements.start(session, DEMO_ACTOR, journey.id, "Convoy left on time")
            _fit_trackers(session, journey, plan.call_sign or plan.origin)
    return len(data.LIVE_JOURNEYS)


def _next_planned_departure() -> datetime:
    now = datetime.now(PAKISTAN)
    planned = datetime.combine(now.date(), time(PLANNED_HOUR), PAKISTAN)
    return planned if planned > now else planned + timedelta(days=1)


def _fit_trackers(session: Session, journey: Journey, name: str) -> None:
    detail = movements.get_journey(session, DEMO_ACTOR, journey.id)
    for number, vehicle in enumerate(detail.vehicles, start=1):
        _fit(session, f"{name} vehicle {number} ({vehicle.role})", str(number), asset_id=vehicle.asset_id)
    travelling = [p.person_id for p in detail.persons]
    person = session.scalars(
        select(ProtectedPerson)
        .where(ProtectedPerson.id.in_(travelling), ProtectedPerson.consent_to_tracking)
        .order_by(ProtectedPerson.full_name)
        .limit(1)
    ).first()
    if person is not None:
        _fit(session, f"{name} phone of {person.full_name}", "phone", person_id=person.id)


def _fit(session: Session, label: str, suffix: str, **carrier) -> None:
    """A tracker named after the convoy's call sign: demo-north-9-1, …, demo-north-9-phone."""
    call_sign = label.split()[0].lower()
    kind = "phone" if "person_id" in carrier else "vehicle_tracker"
    identifier = f"demo-{call_sign}-{suffix}"
    tracking.create_device(
        session, DEMO_ACTOR, ts.DeviceCreate(identifier=identifier, label=label, kind=kind, **carrier)
    )


def simulate_in_background(osmand_url: str, speedup: float, stop: threading.Event) -> threading.Thread:
    """Drive the journeys under way from a thread until they arrive or `stop` is set."""

    def drive() -> None:
        vehicles = _vehicles()
        if not vehicles:
            return
        log.info("simulating %d trackers at ×%g", len(vehicles), speedup)
        run_simulation(Simulation(vehicles, speedup), osmand_url, interval=2.0, stop=stop.is_set)

    thread = threading.Thread(target=drive, name="demo-simulator", daemon=True)
    thread.start()
    return thread


def _vehicles():
    with unit_of_work(DEMO_ACTOR) as session:
        return tracking.simulated_vehicles(session)
