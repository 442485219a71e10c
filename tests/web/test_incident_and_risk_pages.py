"""Incident and risk pages: record, verify and reject through the pages; levels, overrides, SOPs."""

import json
import re

from sqlalchemy import select

from jsms.incidents.models import Incident
from jsms.risk.sop import DEFAULT_RULES
from tests.web.conftest import text_of

REPORT = {
    "title": "Grenade thrown at a checkpoint near Turbat",
    "occurred_at": "2026-11-21T20:15",
    "kind": "rocket_grenade",
    "target_category": "security_forces",
    "lat": "26.00",
    "lon": "63.05",
    "place_name": "Turbat",
    "killed": "0",
    "injured": "2",
}


def test_an_officer_records_an_incident_in_local_time_and_an_analyst_verifies_it(browser, connection):
    browser.sign_in("host.officer")
    created = browser.post("/incidents/new", REPORT)
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    stored = connection.execute(
        select(Incident.occurred_at, Incident.state, Incident.province).where(
            Incident.title == REPORT["title"]
        )
    ).one()
    assert (
        stored.occurred_at.strftime("%Y-%m-%d %H:%M") == "2026-11-21 15:15"
    )  # 20:15 in Karachi is 15:15 UTC
    assert (stored.state, stored.province) == ("draft", "PK-BA")
    assert "Verify" not in browser.get(url).text  # an officer records, an analyst verifies
    browser.client.cookies.clear()
    browser.sign_in("host.analyst", language="en")
    assert browser.post(f"{url}/verify", {}).status_code == 303
    page = text_of(browser.get(url).text)
    assert "Verified" in page and "host.analyst" in page
    rejected = browser.post(f"{url}/reject", {"reason": "Duplicate of an earlier report"})
    assert rejected.status_code == 303 and "Rejected" in text_of(browser.get(url).text)


def test_the_incident_form_shows_errors_at_the_fields(browser):
    browser.sign_in("host.officer")
    response = browser.post("/incidents/new", {**REPORT, "lat": "34.53", "lon": "69.17", "kind": ""})
    assert response.status_code == 422
    assert re.search(r'data-field="kind">.*?This field is required.*?</div>', response.text, flags=re.S)


def test_incident_list_filters_from_the_address(browser):
    browser.sign_in("partner.liaison", language="en")
    page = text_of(browser.get("/incidents?source_system=history&sort=occurred_at").text)
    assert "Two Chinese language teachers abducted in Quetta" in page
    assert "Synthetic" not in page


def test_partner_cannot_verify_through_the_page(api, browser):
    draft = api.post(
        "/api/v1/incidents",
        "host.officer",
        json={
            "title": "Draft",
            "occurred_at": "2026-11-20T00:00:00Z",
            "lat": 25.1,
            "lon": 62.3,
            "kind": "threat",
        },
    ).json()
    browser.sign_in("partner.liaison")
    assert browser.get(f"/incidents/{draft['id']}").status_code == 200
    assert browser.post(f"/incidents/{draft['id']}/verify", {}).status_code == 403


def test_risk_page_lists_levels_and_the_sops(browser):
    browser.sign_in("host.officer", language="en")
    page = browser.get("/risk").text
    assert 'data-area="PK-BA"' in page and "Standard operating procedures, version 1" in text_of(page)
    assert "Put a new SOP version in force" not in page  # only the commander edits SOPs


def test_the_commander_puts_a_new_sop_version_in_force_from_the_page(browser, api):
    browser.sign_in("host.commander", language="en")
    rules = json.loads(DEFAULT_RULES.model_dump_json())
    rules["baseline"]["escort_vehicles"] = 2
    saved = browser.post("/risk/sop", {"summary": "Two escorts at all times", "rules": json.dumps(rules)})
    assert saved.status_code == 303
    assert "version 2" in text_of(browser.get("/risk").text)
    result = api.post("/api/v1/risk/sop/evaluate", "host.officer", json={"threat_level": 1}).json()
    assert result["requirements"]["escort_vehicles"] == 2
    broken = browser.post("/risk/sop", {"summary": "Broken", "rules": '{"baseline": {}}'})
    assert broken.status_code == 422


def test_map_layers_of_incidents_threat_and_risk(browser):
    browser.sign_in("partner.liaison")
    incidents = browser.get("/map/incidents.json").json()["features"]
    assert incidents and all(f["properties"]["url"].startswith("/incidents/") for f in incidents)
    threat = browser.get("/map/threat.json").json()["features"]
    assert len(threat) == 7 and all(1 <= f["properties"]["level"] <= 5 for f in threat)
    risk = browser.get("/map/risk.json").json()["features"]
    assert risk and all(f["properties"]["intensity"] >= 2 for f in risk)


def test_list_filters_offer_translated_choices_and_filter(browser):
    browser.sign_in("partner.liaison", language="zh")
    page = browser.get("/incidents?province=PK-KP&kind=suicide_bombing").text
    assert '<option value="PK-KP" selected>开伯尔-普什图省</option>' in page
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", page, flags=re.S)
    assert rows and all("自杀式爆炸" in row for row in rows)
