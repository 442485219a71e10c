"""Which province and district each raster cell lies in, and the five threat levels."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely

from jsms.core.i18n import N_
from jsms.geo.provinces import PROVINCES, districts, nearest_districts, province_outline
from jsms.risk.surface import Grid

# The highest intensity in an area sets its level; at or above each bound the level rises by one.
# A fresh incident reads its own severity at its place: a threat 0.5 (low), an IED without
# casualties 3 (guarded), an armed attack killing four 7.8 (elevated), a suicide bombing on
# protected nationals killing ten 25.5 (severe). See src/jsms/risk/README.md.
LEVEL_BOUNDS = (2.0, 5.0, 12.0, 25.0)
LEVELS = {
    1: N_("Low"),
    2: N_("Guarded"),
    3: N_("Elevated"),
    4: N_("High"),
    5: N_("Severe"),
}


def level_for(intensity: float) -> int:
    return 1 + int(np.searchsorted(LEVEL_BOUNDS, intensity, side="right"))


def levels_for(intensities: np.ndarray) -> np.ndarray:
    return 1 + np.searchsorted(LEVEL_BOUNDS, intensities, side="right")


class Grouping:
    """Raster cells grouped by area, sorted once, so each area's maximum is one pass (no sort)."""

    def __init__(self, labels: np.ndarray, count: int):
        flat = labels.ravel()
        cells = np.flatnonzero(flat >= 0)
        self.order = cells[np.argsort(flat[cells], kind="stable")]
        sorted_labels = flat[self.order]
        self.starts = np.searchsorted(sorted_labels, np.arange(count))
        self.present = np.isin(np.arange(count), sorted_labels)

    def maxima(self, raster: np.ndarray) -> np.ndarray:
        values = raster.ravel()[self.order]
        result = np.maximum.reduceat(values, np.minimum(self.starts, len(values) - 1))
        return np.where(self.present, result, 0.0)


@dataclass(frozen=True)
class AreaIndex:
    """Per raster cell: the index of its province and of its district (-1 outside Pakistan)."""

    province_codes: tuple[str, ...]
    province_labels: np.ndarray
    district_keys: tuple[str, ...]  # "PK-BA/Gwadar"
    district_labels: np.ndarray
    district_province: tuple[str, ...]
    provinces: Grouping
    districts: Grouping


def district_key(province: str, district: str) -> str:
    return f"{province}/{district}"


@lru_cache(maxsize=2)
def area_index(grid: Grid) -> AreaIndex:
    lats, lons = grid.centres()
    lon_mesh, lat_mesh = np.meshgrid(lons, lats)
    codes = tuple(sorted(PROVINCES))
    province_labels = np.full(lat_mesh.shape, -1, dtype=np.int32)
    for index, code in enumerate(codes):
        outline = province_outline(code)
        shapely.prepare(outline)
        inside = shapely.contains_xy(outline, lon_mesh, lat_mesh)
        province_labels[inside & (province_labels < 0)] = index
    names = sorted({(d.province, d.name) for d in districts()})
    keys = tuple(district_key(p, n) for p, n in names)
    key_index = {key: i for i, key in enumerate(keys)}
    district_labels = np.full(lat_mesh.shape, -1, dtype=np.int32)
    for index, code in enumerate(codes):
        cells = province_labels == index
        found = nearest_districts(code, lat_mesh[cells], lon_mesh[cells])
        district_labels[cells] = [key_index[district_key(code, d.name)] for d in found]
    return AreaIndex(
        codes,
        province_labels,
        keys,
        district_labels,
        tuple(k.split("/")[0] for k in keys),
        Grouping(province_labels, len(codes)),
        Grouping(district_labels, len(keys)),
    )
