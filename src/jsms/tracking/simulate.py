"""A convoy simulator that speaks the OsmAnd protocol, like the phones and trackers in the field.

Each simulated vehicle drives its journey's route at a realistic speed (the route's average,
varied a little, slower at first and near towns), halts at checkpoints, reports with GPS noise
every few seconds, and — on the journeys chosen for it — leaves the route for a while, goes
silent, or sends an SOS. Time can run faster than life (`speedup`): positions advance faster,
while reports keep real timestamps, so the live engine's dwell times and silences are real.
"""

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
import numpy as np

from jsms.tracking.geometry import cumulative_m

KNOTS_PER_KMH = 1 / 1.852
GPS_NOISE_M = 6.0
HALT_S = 120.0  # a halt at each checkpoint, in simulated seconds
DEVIATION_OFFSET_M = 1500.0


@dataclass
class Script:
    """What goes wrong on one vehicle, in wall seconds after the start (None: nothing)."""

    deviation_at: float | None = None
    deviation_for: float = 240.0
    silence_at: float | None = None
    silence_for: float = 900.0
    sos_at: float | None = None


@dataclass
class Vehicle:
    identifier: str
    lat: np.ndarray  # the route
    lon: np.ndarray
    speed_kmh: float
    halts_m: list[float] = field(default_factory=list)  # checkpoint offsets along the route
    offset_m: float = 0.0  # an escort follows a little behind
    script: Script = field(default_factory=Script)
    token: str | None = None

    def __post_init__(self) -> None:
        self.cum = cumulative_m(self.lat, self.lon)

    @property
    def length_m(self) -> float:
        return float(self.cum[-1])

    def where(self, along_m: float) -> tuple[float, float, float]:
        """(lat, lon, bearing) at a distance along the route."""
        along = min(max(along_m, 0.0), self.length_m)
        k = min(int(np.searchsorted(self.cum, along, side="right")) - 1, len(self.cum) - 2)
        span = self.cum[k + 1] - self.cum[k]
        f = (along - self.cum[k]) / span if span > 0 else 0.0
        lat = self.lat[k] + f * (self.lat[k + 1] - self.lat[k])
        lon = self.lon[k] + f * (self.lon[k + 1] - self.lon[k])
        bearing = (
            math.degrees(
                math.atan2(
                    (self.lon[k + 1] - self.lon[k]) * math.cos(math.radians(lat)),
                    self.lat[k + 1] - self.lat[k],
                )
            )
            % 360
        )
        return float(lat), float(lon), bearing


@dataclass
class Report:
    identifier: str
    params: dict[str, str]


class Simulation:
    """Vehicles on their routes; `reports(elapsed)` says what each sends at that moment."""

    def __init__(self, vehicles: list[Vehicle], speedup: float = 1.0, seed: int = 7):
        self.vehicles = vehicles
        self.speedup = speedup
        self.random = random.Random(seed)
        self.distance = {v.identifier: -v.offset_m for v in vehicles}
        self.halted_until: dict[str, float] = {}
        self.last = 0.0

    def reports(self, elapsed: float) -> list[Report]:
        """Advance to `elapsed` wall seconds after the start; one report per vehicle that speaks."""
        step = (elapsed - self.last) * self.speedup
        self.last = elapsed
        out = []
        for vehicle in self.vehicles:
            speed = self._advance(vehicle, step, elapsed)
            script = vehicle.script
            if (
                script.silence_at is not None
                and script.silence_at <= elapsed < script.silence_at + script.silence_for
            ):
                continue
            lat, lon, bearing = vehicle.where(self.distance[vehicle.identifier])
            if (
                script.deviation_at is not None
                and script.deviation_at <= elapsed < script.deviation_at + script.deviation_for
            ):
                lat += DEVIATION_OFFSET_M / 110_574.0  # off the road, northwards
            lat, lon = self._noisy(lat, lon)
            params = {
                "id": vehicle.identifier,
                "timestamp": str(int(time.time())),
                "lat": f"{lat:.6f}",
                "lon": f"{lon:.6f}",
                "speed": f"{speed * KNOTS_PER_KMH:.1f}",
                "bearing": f"{bearing:.0f}",
                "accuracy": f"{self.random.uniform(4, 12):.0f}",
                "batt": f"{max(15, 95 - elapsed / 600):.0f}",
            }
            if script.sos_at is not None and elapsed >= script.sos_at:
                params["alarm"] = "sos"
            if vehicle.token:
                params["token"] = vehicle.token
            out.append(Report(vehicle.identifier, params))
        return out

    def _advance(self, vehicle: Vehicle, step_s: float, elapsed: float) -> float:
        """Move the vehicle on; returns the speed it reports (0 while halted or arrived)."""
        name = vehicle.identifier
        if self.halted_until.get(name, -1.0) > elapsed * self.speedup:
            return 0.0
        before = self.distance[name]
        if before >= vehicle.length_m:
            return 0.0
        speed = vehicle.speed_kmh * self.random.uniform(0.85, 1.1)
        after = before + speed / 3.6 * step_s
        for halt in vehicle.halts_m:
            if before < halt <= after:  # a planned halt at the checkpoint
                after = halt
                self.halted_until[name] = elapsed * self.speedup + HALT_S
                break
        self.distance[name] = min(after, vehicle.length_m)
        return speed

    def _noisy(self, lat: float, lon: float) -> tuple[float, float]:
        north = self.random.gauss(0, GPS_NOISE_M) / 110_574.0
        east = self.random.gauss(0, GPS_NOISE_M) / (111_320.0 * math.cos(math.radians(lat)))
        return lat + north, lon + east

    def finished(self) -> bool:
        return all(self.distance[v.identifier] >= v.length_m for v in self.vehicles)


def run(
    simulation: Simulation,
    server: str,
    interval: float = 5.0,
    duration: float | None = None,
    report: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Send the simulation's reports to an OsmAnd server until the convoys arrive (or time is up);
    returns how many reports the server accepted."""
    accepted = failed = 0
    start = time.monotonic()
    with httpx.Client(timeout=10) as client:
        while not stop():
            elapsed = time.monotonic() - start
            if (duration is not None and elapsed > duration) or simulation.finished():
                break
            for item in simulation.reports(elapsed):
                try:
                    response = client.get(f"{server.rstrip('/')}/?{urlencode(item.params)}")
                    if response.status_code == 200:
                        accepted += 1
                    else:
                        failed += 1
                except httpx.TransportError:
                    failed += 1
            if report is not None:
                report(accepted, failed)
            time.sleep(max(0.0, interval - (time.monotonic() - start - elapsed)))
    return accepted
