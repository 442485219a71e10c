"""Organisations, projects, units, assets and agreements through the HTTP API."""

import pytest


def test_host_commander_creates_a_unit_under_an_organisation(api):
    police = api.first("/api/v1/organisations", q="Sindh Police")
    response = api.post(
        "/api/v1/units",
        "host.commander",
        json={
            "parent_id": police["id"],
            "kind": "police",
            "name": "Thar Coal Security Company",
            "strength": 120,
            "province": "PK-SD",
            "call_sign": "THAR-SC",
        },
    )
    assert response.status_code == 201, response.text
    unit = response.json()
    assert unit["parent_id"] == police["id"] and unit["marking"]["tlp"] == "amber"
    node = api.get(f"/api/v1/organisations/{unit['id']}", "host.commander").json()
    assert node["kind"] == "unit" and node["path"].startswith(police["path"])


def test_partner_liaison_cannot_create_a_unit(api):
    army = api.first("/api/v1/organisations", q="Pakistan Army")
    response = api.post(
        "/api/v1/units",
        "partner.liaison",
        json={"parent_id": army["id"], "kind": "security_division", "name": "X"},
    )
    assert response.status_code == 403
    assert "unit.write" in response.json()["detail"]


def test_partner_reads_units_up_to_amber(api):
    units = api.get("/api/v1/units", "partner.liaison").json()
    assert units["total"] >= 10
    unit = units["items"][0]
    red = api.patch(f"/api/v1/units/{unit['id']}", "host.commander", json={"tlp": "red"})
    assert red.status_code == 200, red.text
    assert api.get(f"/api/v1/units/{unit['id']}", "partner.liaison").status_code == 404
    released = api.patch(f"/api/v1/units/{unit['id']}", "host.commander", json={"release_to": ["partner"]})
    assert released.json()["marking"]["release_to"] == ["partner"]
    assert api.get(f"/api/v1/units/{unit['id']}", "partner.liaison").status_code == 200


def test_unit_search_by_name_and_call_sign(api):
    assert api.first("/api/v1/units", q="TF-88")["name"].startswith("Task Force-88")
    assert api.first("/api/v1/units", q="Special Security Division North")["call_sign"] == "SSD-N"


def test_donated_equipment_of_the_2024_mou(api):
    mou = api.first("/api/v1/agreements", "partner.liaison", q="2024")
    quantities = {i["asset_kind"]: i["quantity"] for i in mou["items"]}
    assert quantities == {"armoured_vehicle": 6, "fire_truck": 20}
    armoured = api.get(
        "/api/v1/assets",
        "host.officer",
        params={"agreement_id": mou["id"], "kind": "armoured_vehicle"},
    ).json()
    trucks = api.get(
        "/api/v1/assets", "host.officer", params={"agreement_id": mou["id"], "kind": "fire_truck"}
    )
    assert armoured["total"] == 6 and trucks.json()["total"] == 20
    assert all(a["armour_rating"] for a in armoured["items"])


def test_asset_registration_is_unique(api):
    body = {"kind": "vehicle", "name": "Escort pickup", "registration": "GWD-1234"}
    assert api.post("/api/v1/assets", "host.officer", json=body).status_code == 201
    duplicate = api.post("/api/v1/assets", "host.officer", json=body)
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"


def test_agreement_crud_by_the_secretary(api):
    created = api.post(
        "/api/v1/agreements",
        "jwg.secretary",
        json={
            "title": "Protocol on joint drills",
            "kind": "agreement",
            "signed_on": "2026-03-01",
            "items": [{"description": "Training simulators", "quantity": 2}],
        },
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/agreements/{created.json()['id']}"
    updated = api.patch(url, "jwg.secretary", json={"status": "expired", "items": []})
    assert updated.json()["status"] == "expired" and updated.json()["items"] == []
    assert api.delete(url, "partner.liaison").status_code == 403
    assert api.delete(url, "host.commander").status_code == 204
    assert api.get(url, "host.commander").status_code == 404


def test_projects_filter_by_programme(api):
    corridor = api.get("/api/v1/projects", "host.analyst", params={"programme": "corridor"}).json()
    other = api.get("/api/v1/projects", "host.analyst", params={"programme": "non_corridor"}).json()
    assert corridor["total"] >= 15 and other["total"] >= 5
    bad = api.get("/api/v1/projects", "host.analyst", params={"programme": "secret"})
    assert bad.status_code == 422


def test_deleting_a_referenced_project_is_a_conflict_not_a_crash(api):
    project = api.first("/api/v1/projects", q="Gwadar Port")
    response = api.delete(f"/api/v1/projects/{project['id']}", "host.officer")
    assert response.status_code == 409
    assert api.get(f"/api/v1/projects/{project['id']}", "host.officer").status_code == 200


def test_organisation_tree_and_party_filter(api):
    partner_orgs = api.get(
        "/api/v1/organisations", "host.commander", params={"party": "partner", "limit": 200}
    ).json()
    assert partner_orgs["total"] >= 15
    assert {o["party"] for o in partner_orgs["items"]} == {"partner"}
    embassy = api.first("/api/v1/organisations", q="Embassy of the People")
    child = api.post(
        "/api/v1/organisations",
        "host.commander",
        json={
            "party": "host",
            "kind": "agency",
            "name": "Wrong-party child",
            "parent_id": embassy["id"],
        },
    )
    assert child.status_code == 422 and child.json()["errors"][0]["loc"] == ["parent_id"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/units",
        "/api/v1/assets",
        "/api/v1/agreements",
        "/api/v1/projects",
        "/api/v1/organisations",
        "/api/v1/persons",
    ],
)
def test_every_list_needs_a_signed_in_user(api, path):
    assert api.get(path, None).status_code == 401
