"""Exact shortest paths under changing weights: A* with landmarks (ALT), compiled with Numba.

An edge costs `time × (1 + λ × risk) × penalty`, where risk is read from a raster cell at
query time. Risk and penalties only ever raise an edge's cost above its base time, so the
landmark lower bounds, computed once on base times, stay admissible and consistent: the
search is exact whatever the risk surface looks like, and a changed surface needs no
rebuilding — the next query reads the new cell values.

Per query the search uses the few landmarks that give the best bound between origin and
destination, as in Goldberg and Harrelson's ALT. Work arrays are reused between queries
(one set per thread); a stamp marks which entries belong to the current query.
"""

import heapq
import threading

import numba
import numpy as np

from jsms.geo.roads.network import RoadNetwork

ACTIVE_LANDMARKS = 6


@numba.njit(cache=True, nogil=True)
def _bound(from_lm, to_lm, active, v, target):
    # Node-major arrays: a node's distances to and from every landmark share a cache line or two.
    best = 0.0
    for k in active:
        forward = from_lm[target, k] - from_lm[v, k]
        backward = to_lm[v, k] - to_lm[target, k]
        if forward > best:
            best = forward
        if backward > best:
            best = backward
    return best


@numba.njit(cache=True, nogil=True)
def _astar(
    first_out,
    head,
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
    dist,
    pred,
    stamp,
    closed,
    query,
):
    """Cost of the cheapest path source → target (inf if none); `pred` holds each node's edge in."""
    dist[source] = 0.0
    pred[source] = -1
    stamp[source] = query
    heap = [(_bound(from_lm, to_lm, active, source, target), source)]
    while heap:
        _, v = heapq.heappop(heap)
        if closed[v] == query:
            continue
        closed[v] = query
        if v == target:
            return dist[v]
        for e in range(first_out[v], first_out[v + 1]):
            factor = penalty[e]
            if factor == np.inf:
                continue
            risk = 0.0
            cell = edge_cell[e]
            if cell >= 0 and raster[cell] > 0.0:
                risk = raster[cell] * gain
            cost = dist[v] + time_s[e] * (1.0 + risk_weight * risk) * factor
            w = np.int64(head[e])
            if stamp[w] != query or cost < dist[w]:
                stamp[w] = query
                dist[w] = cost
                pred[w] = e
                heapq.heappush(heap, (cost + _bound(from_lm, to_lm, active, w, target), w))
    return np.inf


@numba.njit(cache=True, nogil=True)
def _edges_back(pred, tail, source, target):
    count = 0
    v = target
    while v != source:
        count += 1
        v = tail[pred[v]]
    edges = np.empty(count, np.int64)
    v = target
    for i in range(count - 1, -1, -1):
        edges[i] = pred[v]
        v = tail[pred[v]]
    return edges


class _Workspace(threading.local):
    network: RoadNetwork | None = None


class Router:
    """Shortest paths on one network; safe to share between threads."""

    def __init__(self, network: RoadNetwork):
        self.network = network
        self.no_risk = np.full(network.edge_count, -1, np.int64)
        self.no_raster = np.zeros(1)
        self.unit_penalty = np.ones(network.edge_count)
        self._local = _Workspace()

    def _work(self):
        local = self._local
        if local.network is not self.network:
            n = self.network.node_count
            local.network = self.network
            local.dist = np.empty(n)
            local.pred = np.empty(n, np.int64)
            local.stamp = np.zeros(n, np.int64)
            local.closed = np.zeros(n, np.int64)
            local.query = 0
        local.query += 1
        return local

    def active_landmarks(self, source: int, target: int) -> np.ndarray:
        net = self.network
        if not net.from_landmark.size:
            return np.zeros(0, np.int64)
        bounds = np.maximum(
            net.from_landmark[target] - net.from_landmark[source],
            net.to_landmark[source] - net.to_landmark[target],
        )
        return np.argsort(-bounds)[:ACTIVE_LANDMARKS].astype(np.int64)

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
        net = self.network
        work = self._work()
        cost = _astar(
            net.first_out,
            net.head,
            net.time_s,
            self.no_risk if edge_cell is None else edge_cell,
            self.no_raster if raster is None else raster,
            gain,
            risk_weight,
            self.unit_penalty if penalty is None else penalty,
            net.from_landmark,
            net.to_landmark,
            self.active_landmarks(source, target),
            source,
            target,
            work.dist,
            work.pred,
            work.stamp,
            work.closed,
            work.query,
        )
        if cost == np.inf:
            return None
        return float(cost), _edges_back(work.pred, net.tail, source, target)
