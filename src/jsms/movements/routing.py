"""Risk-aware routes: fastest, safest and balanced, and genuinely different alternatives.

An edge costs `travel time × (1 + λ × risk)`, with the risk read from the live risk surface
at the edge's middle: risk exposure is the surface along the way times the time spent in it
(reported in intensity-hours). λ is 0 for the fastest route, `BALANCED_WEIGHT` for the
balanced one and `SAFEST_WEIGHT` for the safest. The router reads the surface at query time,
so a verified incident changes the next route without any rebuilding.

A point is joined to the network at its nearest node by an access leg (straight line, a
little longer for winding, at town speed). Avoid-zones close every edge that touches them.
When the three profiles share a route, alternatives are found by penalising the edges of the
routes found so far and searching again; one is kept only if it is genuinely different (at
most 70 % shared with any other) and not much slower (at most 1.5 times the fastest).
"""

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.errors import Invalid, invalid_field
from jsms.core.i18n import N_
from jsms.core.policy import require
from jsms.geo.gazetteer import nearest_place
from jsms.geo.roads import current_router
from jsms.geo.roads.network import RoadNetwork
from jsms.geo.roads.search import Router
from jsms.registry import service as registry
from jsms.risk import service as risk
from jsms.risk import sop
from jsms.risk.areas import level_for
from jsms.risk.models import ThreatLevel

PROFILES = ("fastest", "safest", "balanced")
RISK_WEIGHTS = {"fastest": 0.0, "safest": 5.0, "balanced": 0.5}
ACCESS_SPEED_KMH = 30.0
ACCESS_WINDING = 1.3
MAX_ACCESS_KM = 60.0
ALTERNATIVE_PENALTY = 1.6
MAX_SHARED = 0.7
MAX_STRETCH = 1.5
CHECKPOINT_EVERY_KM = 50.0


@dataclass(frozen=True)
class Endpoint:
    lat: float
    lon: float
    label: str
    site_id: uuid.UUID | None = None
    site_tier: int | None = None


@dataclass
class Checkpoint:
    name: str
    lat: float
    lon: float
    distance_m: float
    offset_s: float  # time after departure

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "distance_m": round(self.distance_m),
            "offset_s": round(self.offset_s),
        }


@dataclass
class RoutePlan:
    profile: str
    profiles: list[str]
    edges: np.ndarray
    coordinates: list[tuple[float, float]]  # (lon, lat)
    distance_m: float
    duration_s: float
    risk_exposure: float
    max_intensity: float
    max_threat_level: int
    roads: list[str]
    areas: list[str]
    checkpoints: list[Checkpoint]
    sop_version: int = 0
    requirements: sop.Requirements | None = None
    applied_rules: list[str] = field(default_factory=list)

    def properties(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "profiles": self.profiles,
            "distance_m": round(self.distance_m),
            "duration_s": round(self.duration_s),
            "risk_exposure": round(self.risk_exposure, 4),
            "max_intensity": round(self.max_intensity, 3),
            "max_threat_level": self.max_threat_level,
            "roads": self.roads,
            "areas": self.areas,
            "checkpoints": [c.as_dict() for c in self.checkpoints],
            "sop_version": self.sop_version,
            "requirements": self.requirements.model_dump(mode="json") if self.requirements else None,
            "applied_rules": self.applied_rules,
        }

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in self.coordinates]},
            "properties": self.properties(),
        }


# ---- endpoints ---------------------------------------------------------------------------


def resolve_endpoint(session: Session, actor: Actor, where: dict[str, Any], name: str) -> Endpoint:
    """A site (the actor must be allowed to see it) or a point, from `{"site_id"}` or `{"lat", "lon"}`."""
    if where.get("site_id"):
        site = registry.get_site(session, actor, uuid.UUID(str(where["site_id"])))
        return Endpoint(site.lat, site.lon, site.name, site.id, site.security_tier)
    lat, lon = where.get("lat"), where.get("lon")
    if lat is None or lon is None:
        raise invalid_field(name, N_("give a site_id or both lat and lon"))
    place = nearest_place(lat, lon)
    return Endpoint(lat, lon, place.name if place else f"{lat:.4f}, {lon:.4f}")


# ---- the network's view of the risk surface ----------------------------------------------

_cells: dict[int, tuple[RoadNetwork, np.ndarray, np.ndarray]] = {}
_cells_lock = threading.Lock()


def edge_cells(network: RoadNetwork, engine: risk.RiskEngine) -> tuple[np.ndarray, np.ndarray]:
    """Each edge's raster cell (flat index, -1 outside) and its district (index, -1 none)."""
    with _cells_lock:
        cached = _cells.get(id(network))
        if cached is None or cached[0] is not network:
            lat, lon = network.edge_midpoints()
            grid = engine.surface.grid
            row, col, inside = grid.index(lat, lon)
            flat = np.where(inside, row * grid.cols + col, -1).astype(np.int64)
            districts = np.full(len(flat), -1, np.int64)
            districts[inside] = engine.areas.district_labels[row[inside], col[inside]]
            cached = _cells[id(network)] = (network, flat, districts)
        return cached[1], cached[2]


@dataclass
class _Search:
    """One planning request: the router, the risk surface as the search reads it, the closures."""

    router: Router
    cells: np.ndarray
    districts: np.ndarray
    raster: np.ndarray
    gain: float
    closed: np.ndarray | None

    def edge_risk(self, edges: np.ndarray) -> np.ndarray:
        cells = self.cells[edges]
        values = np.where(cells >= 0, self.raster[np.maximum(cells, 0)], 0.0)
        return np.maximum(values, 0.0) * self.gain

    def run(self, source: int, target: int, weight: float, penalty: np.ndarray | None = None):
        if penalty is None:
            penalty = self.closed
        elif self.closed is not None:
            penalty = penalty * self.closed
        return self.router.route(source, target, weight, self.cells, self.raster, self.gain, penalty)


def closures(network: RoadNetwork, avoid: list[dict[str, Any]]) -> np.ndarray | None:
    """Edge cost factors with avoid-zones closed (inf), or None when nothing is avoided."""
    if not avoid:
        return None
    try:
        zones = [shape(zone) for zone in avoid]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise invalid_field("avoid", N_("not a GeoJSON polygon: %(error)s"), error=str(error)) from error
    if any(z.geom_type not in ("Polygon", "MultiPolygon") or not z.is_valid for z in zones):
        raise invalid_field("avoid", N_("every avoid-zone must be a valid GeoJSON Polygon or MultiPolygon"))
    tree = _edge_tree(network)
    factors = np.ones(network.edge_count)
    for zone in zones:
        factors[tree.query(zone, predicate="intersects")] = np.inf
    return factors


_trees: dict[int, tuple[RoadNetwork, shapely.STRtree]] = {}


def _edge_tree(network: RoadNetwork) -> shapely.STRtree:
    with _cells_lock:
        cached = _trees.get(id(network))
        if cached is None or cached[0] is not network:
            starts = np.column_stack([network.node_lon[network.tail], network.node_lat[network.tail]])
            ends = np.column_stack([network.node_lon[network.head], network.node_lat[network.head]])
            lines = shapely.linestrings(np.stack([starts, ends], axis=1))
            cached = _trees[id(network)] = (network, shapely.STRtree(lines))
        return cached[1]


# ---- planning ----------------------------------------------------------------------------


def _snap(network: RoadNetwork, end: Endpoint, name: str) -> tuple[int, float]:
    node, metres = network.nearest_node(end.lat, end.lon)
    if metres > MAX_ACCESS_KM * 1000:
        raise invalid_field(
            name,
            N_("the point is %(km)s km from the nearest road of the network (at most %(max)s)"),
            km=round(metres / 1000),
            max=round(MAX_ACCESS_KM),
        )
    return node, metres * ACCESS_WINDING


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(get_settings().default_timezone))


def local_hour(moment: datetime) -> int:
    return local_time(moment).hour


def plan_routes(
    session: Session,
    actor: Actor,
    origin: Endpoint,
    destination: Endpoint,
    depart_at: datetime,
    avoid: list[dict[str, Any]] | None = None,
) -> list[RoutePlan]:
    """Up to three genuinely different routes, each with its exposure, threat level and SOP demands."""
    require(session, actor, "route.plan")
    router = current_router()
    network = router.network
    source, access_out = _snap(network, origin, "origin")
    target, access_in = _snap(network, destination, "destination")
    engine = risk.engine(session)
    cells, districts = edge_cells(network, engine)
    search = _Search(
        router,
        cells,
        districts,
        engine.surface.raster.ravel(),
        engine.surface.scale(depart_at),
        closures(network, avoid or []),
    )
    found: list[tuple[list[str], np.ndarray]] = []
    for profile in PROFILES:
        result = search.run(source, target, RISK_WEIGHTS[profile])
        if result is None:
            raise Invalid("No route joins the origin and the destination outside the avoid-zones")
        same = next((p for p in found if np.array_equal(p[1], result[1])), None)
        if same is not None:
            same[0].append(profile)
        else:
            found.append(([profile], result[1]))
    if len(found) < len(PROFILES):
        found += _alternatives(search, network, source, target, [edges for _, edges in found])
    plans = [
        _describe(search, network, profiles, edges, origin, destination, access_out, access_in)
        for profiles, edges in found
    ]
    _add_area_levels(session, engine, plans, search)
    # Tier 1 is the most protected: the journey takes the SOPs of its most protected end.
    tier = min((t for t in (origin.site_tier, destination.site_tier) if t), default=None)
    for plan in plans:
        arrival = depart_at.timestamp() + plan.duration_s
        posture = sop.Posture(
            threat_level=plan.max_threat_level,
            departure_hour=local_hour(depart_at),
            arrival_hour=local_hour(datetime.fromtimestamp(arrival, depart_at.tzinfo)),
            site_tier=tier,
        )
        plan.sop_version, evaluation = risk.requirements_for(session, actor, posture)
        plan.requirements, plan.applied_rules = evaluation.requirements, evaluation.applied_rules
    return plans


def _alternatives(
    search: _Search, network: RoadNetwork, source: int, target: int, known: list[np.ndarray]
) -> list[tuple[list[str], np.ndarray]]:
    fastest_time = float(network.time_s[known[0]].sum())
    penalty = np.ones(network.edge_count)
    extra: list[tuple[list[str], np.ndarray]] = []
    for _ in range(4):
        if len(known) >= len(PROFILES):
            break
        for edges in known:
            penalty[edges] *= ALTERNATIVE_PENALTY
        result = search.run(source, target, RISK_WEIGHTS["balanced"], penalty)
        if result is None:
            break
        edges = result[1]
        if float(network.time_s[edges].sum()) > MAX_STRETCH * fastest_time:
            break
        if all(_shared(network, edges, other) <= MAX_SHARED for other in known):
            known.append(edges)
            extra.append((["alternative"], edges))
    return extra


def _shared(network: RoadNetwork, edges: np.ndarray, other: np.ndarray) -> float:
    """The share of a route's length that another route also drives (either direction)."""

    def pairs(e):
        a, b = network.tail[e].astype(np.int64), network.head[e].astype(np.int64)
        return np.minimum(a, b) * network.node_count + np.maximum(a, b)

    common = np.isin(pairs(edges), pairs(other))
    total = float(network.length_m[edges].sum())
    return float(network.length_m[edges][common].sum()) / total if total else 1.0


def _describe(
    search: _Search,
    network: RoadNetwork,
    profiles: list[str],
    edges: np.ndarray,
    origin: Endpoint,
    destination: Endpoint,
    access_out: float,
    access_in: float,
) -> RoutePlan:
    access_speed = ACCESS_SPEED_KMH / 3.6
    times = network.time_s[edges]
    lengths = network.length_m[edges]
    risk_values = search.edge_risk(edges)
    nodes = (
        np.concatenate([network.tail[edges[:1]], network.head[edges]]) if len(edges) else np.array([], int)
    )
    coordinates = [(origin.lon, origin.lat)]
    coordinates += list(zip(network.node_lon[nodes].tolist(), network.node_lat[nodes].tolist(), strict=True))
    coordinates.append((destination.lon, destination.lat))
    roads: list[str] = []
    for index in network.road[edges].tolist():
        if not roads or roads[-1] != network.roads[index]:
            roads.append(network.roads[index])
    plan = RoutePlan(
        profile=profiles[0],
        profiles=[p for p in profiles if p in PROFILES],
        edges=edges,
        coordinates=[(round(lon, 5), round(lat, 5)) for lon, lat in coordinates],
        distance_m=float(lengths.sum()) + access_out + access_in,
        duration_s=float(times.sum()) + (access_out + access_in) / access_speed,
        risk_exposure=float((risk_values * times).sum()) / 3600.0,
        max_intensity=float(risk_values.max()) if len(edges) else 0.0,
        max_threat_level=level_for(float(risk_values.max()) if len(edges) else 0.0),
        roads=roads,
        areas=[],
        checkpoints=_checkpoints(network, edges, access_out, access_out / access_speed, origin, destination),
    )
    # Arrival: the whole route, access legs included.
    plan.checkpoints[-1].distance_m, plan.checkpoints[-1].offset_s = plan.distance_m, plan.duration_s
    return plan


def _add_area_levels(
    session: Session, engine: risk.RiskEngine, plans: list[RoutePlan], search: _Search
) -> None:
    """Raise each route's level to the highest stored level of the districts it crosses (overrides count)."""
    keys = engine.areas.district_keys
    for plan in plans:
        labels = search.districts[plan.edges]
        seen: list[str] = []
        for label in labels[labels >= 0].tolist():
            if not seen or seen[-1] != keys[label]:
                seen.append(keys[label])
        plan.areas = list(dict.fromkeys(seen))
    wanted = {area for plan in plans for area in plan.areas}
    if not wanted:
        return
    rows = session.execute(select(ThreatLevel.area, ThreatLevel.level).where(ThreatLevel.area.in_(wanted)))
    levels = {area: level for area, level in rows}
    for plan in plans:
        stored = [levels[a] for a in plan.areas if a in levels]
        plan.max_threat_level = max([plan.max_threat_level, *stored])


def _checkpoints(
    network: RoadNetwork,
    edges: np.ndarray,
    start_m: float,
    start_s: float,
    origin: Endpoint,
    destination: Endpoint,
) -> list[Checkpoint]:
    """Where a convoy reports: departure, each change of road, about every 50 km, and arrival."""
    points = [Checkpoint(origin.label, origin.lat, origin.lon, 0.0, 0.0)]
    distance, elapsed = start_m, start_s
    last_mark = distance
    for position, edge in enumerate(edges.tolist()):
        distance += float(network.length_m[edge])
        elapsed += float(network.time_s[edge])
        head = int(network.head[edge])
        next_road = network.road[edges[position + 1]] if position + 1 < len(edges) else None
        road_changes = next_road is not None and next_road != network.road[edge]
        if road_changes or distance - last_mark >= CHECKPOINT_EVERY_KM * 1000:
            lat, lon = float(network.node_lat[head]), float(network.node_lon[head])
            place = nearest_place(lat, lon)
            road = network.roads[network.road[edge]]
            name = f"{road} · {place.name}" if place else road
            points.append(Checkpoint(name, lat, lon, distance, elapsed))
            last_mark = distance
    points.append(Checkpoint(destination.label, destination.lat, destination.lon, distance, elapsed))
    return points
