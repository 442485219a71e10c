"""The road network routes run on: an imported OpenStreetMap network if the node has one, else
the bundled national network.

An import (`jsms roads import-osm`) writes `<data dir>/roads/network.npz`; every process
notices a newer file on its next route and loads it.
"""

import threading
from pathlib import Path

from jsms.core.config import get_settings
from jsms.geo.roads.bundled import bundled_network
from jsms.geo.roads.network import RoadNetwork
from jsms.geo.roads.search import Router

_lock = threading.Lock()
_loaded: dict[str, tuple[float, Router]] = {}


def imported_network_path() -> Path:
    return get_settings().data_dir / "roads" / "network.npz"


def current_router() -> Router:
    """The router over the network in use, loaded once per process and again when it changes."""
    path = imported_network_path()
    with _lock:
        if not path.exists():
            cached = _loaded.get("bundled")
            if cached is None:
                cached = _loaded["bundled"] = (0.0, Router(bundled_network()))
            return cached[1]
        stamp = path.stat().st_mtime
        cached = _loaded.get(str(path))
        if cached is None or cached[0] != stamp:
            cached = _loaded[str(path)] = (stamp, Router(RoadNetwork.load(path)))
        return cached[1]


def install_network(network: RoadNetwork) -> Path:
    """Make an imported network the one routes run on (written atomically)."""
    path = imported_network_path()
    network.save(path)
    return path


def remove_imported_network() -> bool:
    """Go back to the bundled network."""
    path = imported_network_path()
    if path.exists():
        path.unlink()
        return True
    return False
