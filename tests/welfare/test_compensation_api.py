"""Casualties and compensation through the HTTP API: the two-step approval before any payment,
the parties' rules, payments to the amount, personal data withheld and every look audited."""

from decimal import Decimal

import pytest

BESHAM = "Suicide bombing of a convoy of Dasu project engineers at Besham"


def incident_id(api, title: str = BESHAM) -> str:
    items = api.get("/api/v1/incidents", "host.commander", params={"q": "Besham"}).json()["items"]
    return next(i["id"] for i in items if i["title"] == title)


def a_casualty(api, **more) -> dict:
    body = {
        "incident_id": incident_id(api),
        "name": "Test Engineer Wang",
        "nationality": "CN",
        "outcome": "killed",
        "occupation": "Civil engineer",
        "identity_number": "E00000001",
        **more,
    }
    answer = api.post("/api/v1/casualties", "host.commander", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def a_case(api, casualty: dict, **more) -> dict:
    body = {
        "casualty_id": casualty["id"],
        "amount": "516000.00",
        "currency": "usd",
        "basis": "Per deceased, as the two governments agreed",
        "beneficiaries": [
            {"name": "Test Spouse", "relationship_to_casualty": "spouse", "share_percent": "60"},
            {"name": "Test Parent", "relationship_to_casualty": "parent", "share_percent": "40"},
        ],
        **more,
    }
    answer = api.post("/api/v1/compensation-cases", "host.commander", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def pay(api, case: dict, user: str = "host.commander", amount: str = "516000.00"):
    return api.post(
        f"/api/v1/compensation-cases/{case['id']}/payments",
        user,
        json={"amount": amount, "paid_on": "2024-09-01", "reference": "SBP-TT-0001"},
    )


def test_a_case_cannot_be_paid_before_its_second_approval(api):
    case = a_case(api, a_casualty(api))
    assert case["status"] == "draft" and case["amount"] == "516000.00" and case["currency"] == "USD"
    refused = pay(api, case)
    assert refused.status_code == 409 and "second approval" in refused.json()["detail"]

    first = api.post(f"/api/v1/compensation-cases/{case['id']}/approve", "host.commander")
    assert first.status_code == 200 and first.json()["status"] == "first_approved"
    assert pay(api, case).status_code == 409  # one approval is not enough

    second = api.post(f"/api/v1/compensation-cases/{case['id']}/approve", "partner.representative")
    assert second.status_code == 200, second.text
    approved = second.json()
    assert approved["status"] == "approved"
    assert [(a["by"], a["party"]) for a in approved["approvals"]] == [
        ("host.commander", "host"),
        ("partner.representative", "partner"),
    ]
    paid = pay(api, case)
    assert paid.status_code == 201 and paid.json()["status"] == "initiated"
    after = api.get(f"/api/v1/compensation-cases/{case['id']}", "host.commander").json()
    assert after["status"] == "approved" and after["outstanding"] == "516000.00"  # not yet completed

    done = api.patch(
        f"/api/v1/compensation-cases/{case['id']}/payments/{paid.json()['id']}",
        "host.commander",
        json={"status": "completed"},
    )
    assert done.status_code == 200
    settled = api.get(f"/api/v1/compensation-cases/{case['id']}", "host.commander").json()
    assert settled["status"] == "paid" and settled["paid"] == "516000.00" and settled["outstanding"] == "0.00"


def test_the_second_approval_is_another_persons_and_the_other_partys(api):
    case = a_case(api, a_casualty(api))
    url = f"/api/v1/compensation-cases/{case['id']}/approve"
    assert api.post(url, "host.commander").status_code == 200
    again = api.post(url, "host.commander")
    assert again.status_code == 409 and "someone other" in again.json()["detail"]
    # The policy lists compensation amounts among the decisions both parties approve.
    assert api.post(url, "partner.representative").json()["status"] == "approved"
    assert api.post(url, "partner.representative").status_code == 409  # nothing left to approve


def test_changing_the_terms_withdraws_the_first_approval(api):
    case = a_case(api, a_casualty(api))
    url = f"/api/v1/compensation-cases/{case['id']}"
    api.post(f"{url}/approve", "host.commander")
    changed = api.patch(url, "host.commander", json={"amount": "600000.00"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "draft" and changed.json()["approvals"] == []
    api.post(f"{url}/approve", "host.commander")
    api.post(f"{url}/approve", "partner.representative")
    late = api.patch(url, "host.commander", json={"amount": "1.00"})
    assert late.status_code == 409  # approved terms are final


def test_shares_must_make_a_whole_before_approval(api):
    case = a_case(
        api,
        a_casualty(api),
        beneficiaries=[{"name": "Test Child", "relationship_to_casualty": "child", "share_percent": "50"}],
    )
    url = f"/api/v1/compensation-cases/{case['id']}"
    refused = api.post(f"{url}/approve", "host.commander")
    assert refused.status_code == 409 and "50" in refused.json()["detail"]
    added = api.post(
        f"{url}/beneficiaries",
        "host.commander",
        json={"name": "Test Child Two", "relationship_to_casualty": "child", "share_percent": "50"},
    )
    assert added.status_code == 201 and len(added.json()["beneficiaries"]) == 2
    assert api.post(f"{url}/approve", "host.commander").status_code == 200
    over = api.post(
        f"{url}/beneficiaries",
        "host.commander",
        json={"name": "Test Sibling", "relationship_to_casualty": "sibling", "share_percent": "1"},
    )
    assert over.status_code == 422 and over.json()["errors"][0]["loc"][-1] == "share_percent"


def test_payments_never_exceed_the_amount_and_a_returned_transfer_reopens_it(api):
    case = a_case(api, a_casualty(api))
    url = f"/api/v1/compensation-cases/{case['id']}"
    api.post(f"{url}/approve", "host.commander")
    api.post(f"{url}/approve", "partner.representative")
    first = pay(api, case, amount="300000.00").json()
    too_much = pay(api, case, amount="216000.01")
    assert too_much.status_code == 422 and "216000.00" in too_much.text
    api.patch(f"{url}/payments/{first['id']}", "host.commander", json={"status": "returned"})
    assert pay(api, case, amount="516000.00").status_code == 201  # the returned one no longer counts
    settled = api.get(url, "host.commander").json()
    assert [p["status"] for p in settled["payments"]] == ["returned", "initiated"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        (
            {"beneficiaries": [{"name": "A", "relationship_to_casualty": "spouse", "share_percent": "101"}]},
            "share_percent",
        ),
        (
            {"beneficiaries": [{"name": "A", "relationship_to_casualty": "cousin", "share_percent": "10"}]},
            "relationship_to_casualty",
        ),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_cases_are_refused_with_the_field_named(api, body, where):
    casualty = a_casualty(api)
    base = {"casualty_id": casualty["id"], "amount": "10.00", "currency": "PKR"}
    answer = api.post("/api/v1/compensation-cases", "host.commander", json={**base, **body})
    assert answer.status_code == 422
    assert where in [str(part) for error in answer.json()["errors"] for part in error["loc"]]
    listed = api.get("/api/v1/compensation-cases", "host.commander", params={"casualty_id": casualty["id"]})
    assert listed.json()["total"] == 0  # nothing half-written


def test_who_may_do_what_with_a_case(api):
    case = a_case(api, a_casualty(api))
    url = f"/api/v1/compensation-cases/{case['id']}"
    assert api.post(f"{url}/approve", "host.analyst").status_code == 403
    assert api.post(f"{url}/approve", "jwg.secretary").status_code == 403
    assert api.post("/api/v1/compensation-cases", "partner.liaison", json={}).status_code in (403, 422)
    assert api.get(url, "host.analyst").status_code == 403  # analysts do not read compensation
    assert api.get(url, None).status_code == 401
    reject = api.post(f"{url}/reject", "partner.representative", json={"reason": "Beneficiaries unconfirmed"})
    assert reject.status_code == 200 and reject.json()["status"] == "rejected"
    assert api.post(f"{url}/approve", "host.commander").status_code == 409


def test_personal_data_is_withheld_where_the_policy_says(api):
    casualty = a_casualty(api)  # a Chinese national
    pakistani = a_casualty(api, name="Test Driver Khan", nationality="PK", occupation="Driver")
    mine = api.get(f"/api/v1/casualties/{casualty['id']}", "host.commander").json()
    assert mine["name"] == "Test Engineer Wang" and mine["personal_data_withheld"] is False
    liaison = api.get(f"/api/v1/casualties/{casualty['id']}", "partner.liaison").json()
    assert liaison["name"] == "Test Engineer Wang"  # the partner's liaison sees its own nationals
    assert api.get(f"/api/v1/casualties/{pakistani['id']}", "partner.liaison").status_code == 404
    representative = api.get(f"/api/v1/casualties/{casualty['id']}", "partner.representative").json()
    assert representative["personal_data_withheld"] is True and representative["name"] is None
    analyst = api.get(f"/api/v1/casualties/{casualty['id']}", "host.analyst").json()
    assert analyst["name"] is None and analyst["identity_number"] is None
    listed = api.get("/api/v1/casualties", "host.commander", params={"incident_id": casualty["incident_id"]})
    assert "Test Engineer Wang" not in listed.text  # lists never carry names
    case = a_case(api, casualty)
    shown = api.get(f"/api/v1/compensation-cases/{case['id']}", "partner.representative").json()
    assert shown["personal_data_withheld"] and all(b["name"] is None for b in shown["beneficiaries"])


def test_the_auditor_sees_every_access_to_a_casualty_record(api):
    casualty = a_casualty(api)
    api.get(f"/api/v1/casualties/{casualty['id']}", "host.commander")
    api.get(f"/api/v1/casualties/{casualty['id']}", "partner.liaison")
    api.get(f"/api/v1/casualties/{casualty['id']}", "host.analyst")
    api.get("/api/v1/casualties", "partner.representative", params={"incident_id": casualty["incident_id"]})
    trail = api.get("/api/v1/audit/records", "auditor", params={"object_id": casualty["id"]}).json()["items"]
    reads = [
        (r["actor"], r["action"], r["changes"]["fields"])
        for r in reversed(trail)
        if "read" in r["action"] or "list" in r["action"]
    ]
    assert reads == [
        ("host.commander", "casualty.read", ["identity_number", "name"]),
        ("partner.liaison", "casualty.read", ["identity_number", "name"]),
        ("host.analyst", "casualty.read", []),
        ("partner.representative", "casualty.list", []),
    ]
    created = [r for r in trail if r["action"] == "casualty.create"]
    assert created and "Test Engineer Wang" not in str(created)  # the name never enters the chain
    assert api.get("/api/v1/audit/verify", "auditor").json()["intact"] is True


def test_a_registered_person_gives_name_and_nationality(api):
    people = api.get("/api/v1/persons", "host.commander", params={"nationality": "CN"}).json()["items"]
    person = people[0]
    casualty = api.post(
        "/api/v1/casualties",
        "host.commander",
        json={"incident_id": incident_id(api), "person_id": person["id"], "outcome": "injured"},
    )
    assert casualty.status_code == 201, casualty.text
    read = api.get(f"/api/v1/casualties/{casualty.json()['id']}", "host.commander").json()
    assert read["name"] == person["full_name"] and read["nationality"] == "CN"
    nobody = api.post(
        "/api/v1/casualties", "host.commander", json={"incident_id": incident_id(api), "outcome": "injured"}
    )
    assert nobody.status_code == 422 and "person_id" in nobody.text


def test_amounts_are_exact_decimals(api):
    case = a_case(api, a_casualty(api), amount="0.10")
    api.post(f"/api/v1/compensation-cases/{case['id']}/approve", "host.commander")
    api.post(f"/api/v1/compensation-cases/{case['id']}/approve", "partner.representative")
    for _ in range(2):
        assert pay(api, case, amount="0.05").status_code == 201
    read = api.get(f"/api/v1/compensation-cases/{case['id']}", "host.commander").json()
    assert Decimal(read["outstanding"]) == Decimal("0.10")  # initiated, not completed
    assert pay(api, case, amount="0.01").status_code == 422


def test_the_demo_holds_the_besham_cases(api):
    cases = api.get("/api/v1/compensation-cases", "host.commander", params={"limit": 50}).json()["items"]
    usd = [c for c in cases if c["currency"] == "USD"]
    assert len(usd) == 5 and {c["amount"] for c in usd} == {"516000.00"}
    assert all(c["status"] == "paid" and c["outstanding"] == "0.00" for c in usd)
    assert [c["status"] for c in cases if c["currency"] == "PKR"] == ["first_approved"]
