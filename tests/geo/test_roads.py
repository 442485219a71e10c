"""The road network and its router: exact answers, risk without rebuilding, OSM import, storage."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from jsms.geo.roads.bundled import bundled_network
from jsms.geo.roads.network import RoadNetwork
from jsms.geo.roads.osm import import_osm
from jsms.geo.roads.search import Router
from jsms.geo.roads.synthetic import synthetic_network
from tests.support.osm_town import ONEWAY, PRIMARY_MAXSPEED, PRIVATE, SIDE, junction_position, write_town


@pytest.fixture(scope="module")
def grid() -> RoadNetwork:
    return synthetic_network(40, landmarks=8)


def reference_costs(network: RoadNetwork, weights: np.ndarray, source: int) -> np.ndarray:
    # Keep the cheapest of parallel edges (a sparse matrix would add them up).
    order = np.lexsort((weights, network.head, network.tail))
    tail, head = network.tail[order], network.head[order]
    first = np.ones(len(order), bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    matrix = csr_matrix((weights[order][first], (tail[first], head[first])), shape=(network.node_count,) * 2)
    return dijkstra(matrix, indices=source)


def path_is_connected(network: RoadNetwork, edges: np.ndarray, source: int, target: int) -> bool:
    nodes = [source]
    for edge in edges:
        if network.tail[edge] != nodes[-1]:
            return False
        nodes.append(int(network.head[edge]))
    return nodes[-1] == target


def test_routes_are_exactly_the_shortest_paths_with_and_without_risk(grid):
    router = Router(grid)
    rng = np.random.default_rng(5)
    cells = rng.integers(-1, 50, grid.edge_count)
    raster = rng.uniform(0, 3, 50)
    risk = np.where(cells >= 0, raster[np.maximum(cells, 0)], 0.0)
    for weight in (0.0, 0.5, 5.0):
        weights = grid.time_s * (1 + weight * risk)
        for source, target in rng.integers(0, grid.node_count, (15, 2)):
            expected = reference_costs(grid, weights, int(source))[target]
            cost, edges = router.route(int(source), int(target), weight, cells, raster, 1.0)
            assert cost == pytest.approx(expected, rel=1e-9)
            assert path_is_connected(grid, edges, int(source), int(target))
            assert weights[edges].sum() == pytest.approx(cost, rel=1e-9)


def test_risk_weighted_landmark_tables_stay_exact_as_the_surface_rises_and_falls(grid):
    router = Router(grid)
    rng = np.random.default_rng(9)
    cells = rng.integers(-1, 50, grid.edge_count)
    raster = rng.uniform(0, 3, 50)
    router.prepare_risk_bounds(5.0, cells, raster, 1.0)
    bounds = router.risk_bounds(5.0)
    assert bounds.hold_for(raster, 1.0) and not np.array_equal(bounds.from_landmark, grid.from_landmark)
    risen, fallen = raster.copy(), raster.copy()
    risen[7] += 50.0  # a new incident: the tables still hold
    fallen[7] = 0.0  # an incident rejected: they no longer do, and the base tables serve
    assert bounds.hold_for(risen, 1.0) and not bounds.hold_for(fallen, 1.0)
    for surface in (risen, fallen):
        risk = np.where(cells >= 0, surface[np.maximum(cells, 0)], 0.0)
        weights = grid.time_s * (1 + 5.0 * risk)
        for source, target in rng.integers(0, grid.node_count, (10, 2)):
            cost, _ = router.route(int(source), int(target), 5.0, cells, surface, 1.0)
            assert cost == pytest.approx(reference_costs(grid, weights, int(source))[target], rel=1e-9)


def test_a_route_to_itself_is_empty(grid):
    cost, edges = Router(grid).route(7, 7)
    assert cost == 0 and len(edges) == 0


def test_a_change_in_the_risk_raster_changes_the_route_without_rebuilding(grid):
    router = Router(grid)
    source, target = 0, grid.node_count - 1
    cells = np.arange(grid.edge_count)  # a raster cell per edge
    raster = np.zeros(grid.edge_count)
    _, quiet = router.route(source, target, 5.0, cells, raster, 1.0)
    raster[quiet[len(quiet) // 2]] = 100.0  # danger on the middle of the route
    cost, rerouted = router.route(source, target, 5.0, cells, raster, 1.0)
    assert quiet[len(quiet) // 2] not in set(rerouted.tolist())
    assert cost == pytest.approx(reference_costs(grid, grid.time_s * (1 + 5.0 * raster), source)[target])


def test_closed_edges_are_never_used(grid):
    router = Router(grid)
    _, edges = router.route(0, grid.node_count - 1)
    penalty = np.ones(grid.edge_count)
    penalty[edges] = np.inf
    _, detour = router.route(0, grid.node_count - 1, penalty=penalty)
    assert not set(detour.tolist()) & set(edges.tolist())


def test_the_bundled_network_links_karachi_to_the_khunjerab_pass():
    network = bundled_network()
    assert network.edge_count > 10_000 and network.from_landmark.shape == (network.node_count, 16)
    karachi, _ = network.nearest_node(24.86, 67.01)
    khunjerab, distance = network.nearest_node(36.85, 75.43)
    assert distance < 10_000
    _, edges = Router(network).route(karachi, khunjerab)
    km = network.length_m[edges].sum() / 1000
    assert 1_700 < km < 2_700  # by road about 2,000 to 2,200 km (by M-9 and M-5 or N-55, then N-35)
    roads = {network.roads[r] for r in network.road[edges]}
    assert "N-35" in roads


def test_a_saved_network_loads_identical_and_a_foreign_format_is_refused(grid, tmp_path):
    path = tmp_path / "roads" / "network.npz"
    grid.save(path)
    loaded = RoadNetwork.load(path)
    assert loaded.source == grid.source and loaded.roads == grid.roads
    for name in ("first_out", "head", "time_s", "from_landmark", "to_landmark"):
        assert np.array_equal(getattr(loaded, name), getattr(grid, name))
    assert not list(path.parent.glob("*.partial"))
    with np.load(path) as data:
        np.savez(path, **{**dict(data), "format_version": 99})
    with pytest.raises(ValueError, match="format 99"):
        RoadNetwork.load(path)


def test_osm_import_keeps_drivable_public_roads_in_their_directions(tmp_path):
    network = import_osm(write_town(tmp_path / "town.osm.pbf"), landmarks=4)
    assert network.node_count == SIDE * SIDE
    assert network.source == "osm:town.osm.pbf"

    def edges_between(a: int, b: int) -> np.ndarray:
        (lat_a, lon_a), (lat_b, lon_b) = junction_position(a + 1), junction_position(b + 1)
        u, _ = network.nearest_node(lat_a, lon_a)
        v, _ = network.nearest_node(lat_b, lon_b)
        return np.flatnonzero((network.tail == u) & (network.head == v))

    assert len(edges_between(*ONEWAY)) >= 1
    reverse = edges_between(ONEWAY[1], ONEWAY[0])
    # Only the primary road (two-way) runs back along the one-way street.
    assert [network.roads[network.road[e]] for e in reverse] == ["N-10"]
    assert len(edges_between(*PRIVATE)) == 0 and len(edges_between(*reversed(PRIVATE))) == 0
    primary = np.flatnonzero(np.array(network.roads)[network.road] == "N-10")
    speeds = network.length_m[primary] / network.time_s[primary] * 3.6
    assert np.allclose(speeds, PRIMARY_MAXSPEED)
    assert network.road_classes[network.roads.index("N-10")] == "national"
    # 60 streets both ways, less the private one both ways and the one-way street's back
    # direction, plus the five stretches of the primary road both ways; no footway.
    assert network.edge_count == 120 - 2 - 1 + 10


def test_osm_import_reports_progress_and_refuses_a_file_without_roads(tmp_path):
    stages = []
    import_osm(
        write_town(tmp_path / "town.osm"), lambda stage, done, total: stages.append(stage), landmarks=2
    )
    assert stages[0] == "ways" and stages[-1] == "network"
    empty = tmp_path / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"></osm>')
    with pytest.raises(ValueError, match="no drivable roads"):
        import_osm(empty)
