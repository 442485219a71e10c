"""Journey pages: plan with the route options side by side, request, assign, approve, conduct."""

import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from jsms.movements.models import Journey
from tests.web.conftest import text_of


def site(api, name: str) -> str:
    return api.first("/api/v1/sites", q=name)["id"]


def departure(days: int = 4, hour: int = 8) -> str:
    """A local (Pakistan) time a few days ahead, as a datetime-local field holds it."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def planner_query(api, **more) -> dict:
    return {
        "origin_site": site(api, "Port Qasim Coal"),
        "destination_site": site(api, "Thar Coal Block II"),
        "depart": departure(),
        **more,
    }


def route_options(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="route-options">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def test_the_planner_shows_the_route_options_side_by_side(browser, api):
    browser.sign_in("host.officer", language="en")
    page = browser.get("/journeys/new", params=planner_query(api))
    assert page.status_code == 200, page.text
    options = route_options(page.text)
    profiles = {p for f in options["features"] for p in f["properties"]["profiles"]}
    assert profiles == {"fastest", "safest", "balanced"}
    assert all(f["geometry"]["type"] == "LineString" for f in options["features"])
    rows = re.findall(r'<tr class="route-option" data-profile="(\w+)">', page.text)
    assert len(rows) == len(options["features"]) and 1 <= len(rows) <= 3
    text = text_of(page.text)
    assert "Route options" in text and "Armoured vehicle" in text and " km" in text
    assert 'data-routes-from="#route-options"' in page.text
    # The persons at the origin site are offered, and the request button is there.
    assert page.text.count('name="person_ids"') == 1 and "<option value=" in page.text
    assert 'id="request-journey"' in page.text
    # The planner's own button posts the form; the answer is the same page.
    posted = browser.post("/journeys/plan", planner_query(api))
    assert posted.status_code == 200 and route_options(posted.text) == options


def test_a_point_far_from_any_road_is_explained_on_the_planner(browser, api):
    browser.sign_in("host.officer", language="en")
    page = browser.get(
        "/journeys/new",
        params={
            "origin_lat": "10",
            "origin_lon": "60",
            "destination_site": site(api, "Dasu"),
            "depart": departure(),
        },
    )
    assert page.status_code == 200 and "nearest road" in text_of(page.text)
    assert 'id="route-options"' not in page.text


def request_through_the_planner(browser, api, **more) -> str:
    at_origin = {"site_id": site(api, "Port Qasim Coal")}
    persons = api.get("/api/v1/persons", "host.officer", params=at_origin).json()
    armoured = api.get("/api/v1/assets", "host.officer", params={"kind": "armoured_vehicle"}).json()
    form = {
        **planner_query(api),
        "window_minutes": "30",
        "route": "fastest",
        "purpose": "Maintenance crew to the Thar II mine",
        "person_ids": [p["id"] for p in persons["items"][5:7]],
        "vehicle_ids": [armoured["items"][0]["id"]],
        **more,
    }
    created = browser.post("/journeys/new", form)
    assert created.status_code == 303, text_of(created.text)[:2000]
    return created.headers["location"]


def test_request_assign_approve_and_conduct_through_the_pages(browser, api):
    browser.sign_in("host.officer", language="en")
    url = request_through_the_planner(browser, api)
    page = text_of(browser.get(url).text)
    assert "Draft" in page and "Checkpoints" in page and "No convoy leader is named" in page
    assert "Requested" in page and "host.officer" in page
    assert browser.post(f"{url}/submit", {}).status_code == 303
    page = browser.get(url).text
    assert "Submitted for approval" in text_of(page)
    # Approval waits until the findings are resolved.
    assert re.search(r"<button type=\"submit\" disabled[^>]*>Approve</button>", page)

    browser.client.cookies.clear()
    browser.sign_in("host.commander", language="en")
    journey = api.get(f"/api/v1{url}", "host.commander").json()
    needed = journey["assessment"]["requirements"]["escort_vehicles"]
    unit = api.first("/api/v1/units", q="SSU")
    vehicles = api.get("/api/v1/assets", "host.commander", params={"kind": "vehicle", "limit": 200}).json()
    escorts = [a["id"] for a in vehicles["items"] if a["assigned_unit_id"] == unit["id"]][-needed:]
    assigned = browser.post(
        f"{url}/assign",
        {
            "escort_unit_id": unit["id"],
            "escort_vehicle_ids": escorts,
            "convoy_leader": "Inspector, Special Security Unit",
            "convoy_leader_call_sign": "SINDH-3",
        },
    )
    assert assigned.status_code == 303, text_of(assigned.text)
    page = text_of(browser.get(url).text)
    assert "Every requirement is met" in page and "SINDH-3" in page and "Escort assigned" in page
    assert browser.post(f"{url}/approve", {"note": "Cleared"}).status_code == 303
    assert browser.post(f"{url}/start", {}).status_code == 303
    assert browser.post(f"{url}/complete", {}).status_code == 303
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', browser.get(url).text, re.S)[1]
    steps = [text_of(item) for item in re.findall(r"<strong>(.*?)</strong>", timeline)]
    assert steps == [
        "Requested",
        "Submitted for approval",
        "Escort assigned",
        "Approved",
        "Departed",
        "Arrived",
    ]


def test_a_bad_request_says_why_and_stores_nothing(browser, api, connection):
    browser.sign_in("host.officer", language="en")
    before = connection.scalar(select(func.count()).select_from(Journey))
    response = browser.post(
        "/journeys/new", {**planner_query(api), "purpose": "No one to move", "route": "fastest"}
    )
    assert response.status_code == 422 and "person_ids" in text_of(response.text)
    response = browser.post(
        "/journeys/new", {**planner_query(api, depart="not a time"), "purpose": "x", "person_ids": []}
    )
    assert response.status_code == 422
    assert connection.scalar(select(func.count()).select_from(Journey)) == before


def test_the_partner_liaison_cannot_approve_or_assign(browser, api):
    browser.sign_in("host.officer", language="en")
    url = request_through_the_planner(browser, api, depart=departure(days=6))
    browser.post(f"{url}/submit", {})
    browser.client.cookies.clear()
    browser.sign_in("partner.liaison", language="en")
    page = browser.get(url)
    assert page.status_code in (200, 404)
    assert "/approve" not in page.text and "/assign" not in page.text
    assert browser.post(f"{url}/approve", {}).status_code in (403, 404)
    assert browser.post(f"{url}/assign", {"escort_unit_id": "x"}).status_code in (403, 404, 422)


def test_the_journey_page_in_chinese_and_urdu(browser, api):
    browser.sign_in("host.commander", language="zh")
    listing = browser.get("/journeys").text
    url = re.search(r'href="(/journeys/[0-9a-f-]{36})"', listing)[1]
    page = text_of(browser.get(url).text)
    assert "检查点" in page and "时间线" in page
    browser.language("ur")
    assert 'dir="rtl"' in browser.get(url).text
