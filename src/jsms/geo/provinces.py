"""Pakistan's provinces and districts: which ones a point lies in.

Provinces are polygons rebuilt from Natural Earth 10m (see tools/build_boundaries.py).
Districts are assigned to the nearest district seat (or approximate centre) within the
point's province: a Voronoi approximation, because no district boundaries ship with
any package we may use. It is right away from district borders; near a border a point
may fall in the neighbour. Sites keep the derived district, which an operator may correct.
"""

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from shapely import STRtree, geometry
from shapely.geometry.base import BaseGeometry

# A point this close (degrees, ~5 km) outside every polygon belongs to the nearest one:
# coastlines and borders are simplified, and ports and dams sit right on them.
NEAREST_PROVINCE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Province:
    code: str  # ISO 3166-2:PK
    name: str
    name_zh: str
    name_ur: str
    geonames_admin1: str

    def name_in(self, language: str) -> str:
        return {"zh": self.name_zh, "ur": self.name_ur}.get(language, self.name)


PROVINCES: dict[str, Province] = {
    p.code: p
    for p in (
        Province("PK-BA", "Balochistan", "俾路支省", "بلوچستان", "02"),
        Province("PK-KP", "Khyber Pakhtunkhwa", "开伯尔-普什图省", "خیبر پختونخوا", "03"),
        Province("PK-PB", "Punjab", "旁遮普省", "پنجاب", "04"),
        Province("PK-SD", "Sindh", "信德省", "سندھ", "05"),
        Province("PK-JK", "Azad Jammu and Kashmir", "阿扎德查谟和克什米尔", "آزاد جموں و کشمیر", "06"),
        Province("PK-GB", "Gilgit-Baltistan", "吉尔吉特-巴尔蒂斯坦", "گلگت بلتستان", "07"),
        Province("PK-IS", "Islamabad", "伊斯兰堡首都区", "اسلام آباد", "08"),
    )
}


def province_names(language: str) -> dict[str, str]:
    """ISO 3166-2 code → the province's name in a language (en, zh, ur)."""
    return {code: province.name_in(language) for code, province in PROVINCES.items()}


BY_GEONAMES_ADMIN1 = {p.geonames_admin1: p for p in PROVINCES.values()}


@dataclass(frozen=True)
class District:
    name: str
    province: str
    lat: float
    lon: float


def _data_text(name: str) -> str:
    return resources.files("jsms.geo").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def province_shapes() -> tuple[tuple[str, ...], tuple[BaseGeometry, ...], STRtree]:
    collection = json.loads(_data_text("pk_provinces.geojson"))
    codes = tuple(f["properties"]["code"] for f in collection["features"])
    shapes = tuple(geometry.shape(f["geometry"]) for f in collection["features"])
    return codes, shapes, STRtree(shapes)


@lru_cache(maxsize=1)
def districts() -> tuple[District, ...]:
    rows = csv.DictReader(_data_text("pk_districts.csv").splitlines())
    return tuple(District(r["district"], r["province"], float(r["lat"]), float(r["lon"])) for r in rows)


@lru_cache(maxsize=1)
def _district_arrays() -> dict[str, tuple[list[District], np.ndarray, float]]:
    """Per province: its district points, their coordinates on a local plane, and that plane's scale."""
    grouped: dict[str, list[District]] = {}
    for district in districts():
        grouped.setdefault(district.province, []).append(district)
    arrays = {}
    for code, members in grouped.items():
        # One scale per province (cosine of its mean latitude), so that a point's district is the
        # same whether it is asked for alone or as part of a raster (see nearest_districts).
        scale = float(np.cos(np.radians(np.mean([d.lat for d in members]))))
        arrays[code] = (members, np.array([[d.lat, d.lon * scale] for d in members]), scale)
    return arrays


def nearest_districts(province: str, lats: np.ndarray, lons: np.ndarray) -> list[District]:
    """The district of each point of a province: the one whose nearest point is closest."""
    members, points, scale = _district_arrays()[province]
    queries = np.column_stack([np.asarray(lats, float), np.asarray(lons, float) * scale])
    nearest = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), 50_000):  # bounded memory for large rasters
        chunk = queries[start : start + 50_000]
        nearest[start : start + len(chunk)] = (
            ((chunk[:, None, :] - points[None, :, :]) ** 2).sum(-1).argmin(1)
        )
    return [members[i] for i in nearest]


def province_at(lat: float, lon: float) -> Province | None:
    """The province containing the point, or None when it lies outside Pakistan."""
    codes, _shapes, tree = province_shapes()
    point = geometry.Point(lon, lat)
    hits = tree.query(point, predicate="intersects")
    if len(hits):
        return PROVINCES[codes[int(hits[0])]]
    nearest = tree.query_nearest(point, max_distance=NEAREST_PROVINCE_TOLERANCE)
    return PROVINCES[codes[int(nearest[0])]] if len(nearest) else None


def district_at(lat: float, lon: float, province: Province | None = None) -> District | None:
    """The district whose nearest point is closest, among the districts of the point's province."""
    province = province or province_at(lat, lon)
    if province is None:
        return None
    return nearest_districts(province.code, np.array([lat]), np.array([lon]))[0]


def province_outline(code: str) -> BaseGeometry:
    codes, shapes, _ = province_shapes()
    return shapes[codes.index(code)]


@dataclass(frozen=True)
class PointPlace:
    """Where a point lies: its province, district and H3 cell."""

    province: Province
    district: District | None
    h3_cell: str


H3_RESOLUTION = 9  # ~0.1 km² cells: fine enough to tell sites apart; coarser levels are its parents


def place_point(lat: float, lon: float) -> PointPlace | None:
    """Province, district and H3 cell of a point in Pakistan; None outside it."""
    import h3

    province = province_at(lat, lon)
    if province is None:
        return None
    return PointPlace(province, district_at(lat, lon, province), h3.latlng_to_cell(lat, lon, H3_RESOLUTION))
