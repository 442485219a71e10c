"""The bundled national network: Pakistan's motorways and national highways from public facts.

`data/pk_main_roads.geojson` (built by tools/build_roads.py) holds each road as the towns it
passes, in order, with its class, typical speed and official length. Here each road becomes
two-way edges: the straight town-to-town segments are cut into pieces of at most
`MAX_EDGE_KM` (so the risk along them is read every couple of kilometres, and points snap
close to the road), and their lengths are scaled so that the road adds up to its official
length — real roads wind, the straight lines do not. Towns shared by two roads are their
junctions.
"""

import itertools
import json
from functools import lru_cache
from importlib import resources

import numpy as np

from jsms.geo.roads.network import RoadNetwork, haversine_m

MAX_EDGE_KM = 2.0
# How much longer than the straight town-to-town lines a road of each class typically is,
# used when the seed gives no official length.
WINDING = {"motorway": 1.08, "national": 1.2, "provincial": 1.25, "local": 1.3}
NOT_ROUTED = {"under_construction"}


def road_features() -> list[dict]:
    data = resources.files("jsms.geo").joinpath("data", "pk_main_roads.geojson").read_text()
    return json.loads(data)["features"]


@lru_cache(maxsize=1)
def bundled_network() -> RoadNetwork:
    nodes: dict[tuple[float, float], int] = {}

    def node(lon: float, lat: float) -> int:
        return nodes.setdefault((round(lat, 5), round(lon, 5)), len(nodes))

    tails, heads, lengths, speeds, road_of = [], [], [], [], []
    refs, classes = [], []
    for feature in road_features():
        props = feature["properties"]
        if props["class"] in NOT_ROUTED:
            continue
        coords = np.array(feature["geometry"]["coordinates"], float)
        straight = haversine_m(coords[:-1, 1], coords[:-1, 0], coords[1:, 1], coords[1:, 0])
        official_m = (props.get("length_km") or 0) * 1000
        winding = official_m / straight.sum() if official_m else WINDING.get(props["class"], 1.25)
        road = len(refs)
        refs.append(props["ref"])
        classes.append(props["class"])
        for (lon1, lat1), (lon2, lat2), metres in zip(coords[:-1], coords[1:], straight, strict=True):
            pieces = max(1, int(np.ceil(metres / (MAX_EDGE_KM * 1000))))
            steps = np.linspace(0.0, 1.0, pieces + 1)
            chain = [node(lon1, lat1)]
            chain += [node(lon1 + (lon2 - lon1) * f, lat1 + (lat2 - lat1) * f) for f in steps[1:-1]]
            chain.append(node(lon2, lat2))
            piece_m = metres * winding / pieces
            for a, b in itertools.pairwise(chain):
                tails += [a, b]
                heads += [b, a]
                lengths += [piece_m, piece_m]
                speeds += [props["speed_kmh"]] * 2
                road_of += [road, road]
    coordinates = np.array(list(nodes), float).reshape(-1, 2)
    return RoadNetwork.from_edges(
        coordinates[:, 0],
        coordinates[:, 1],
        np.array(tails),
        np.array(heads),
        np.array(lengths),
        np.array(speeds),
        np.array(road_of),
        refs,
        classes,
        source="bundled",
    )
