"""Fixtures for tracking: a node with tracking running in the test's transaction, a journey under
way with a device on its armoured vehicle and one on an escort, and a convoy to drive."""

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from jsms.core.db import unit_of_work
from jsms.tracking import tasks
from jsms.tracking.service import TRACKING
from jsms.tracking.tasks import LocalTracking
from tests.conftest import Api, shared_app

CAP_XSD = Path(__file__).resolve().parents[1] / "data" / "CAP-v1.2.xsd"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"


@pytest.fixture(scope="session")
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CAP_XSD)))


class Live:
    """Tracking run by the test: the writer thread stores and checks; the clock ticks on demand."""

    def __init__(self, runtime: LocalTracking):
        self.runtime = runtime

    def tick(self, now: float) -> None:
        with unit_of_work(TRACKING) as session:
            self.runtime.monitor.tick(session, now)

    def refresh(self) -> None:
        with unit_of_work(TRACKING) as session:
            self.runtime.monitor.refresh(session, force=True)


@pytest.fixture
def live(connection, node) -> Iterator[Live]:
    runtime = LocalTracking(ticking=False).start()
    tasks.use(runtime)
    try:
        yield Live(runtime)
    finally:
        runtime.stop()
        tasks.use(None)


@pytest.fixture
def tracking_api(live, node) -> Iterator[Api]:

    with TestClient(shared_app(), raise_server_exceptions=False) as client:
        yield Api(client, node.database_url)


@dataclass
class Convoy:
    """The demo's approved journey, started, with a tracker on its armoured vehicle and its first escort."""

    journey: dict
    protected: str  # device identifiers
    escort: str
    route: list[tuple[float, float]]  # (lon, lat)

    def point_at(self, km: float, north_km: float = 0.0) -> tuple[float, float]:
        """(lat, lon) at km along the route, shifted north."""
        done = 0.0
        for (lon1, lat1), (lon2, lat2) in zip(self.route, self.route[1:], strict=False):
            step = _km(lat1, lon1, lat2, lon2)
            if done + step >= km and step > 0:
                f = (km - done) / step
                return lat1 + f * (lat2 - lat1) + north_km / 110.574, lon1 + f * (lon2 - lon1)
            done += step
        lon, lat = self.route[-1]
        return lat + north_km / 110.574, lon


def _km(lat1, lon1, lat2, lon2) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


@pytest.fixture
def convoy(tracking_api, live) -> Convoy:
    return start_convoy(tracking_api, live.refresh)


def start_convoy(api, refresh) -> Convoy:
    """Start the demo's approved journey and fit trackers to its armoured vehicle and first escort."""
    journey = api.first("/api/v1/journeys", status="approved")
    detail = api.get(f"/api/v1/journeys/{journey['id']}", "host.officer").json()
    started = api.post(f"/api/v1/journeys/{journey['id']}/start", "host.officer")
    assert started.status_code == 200, started.text
    transport = next(v for v in detail["vehicles"] if v["role"] == "transport")
    escort = next(v for v in detail["vehicles"] if v["role"] == "escort")
    suffix = str(int(time.time() * 1000))[-6:]
    identifiers = []
    for vehicle, name in ((transport, "armoured"), (escort, "escort")):
        identifier = f"test-{name}-{suffix}"
        created = api.post(
            "/api/v1/devices",
            "host.officer",
            json={
                "identifier": identifier,
                "label": f"Tracker {name}",
                "kind": "vehicle_tracker",
                "asset_id": vehicle["asset_id"],
            },
        )
        assert created.status_code == 201, created.text
        identifiers.append(identifier)
    refresh()
    route = [tuple(c) for c in started.json()["route"]["coordinates"]]
    return Convoy(started.json(), identifiers[0], identifiers[1], route)
