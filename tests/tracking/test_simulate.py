"""The simulator: vehicles move along their routes at their speed, halt at checkpoints, and play
their scripts (a deviation, a silence, an SOS)."""

import numpy as np
import pytest

from jsms.tracking.geometry import haversine_m
from jsms.tracking.simulate import DEVIATION_OFFSET_M, HALT_S, Script, Simulation, Vehicle

ROUTE_LAT = np.array([30.0, 30.0])
ROUTE_LON = np.array([67.0, 68.0])  # about 96 km east


def vehicle(name="v1", **kwargs) -> Vehicle:
    return Vehicle(name, ROUTE_LAT, ROUTE_LON, speed_kmh=60.0, **kwargs)


def position(report) -> tuple[float, float]:
    return float(report.params["lat"]), float(report.params["lon"])


def test_a_vehicle_moves_at_about_its_speed_with_noise():
    simulation = Simulation([vehicle()], speedup=60.0)  # a minute a second
    start = position(simulation.reports(0.0)[0])
    after = position(simulation.reports(10.0)[0])  # ten simulated minutes
    travelled = haversine_m(start[0], start[1], after[0], after[1])
    assert 8_000 < travelled < 11_500
    assert abs(after[0] - 30.0) < 0.001  # on the road, give or take the GPS noise
    speed_knots = float(simulation.reports(11.0)[0].params["speed"])
    assert 25 < speed_knots < 40


def test_halts_at_checkpoints_report_zero_speed():
    simulation = Simulation([vehicle(halts_m=[5_000.0])], speedup=60.0)
    simulation.reports(0.0)
    simulation.reports(5.5)  # passes 5 km: halts there
    assert float(simulation.reports(6.0)[0].params["speed"]) == 0.0
    assert float(simulation.reports(6.0 + HALT_S / 60 + 1)[0].params["speed"]) > 0


def test_scripts_deviate_go_silent_and_send_sos():
    deviating = vehicle("d", script=Script(deviation_at=10, deviation_for=20))
    silent = vehicle("s", script=Script(silence_at=10, silence_for=20))
    sos = vehicle("x", script=Script(sos_at=10))
    simulation = Simulation([deviating, silent, sos])
    before = {r.identifier: r for r in simulation.reports(5.0)}
    during = {r.identifier: r for r in simulation.reports(15.0)}
    after = {r.identifier: r for r in simulation.reports(35.0)}
    assert set(during) == {"d", "x"} and set(after) == {"d", "s", "x"}
    north = (position(during["d"])[0] - 30.0) * 110_574
    assert north == pytest.approx(DEVIATION_OFFSET_M, abs=40)
    assert abs(position(after["d"])[0] - 30.0) * 110_574 < 40
    assert "alarm" not in before["x"].params and during["x"].params["alarm"] == "sos"


def test_the_simulation_finishes_at_the_destination():
    simulation = Simulation([vehicle()], speedup=3600.0)
    simulation.reports(0.0)
    simulation.reports(2.0)
    assert simulation.finished()
    assert float(simulation.reports(3.0)[0].params["speed"]) == 0.0
