"""`jsms roads` as an operator runs it, and routes over an imported OpenStreetMap network."""

import sqlite3

import pytest

from jsms.core.config import get_settings
from jsms.geo.roads import install_network, remove_imported_network
from jsms.geo.roads.osm import import_osm
from tests.support.osm_town import junction_position, write_town
from tests.test_cli import jsms


@pytest.fixture(scope="module")
def node_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("roads-cli")
    result = jsms("db", "upgrade", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


def test_import_info_and_reset(node_dir, tmp_path):
    town = write_town(tmp_path / "gwadar-town.osm.pbf")
    imported = jsms("roads", "import-osm", str(town), "--landmarks", "4", data_dir=node_dir)
    assert imported.returncode == 0, imported.stderr
    assert "installed 36 nodes and 127 directed edges" in imported.stdout
    assert (node_dir / "roads" / "network.npz").is_file()

    info = jsms("roads", "info", data_dir=node_dir)
    assert info.returncode == 0 and "osm:gwadar-town.osm.pbf" in info.stdout and "127" in info.stdout

    reset = jsms("roads", "reset", data_dir=node_dir)
    assert reset.returncode == 0 and "bundled network again" in reset.stdout
    assert not (node_dir / "roads" / "network.npz").exists()
    assert "(bundled)" in jsms("roads", "info", data_dir=node_dir).stdout

    with sqlite3.connect(node_dir / "jsms.db") as db:
        actions = [
            row[0] for row in db.execute("SELECT action FROM audit_record WHERE object_type = 'road_network'")
        ]
    assert actions == ["roads.import", "roads.reset"]
    assert jsms("audit", "verify", data_dir=node_dir).returncode == 0


def test_a_broken_or_empty_file_is_refused_and_the_network_in_use_stays(node_dir, tmp_path):
    town = write_town(tmp_path / "town.osm.pbf")
    assert jsms("roads", "import-osm", str(town), "--landmarks", "2", data_dir=node_dir).returncode == 0
    before = (node_dir / "roads" / "network.npz").read_bytes()

    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"not a protobuf file at all")
    result = jsms("roads", "import-osm", str(broken), data_dir=node_dir)
    assert result.returncode == 2 and "broken.osm.pbf" in result.stderr

    empty = tmp_path / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"></osm>')
    result = jsms("roads", "import-osm", str(empty), data_dir=node_dir)
    assert result.returncode == 2 and "no drivable roads" in result.stderr

    missing = jsms("roads", "import-osm", str(tmp_path / "nowhere.osm.pbf"), data_dir=node_dir)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert (node_dir / "roads" / "network.npz").read_bytes() == before
    jsms("roads", "reset", data_dir=node_dir)


def test_routes_run_on_an_imported_network_once_it_is_installed(api, tmp_path):
    install_network(import_osm(write_town(tmp_path / "town.osm.pbf"), landmarks=4))
    try:
        (lat_a, lon_a), (lat_b, lon_b) = junction_position(1), junction_position(36)
        response = api.post(
            "/api/v1/routes",
            "host.officer",
            json={
                "origin": {"lat": lat_a, "lon": lon_a},
                "destination": {"lat": lat_b, "lon": lon_b},
                "depart_at": "2026-11-24T04:00:00Z",
            },
        )
        assert response.status_code == 200, response.text
        fastest = next(f for f in response.json()["features"] if "fastest" in f["properties"]["profiles"])
        # Ten blocks of about a kilometre each, through the grid town's streets.
        assert 9_000 < fastest["properties"]["distance_m"] < 13_000
        assert any(road.startswith("Street") for road in fastest["properties"]["roads"])
    finally:
        remove_imported_network()
    assert not (get_settings().data_dir / "roads" / "network.npz").exists()
