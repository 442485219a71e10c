"""A synthetic road-like network, for benchmarks and tests of the router.

A perturbed grid of local roads (some missing, speeds varying) crossed by faster arterial
roads every few rows and columns, laid over a part of Pakistan so that the risk surface
covers it. Deterministic for a given seed.
"""

import numpy as np

from jsms.geo.roads.network import RoadNetwork, haversine_m


def synthetic_network(
    side: int,
    seed: int = 7,
    origin: tuple[float, float] = (27.0, 67.0),
    spacing_deg: float = 0.012,
    arterial_every: int = 24,
    missing: float = 0.08,
    landmarks: int = 16,
) -> RoadNetwork:
    """About `4 × side²` directed edges on `side²` nodes (side=512: just over a million edges)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.divmod(np.arange(side * side), side)
    lat = origin[0] + rows * spacing_deg + rng.uniform(-0.3, 0.3, side * side) * spacing_deg
    lon = origin[1] + cols * spacing_deg + rng.uniform(-0.3, 0.3, side * side) * spacing_deg
    node = np.arange(side * side).reshape(side, side)
    horizontal = (node[:, :-1].ravel(), node[:, 1:].ravel(), np.repeat(np.arange(side), side - 1))
    vertical = (node[:-1, :].ravel(), node[1:, :].ravel(), np.tile(np.arange(side), side - 1))
    tails, heads, speeds = [], [], []
    for a, b, line in (horizontal, vertical):
        keep = rng.random(len(a)) >= missing
        arterial = line % arterial_every == 0
        keep |= arterial  # arterial roads are never broken
        speed = np.where(arterial, 90.0, rng.uniform(25.0, 60.0, len(a)))[keep]
        a, b = a[keep], b[keep]
        tails += [a, b]
        heads += [b, a]
        speeds += [speed, speed]
    tail, head = np.concatenate(tails), np.concatenate(heads)
    winding = 1.0 + rng.uniform(0.0, 0.25, len(tail))
    length = haversine_m(lat[tail], lon[tail], lat[head], lon[head]) * winding
    return RoadNetwork.from_edges(
        lat,
        lon,
        tail,
        head,
        length,
        np.concatenate(speeds),
        np.zeros(len(tail), np.int32),
        ["synthetic"],
        ["local"],
        source=f"synthetic:{side}x{side}",
        landmarks=landmarks,
    )
