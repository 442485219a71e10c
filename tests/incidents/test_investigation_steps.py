"""An investigation followed step by step (arrests, charges, hearings, a verdict): the summary
follows, the partner reads it as the policy grants, the page records a step."""

import re

import pytest

from tests.incidents.test_incidents_api import FIELD_REPORT


def incident(api) -> str:
    made = api.post("/api/v1/incidents", "host.officer", json=FIELD_REPORT)
    assert made.status_code == 201, made.text
    return made.json()["id"]


def step(api, incident_id: str, user: str = "host.analyst", **body):
    return api.post(f"/api/v1/incidents/{incident_id}/investigation/steps", user, json=body)


def test_steps_bring_the_summary_up_to_date(api):
    incident_id = incident(api)
    arrested = step(
        api, incident_id, on="2026-11-21", kind="arrest", count=3, text="Three suspects held in Turbat"
    )
    assert arrested.status_code == 201, arrested.text
    assert arrested.json()["arrests"] == 3 and arrested.json()["status"] == "arrests_made"
    step(api, incident_id, on="2026-11-22", kind="arrest", text="A facilitator held in Quetta")
    charged = step(
        api, incident_id, on="2026-11-23", kind="charge", count=2, text="Two charged under the ATA"
    )
    assert charged.json()["arrests"] == 4 and charged.json()["status"] == "charged"
    heard = step(api, incident_id, on="2099-01-15", kind="hearing", text="First hearing, ATC Quetta").json()
    assert heard["next_hearing"] == "2099-01-15" and heard["status"] == "on_trial"
    earlier = step(api, incident_id, on="2026-11-20", kind="other", text="Forensics received").json()
    assert earlier["status"] == "on_trial"  # an earlier-stage step does not undo the stage reached
    assert [s["kind"] for s in earlier["steps"]] == ["other", "arrest", "arrest", "charge", "hearing"]
    assert earlier["steps"][1]["recorded_by"] == "host.analyst"


def test_the_partner_follows_the_investigation_but_records_nothing(api):
    incident_id = incident(api)
    step(api, incident_id, on="2026-11-21", kind="arrest", count=1, text="One suspect held")
    seen = api.get(f"/api/v1/incidents/{incident_id}", "partner.liaison")
    if seen.status_code == 200:  # released to the partner by its marking
        assert seen.json()["investigation"]["steps"][0]["text"] == "One suspect held"
    assert step(api, incident_id, "partner.liaison", on="2026-11-22", kind="other", text="x").status_code in (
        403,
        404,
    )
    company = api.get(f"/api/v1/incidents/{incident_id}", "company.security")
    assert company.status_code == 404 or company.json()["investigation"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"on": "2026-11-21", "kind": "rumour", "text": "x"}, "kind"),
        ({"on": "2026-11-21", "kind": "arrest", "count": 0, "text": "x"}, "count"),
        ({"on": "2026-11-21", "kind": "arrest", "text": ""}, "text"),
        ({"on": "yesterday", "kind": "arrest", "text": "x"}, "on"),
    ],
)
def test_bad_steps_are_refused_and_nothing_changes(api, body, field):
    incident_id = incident(api)
    answer = step(api, incident_id, **body)
    assert answer.status_code == 422 and any(field in e["loc"] for e in answer.json()["errors"])
    assert api.get(f"/api/v1/incidents/{incident_id}", "host.analyst").json()["investigation"] is None


def test_the_incident_page_shows_and_records_steps(api, browser):
    incident_id = incident(api)
    browser.sign_in("host.analyst", language="en")
    recorded = browser.post(
        f"/incidents/{incident_id}/investigation/steps",
        {"on": "2026-11-21", "kind": "arrest", "count": "", "text": "A suspect held at a checkpoint"},
    )
    assert recorded.status_code == 303, recorded.text
    page = browser.get(f"/incidents/{incident_id}").text
    assert "A suspect held at a checkpoint" in page and re.search(r"Arrests made", page)
