"""Matching fixes to routes: the windowed search and the whole-route search agree with brute force."""

import numpy as np

from jsms.tracking import geometry
from jsms.tracking.geometry import RouteIndex, segment_distances


def _winding_route(rng, start_lat, start_lon, vertices):
    steps = rng.normal(0, 0.004, size=(vertices, 2)) + np.array([0.003, 0.002])
    path = np.cumsum(steps, axis=0) + np.array([start_lat, start_lon])
    return path[:, 0], path[:, 1]


def _brute_force(index: RouteIndex, r: int, lat: float, lon: float) -> float:
    first, count = int(index.start[r]), int(index.nseg[r])
    a = np.arange(first, first + count)[None, :]
    distance, _ = segment_distances(
        index.lat[a], index.lon[a], index.lat[a + 1], index.lon[a + 1], np.array([lat]), np.array([lon])
    )
    return float(distance.min())


def test_every_fix_gets_its_true_distance_near_or_far_whatever_the_hint(monkeypatch):
    rng = np.random.default_rng(7)
    routes = [_winding_route(rng, 24.8, 67.0, 400), _winding_route(rng, 31.5, 74.3, 250)]
    index = RouteIndex.build(routes)
    monkeypatch.setattr(geometry, "SEARCH_CELLS", 2_000)  # several chunks per route
    n = 300
    route = rng.integers(0, 2, size=n)
    vertex = np.array([rng.integers(0, int(index.nseg[r])) for r in route])
    at = index.start[route] + vertex
    # Some on the route, some a few hundred metres off, some kilometres away; hints often wrong.
    offset = rng.choice([0.0, 0.003, 0.05], size=(n, 1)) * rng.normal(size=(n, 2))
    lat, lon = index.lat[at] + offset[:, 0], index.lon[at] + offset[:, 1]
    hint = np.where(rng.random(n) < 0.5, vertex, rng.integers(0, 200, size=n))
    distance, segment, progress = index.match(route, hint, lat, lon)
    truth = np.array([_brute_force(index, int(r), la, lo) for r, la, lo in zip(route, lat, lon, strict=True)])
    windowed_only = distance <= geometry.FULL_SEARCH_BEYOND_M
    assert np.allclose(distance[~windowed_only], truth[~windowed_only])
    assert (distance >= truth - 1e-6).all() and (
        distance[windowed_only] <= geometry.FULL_SEARCH_BEYOND_M
    ).all()
    assert ((segment >= 0) & (segment < index.nseg[route])).all()
    total = index.cum_m[index.start[route] + index.nseg[route]]
    assert ((progress >= 0) & (progress <= total + 1e-6)).all()
