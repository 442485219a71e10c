"""Mechanism policy versions: a proposal takes effect only after an approval from each party."""

import pytest

from jsms.core.policy import PolicyDocument


def proposal(summary: str = "Let liaison officers request journeys") -> dict:
    document = PolicyDocument()
    document.grants["journey.request"] = [
        *document.grants["journey.request"],
        "partner_liaison_officer",
    ]
    document.partner_may_request_journeys = True
    return {"summary": summary, "document": document.model_dump(mode="json")}


def test_every_user_reads_the_active_policy(api):
    for user in ("host.commander", "partner.liaison", "company.security", "auditor"):
        policy = api.get("/api/v1/policy", user).json()
        assert policy["number"] == 1 and policy["status"] == "active"
        assert {a["party"] for a in policy["approvals"]} == {"host", "partner"}


def test_dual_approval_activates_a_new_version_and_keeps_the_history(api):
    created = api.post("/api/v1/policy/versions", "host.commander", json=proposal())
    assert created.status_code == 201, created.text
    version = created.json()
    assert version["number"] == 2 and version["status"] == "proposed"
    approve = f"/api/v1/policy/versions/{version['id']}/approve"

    after_host = api.post(approve, "host.commander").json()
    assert after_host["status"] == "proposed"
    assert api.get("/api/v1/policy", "partner.liaison").json()["number"] == 1

    again = api.post(approve, "host.commander")
    assert again.status_code == 409 and "already approved" in again.json()["detail"]

    after_partner = api.post(approve, "partner.representative").json()
    assert after_partner["status"] == "active"
    assert [a["party"] for a in after_partner["approvals"]] == ["host", "partner"]
    assert api.get("/api/v1/policy", "host.officer").json()["number"] == 2

    history = api.get("/api/v1/policy/versions", "auditor").json()
    assert [(v["number"], v["status"]) for v in history] == [(2, "active"), (1, "superseded")]


def test_the_new_policy_takes_effect_for_permissions(api):
    version = api.post("/api/v1/policy/versions", "host.commander", json=proposal()).json()
    deny = PolicyDocument()
    deny.grants["site.read"] = [r for r in deny.grants["site.read"] if not r.startswith("partner")]
    stricter = api.post(
        "/api/v1/policy/versions",
        "partner.representative",
        json={"summary": "Partner stops reading sites", "document": deny.model_dump(mode="json")},
    )
    assert version["number"] == 2 and stricter.json()["number"] == 3
    assert api.get("/api/v1/sites", "partner.liaison").status_code == 200
    for user in ("host.commander", "partner.representative"):
        assert api.post(f"/api/v1/policy/versions/{stricter.json()['id']}/approve", user).status_code == 200
    assert api.get("/api/v1/sites", "partner.liaison").status_code == 403


def test_liaison_officer_approves_nothing_and_proposes_nothing(api):
    version = api.post("/api/v1/policy/versions", "host.commander", json=proposal()).json()
    assert api.post(f"/api/v1/policy/versions/{version['id']}/approve", "partner.liaison").status_code == 403
    assert api.post("/api/v1/policy/versions", "partner.liaison", json=proposal()).status_code == 403
    assert api.post(f"/api/v1/policy/versions/{version['id']}/approve", "host.officer").status_code == 403


def test_a_proposal_with_an_unknown_role_is_refused_with_the_reason(api):
    body = proposal()
    body["document"]["grants"]["site.read"] = ["general"]
    response = api.post("/api/v1/policy/versions", "host.commander", json=body)
    assert response.status_code == 422
    assert "unknown role 'general'" in response.text


@pytest.mark.parametrize(
    ("redactions", "message"),
    [
        ({"incident": ["informant"]}, "no field that can be withheld named informant"),
        ({"spaceship": ["name"]}, "records of kind 'spaceship' do not leave the node"),
    ],
)
def test_a_proposal_withholding_what_cannot_be_withheld_is_refused(api, redactions, message):
    body = proposal()
    body["document"]["redactions"] = redactions
    response = api.post("/api/v1/policy/versions", "host.commander", json=body)
    assert response.status_code == 422 and message in response.text
    body["document"]["redactions"] = {"incident": ["narrative", "sources"]}
    assert api.post("/api/v1/policy/versions", "host.commander", json=body).status_code == 201


def test_withdrawn_proposal_cannot_be_approved(api):
    version = api.post("/api/v1/policy/versions", "host.commander", json=proposal()).json()
    assert api.post(f"/api/v1/policy/versions/{version['id']}/withdraw", "host.commander").status_code == 200
    late = api.post(f"/api/v1/policy/versions/{version['id']}/approve", "partner.representative")
    assert late.status_code == 409
