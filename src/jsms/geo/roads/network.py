"""A road network as arrays: nodes, directed edges in compressed rows, and landmark distances.

Built once (from the bundled national network or an OpenStreetMap extract), kept in memory
and saved as one `.npz` file. Nothing here knows about risk: an edge has a length, a base
travel time and the road it belongs to; the router adds whatever raises costs on top.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
FORMAT_VERSION = 2


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (arrays or scalars)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


@dataclass
class RoadNetwork:
    """Directed edges sorted by tail node; `first_out[v]:first_out[v + 1]` are the edges leaving v."""

    node_lat: np.ndarray  # float64, n
    node_lon: np.ndarray
    first_out: np.ndarray  # int64, n + 1
    tail: np.ndarray  # int32, m
    head: np.ndarray  # int32, m
    length_m: np.ndarray  # float64, m
    time_s: np.ndarray  # float64, m: length over the road's speed
    road: np.ndarray  # int32, m: index into `roads`
    roads: list[str]  # road references ("N-35") or names
    road_classes: list[str]
    source: str = "bundled"
    # Landmark distances on base travel times, one row per node (node-major, so that the search
    # reads a node's bounds from one place): from_landmark[v, k] = d(L_k, v), to_landmark[v, k] = d(v, L_k).
    from_landmark: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    to_landmark: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def node_count(self) -> int:
        return len(self.node_lat)

    @property
    def edge_count(self) -> int:
        return len(self.head)

    # ---- building ------------------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        node_lat: np.ndarray,
        node_lon: np.ndarray,
        tail: np.ndarray,
        head: np.ndarray,
        length_m: np.ndarray,
        speed_kmh: np.ndarray,
        road: np.ndarray,
        roads: list[str],
        road_classes: list[str],
        source: str,
        landmarks: int = 16,
        progress: Callable[[int], None] | None = None,
    ) -> "RoadNetwork":
        """Sort the edges into rows, keep the largest strongly connected part, place the landmarks.

        Keeping only the strongly connected part means every node reaches every other: a route
        always exists between two snapped points, and landmark distances are all finite.
        """
        tail, head = np.asarray(tail, np.int64), np.asarray(head, np.int64)
        time_s = np.asarray(length_m, float) / (np.asarray(speed_kmh, float) / 3.6)
        keep_nodes = _largest_strong_component(len(node_lat), tail, head)
        renumber = np.full(len(node_lat), -1, np.int64)
        renumber[keep_nodes] = np.arange(len(keep_nodes))
        kept = (renumber[tail] >= 0) & (renumber[head] >= 0)
        tail, head = renumber[tail[kept]], renumber[head[kept]]
        order = np.lexsort((head, tail))
        n = len(keep_nodes)
        network = cls(
            node_lat=np.asarray(node_lat, float)[keep_nodes],
            node_lon=np.asarray(node_lon, float)[keep_nodes],
            first_out=np.searchsorted(tail[order], np.arange(n + 1)).astype(np.int64),
            tail=tail[order].astype(np.int32),
            head=head[order].astype(np.int32),
            length_m=np.asarray(length_m, float)[kept][order],
            time_s=time_s[kept][order],
            road=np.asarray(road, np.int32)[kept][order],
            roads=list(roads),
            road_classes=list(road_classes),
            source=source,
        )
        network.place_landmarks(landmarks, progress)
        return network

    def matrix(self, reverse: bool = False, weights: np.ndarray | None = None) -> csr_matrix:
        # Parallel edges keep their sum in a sparse matrix; the cheapest is what a route would take.
        costs = self.time_s if weights is None else weights
        rows, cols = (self.head, self.tail) if reverse else (self.tail, self.head)
        order = np.lexsort((-costs, cols, rows))
        rows, cols, costs = rows[order], cols[order], costs[order]
        last = np.ones(len(rows), bool)
        last[:-1] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        return csr_matrix((costs[last], (rows[last], cols[last])), shape=(self.node_count,) * 2)

    @property
    def landmarks(self) -> np.ndarray:
        """The landmark nodes (each is at distance 0 from itself)."""
        return np.argmin(self.from_landmark, axis=0) if self.from_landmark.size else np.zeros(0, np.int64)

    def landmark_tables(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distances from and to the same landmarks under other edge weights (node-major)."""
        forward, backward = self.matrix(weights=weights), self.matrix(reverse=True, weights=weights)
        landmarks = self.landmarks
        return (
            np.ascontiguousarray(dijkstra(forward, indices=landmarks).T),
            np.ascontiguousarray(dijkstra(backward, indices=landmarks).T),
        )

    def place_landmarks(self, count: int, progress: Callable[[int], None] | None = None) -> None:
        """Farthest-point landmarks: each next one is the node farthest (in time) from those chosen."""
        count = min(count, self.node_count)
        forward, backward = self.matrix(), self.matrix(reverse=True)
        chosen: list[int] = []
        from_rows, to_rows = [], []
        nearest = np.full(self.node_count, np.inf)
        # Start from the node farthest from an arbitrary one: it lies on the network's rim.
        start = int(np.argmax(dijkstra(forward, indices=0)))
        candidate = start
        for _ in range(count):
            chosen.append(candidate)
            from_row = dijkstra(forward, indices=candidate)
            to_row = dijkstra(backward, indices=candidate)
            from_rows.append(from_row)
            to_rows.append(to_row)
            nearest = np.minimum(nearest, from_row + to_row)
            candidate = int(np.argmax(nearest))
            if progress:
                progress(len(chosen))
        self.from_landmark = (
            np.ascontiguousarray(np.array(from_rows).T) if from_rows else np.zeros((self.node_count, 0))
        )
        self.to_landmark = (
            np.ascontiguousarray(np.array(to_rows).T) if to_rows else np.zeros((self.node_count, 0))
        )

    # ---- reading -------------------------------------------------------------------------

    @cached_property
    def _projected(self) -> cKDTree:
        # Equirectangular metres around the network's mean latitude: exact enough to find neighbours.
        return cKDTree(np.column_stack(self._project(self.node_lat, self.node_lon)))

    def _project(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        scale = math.cos(math.radians(float(np.mean(self.node_lat)))) if self.node_count else 1.0
        metres = math.pi / 180 * EARTH_RADIUS_M
        return np.asarray(lon) * metres * scale, np.asarray(lat) * metres

    def nearest_node(self, lat: float, lon: float) -> tuple[int, float]:
        """The closest node to a point, and the distance to it in metres."""
        x, y = self._project(lat, lon)
        _, index = self._projected.query([float(x), float(y)])
        node = int(index)
        return node, float(haversine_m(lat, lon, self.node_lat[node], self.node_lon[node]))

    def edge_midpoints(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            (self.node_lat[self.tail] + self.node_lat[self.head]) / 2,
            (self.node_lon[self.tail] + self.node_lon[self.head]) / 2,
        )

    # ---- storing -------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write atomically: a half-written network must never replace a good one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as out:
            np.savez(
                out,
                format_version=FORMAT_VERSION,
                node_lat=self.node_lat,
                node_lon=self.node_lon,
                first_out=self.first_out,
                tail=self.tail,
                head=self.head,
                length_m=self.length_m,
                time_s=self.time_s,
                road=self.road,
                roads=np.array(self.roads, dtype=str),
                road_classes=np.array(self.road_classes, dtype=str),
                source=self.source,
                from_landmark=self.from_landmark,
                to_landmark=self.to_landmark,
            )
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> "RoadNetwork":
        with np.load(path, allow_pickle=False) as data:
            if int(data["format_version"]) != FORMAT_VERSION:
                raise ValueError(
                    f"{path}: road network format {int(data['format_version'])} is not supported"
                )
            return cls(
                node_lat=data["node_lat"],
                node_lon=data["node_lon"],
                first_out=data["first_out"],
                tail=data["tail"],
                head=data["head"],
                length_m=data["length_m"],
                time_s=data["time_s"],
                road=data["road"],
                roads=[str(r) for r in data["roads"]],
                road_classes=[str(c) for c in data["road_classes"]],
                source=str(data["source"]),
                from_landmark=data["from_landmark"],
                to_landmark=data["to_landmark"],
            )


def _largest_strong_component(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    graph = csr_matrix((np.ones(len(tail)), (tail, head)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    largest = np.argmax(np.bincount(labels))
    return np.flatnonzero(labels == largest)
