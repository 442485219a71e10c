"""The assessment page: the checklist answered on the page, a finding with a photograph, signed by
one party (still open), then by the other (final), in the reader's language."""

import re

from tests.coordination.test_assessments_api import all_answers, camp, png
from tests.web.conftest import text_of


def test_an_assessment_is_answered_signed_and_made_final_on_its_page(api, browser):
    browser.sign_in("host.officer", language="en")
    site = camp(api)
    made = browser.post(
        "/assessments/new", {"site_id": site["id"], "assessed_on": "2026-11-21", "tlp": "amber"}
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    page = browser.get(url).text
    assert 'name="q:perimeter_barrier"' in page and "Sign for" in page
    answers = {f"q:{key}": str(value) for key, value in all_answers("camp", 2).items()}
    answers["q:drills_joint"] = "na"
    assert browser.post(f"{url}/answers", answers).status_code == 303
    assert (
        browser.post(
            f"{url}/findings", {"area": "perimeter", "severity": "high", "text": "Gap in the north wall"}
        ).status_code
        == 303
    )
    html = browser.get(url).text
    finding = re.search(r'/findings/([0-9a-f-]{36})/photos"', html).group(1)
    photo = browser.client.post(
        f"{url}/findings/{finding}/photos",
        data={"csrf_token": browser.csrf()},
        files={"file": ("gap.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert photo.status_code == 303 and 'class="finding-photo"' in browser.get(url).text
    assert browser.post(f"{url}/signatures", {"name": "Lt Col (SSD North)"}).status_code == 303
    signed_once = text_of(browser.get(url).text)
    assert "Open (awaiting signatures)" in signed_once and "Lt Col (SSD North)" in signed_once
    assert "Save answers" not in signed_once  # what was signed is fixed
    browser.sign_in("partner.liaison", language="zh")
    chinese = browser.get(url).text
    assert 'lang="zh"' in chinese
    assert browser.post(f"{url}/signatures", {"name": "Security counsellor"}).status_code == 303
    assert api.get(f"/api/v1/assessments/{url.rsplit('/', 1)[1]}", "host.officer").json()["status"] == "final"
    assert api.get(f"/api/v1/sites/{site['id']}", "host.officer").json()["assessment_score"] == 50.0


def test_an_answer_out_of_range_is_refused_and_nothing_stored(api, browser):
    browser.sign_in("host.officer", language="en")
    made = browser.post("/assessments/new", {"site_id": camp(api)["id"], "assessed_on": "2026-11-21"})
    url = made.headers["location"]
    refused = browser.post(f"{url}/answers", {"q:perimeter_barrier": "7", "q:drills_joint": "3"})
    assert refused.status_code == 422
    stored = api.get(f"/api/v1/assessments/{url.rsplit('/', 1)[1]}", "host.officer").json()
    assert stored["answers"] == {}
