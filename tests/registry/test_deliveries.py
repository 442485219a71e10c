"""Deliveries and handovers of an agreement's equipment into the asset registry: the demo's 2024
MoU as delivered so far, a new agreement delivered in consignments and handed over, the limits,
the rights, and the agreement's page."""

import re

import pytest

from tests.web.conftest import text_of


def mou(api) -> dict:
    return api.first("/api/v1/agreements", "host.officer", q="2024")


def a_unit(api, name: str = "Special Security Division South") -> dict:
    return api.first("/api/v1/units", q=name)


def new_agreement(api) -> dict:
    body = {
        "title": "Exchange of notes on scanners for the Karakoram Highway check-posts",
        "kind": "exchange_of_notes",
        "status": "in_force",
        "signed_on": "2026-10-01",
        "items": [{"description": "Vehicle scanners", "asset_kind": "other", "quantity": 4}],
    }
    answer = api.post("/api/v1/agreements", "jwg.secretary", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def deliver(api, agreement: dict, quantity: int, user: str = "host.officer", **more):
    body = {
        "item_id": agreement["items"][0]["id"],
        "quantity": quantity,
        "delivered_on": "2026-11-01",
        "recipient_org_id": a_unit(api)["id"],
        **more,
    }
    return api.post(f"/api/v1/agreements/{agreement['id']}/deliveries", user, json=body)


def test_the_demo_mou_is_delivered_and_mostly_handed_over(api):
    items = {i["asset_kind"]: i for i in mou(api)["items"]}
    assert (items["armoured_vehicle"]["delivered"], items["armoured_vehicle"]["handed_over"]) == (6, 6)
    assert items["armoured_vehicle"]["delivery_status"] == "handed_over"
    trucks = items["fire_truck"]
    assert (trucks["delivered"], trucks["handed_over"], trucks["delivery_status"]) == (20, 17, "delivered")
    waiting = [d for d in trucks["deliveries"] if d["status"] == "delivered"]
    assets = api.get(
        "/api/v1/assets", "host.officer", params={"kind": "fire_truck", "status": "delivered"}
    ).json()
    assert len(waiting) == 1 and assets["total"] == 3  # the KP consignment awaits its handover


def test_consignments_enter_the_registry_and_go_into_service_at_handover(api):
    agreement = new_agreement(api)
    first = deliver(api, agreement, 3, registrations=["VS-01", "VS-02", "VS-03"])
    assert first.status_code == 201, first.text
    delivery = first.json()
    assert len(delivery["asset_ids"]) == 3 and delivery["status"] == "delivered"
    asset = api.get(f"/api/v1/assets/{delivery['asset_ids'][0]}", "host.officer").json()
    assert asset["status"] == "delivered" and asset["registration"] == "VS-01"
    assert asset["agreement_id"] == agreement["id"] and asset["delivery_id"] == delivery["id"]
    assert asset["assigned_unit_id"] == a_unit(api)["id"]  # delivered to a unit, which uses it
    item = api.get(f"/api/v1/agreements/{agreement['id']}", "host.officer").json()["items"][0]
    assert (item["delivered"], item["delivery_status"]) == (3, "partly_delivered")

    too_many = deliver(api, agreement, 2)
    assert too_many.status_code == 422 and "only 1" in too_many.text
    early = api.post(
        f"/api/v1/agreements/{agreement['id']}/deliveries/{delivery['id']}/handover",
        "host.officer",
        json={"handed_over_on": "2026-10-30", "received_by": "Quartermaster"},
    )
    assert early.status_code == 422  # before the delivery
    handed = api.post(
        f"/api/v1/agreements/{agreement['id']}/deliveries/{delivery['id']}/handover",
        "host.officer",
        json={"handed_over_on": "2026-11-05", "received_by": "Quartermaster, SSD South"},
    )
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    assert (
        api.get(f"/api/v1/assets/{delivery['asset_ids'][0]}", "host.officer").json()["status"] == "in_service"
    )
    again = api.post(
        f"/api/v1/agreements/{agreement['id']}/deliveries/{delivery['id']}/handover",
        "host.officer",
        json={"handed_over_on": "2026-11-06", "received_by": "x"},
    )
    assert again.status_code == 409
    assert deliver(api, agreement, 1).status_code == 201
    done = api.get(f"/api/v1/agreements/{agreement['id']}", "host.officer").json()["items"][0]
    assert (done["delivered"], done["handed_over"], done["delivery_status"]) == (4, 3, "delivered")
    replaced = api.patch(
        f"/api/v1/agreements/{agreement['id']}",
        "jwg.secretary",
        json={"items": [{"description": "Other", "quantity": 1}]},
    )
    assert replaced.status_code == 409  # delivered items are not rewritten


@pytest.mark.parametrize(
    ("more", "status"),
    [
        ({"registrations": ["A", "B"]}, 422),  # one per piece
        ({"registrations": ["A", "A", "A"]}, 422),
        ({"recipient_org_id": "00000000-0000-0000-0000-000000000000"}, 422),
        ({"item_id": "00000000-0000-0000-0000-000000000000"}, 422),
        ({"registrations": ["BPV-24-001", "X1", "X2"]}, 409),  # on the register already
    ],
)
def test_bad_deliveries_are_refused_and_store_nothing(api, more, status):
    agreement = new_agreement(api)
    answer = deliver(api, agreement, 3, **more)
    assert answer.status_code == status, answer.text
    item = api.get(f"/api/v1/agreements/{agreement['id']}", "host.officer").json()["items"][0]
    assert item["delivered"] == 0


@pytest.mark.parametrize("user", ["partner.liaison", "host.analyst", "company.security"])
def test_only_the_host_and_the_secretary_record_deliveries(api, user):
    agreement = new_agreement(api)
    assert deliver(api, agreement, 1, user=user).status_code in (403, 404)
    assert deliver(api, agreement, 1, user="jwg.secretary").status_code == 201


def test_the_agreement_page_records_a_delivery_and_its_handover(api, browser):
    agreement = new_agreement(api)
    browser.sign_in("host.officer", language="en")
    url = f"/agreements/{agreement['id']}"
    page = text_of(browser.get(url).text)
    assert "Awaiting delivery" in page and "4 to deliver" in page
    made = browser.post(
        f"{url}/deliveries",
        {
            "item_id": agreement["items"][0]["id"],
            "quantity": "2",
            "delivered_on": "2026-11-02",
            "recipient_org_id": a_unit(api)["id"],
            "registrations": "VS-11\nVS-12\n",
        },
    )
    assert made.status_code == 303, made.text
    html = browser.get(url).text
    assert "VS-11" in html and "Partly delivered" in html
    delivery = re.search(rf'action="{url}/deliveries/([0-9a-f-]{{36}})/handover"', html).group(1)
    handed = browser.post(
        f"{url}/deliveries/{delivery}/handover",
        {"handed_over_on": "2026-11-03", "received_by": "Quartermaster"},
    )
    assert handed.status_code == 303
    assert "Quartermaster" in text_of(browser.get(url).text)
    browser.sign_in("partner.liaison", language="zh")
    chinese = browser.get(url).text
    assert "VS-11" in chinese and "Record delivery" not in chinese and "handover" not in chinese


def test_deliveries_and_handovers_are_audited(api):
    agreement = new_agreement(api)
    delivery = deliver(api, agreement, 1, registrations=["VS-99"]).json()
    api.post(
        f"/api/v1/agreements/{agreement['id']}/deliveries/{delivery['id']}/handover",
        "jwg.secretary",
        json={"handed_over_on": "2026-11-02", "received_by": "Quartermaster"},
    )
    trail = api.get("/api/v1/audit/records", "auditor", params={"object_id": delivery["id"]}).json()["items"]
    assert [(r["actor"], r["action"]) for r in reversed(trail)] == [
        ("host.officer", "agreement_delivery.create"),
        ("jwg.secretary", "agreement_delivery.update"),
    ]
    asset = api.get("/api/v1/audit/records", "auditor", params={"object_id": delivery["asset_ids"][0]}).json()
    assert [r["action"] for r in asset["items"]] == ["asset.update", "asset.create"]
