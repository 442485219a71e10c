"""A small OpenStreetMap extract written with pyosmium: a grid town near Gwadar.

Six by six junctions 0.01° apart joined by residential streets, with the cases an import must
get right: a one-way street, a private road, a footway, a primary road with a speed limit,
and a way with a node missing from the file.
"""

from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way

ORIGIN = (25.10, 62.30)
SIDE = 6
STEP = 0.01
ONEWAY = (3, 4)  # the street from junction 3 to junction 4 (row 0) runs one way
PRIVATE = (30, 31)  # a private road
PRIMARY_MAXSPEED = 80


def junction(row: int, col: int) -> int:
    return row * SIDE + col + 1


def junction_position(node_id: int) -> tuple[float, float]:
    row, col = divmod(node_id - 1, SIDE)
    return ORIGIN[0] + row * STEP, ORIGIN[1] + col * STEP


def write_town(path: Path) -> Path:
    """Write the town to `path` (.osm.pbf or .osm by its suffix) and return the path."""
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for row in range(SIDE):
            for col in range(SIDE):
                lat, lon = junction_position(junction(row, col))
                writer.add_node(Node(id=junction(row, col), location=(lon, lat), tags={}))
        way_id = 100
        for row in range(SIDE):
            for col in range(SIDE):
                for other in ((row, col + 1), (row + 1, col)):
                    if other[0] >= SIDE or other[1] >= SIDE:
                        continue
                    a, b = junction(row, col), junction(*other)
                    tags = {"highway": "residential", "name": f"Street {way_id}"}
                    if (a - 1, b - 1) == ONEWAY:
                        tags["oneway"] = "yes"
                    if (a - 1, b - 1) == PRIVATE:
                        tags["access"] = "private"
                    way_id += 1
                    writer.add_way(Way(id=way_id, nodes=[a, b], tags=tags))
        # A fast road along the southern edge, a footway across, and a way with a missing node.
        south = [junction(0, col) for col in range(SIDE)]
        writer.add_way(
            Way(
                id=900,
                nodes=south,
                tags={"highway": "primary", "ref": "N-10", "maxspeed": str(PRIMARY_MAXSPEED)},
            )
        )
        writer.add_way(Way(id=901, nodes=[junction(0, 0), junction(5, 5)], tags={"highway": "footway"}))
        writer.add_way(Way(id=902, nodes=[junction(5, 0), 99_999], tags={"highway": "residential"}))
    finally:
        writer.close()
    return path
