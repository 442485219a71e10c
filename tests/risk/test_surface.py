"""The risk surface's arithmetic: severity, decay, kernel, exact incremental updates, area maxima."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from jsms.risk.surface import RiskModel, RiskSurface

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture
def surface() -> RiskSurface:
    return RiskSurface(reference=NOW)


@pytest.mark.parametrize(
    ("kind", "killed", "injured", "protected", "expected"),
    [
        ("threat", 0, 0, False, 0.5),
        ("ied", 0, 0, False, 3.0),
        ("ied", None, None, False, 3.0),
        ("suicide_bombing", 0, 0, True, 7.5),
        ("suicide_bombing", 13, 28, True, 5.0 * (1 + np.log1p(13 + 14)) * 1.5),
        ("armed_attack", 4, 0, False, 3.0 * (1 + np.log1p(4))),
        ("unknown_kind", 0, 0, False, 1.0),
    ],
)
def test_severity_by_kind_casualties_and_target(kind, killed, injured, protected, expected):
    model = RiskModel()
    assert model.severity(kind, killed, injured, protected) == pytest.approx(expected)
    arrays = model.severities(
        np.array([kind]),
        np.array([killed], dtype=float),
        np.array([injured], dtype=float),
        np.array([protected]),
    )
    assert arrays[0] == pytest.approx(expected)


def test_one_incident_peaks_at_its_place_and_fades_with_distance(surface):
    surface.upsert("a", 30.0, 70.0, NOW, 10.0)
    at_place = surface.values_at(np.array([30.0]), np.array([70.0]), NOW)[0]
    assert at_place == pytest.approx(10.0, rel=1e-6)  # a fresh incident reads its severity
    km = 1 / 110.574
    near, farther, beyond = surface.values_at(
        np.array([30 + 5 * km, 30 + 12 * km, 30 + 40 * km]), np.array([70.0, 70.0, 70.0]), NOW
    )
    assert at_place > near > farther > 0 and beyond == 0.0
    assert surface.patch.sum() == pytest.approx(1.0, rel=1e-3)  # the kernel spreads, it does not create


def test_weight_halves_each_half_life(surface):
    half_life = timedelta(days=surface.model.half_life_days)
    surface.upsert("old", 30.0, 70.0, NOW - half_life, 10.0)
    surface.upsert("new", 32.0, 72.0, NOW, 10.0)
    old, new = surface.values_at(np.array([30.0, 32.0]), np.array([70.0, 72.0]), NOW)
    assert old == pytest.approx(new / 2, rel=1e-9)
    later = surface.values_at(np.array([32.0]), np.array([72.0]), NOW + half_life)[0]
    assert later == pytest.approx(new / 2, rel=1e-9)


def test_incremental_updates_equal_a_full_recompute():
    rng = np.random.default_rng(3)
    n = 2000
    lat, lon = rng.uniform(24.5, 36, n), rng.uniform(61.5, 77, n)
    days = NOW.timestamp() / 86400 - rng.exponential(100, n)
    severity = rng.uniform(0.5, 10, n)
    ids = [str(i) for i in range(n)]
    full = RiskSurface(reference=NOW)
    full.recompute(ids, lat, lon, days, severity)
    stepwise = RiskSurface(reference=NOW)
    for i in range(n):
        stepwise.upsert(ids[i], lat[i], lon[i], datetime.fromtimestamp(days[i] * 86400, UTC), severity[i])
    assert np.abs(full.raster - stepwise.raster).max() < 1e-9 * full.raster.max()


def test_changing_and_removing_an_incident(surface):
    surface.upsert("a", 30.0, 70.0, NOW, 10.0)
    surface.upsert("a", 31.0, 71.0, NOW, 10.0)  # moved: the old place no longer counts
    old, new = surface.values_at(np.array([30.0, 31.0]), np.array([70.0, 71.0]), NOW)
    assert old == pytest.approx(0.0, abs=1e-12) and new > 0
    surface.remove("a")
    assert np.abs(surface.raster).max() < 1e-12
    surface.remove("never-added")  # harmless


def test_incidents_outside_the_raster_are_ignored(surface):
    surface.upsert("far", 51.5, -0.1, NOW, 10.0)
    assert np.abs(surface.raster).max() == 0.0


def test_area_maxima(surface):
    surface.upsert("a", 30.0, 70.0, NOW, 10.0)
    labels = np.full(surface.raster.shape, -1)
    row, _col, _ = surface.grid.index(np.array([30.0]), np.array([70.0]))
    labels[: row[0] + 1, :] = 0  # area 0 holds the incident's cell
    labels[row[0] + 30 :, :] = 1  # area 1 is far north of it
    maxima = surface.area_maxima(labels, 2, NOW)
    assert maxima[0] == pytest.approx(10.0, rel=1e-6) and maxima[1] == 0.0


def test_a_node_without_incidents_takes_its_first_one(surface):
    """Found on a new node: a recompute over no incidents left an integer raster, and every
    incident received afterwards failed to be added to it."""
    surface.recompute([], np.array([]), np.array([]), np.array([]), np.array([]))
    surface.upsert("first", 30.0, 70.0, NOW, 5.0)
    assert surface.values_at(np.array([30.0]), np.array([70.0]), NOW)[0] > 0
