"""Where fixes are relative to planned routes, for many fixes of many journeys at once.

Pure NumPy. Distances use a local flat projection around each fix (metres east and north),
accurate to well under a percent over the few kilometres a fix is from its route.
"""

from dataclasses import dataclass

import numpy as np

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON = 111_320.0
EARTH_RADIUS_M = 6_371_008.8
NEAR_BACK, NEAR_AHEAD = 1, 7  # segments searched first around the last match
ON_ROUTE_M = 30.0  # nearer than this in the first window: matched (GPS noise is about 10 m)
WINDOW_BACK, WINDOW_AHEAD = 4, 28  # then these, for fixes the first window leaves farther
FULL_SEARCH_BEYOND_M = 150.0  # farther than this from the windowed match: search the whole route
SEARCH_CELLS = 1_000_000  # fixes × segments compared at once in a whole-route search


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (arrays or scalars)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def cumulative_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance along a polyline at each of its vertices."""
    steps = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) if len(lat) > 1 else np.zeros(0)
    return np.concatenate([[0.0], np.cumsum(steps)])


@dataclass
class RouteIndex:
    """Every monitored route, end to end in flat arrays: route r has vertices start[r]…start[r]+nseg[r]."""

    lat: np.ndarray
    lon: np.ndarray
    cum_m: np.ndarray
    start: np.ndarray
    nseg: np.ndarray

    @classmethod
    def build(cls, routes: list[tuple[np.ndarray, np.ndarray]]) -> "RouteIndex":
        lats, lons, cums, starts, nsegs, offset = [], [], [], [], [], 0
        for lat, lon in routes:
            if len(lat) < 2:  # a route of one point: a segment of length zero
                lat, lon = np.repeat(lat, 2), np.repeat(lon, 2)
            lats.append(lat)
            lons.append(lon)
            cums.append(cumulative_m(lat, lon))
            starts.append(offset)
            nsegs.append(len(lat) - 1)
            offset += len(lat)
        empty = np.zeros(0)
        return cls(
            lat=np.concatenate(lats) if lats else empty,
            lon=np.concatenate(lons) if lons else empty,
            cum_m=np.concatenate(cums) if cums else empty,
            start=np.asarray(starts, dtype=np.int64),
            nseg=np.asarray(nsegs, dtype=np.int64),
        )

    def _distances(self, a: np.ndarray, lat: np.ndarray, lon: np.ndarray):
        """Distance from each fix (rows) to the segments starting at vertex indices `a` (same shape)."""
        return segment_distances(self.lat[a], self.lon[a], self.lat[a + 1], self.lon[a + 1], lat, lon)

    def match(self, route: np.ndarray, hint: np.ndarray, lat: np.ndarray, lon: np.ndarray):
        """For each fix on route `route[i]`: its distance to that route (m), the nearest segment
        (the next hint) and how far along the route it is (m). Searches a window of segments
        around the hint first (a few, then more), and the whole route only for fixes the windows
        do not explain."""
        n = len(route)
        if n == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0)
        dist, segment, fraction = self._window(route, hint, lat, lon, NEAR_BACK, NEAR_AHEAD)
        wider = np.flatnonzero(dist > ON_ROUTE_M)
        if wider.size:
            d, sg, fr = self._window(
                route[wider], hint[wider], lat[wider], lon[wider], WINDOW_BACK, WINDOW_AHEAD
            )
            better = d < dist[wider]
            take = wider[better]
            dist[take], segment[take], fraction[take] = d[better], sg[better], fr[better]
        far = np.flatnonzero(dist > FULL_SEARCH_BEYOND_M)
        if far.size:
            self._search_whole_routes(far, route, lat, lon, dist, segment, fraction)
        a0 = self.start[route] + segment
        progress = self.cum_m[a0] + fraction * (self.cum_m[a0 + 1] - self.cum_m[a0])
        return dist, segment, progress

    def _window(self, route, hint, lat, lon, back: int, ahead: int):
        """Distance, nearest segment and where along it, among the segments around each hint."""
        offsets = np.arange(-back, ahead)
        local = np.clip(hint[:, None] + offsets[None, :], 0, (self.nseg[route] - 1)[:, None])
        distance, f = self._distances(self.start[route][:, None] + local, lat, lon)
        best = np.argmin(distance, axis=1)
        rows = np.arange(len(route))
        return distance[rows, best], local[rows, best], f[rows, best]

    def _search_whole_routes(self, far, route, lat, lon, dist, segment, fraction) -> None:
        """For the fixes `far` that the window did not explain: the nearest segment of the whole
        route, per route and in chunks of fixes (so a detouring fleet costs arrays, not a loop)."""
        for r in np.unique(route[far]).tolist():
            rows = far[route[far] == r]
            count = int(self.nseg[r])
            every = self.start[r] + np.arange(count)
            for chunk in np.array_split(rows, max(1, rows.size * count // SEARCH_CELLS)):
                a = np.broadcast_to(every, (chunk.size, count))
                d_all, f_all = self._distances(a, lat[chunk], lon[chunk])
                best = np.argmin(d_all, axis=1)
                d_best = d_all[np.arange(chunk.size), best]
                better = d_best < dist[chunk]
                take = chunk[better]
                dist[take], segment[take] = d_best[better], best[better]
                fraction[take] = f_all[np.flatnonzero(better), best[better]]

    def remaining_distance(self, r: int, from_m: float, lat: float, lon: float) -> float:
        """Distance (m) from a point to the part of route r beyond `from_m` metres along it."""
        first, count = int(self.start[r]), int(self.nseg[r])
        cum = self.cum_m[first : first + count + 1]
        k = min(max(int(np.searchsorted(cum, from_m, side="right")) - 1, 0), count - 1)
        # The remaining route starts inside segment k, at from_m.
        span = cum[k + 1] - cum[k]
        f = min(max((from_m - cum[k]) / span, 0.0), 1.0) if span > 0 else 0.0
        a, b = first + k, first + k + 1
        lats = np.concatenate(
            [[self.lat[a] + f * (self.lat[b] - self.lat[a])], self.lat[b : first + count + 1]]
        )
        lons = np.concatenate(
            [[self.lon[a] + f * (self.lon[b] - self.lon[a])], self.lon[b : first + count + 1]]
        )
        return distance_to_polyline(lats, lons, lat, lon)


def distance_to_polyline(lats: np.ndarray, lons: np.ndarray, lat: float, lon: float) -> float:
    """Distance (m) from a point to the nearest part of a polyline (a single vertex is a point)."""
    if len(lats) < 2:
        lats, lons = np.repeat(lats, 2), np.repeat(lons, 2)
    distance, _ = segment_distances(
        lats[None, :-1], lons[None, :-1], lats[None, 1:], lons[None, 1:], np.array([lat]), np.array([lon])
    )
    return float(distance.min())


def segment_distances(alat, alon, blat, blon, lat: np.ndarray, lon: np.ndarray):
    """Distance (m) from fix i to each segment a→b of row i, and where along it the nearest point is."""
    kx = METRES_PER_DEGREE_LON * np.cos(np.radians(lat))[:, None]
    ax = (alon - lon[:, None]) * kx
    ay = (alat - lat[:, None]) * METRES_PER_DEGREE_LAT
    bx = (blon - lon[:, None]) * kx
    by = (blat - lat[:, None]) * METRES_PER_DEGREE_LAT
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
    f = np.clip(f, 0.0, 1.0)
    return np.hypot(ax + f * dx, ay + f * dy), f
