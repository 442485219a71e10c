"""Exact shortest paths under changing weights: bidirectional A* with landmarks (ALT), in Numba.

An edge costs `time × (1 + λ × risk) × penalty`, where risk is read from a raster cell at
query time. Risk and penalties only ever raise an edge's cost above its base time, so the
landmark lower bounds, computed once on base times, stay admissible and consistent: the
search is exact whatever the risk surface looks like, and a changed surface needs no
rebuilding — the next query reads the new cell values.

Per query the search uses the few landmarks that give the best bound between origin and
destination, and searches from both ends at once with the average of the two potentials
(Goldberg and Harrelson's bidirectional ALT): both searches then run Dijkstra on the same
reduced costs, so the usual bidirectional stopping rule is exact. Work arrays are reused
between queries (one set per thread); a stamp marks which entries belong to the current query.
"""

import threading
from dataclasses import dataclass

import numba
import numpy as np

from jsms.geo.roads.network import RoadNetwork

ACTIVE_LANDMARKS = 8
# Risk-weighted tables assume a little less risk than measured, so that the surface's slow decay
# does not invalidate them for days.
FLOOR_MARGIN = 0.97


@numba.njit(cache=True, nogil=True, inline="always")
def _edge_cost(e, time_s, edge_cell, raster, gain, risk_weight, penalty):
    factor = penalty[e]
    if factor == np.inf:
        return np.inf
    cell = edge_cell[e]
    if cell >= 0 and raster[cell] > 0.0:
        return time_s[e] * (1.0 + risk_weight * raster[cell] * gain) * factor
    return time_s[e] * factor


@numba.njit(cache=True, nogil=True)
def _potential(from_lm, to_lm, active, v, source, target):
    """Half of (lower bound v → target minus lower bound source → v): consistent both ways."""
    to_target = 0.0
    from_source = 0.0
    for k in active:
        forward = from_lm[target, k] - from_lm[v, k]
        backward = to_lm[v, k] - to_lm[target, k]
        if forward > to_target:
            to_target = forward
        if backward > to_target:
            to_target = backward
        forward = from_lm[v, k] - from_lm[source, k]
        backward = to_lm[source, k] - to_lm[v, k]
        if forward > from_source:
            from_source = forward
        if backward > from_source:
            from_source = backward
    return 0.5 * (to_target - from_source)


# An indexed binary heap in plain arrays: keys, nodes, and each node's place (for decrease-key).


@numba.njit(cache=True, nogil=True, inline="always")
def _sift_up(keys, nodes, place, i):
    key, node = keys[i], nodes[i]
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i], nodes[i] = keys[parent], nodes[parent]
        place[nodes[i]] = i
        i = parent
    keys[i], nodes[i] = key, node
    place[node] = i


@numba.njit(cache=True, nogil=True)
def _pop(keys, nodes, place, size):
    top = nodes[0]
    size -= 1
    if size > 0:
        key, node = keys[size], nodes[size]
        i = 0
        while True:
            child = 2 * i + 1
            if child >= size:
                break
            if child + 1 < size and keys[child + 1] < keys[child]:
                child += 1
            if keys[child] >= key:
                break
            keys[i], nodes[i] = keys[child], nodes[child]
            place[nodes[i]] = i
            i = child
        keys[i], nodes[i] = key, node
        place[node] = i
    place[top] = -1
    return top, size


@numba.njit(cache=True, nogil=True)
def _bidirectional(
    first_out,
    head,
    first_in,
    in_edge,
    tail,
    time_s,
    edge_cell,
    raster,
    gain,
    risk_weight,
    penalty,
    from_lm,
    to_lm,
    active,
    source,
    target,
    work_dist,
    work_pred,
    work_stamp,
    work_place,
    heap_keys,
    heap_nodes,
    potential,
    potential_stamp,
    query,
):
    """Cost of the cheapest path source → target and the node where the two searches met.

    Side 0 searches forward from the source, side 1 backward from the target; `work_pred[side, v]`
    is the edge by which v was reached on that side. Returns (inf, -1) when there is no path.
    """
    best = np.inf
    meeting = -1
    sizes = np.zeros(2, np.int64)
    for side in range(2):
        start = source if side == 0 else target
        pot = _potential(from_lm, to_lm, active, start, source, target)
        potential[start] = pot
        potential_stamp[start] = query
        work_dist[side, start] = 0.0
        work_pred[side, start] = -1
        work_stamp[side, start] = query
        heap_keys[side, 0] = pot if side == 0 else -pot
        heap_nodes[side, 0] = start
        work_place[side, start] = 0
        sizes[side] = 1
    while sizes[0] > 0 and sizes[1] > 0:
        # Both sides run Dijkstra on the same reduced costs: stop once no shorter path can close.
        if heap_keys[0, 0] + heap_keys[1, 0] >= best:
            break
        side = 0 if sizes[0] <= sizes[1] else 1
        other = 1 - side
        keys, nodes, place = heap_keys[side], heap_nodes[side], work_place[side]
        dist, pred, stamp = work_dist[side], work_pred[side], work_stamp[side]
        v, sizes[side] = _pop(keys, nodes, place, sizes[side])
        if side == 0:
            first, last = first_out[v], first_out[v + 1]
        else:
            first, last = first_in[v], first_in[v + 1]
        for i in range(first, last):
            e = i if side == 0 else in_edge[i]
            w = np.int64(head[e]) if side == 0 else np.int64(tail[e])
            cost = _edge_cost(e, time_s, edge_cell, raster, gain, risk_weight, penalty)
            if cost == np.inf:
                continue
            reached = dist[v] + cost
            if stamp[w] == query:
                if reached >= dist[w] or place[w] < 0:
                    continue  # no improvement, or w is already settled on this side
                dist[w] = reached
                pred[w] = e
                keys[place[w]] = reached + (potential[w] if side == 0 else -potential[w])
                _sift_up(keys, nodes, place, place[w])
            else:
                if potential_stamp[w] != query:
                    potential[w] = _potential(from_lm, to_lm, active, w, source, target)
                    potential_stamp[w] = query
                stamp[w] = query
                dist[w] = reached
                pred[w] = e
                size = sizes[side]
                keys[size] = reached + (potential[w] if side == 0 else -potential[w])
                nodes[size] = w
                _sift_up(keys, nodes, place, size)
                sizes[side] = size + 1
            if work_stamp[other, w] == query:
                total = reached + work_dist[other, w]
                if total < best:
                    best = total
                    meeting = w
    return best, meeting


@numba.njit(cache=True, nogil=True)
def _path_edges(work_pred, head, tail, source, target, meeting):
    """The edges source → meeting (forward side) then meeting → target (backward side)."""
    count = 0
    v = meeting
    while v != source:
        count += 1
        v = tail[work_pred[0, v]]
    forward = count
    v = meeting
    while v != target:
        count += 1
        v = head[work_pred[1, v]]
    edges = np.empty(count, np.int64)
    v = meeting
    for i in range(forward - 1, -1, -1):
        edges[i] = work_pred[0, v]
        v = tail[edges[i]]
    v = meeting
    for i in range(forward, count):
        edges[i] = work_pred[1, v]
        v = head[edges[i]]
    return edges


@dataclass(frozen=True)
class RiskBounds:
    """Landmark tables for one risk weight, computed on a floor of the risk surface.

    Distances under weights that never exceed the real ones still bound the real distances
    from below (and stay consistent), so while every cell's risk is at least the floor these
    much tighter tables keep the search exact. A new incident only raises risk: the tables
    stay valid. Decay and removals lower it: then the base tables serve until new ones are built.
    """

    risk_weight: float
    cells: np.ndarray  # the raster cells the network's edges lie in
    floor: np.ndarray  # risk (raster value × gain) assumed at most, per cell of `cells`
    from_landmark: np.ndarray
    to_landmark: np.ndarray

    def hold_for(self, raster: np.ndarray, gain: float) -> bool:
        return bool(np.all(np.maximum(raster[self.cells], 0.0) * gain >= self.floor))


class _Workspace(threading.local):
    network: RoadNetwork | None = None


class Router:
    """Shortest paths on one network; safe to share between threads."""

    def __init__(self, network: RoadNetwork):
        self.network = network
        # Edges entering each node, for the backward search.
        self.in_edge = np.argsort(network.head, kind="stable").astype(np.int64)
        self.first_in = np.searchsorted(network.head[self.in_edge], np.arange(network.node_count + 1)).astype(
            np.int64
        )
        self.no_risk = np.full(network.edge_count, -1, np.int64)
        self.no_raster = np.zeros(1)
        self.unit_penalty = np.ones(network.edge_count)
        self._local = _Workspace()
        self.use_risk_bounds = True  # False: base-time landmarks only (for comparison)
        self._risk_bounds: dict[float, RiskBounds] = {}
        self._building: set[float] = set()
        self._building_lock = threading.Lock()

    def _work(self):
        local = self._local
        if local.network is not self.network:
            n = self.network.node_count
            local.network = self.network
            local.dist = np.empty((2, n))
            local.pred = np.empty((2, n), np.int64)
            local.stamp = np.zeros((2, n), np.int64)
            local.place = np.empty((2, n), np.int64)
            local.heap_keys = np.empty((2, n))
            local.heap_nodes = np.empty((2, n), np.int64)
            local.potential = np.empty(n)
            local.potential_stamp = np.zeros(n, np.int64)
            local.query = 0
        local.query += 1
        return local

    def active_landmarks(self, tables: tuple[np.ndarray, np.ndarray], source: int, target: int) -> np.ndarray:
        from_landmark, to_landmark = tables
        if not from_landmark.size:
            return np.zeros(0, np.int64)
        bounds = np.maximum(
            from_landmark[target] - from_landmark[source],
            to_landmark[source] - to_landmark[target],
        )
        return np.argsort(-bounds)[:ACTIVE_LANDMARKS].astype(np.int64)

    # ---- landmark tables for risk-weighted routes --------------------------------------------

    def prepare_risk_bounds(self, risk_weight: float, edge_cell: np.ndarray, raster: np.ndarray, gain: float):
        """Build the tables for a risk weight on today's surface (seconds on a national OSM network)."""
        inside = edge_cell >= 0
        cells = np.unique(edge_cell[inside])
        floor = np.maximum(raster[cells], 0.0) * gain * FLOOR_MARGIN
        cell_floor = np.zeros(int(edge_cell.max(initial=0)) + 1)
        cell_floor[cells] = floor
        risk = np.where(inside, cell_floor[np.maximum(edge_cell, 0)], 0.0)
        weights = self.network.time_s * (1.0 + risk_weight * risk)
        from_landmark, to_landmark = self.network.landmark_tables(weights)
        self._risk_bounds[risk_weight] = RiskBounds(risk_weight, cells, floor, from_landmark, to_landmark)

    def risk_bounds(self, risk_weight: float) -> RiskBounds | None:
        return self._risk_bounds.get(risk_weight)

    def _tables(self, risk_weight: float, edge_cell, raster, gain) -> tuple[np.ndarray, np.ndarray]:
        """The tightest valid landmark tables; stale risk tables are rebuilt in the background."""
        base = (self.network.from_landmark, self.network.to_landmark)
        usable = self.use_risk_bounds and edge_cell is not None and raster is not None
        if risk_weight <= 0 or not usable or not self.network.from_landmark.size:
            return base
        bounds = self._risk_bounds.get(risk_weight)
        if bounds is not None and bounds.hold_for(raster, gain):
            return bounds.from_landmark, bounds.to_landmark
        self._build_in_background(risk_weight, edge_cell, raster, gain)
        return base

    def _build_in_background(self, risk_weight: float, edge_cell, raster, gain) -> None:
        with self._building_lock:
            if risk_weight in self._building:
                return
            self._building.add(risk_weight)
        raster = raster.copy()  # the live surface may change while the tables are built

        def build():
            try:
                self.prepare_risk_bounds(risk_weight, edge_cell, raster, gain)
            finally:
                with self._building_lock:
                    self._building.discard(risk_weight)

        threading.Thread(target=build, name=f"risk-bounds-{risk_weight}", daemon=True).start()

    def route(
        self,
        source: int,
        target: int,
        risk_weight: float = 0.0,
        edge_cell: np.ndarray | None = None,
        raster: np.ndarray | None = None,
        gain: float = 0.0,
        penalty: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray] | None:
        """The cheapest path's cost and edges, or None when the target cannot be reached.

        `edge_cell` gives each edge's cell in the flat `raster` (-1: none), whose values times
        `gain` are the risk; `penalty` multiplies edge costs (inf: closed).
        """
        if source == target:
            return 0.0, np.zeros(0, np.int64)
        net = self.network
        work = self._work()
        tables = self._tables(risk_weight, edge_cell, raster, gain)
        cost, meeting = _bidirectional(
            net.first_out,
            net.head,
            self.first_in,
            self.in_edge,
            net.tail,
            net.time_s,
            self.no_risk if edge_cell is None else edge_cell,
            self.no_raster if raster is None else raster,
            gain,
            risk_weight,
            self.unit_penalty if penalty is None else penalty,
            tables[0],
            tables[1],
            self.active_landmarks(tables, source, target),
            source,
            target,
            work.dist,
            work.pred,
            work.stamp,
            work.place,
            work.heap_keys,
            work.heap_nodes,
            work.potential,
            work.potential_stamp,
            work.query,
        )
        if cost == np.inf:
            return None
        return float(cost), _path_edges(work.pred, net.head, net.tail, source, target, meeting)
