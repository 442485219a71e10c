"""The casualty and compensation pages: a case taken through both approvals to its payment on
the page, names withheld from those the policy does not show them to, in Chinese and Urdu."""

import re

from tests.web.conftest import text_of
from tests.welfare.test_compensation_api import a_case, a_casualty

UUID = r"[0-9a-f-]{36}"


def test_a_case_goes_from_first_approval_to_payment_on_its_page(api, browser):
    case = a_case(api, a_casualty(api))
    url = f"/compensation-cases/{case['id']}"
    browser.sign_in("host.commander", language="en")
    page = text_of(browser.get(url).text)
    assert "US$516,000.00" in page and "Awaiting first approval" in page and "Test Spouse" in page
    assert "Nothing is paid before the second approval." in page
    assert "Record payment" not in page
    assert browser.post(f"{url}/approve", {}).status_code == 303
    assert "Awaiting second approval" in text_of(browser.get(url).text)
    browser.sign_in("partner.representative", language="zh")
    partner = browser.get(url).text
    assert "Test Spouse" not in partner  # names are withheld from the representative
    assert browser.post(f"{url}/approve", {}).status_code == 303
    browser.sign_in("host.commander", language="en")
    assert (
        browser.post(
            f"{url}/payments", {"amount": "516000.00", "paid_on": "2024-09-01", "reference": "SBP-TT-7"}
        ).status_code
        == 303
    )
    html = browser.get(url).text
    payment = re.search(rf'action="{url}/payments/({UUID})"', html).group(1)
    assert browser.post(f"{url}/payments/{payment}", {"status": "completed"}).status_code == 303
    done = text_of(browser.get(url).text)
    assert "Paid" in done and "SBP-TT-7" in done and "Completed" in done


def test_a_casualty_is_recorded_through_the_form_and_read_in_urdu(api, browser):
    browser.sign_in("host.officer", language="en")
    form = browser.get("/casualties/new").text
    incident = re.search(rf'<option value="({UUID})" >[^<]*Besham', form).group(1)
    made = browser.post(
        "/casualties/new",
        {"incident_id": incident, "name": "Test Driver Aslam", "nationality": "PK", "outcome": "killed"},
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    assert "Test Driver Aslam" in browser.get(url).text
    browser.sign_in("host.analyst", language="ur")
    urdu = browser.get(url)
    assert urdu.status_code == 200 and 'dir="rtl"' in urdu.text
    assert "Test Driver Aslam" not in urdu.text  # analysts see the record, not the name
    trail = api.get("/api/v1/audit/records", "auditor", params={"object_id": url.rsplit("/", 1)[1]}).json()
    assert {r["actor"] for r in trail["items"] if r["action"] == "casualty.read"} >= {
        "host.officer",
        "host.analyst",
    }


def test_bad_input_on_the_form_is_shown_not_stored(api, browser):
    browser.sign_in("host.officer", language="en")
    form = browser.get("/casualties/new").text
    incident = re.search(rf'<option value="({UUID})" >', form).group(1)
    refused = browser.post(
        "/casualties/new", {"incident_id": incident, "nationality": "XX", "outcome": "killed"}
    )
    assert refused.status_code == 422
