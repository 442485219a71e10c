"""The exchange pages as their users see them: the other node's connection health, what left and what
came in, the preview as the other party (exactly what it receives, nothing logged) and each
incident's sharing status — each shown only to whom the policy lets see it."""

import json

import pytest
from sqlalchemy import func, select

from jsms.core.db import unit_of_work, utcnow
from jsms.core.models import ReleaseRecord
from jsms.sharing.models import ReceivedObject, SyncState
from tests.sharing.test_release import SYSTEM, _incident
from tests.web.conftest import text_of


@pytest.fixture
def marked(api):
    with unit_of_work(SYSTEM) as session:
        made = {
            "amber": _incident(session, "Amber at the port road", "amber"),
            "red": _incident(session, "Red source report", "red"),
            "draft": _incident(session, "Draft report", "amber", verify=False),
        }
        return {name: incident.id for name, incident in made.items()}


def _releases() -> int:
    with unit_of_work(SYSTEM) as session:
        return session.scalar(select(func.count()).select_from(ReleaseRecord))


def test_the_preview_shows_what_the_partner_receives_and_logs_nothing(browser, marked):
    browser.sign_in("host.analyst", language="en")
    before = _releases()
    page = browser.get("/exchange/preview")
    assert page.status_code == 200
    assert "Amber at the port road" in page.text
    assert "Red source report" not in page.text and "Draft report" not in page.text
    bundle = browser.get("/exchange/preview.json")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("application/stix+json")
    ids = {o["id"] for o in json.loads(bundle.text)["objects"] if o["type"] == "incident"}
    assert f"incident--{marked['amber']}" in ids and f"incident--{marked['red']}" not in ids
    assert _releases() == before  # looking is not releasing


def test_each_incident_says_whether_it_leaves_and_why_not(browser, marked):
    browser.sign_in("host.analyst", language="en")
    amber = browser.get(f"/exchange/incidents/{marked['amber']}")
    assert 'data-released="yes"' in amber.text and f"incident--{marked['amber']}" in amber.text
    red = text_of(browser.get(f"/exchange/incidents/{marked['red']}").text)
    assert "Not released" in red and "marking" in red
    draft = text_of(browser.get(f"/exchange/incidents/{marked['draft']}").text)
    assert "Only verified or closed incidents are released" in draft
    incident_page = browser.get(f"/incidents/{marked['amber']}").text
    assert f'href="/exchange/incidents/{marked["amber"]}"' in incident_page


def test_the_exchange_page_shows_health_and_what_left(api, browser, marked):
    with unit_of_work(SYSTEM) as session:
        session.add(
            SyncState(peer="http://partner.example/taxii2/", last_attempt_at=utcnow(), last_error="timed out")
        )
    read = api.client.get(  # the partner node reads its collection over TAXII: a logged release
        "/taxii2/jsms/collections/", auth=("partner.liaison", "demo"), headers={"Accept": "*/*"}
    )
    collection = next(c for c in read.json()["collections"] if c["alias"] == "released-to-partner")
    api.client.get(
        f"/taxii2/jsms/collections/{collection['id']}/objects/",
        auth=("partner.liaison", "demo"),
        headers={"Accept": "*/*"},
    )
    with unit_of_work(SYSTEM) as session:
        session.add(
            ReceivedObject(
                stix_id="report--6a1c2b0e-1f0e-4c8e-9d2a-0b5e7c1d2e3f",
                object_type="report",
                origin="identity--partner",
                modified=utcnow(),
                received_at=utcnow(),
                name="Threat level of PK-SD/Karachi: 3 → 4",
            )
        )
    browser.sign_in("host.analyst", language="en")
    page = browser.get("/exchange")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Threat level of PK-SD/Karachi: 3 → 4" in text  # a received report, listed by name
    assert "http://partner.example/taxii2/" in text and "Failing" in text and "timed out" in text
    assert "Amber at the port road" in text and "Read over TAXII" in text


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("partner.liaison", "/exchange", 200),  # sees the exchange it takes part in
        ("partner.liaison", "/exchange/preview", 403),  # but does not decide what leaves
        ("partner.liaison", "/exchange/preview.json", 403),
        ("company.security", "/exchange", 403),
        ("host.officer", "/exchange/preview", 403),
    ],
)
def test_who_sees_the_exchange(browser, user, path, status):
    browser.sign_in(user)
    assert browser.get(path).status_code == status


def test_a_partner_user_sees_no_title_it_may_not_read(browser, marked):
    with unit_of_work(SYSTEM) as session:
        session.add(
            ReleaseRecord(
                at=utcnow(),
                audience="partner",
                channel="export",
                actor="someone",
                object_type="incident",
                object_id=marked["red"],
                stix_id=f"incident--{marked['red']}",
                version=utcnow(),
                tlp="red",
            )
        )
    browser.sign_in("partner.liaison")
    page = browser.get("/exchange").text
    assert "Red source report" not in page and f"incident--{marked['red']}" in page
    assert browser.get(f"/exchange/incidents/{marked['red']}").status_code == 404
