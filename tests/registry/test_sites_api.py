"""Sites through the HTTP API: derived province and district, validation, permissions, concurrency."""

import pytest
from sqlalchemy import func, select

from jsms.core.models import AuditRecord
from jsms.registry.models import Site

GWADAR_CAMP = {"name": "Gwadar new berth camp", "kind": "camp", "lat": 25.1180, "lon": 62.3350}


def site_count(connection) -> int:
    return connection.execute(select(func.count()).select_from(Site)).scalar_one()


@pytest.mark.parametrize(
    ("name", "province", "district"),
    [
        ("Gwadar Port", "PK-BA", "Gwadar"),
        ("Dasu Hydropower Project (dam site)", "PK-KP", "Upper Kohistan"),
        ("Port Qasim Coal Power Plant", "PK-SD", "Malir"),
        ("Thar Coal Block II", "PK-SD", "Tharparkar"),
        ("Sahiwal Coal Power Plant", "PK-PB", "Sahiwal"),
        ("Saindak Copper-Gold Project", "PK-BA", "Chagai"),
        ("Embassy of China, Diplomatic Enclave, Islamabad", "PK-IS", "Islamabad"),
    ],
)
def test_demo_sites_carry_their_province_and_district(api, name, province, district):
    site = api.first("/api/v1/sites", q=name)
    assert (site["name"], site["province"], site["district"]) == (name, province, district)


def test_demo_has_at_least_25_sites(api):
    assert api.get("/api/v1/sites", "host.officer").json()["total"] >= 25


def test_officer_creates_a_site_with_derived_location_and_an_audit_record(api, connection):
    before = connection.execute(select(func.max(AuditRecord.seq))).scalar_one()
    response = api.post("/api/v1/sites", "host.officer", json=GWADAR_CAMP)
    assert response.status_code == 201, response.text
    site = response.json()
    assert site["province"] == "PK-BA" and site["district"] == "Gwadar"
    assert site["geometry"] == {"type": "Point", "coordinates": [62.335, 25.118]}
    assert site["marking"]["tlp"] == "green" and site["marking"]["owner_party"] == "host"
    assert len(site["h3_cell"]) == 15
    assert response.headers["etag"] == '"1"'
    record = connection.execute(
        select(AuditRecord.action, AuditRecord.actor).where(
            AuditRecord.seq > before, AuditRecord.object_id == site["id"]
        )
    ).one()
    assert tuple(record) == ("site.create", "host.officer")


def test_polygon_site_is_located_by_a_point_inside_it(api):
    square = [[67.30, 24.76], [67.36, 24.76], [67.36, 24.80], [67.30, 24.80], [67.30, 24.76]]
    response = api.post(
        "/api/v1/sites",
        "host.officer",
        json={
            "name": "Port Qasim industrial area",
            "kind": "industrial_zone",
            "geometry": {"type": "Polygon", "coordinates": [square]},
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["province"] == "PK-SD"
    assert response.json()["geometry"]["type"] == "Polygon"


def test_invalid_site_gets_problem_json_naming_each_field_and_stores_nothing(api, connection):
    before = site_count(connection)
    response = api.post("/api/v1/sites", "host.officer", json={"kind": "camp", "lat": 123, "lon": 67})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"]
    locations = {tuple(e["loc"]) for e in problem["errors"]}
    assert ("body", "lat") in locations and ("body", "name") in locations
    assert site_count(connection) == before


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"name": "Kabul office", "kind": "office", "lat": 34.53, "lon": 69.17},
            "lat",
            "outside Pakistan",
        ),
        (
            {
                "name": "Bad shape",
                "kind": "camp",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[67.0, 24.8], [67.1, 24.9], [67.1, 24.8], [67.0, 24.9], [67.0, 24.8]]],
                },
            },
            "geometry",
            "not valid",
        ),
        (
            {
                "name": "No unit",
                "kind": "camp",
                "lat": 25.1,
                "lon": 62.3,
                "guarding_unit_id": "00000000-0000-0000-0000-000000000001",
            },
            "guarding_unit_id",
            "no unit",
        ),
    ],
)
def test_domain_validation_names_the_field(api, connection, body, field, words):
    before = site_count(connection)
    response = api.post("/api/v1/sites", "host.officer", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["loc"] == [field] and words in error["msg"]
    assert site_count(connection) == before


def test_unknown_field_is_refused(api):
    response = api.post("/api/v1/sites", "host.officer", json={**GWADAR_CAMP, "colour": "red"})
    assert response.status_code == 422
    assert ["body", "colour"] in [e["loc"] for e in response.json()["errors"]]


def test_partner_liaison_reads_sites_but_cannot_create_or_change_them(api):
    assert api.get("/api/v1/sites", "partner.liaison").status_code == 200
    assert api.post("/api/v1/sites", "partner.liaison", json=GWADAR_CAMP).status_code == 403
    site = api.first("/api/v1/sites", q="Gwadar Port")
    response = api.patch(f"/api/v1/sites/{site['id']}", "partner.liaison", json={"security_tier": 3})
    assert response.status_code == 403
    assert response.json()["type"] == "urn:jsms:problem:forbidden"


def test_anonymous_gets_401(api):
    response = api.get("/api/v1/sites", None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_update_with_stale_etag_is_refused_and_current_one_accepted(api):
    site = api.first("/api/v1/sites", q="Karot")
    url = f"/api/v1/sites/{site['id']}"
    stale = api.patch(url, "host.officer", json={"security_tier": 3}, headers={"If-Match": '"99"'})
    assert stale.status_code == 412
    fresh = api.patch(
        url, "host.officer", json={"security_tier": 3}, headers={"If-Match": f'"{site["version"]}"'}
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["security_tier"] == 3 and fresh.json()["version"] == site["version"] + 1


def test_moving_a_site_recomputes_its_province(api):
    site = api.first("/api/v1/sites", q="Karot")
    moved = api.patch(f"/api/v1/sites/{site['id']}", "host.officer", json={"lat": 24.86, "lon": 67.01})
    assert moved.status_code == 200, moved.text
    assert moved.json()["province"] == "PK-SD"


def test_null_for_a_required_field_is_refused(api):
    site = api.first("/api/v1/sites", q="Karot")
    response = api.patch(f"/api/v1/sites/{site['id']}", "host.officer", json={"name": None})
    assert response.status_code == 422
    assert "name may not be null" in response.text


def test_list_filters_sorts_and_pages(api):
    page = api.get(
        "/api/v1/sites",
        "host.officer",
        params={"province": "PK-BA", "sort": "-name", "limit": 3, "offset": 1},
    ).json()
    assert page["limit"] == 3 and page["offset"] == 1 and page["total"] >= 8
    names = [s["name"] for s in page["items"]]
    assert names == sorted(names, reverse=True) and len(names) == 3
    assert all(s["province"] == "PK-BA" for s in page["items"])
    bad = api.get("/api/v1/sites", "host.officer", params={"sort": "password"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["sort"]


def test_company_manager_sees_and_edits_only_its_own_sites(api):
    own = api.get("/api/v1/sites", "company.security").json()
    assert own["total"] >= 1
    assert {s["owner_org_id"] for s in own["items"]} == {own["items"][0]["owner_org_id"]}
    other = api.first("/api/v1/sites", q="Karot")
    assert api.get(f"/api/v1/sites/{other['id']}", "company.security").status_code == 404
    mine = own["items"][0]
    edited = api.patch(f"/api/v1/sites/{mine['id']}", "company.security", json={"notes": "gate 3 closed"})
    assert edited.status_code == 200, edited.text


def test_unknown_or_bad_list_parameters_are_refused(api):
    unknown = api.get("/api/v1/sites", "host.officer", params={"colour": "red"})
    assert unknown.status_code == 422 and ["query", "colour"] in [e["loc"] for e in unknown.json()["errors"]]
    too_many = api.get("/api/v1/sites", "host.officer", params={"limit": 10_000})
    assert too_many.status_code == 422 and ["query", "limit"] in [e["loc"] for e in too_many.json()["errors"]]
    province = api.get("/api/v1/sites", "host.officer", params={"province": "Sindh"})
    assert province.status_code == 422
