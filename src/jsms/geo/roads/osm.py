"""Drivable roads from an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2) with pyosmium.

Every drivable way (motorways down to residential streets and their links) becomes edges
between its consecutive nodes, in both directions unless it is one-way. Speeds come from
`maxspeed` where it is given as a number, else from the road class. Ways closed to the
public (`access=no|private`) are left out.
"""

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import osmium

from jsms.geo.roads.network import RoadNetwork, haversine_m

# Typical speeds on Pakistan's roads by OSM class (km/h), when a way gives none.
CLASS_SPEEDS = {
    "motorway": 100,
    "trunk": 70,
    "primary": 60,
    "secondary": 50,
    "tertiary": 40,
    "unclassified": 30,
    "residential": 25,
    "living_street": 10,
    "road": 30,
    "motorway_link": 50,
    "trunk_link": 40,
    "primary_link": 35,
    "secondary_link": 30,
    "tertiary_link": 25,
}
# The network's road classes, as the bundled network names them.
NETWORK_CLASS = {
    "motorway": "motorway",
    "trunk": "national",
    "primary": "national",
    "secondary": "provincial",
}
CLOSED_ACCESS = {"no", "private"}
MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph)?\s*$")

Progress = Callable[[str, int, int | None], None]  # (stage, done, total or None)


def _speed(tags, highway: str) -> float:
    given = MAXSPEED.match(tags.get("maxspeed", ""))
    if given:
        value = float(given[1]) * (1.609 if given[2] else 1.0)
        if 5 <= value <= 160:
            return value
    return CLASS_SPEEDS[highway]


def _direction(tags, highway: str) -> int:
    """1: along the way only, -1: against it only, 0: both ways."""
    oneway = tags.get("oneway", "")
    if oneway in ("yes", "true", "1"):
        return 1
    if oneway == "-1":
        return -1
    if oneway == "no":
        return 0
    implied = highway in ("motorway", "motorway_link") or tags.get("junction") in ("roundabout", "circular")
    return 1 if implied else 0


def import_osm(path: Path, progress: Progress | None = None, landmarks: int = 16) -> RoadNetwork:
    """Read the drivable roads of an OSM file into a routable network."""
    report = progress or (lambda stage, done, total: None)
    node_index: dict[int, int] = {}
    lats: list[float] = []
    lons: list[float] = []
    tails: list[int] = []
    heads: list[int] = []
    speeds: list[float] = []
    road_of: list[int] = []
    road_keys: dict[tuple[str, str], int] = {}

    def node(ref: int, lat: float, lon: float) -> int:
        index = node_index.get(ref)
        if index is None:
            index = node_index[ref] = len(lats)
            lats.append(lat)
            lons.append(lon)
        return index

    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    ways = 0
    for way in processor:
        ways += 1
        if ways % 10_000 == 0:
            report("ways", ways, None)
        tags = way.tags
        highway = tags.get("highway")
        if highway not in CLASS_SPEEDS or tags.get("access") in CLOSED_ACCESS:
            continue
        chain = [node(n.ref, n.location.lat, n.location.lon) for n in way.nodes if n.location.valid()]
        if len(chain) < 2:
            continue
        name = tags.get("ref") or tags.get("name") or highway
        road_class = NETWORK_CLASS.get(highway.removesuffix("_link"), "local")
        road = road_keys.setdefault((name, road_class), len(road_keys))
        speed = _speed(tags, highway)
        direction = _direction(tags, highway)
        for a, b in itertools.pairwise(chain):
            if direction >= 0:
                tails.append(a)
                heads.append(b)
            if direction <= 0:
                tails.append(b)
                heads.append(a)
            step = (1 if direction >= 0 else 0) + (1 if direction <= 0 else 0)
            speeds += [speed] * step
            road_of += [road] * step
    report("ways", ways, ways)
    if not tails:
        raise ValueError(f"{path} holds no drivable roads")
    node_lat, node_lon = np.array(lats), np.array(lons)
    tail, head = np.array(tails), np.array(heads)
    length = haversine_m(node_lat[tail], node_lon[tail], node_lat[head], node_lon[head])
    report("network", 0, landmarks)
    names = sorted(road_keys, key=road_keys.get)
    network = RoadNetwork.from_edges(
        node_lat,
        node_lon,
        tail,
        head,
        np.maximum(length, 0.1),  # two nodes at one place: a tiny length keeps times positive
        np.array(speeds),
        np.array(road_of),
        [name for name, _ in names],
        [road_class for _, road_class in names],
        source=f"osm:{Path(path).name}",
        landmarks=landmarks,
        progress=lambda done: report("network", done, landmarks),
    )
    return network
