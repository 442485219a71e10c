"""Routes through the API: real highways, plausible distances, and the safest route avoiding danger."""

import pytest

from jsms.core.events import dispatch_pending
from jsms.risk import service as risk

DEPART = "2026-11-24T04:00:00Z"  # 09:00 in Pakistan


@pytest.fixture(autouse=True)
def fresh_engine():
    risk.forget_engine()
    yield
    risk.forget_engine()


def site_id(api, name: str) -> str:
    return api.first("/api/v1/sites", q=name)["id"]


def plan(api, origin, destination, user="host.officer", **extra):
    response = api.post(
        "/api/v1/routes",
        user,
        json={"origin": origin, "destination": destination, "depart_at": DEPART, **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()


def by_profile(collection: dict, profile: str) -> dict:
    return next(f for f in collection["features"] if profile in f["properties"]["profiles"])


def test_port_qasim_to_thar_follows_the_highways_at_a_plausible_distance(api):
    routes = plan(
        api, {"site_id": site_id(api, "Port Qasim Coal")}, {"site_id": site_id(api, "Thar Coal Block II")}
    )
    assert routes["type"] == "FeatureCollection" and 1 <= len(routes["features"]) <= 3
    fastest = by_profile(routes, "fastest")
    props = fastest["properties"]
    # By road about 400 km (via Hyderabad and Mithi, or Thatta and Badin); within 20 %.
    assert 320_000 <= props["distance_m"] <= 480_000, props["distance_m"]
    assert 4 * 3600 <= props["duration_s"] <= 10 * 3600
    assert "N-5" in props["roads"] and "Thar road" in props["roads"]
    line = fastest["geometry"]
    assert line["type"] == "LineString" and len(line["coordinates"]) > 100
    assert line["coordinates"][0] == pytest.approx([67.355, 24.785], abs=1e-3)
    assert line["coordinates"][-1] == pytest.approx([70.305, 24.785], abs=1e-3)
    assert 1 <= props["max_threat_level"] <= 5 and props["risk_exposure"] >= 0
    requirements = props["requirements"]
    assert requirements["armoured_vehicle"] is True  # Thar II is a tier 1 site
    assert "tier-1-site" in props["applied_rules"]
    assert props["checkpoints"][0]["offset_s"] == 0
    assert props["checkpoints"][-1]["offset_s"] == props["duration_s"]


def test_islamabad_to_dasu_takes_the_karakoram_highway(api):
    routes = plan(
        api, {"lat": 33.7215, "lon": 73.0433}, {"site_id": site_id(api, "Dasu Hydropower Project (dam")}
    )
    props = by_profile(routes, "fastest")["properties"]
    # By road about 340 km, by Hazara motorway (M-15) and the Karakoram Highway (N-35).
    assert 272_000 <= props["distance_m"] <= 408_000, props["distance_m"]
    assert "N-35" in props["roads"]
    assert any(area.endswith("/Mansehra") for area in props["areas"])


def test_after_a_severe_incident_on_the_fastest_route_the_safest_avoids_it(api):
    origin, destination = (
        {"lat": 33.7215, "lon": 73.0433},
        {"site_id": site_id(api, "Dasu Hydropower Project (dam")},
    )
    before = by_profile(plan(api, origin, destination), "fastest")
    # A suicide bombing on the Hazara motorway, near Havelian, on the fastest route.
    bombing = {
        "title": "Suicide bombing of a convoy on the Hazara motorway",
        "occurred_at": "2026-11-23T03:00:00Z",
        "lat": 34.05,
        "lon": 73.16,
        "kind": "suicide_bombing",
        "target_category": "convoy",
        "protected_nationality_targeted": True,
        "killed": 8,
        "killed_protected": 5,
        "injured": 12,
    }
    incident = api.post("/api/v1/incidents", "host.officer", json=bombing).json()
    assert api.post(f"/api/v1/incidents/{incident['id']}/verify", "host.analyst").status_code == 200
    dispatch_pending()
    after = plan(api, origin, destination)
    fastest, safest = by_profile(after, "fastest"), by_profile(after, "safest")
    assert fastest["properties"]["risk_exposure"] > before["properties"]["risk_exposure"]
    assert fastest["properties"]["max_threat_level"] == 5
    assert safest["properties"]["risk_exposure"] < fastest["properties"]["risk_exposure"] / 3
    assert fastest is not safest and fastest["geometry"] != safest["geometry"]
    near_blast = [
        (lon, lat)
        for lon, lat in safest["geometry"]["coordinates"]
        if abs(lat - 34.05) < 0.1 and abs(lon - 73.16) < 0.1
    ]
    assert not near_blast, "the safest route still passes the bombing"


def test_avoid_zones_close_the_roads_inside_them(api):
    origin, destination = (
        {"lat": 33.7215, "lon": 73.0433},
        {"site_id": site_id(api, "Dasu Hydropower Project (dam")},
    )
    havelian = {
        "type": "Polygon",
        "coordinates": [[[73.0, 33.95], [73.4, 33.95], [73.4, 34.2], [73.0, 34.2], [73.0, 33.95]]],
    }
    routes = plan(api, origin, destination, avoid=[havelian])
    for feature in routes["features"]:
        inside = [
            (x, y) for x, y in feature["geometry"]["coordinates"] if 73.0 < x < 73.4 and 33.95 < y < 34.2
        ]
        assert not inside
    wall = {
        "type": "Polygon",
        "coordinates": [[[72.0, 33.9], [75.0, 33.9], [75.0, 34.3], [72.0, 34.3], [72.0, 33.9]]],
    }
    closed = api.post(
        "/api/v1/routes",
        "host.officer",
        json={"origin": origin, "destination": destination, "depart_at": DEPART, "avoid": [wall]},
    )
    assert closed.status_code == 422 and "avoid" in closed.json()["detail"]


def test_alternatives_are_genuinely_different(api):
    # Islamabad → Dasu: the Karakoram Highway by Havelian, or the Swat valley and the Shangla pass.
    routes = plan(api, {"lat": 33.7215, "lon": 73.0433}, {"lat": 35.29, "lon": 73.23})
    features = routes["features"]
    assert len(features) >= 2
    lines = [tuple(map(tuple, f["geometry"]["coordinates"])) for f in features]
    assert len(set(lines)) == len(lines)
    fastest = by_profile(routes, "fastest")["properties"]["duration_s"]
    assert all(f["properties"]["duration_s"] <= 1.5 * fastest + 1 for f in features)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"origin": {"lat": 33.7}, "destination": {"lat": 35.3, "lon": 73.2}}, "origin"),
        (
            {
                "origin": {"lat": 33.7, "lon": 73.0, "site_id": "7c6f3f2e-0000-4000-8000-000000000000"},
                "destination": {"lat": 35.3, "lon": 73.2},
            },
            "origin",
        ),
        ({"origin": {"lat": 133.7, "lon": 73.0}, "destination": {"lat": 35.3, "lon": 73.2}}, "lat"),
        (
            {
                "origin": {"lat": 33.7, "lon": 73.0},
                "destination": {"lat": 35.3, "lon": 73.2},
                "avoid": [{"type": "Point", "coordinates": [73, 34]}],
            },
            "avoid",
        ),
    ],
)
def test_bad_route_requests_say_what_is_wrong(api, body, field):
    response = api.post("/api/v1/routes", "host.officer", json={"depart_at": DEPART, **body})
    assert response.status_code == 422
    assert field in response.text


def test_a_point_far_from_any_road_is_refused(api):
    response = api.post(
        "/api/v1/routes",
        "host.officer",
        json={
            "origin": {"lat": 10.0, "lon": 60.0},
            "destination": {"lat": 35.3, "lon": 73.2},
            "depart_at": DEPART,
        },
    )
    assert response.status_code == 422 and "nearest road" in response.text


def test_route_planning_needs_the_permission_and_sees_only_visible_sites(api):
    body = {
        "origin": {"lat": 33.7, "lon": 73.0},
        "destination": {"lat": 35.3, "lon": 73.2},
        "depart_at": DEPART,
    }
    assert api.post("/api/v1/routes", "jwg.secretary", json=body).status_code == 403
    assert api.post("/api/v1/routes", None, json=body).status_code == 401
    # A company sees its own sites only: another company's site is as good as absent.
    dasu = site_id(api, "Dasu Hydropower Project (dam")
    answer = api.post(
        "/api/v1/routes",
        "company.security",
        json={"origin": {"lat": 33.7, "lon": 73.0}, "destination": {"site_id": dasu}, "depart_at": DEPART},
    )
    assert answer.status_code == 404
