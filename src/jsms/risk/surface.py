"""The risk surface: verified incidents → a risk intensity over Pakistan. Pure NumPy/SciPy, no database.

Model. Each incident contributes `severity × decay(age) × kernel(distance)`:

- severity: a weight by kind, raised by casualties (log scale) and when protected nationals
  were the target (`RiskModel`);
- decay: `2 ** (-age / half_life)`;
- kernel: a Gaussian of `sigma_km`, cut at three sigma.

How it is computed. The intensity lives on a raster of about 2 km cells over Pakistan's
bounding box. A full recompute drops each incident's weight into its raster cell (one
weighted histogram) and smooths the raster with the separable Gaussian (two 1-D passes:
about 2 × 31 taps × 0.6 M cells ≈ 40 M multiply-adds, independent of the number of
incidents). Because decay is exponential, every incident's weight shrinks by the same
factor as time passes: weights are stored relative to a reference time and the raster is
scaled by one scalar when read. So adding or removing one incident is exact and cheap:
add (or subtract) its weight times a precomputed 31 × 31 kernel patch at its place.

H3 cells, districts and provinces read the raster: a cell's value is the raster at its
centre; an area's intensity is the highest value inside it. Values are scaled so that a
fresh incident reads its own severity at its place (the kernel's peak counts as 1).
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from scipy.ndimage import gaussian_filter1d

# Pakistan's bounding box with a margin (degrees).
BBOX = (60.4, 23.4, 78.0, 37.3)  # min lon, min lat, max lon, max lat
CELL_KM = 2.0
KM_PER_DEGREE_LAT = 110.574


@dataclass(frozen=True)
class RiskModel:
    """The weights of the risk model; README of this module documents the defaults."""

    half_life_days: float = 180.0
    sigma_km: float = 8.0
    kind_weights: dict[str, float] = field(
        default_factory=lambda: {
            "suicide_bombing": 5.0,
            "kidnapping": 4.0,
            "ied": 3.0,
            "armed_attack": 3.0,
            "rocket_grenade": 2.0,
            "foiled_plot": 1.0,
            "other": 1.0,
            "threat": 0.5,
        }
    )
    # Extra weight for each casualty, on a log scale: killed count fully, injured half.
    casualty_factor: float = 1.0
    protected_target_factor: float = 1.5

    def severity(self, kind: str, killed: int | None, injured: int | None, protected_targeted: bool) -> float:
        base = self.kind_weights.get(kind, 1.0)
        harmed = (killed or 0) + 0.5 * (injured or 0)
        weight = base * (1.0 + self.casualty_factor * math.log1p(harmed))
        return weight * (self.protected_target_factor if protected_targeted else 1.0)

    def severities(
        self, kinds: np.ndarray, killed: np.ndarray, injured: np.ndarray, protected: np.ndarray
    ) -> np.ndarray:
        """The same as `severity`, for arrays of incidents at once."""
        base = np.array([self.kind_weights.get(k, 1.0) for k in np.unique(kinds)])
        lookup = dict(zip(np.unique(kinds), base, strict=True))
        weights = np.vectorize(lookup.__getitem__, otypes=[float])(kinds) if len(kinds) else np.zeros(0)
        harmed = np.nan_to_num(killed) + 0.5 * np.nan_to_num(injured)
        weights = weights * (1.0 + self.casualty_factor * np.log1p(harmed))
        return np.where(protected, weights * self.protected_target_factor, weights)


@dataclass(frozen=True)
class Grid:
    """The raster's geometry: cell size in degrees, shape, and how to turn lat/lon into cells."""

    min_lon: float
    min_lat: float
    d_lon: float
    d_lat: float
    rows: int
    cols: int

    @classmethod
    def over_pakistan(cls, cell_km: float = CELL_KM) -> "Grid":
        min_lon, min_lat, max_lon, max_lat = BBOX
        mid_lat = math.radians((min_lat + max_lat) / 2)
        d_lat = cell_km / KM_PER_DEGREE_LAT
        d_lon = cell_km / (KM_PER_DEGREE_LAT * math.cos(mid_lat))
        rows = math.ceil((max_lat - min_lat) / d_lat)
        cols = math.ceil((max_lon - min_lon) / d_lon)
        return cls(min_lon, min_lat, d_lon, d_lat, rows, cols)

    def index(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row and column of each point, and whether it falls inside the raster."""
        row = np.floor((np.asarray(lat) - self.min_lat) / self.d_lat).astype(np.int64)
        col = np.floor((np.asarray(lon) - self.min_lon) / self.d_lon).astype(np.int64)
        inside = (row >= 0) & (row < self.rows) & (col >= 0) & (col < self.cols)
        return row, col, inside

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        lats = self.min_lat + (np.arange(self.rows) + 0.5) * self.d_lat
        lons = self.min_lon + (np.arange(self.cols) + 0.5) * self.d_lon
        return lats, lons


def _kernel_patch(sigma_cells: float) -> np.ndarray:
    """The smoothing a single unit weight receives, as a patch: exactly what the filter does."""
    radius = math.ceil(3 * sigma_cells)
    impulse = np.zeros((2 * radius + 1, 2 * radius + 1))
    impulse[radius, radius] = 1.0
    return _smooth(impulse, sigma_cells, radius)


def _smooth(raster: np.ndarray, sigma_cells: float, radius: int) -> np.ndarray:
    # Two separable 1-D passes, zero outside the raster, cut at three sigma (`radius` cells).
    truncate = radius / sigma_cells
    once = gaussian_filter1d(raster, sigma_cells, axis=0, mode="constant", truncate=truncate)
    return gaussian_filter1d(once, sigma_cells, axis=1, mode="constant", truncate=truncate)


def _days(moment: datetime) -> float:
    return moment.timestamp() / 86400.0


class RiskSurface:
    """The intensity raster, kept current by full recomputes and exact incremental updates."""

    def __init__(
        self, model: RiskModel | None = None, grid: Grid | None = None, reference: datetime | None = None
    ):
        self.model = model or RiskModel()
        self.grid = grid or Grid.over_pakistan()
        self.sigma_cells = self.model.sigma_km / CELL_KM
        self.radius = math.ceil(3 * self.sigma_cells)
        self.patch = _kernel_patch(self.sigma_cells)
        # Read values so that an incident's own place shows its full severity (kernel peak = 1).
        self.gain = 1.0 / float(self.patch.max())
        self.reference_day = _days(reference or datetime.now(UTC))
        self.raster = np.zeros((self.grid.rows, self.grid.cols))
        # Each incident's weight at the reference time, kept so it can be taken out again.
        self.contributions: dict[str, tuple[float, float, float]] = {}

    # ---- building ------------------------------------------------------------------------

    def _relative_weights(self, severity: np.ndarray, occurred_day: np.ndarray) -> np.ndarray:
        return severity * np.exp2((occurred_day - self.reference_day) / self.model.half_life_days)

    def recompute(
        self, ids: list[str], lat: np.ndarray, lon: np.ndarray, occurred_day: np.ndarray, severity: np.ndarray
    ) -> None:
        """Rebuild the raster from all incidents (arrays of equal length)."""
        weights = self._relative_weights(np.asarray(severity, float), np.asarray(occurred_day, float))
        row, col, inside = self.grid.index(lat, lon)
        flat = np.bincount(
            row[inside] * self.grid.cols + col[inside],
            weights=weights[inside],
            minlength=self.grid.rows * self.grid.cols,
        )
        # Float even with no incidents at all (bincount of nothing counts in integers).
        flat = flat.astype(float, copy=False)
        self.raster = _smooth(flat.reshape(self.grid.rows, self.grid.cols), self.sigma_cells, self.radius)
        self.contributions = dict(
            zip(
                ids,
                zip(
                    np.asarray(lat, float).tolist(),
                    np.asarray(lon, float).tolist(),
                    weights.tolist(),
                    strict=True,
                ),
                strict=True,
            )
        )

    def _apply(self, lat: float, lon: float, weight: float) -> None:
        # Scalar arithmetic on purpose: for one incident, NumPy's per-call overhead would dominate.
        r = math.floor((lat - self.grid.min_lat) / self.grid.d_lat)
        c = math.floor((lon - self.grid.min_lon) / self.grid.d_lon)
        if not (0 <= r < self.grid.rows and 0 <= c < self.grid.cols):
            return
        k = self.radius
        top, left = max(r - k, 0), max(c - k, 0)
        bottom, right = min(r + k + 1, self.grid.rows), min(c + k + 1, self.grid.cols)
        self.raster[top:bottom, left:right] += (
            weight * self.patch[top - (r - k) : bottom - (r - k), left - (c - k) : right - (c - k)]
        )

    def upsert(self, incident_id: str, lat: float, lon: float, occurred: datetime, severity: float) -> None:
        """Add an incident, or replace what it contributed before (it was changed)."""
        self.remove(incident_id)
        weight = severity * 2.0 ** ((_days(occurred) - self.reference_day) / self.model.half_life_days)
        self._apply(lat, lon, weight)
        self.contributions[incident_id] = (lat, lon, weight)

    def remove(self, incident_id: str) -> None:
        """Take an incident out again (rejected, or about to be replaced)."""
        previous = self.contributions.pop(incident_id, None)
        if previous is not None:
            self._apply(previous[0], previous[1], -previous[2])

    # ---- reading -------------------------------------------------------------------------

    def scale(self, at: datetime | None = None) -> float:
        """What the stored raster is worth at `at` (now by default): the decay since the reference
        time, times the gain that makes an incident read its own severity at its place."""
        moment = _days(at or datetime.now(UTC))
        return self.gain * float(np.exp2(-(moment - self.reference_day) / self.model.half_life_days))

    def values_at(self, lat: np.ndarray, lon: np.ndarray, at: datetime | None = None) -> np.ndarray:
        """The intensity at points (0 outside the raster)."""
        row, col, inside = self.grid.index(lat, lon)
        values = np.zeros(len(row))
        values[inside] = self.raster[row[inside], col[inside]]
        return np.maximum(values, 0.0) * self.scale(at)

    def max_within(self, lat: float, lon: float, radius_km: float, at: datetime | None = None) -> float:
        """The highest intensity in the square of cells reaching `radius_km` around a point."""
        row, col, inside = self.grid.index(np.array([lat]), np.array([lon]))
        if not inside[0]:
            return 0.0
        reach = max(1, round(radius_km / CELL_KM))
        r, c = int(row[0]), int(col[0])
        window = self.raster[max(r - reach, 0) : r + reach + 1, max(c - reach, 0) : c + reach + 1]
        return max(float(window.max()), 0.0) * self.scale(at)

    def area_maxima(self, labels: np.ndarray, count: int, at: datetime | None = None) -> np.ndarray:
        """The highest intensity inside each labelled area (labels: one int per raster cell, -1 none)."""
        maxima = np.zeros(count)
        valid = labels >= 0
        np.maximum.at(maxima, labels[valid], self.raster[valid])
        return np.maximum(maxima, 0.0) * self.scale(at)
