"""Route queries: the bundled national network and a synthetic network of over a million edges.

Targets (issue 5), on one core, exact answers: median under 5 ms and p99 under 20 ms per
query on the 1M-edge network; a new incident reflected in routes within 250 ms. Exactness is
checked against SciPy's Dijkstra on a sample of the queries.
"""

import time
from datetime import UTC, datetime

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from bench.timing import report
from jsms.geo.roads.bundled import bundled_network
from jsms.geo.roads.network import RoadNetwork
from jsms.geo.roads.search import Router
from jsms.geo.roads.synthetic import synthetic_network
from jsms.risk.surface import RiskSurface

QUERIES = 1000
CHECKED = 25
BALANCED = 0.5


def edge_cells(network: RoadNetwork, surface: RiskSurface) -> np.ndarray:
    lat, lon = network.edge_midpoints()
    row, col, inside = surface.grid.index(lat, lon)
    return np.where(inside, row * surface.grid.cols + col, -1).astype(np.int64)


def risky_surface(network: RoadNetwork, incidents: int, seed: int = 3) -> RiskSurface:
    rng = np.random.default_rng(seed)
    surface = RiskSurface()
    picks = rng.integers(0, network.node_count, incidents)
    days = datetime.now(UTC).timestamp() / 86400 - rng.uniform(0, 365, incidents)
    surface.recompute(
        [str(i) for i in range(incidents)],
        network.node_lat[picks],
        network.node_lon[picks],
        days,
        rng.uniform(0.5, 10.0, incidents),
    )
    return surface


def exact_costs(network: RoadNetwork, weights: np.ndarray, sources: np.ndarray) -> np.ndarray:
    # A sparse matrix would add up parallel edges: keep the cheapest of each.
    order = np.lexsort((weights, network.head, network.tail))
    tail, head = network.tail[order], network.head[order]
    first = np.ones(len(order), bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    matrix = csr_matrix((weights[order][first], (tail[first], head[first])), shape=(network.node_count,) * 2)
    return dijkstra(matrix, indices=sources)


def run_queries(name: str, router: Router, pairs: np.ndarray, weight: float, cells, surface) -> list[float]:
    raster = surface.raster.ravel()
    gain = surface.scale()
    samples, costs = [], []
    for source, target in pairs:
        started = time.perf_counter()
        cost, _ = router.route(int(source), int(target), weight, cells, raster, gain)
        samples.append(time.perf_counter() - started)
        costs.append(cost)
    report(name, samples)
    check_exact(router.network, pairs, np.array(costs), weight, cells, raster, gain)
    return samples


def check_exact(network, pairs, costs, weight, cells, raster, gain) -> None:
    risk = np.where(cells >= 0, np.maximum(raster[np.maximum(cells, 0)], 0.0) * gain, 0.0)
    weights = network.time_s * (1.0 + weight * risk)
    sample = pairs[:CHECKED]
    reference = exact_costs(network, weights, sample[:, 0])
    expected = reference[np.arange(len(sample)), sample[:, 1]]
    worst = float(np.max(np.abs(costs[:CHECKED] - expected) / expected))
    status = "exact" if worst < 1e-9 else "NOT EXACT"
    print(f"    {status}: largest relative difference from Dijkstra over {CHECKED} queries {worst:.1e}")


def main() -> None:
    rng = np.random.default_rng(11)

    bundled = Router(bundled_network())
    surface = risky_surface(bundled.network, 300)
    cells = edge_cells(bundled.network, surface)
    pairs = rng.integers(0, bundled.network.node_count, (QUERIES, 2))
    bundled.route(0, 1)  # compile (or load the cached machine code) outside the timings
    print(f"bundled network: {bundled.network.node_count} nodes, {bundled.network.edge_count} edges")
    run_queries("bundled: fastest route", bundled, pairs, 0.0, cells, surface)
    prepare_risk_bounds(bundled, cells, surface)
    run_queries("bundled: balanced route (risk-weighted)", bundled, pairs, BALANCED, cells, surface)

    started = time.perf_counter()
    network = synthetic_network(528)
    built = time.perf_counter() - started
    print(
        f"synthetic network: {network.node_count} nodes, {network.edge_count} directed edges "
        f"(built with 16 landmarks in {built:.1f} s)"
    )
    router = Router(network)
    surface = risky_surface(network, 400)
    cells = edge_cells(network, surface)
    pairs = rng.integers(0, network.node_count, (QUERIES, 2))
    fastest = run_queries("1M edges: fastest route", router, pairs, 0.0, cells, surface)
    router.use_risk_bounds = False
    run_queries("1M edges: balanced, base-time landmarks", router, pairs[:300], BALANCED, cells, surface)
    router.use_risk_bounds = True
    prepare_risk_bounds(router, cells, surface)
    balanced = run_queries(
        "1M edges: balanced, risk-weighted landmarks", router, pairs, BALANCED, cells, surface
    )
    full = []
    matrix = csr_matrix((network.time_s, (network.tail, network.head)), shape=(network.node_count,) * 2)
    for source, _ in pairs[:20]:
        started = time.perf_counter()
        dijkstra(matrix, indices=int(source))
        full.append(time.perf_counter() - started)
    report("1M edges: plain Dijkstra over the whole graph", full)
    speed_up = np.median(full) / np.median(fastest), np.median(full) / np.median(balanced)
    print(f"    speed-up over plain Dijkstra: median {speed_up[0]:.0f}x fastest, {speed_up[1]:.0f}x balanced")
    incident_reflected(router, surface, cells, pairs)


def prepare_risk_bounds(router: Router, cells: np.ndarray, surface: RiskSurface) -> None:
    started = time.perf_counter()
    router.prepare_risk_bounds(BALANCED, cells, surface.raster.ravel(), surface.scale())
    print(f"    landmark tables for the balanced weight built in {time.perf_counter() - started:.2f} s")


def incident_reflected(router: Router, surface: RiskSurface, cells: np.ndarray, pairs: np.ndarray) -> None:
    """From a verified severe incident on a route to a balanced route that avoids it."""
    samples, avoided = [], 0
    for number, (source, target) in enumerate(pairs[:50]):
        raster = surface.raster.ravel()
        _, edges = router.route(int(source), int(target), BALANCED, cells, raster, surface.scale())
        if len(edges) < 10:
            continue
        middle = int(router.network.head[edges[len(edges) // 2]])
        lat, lon = router.network.node_lat[middle], router.network.node_lon[middle]
        started = time.perf_counter()
        surface.upsert(f"new-{number}", float(lat), float(lon), datetime.now(UTC), 40.0)
        _, rerouted = router.route(
            int(source), int(target), BALANCED, cells, surface.raster.ravel(), surface.scale()
        )
        samples.append(time.perf_counter() - started)
        avoided += int(middle not in set(router.network.head[rerouted].tolist()))
        surface.remove(f"new-{number}")
    report("new incident → surface updated → route recomputed", samples)
    print(f"    the new route avoided the bombed place in {avoided} of {len(samples)} cases")


if __name__ == "__main__":
    main()
