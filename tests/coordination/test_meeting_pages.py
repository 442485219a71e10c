"""The meeting pages as the secretary and the partner use them: the ninth meeting through the
form, a decision, an action marked done, a comment, a paper, the rights of each."""

import re

from tests.web.conftest import text_of


def jwg_id(browser) -> str:
    page = browser.get("/working-groups").text
    return re.search(
        r'href="/working-groups/([0-9a-f-]{36})">Joint Working Group on Security of CPEC<', page
    ).group(1)


def ninth(browser) -> str:
    made = browser.post(
        "/meetings/new",
        {
            "group_id": jwg_id(browser),
            "starts_at": "2026-12-10T10:00",
            "ends_at": "2026-12-10T13:00",
            "venue": "Ministry of Interior, Islamabad",
            "host_co_chair": "Additional Secretary (Interior)",
            "partner_co_chair": "Director-General, Public Security Liaison",
            "status": "planned",
            "agenda": "Threat assessment for the spring\n\nStatus of open actions\n",
        },
    )
    assert made.status_code == 303, made.text
    return made.headers["location"]


def test_the_secretary_records_the_ninth_meeting_and_what_it_decided(browser):
    browser.sign_in("jwg.secretary", language="en")
    url = ninth(browser)
    page = text_of(browser.get(url).text)
    assert "JWG-Security: meeting 9" in page and "10 Dec 2026, 10:00:00" in page  # Karachi time as typed
    assert "1. Threat assessment for the spring" in page or "Threat assessment for the spring" in page
    assert browser.post(f"{url}/decisions", {"text": "Daylight moves only."}).status_code == 303
    owners = re.findall(
        r'<option value="([0-9a-f-]{36})">Ministry of Interior</option>', browser.get(url).text
    )
    made = browser.post(
        f"{url}/actions",
        {"text": "Issue the order", "owner_organisation_id": owners[0], "due_on": "2026-12-20"},
    )
    assert made.status_code == 303
    html = browser.get(url).text
    assert "Daylight moves only." in html and "Issue the order" in html
    action = re.search(rf'action="{url}/actions/([0-9a-f-]{{36}})"', html).group(1)
    assert browser.post(f"{url}/actions/{action}", {"status": "done"}).status_code == 303
    assert "Mark done" not in browser.get(url).text
    paper = browser.client.post(
        f"{url}/papers",
        data={"csrf_token": browser.csrf()},
        files={"file": ("agenda.txt", b"Agenda of the ninth meeting", "text/plain")},
        follow_redirects=False,
    )
    assert paper.status_code == 303 and "agenda.txt" in browser.get(url).text


def test_the_edit_form_keeps_the_agenda_one_item_a_line(browser):
    browser.sign_in("jwg.secretary", language="en")
    url = ninth(browser)
    form = browser.get(f"{url}/edit").text
    assert "Threat assessment for the spring\nStatus of open actions</textarea>" in form
    changed = browser.post(f"{url}/edit", {"agenda": "Only one item", "venue": "Lahore"})
    assert changed.status_code == 303
    page = browser.get(url).text
    assert "Only one item" in page and "Status of open actions" not in page and "Lahore" in page


def test_a_bad_meeting_form_is_shown_again(browser):
    browser.sign_in("jwg.secretary", language="en")
    bad = browser.post(
        "/meetings/new",
        {
            "group_id": jwg_id(browser),
            "starts_at": "2026-12-10T10:00",
            "ends_at": "2026-12-10T09:00",
            "venue": "X",
            "host_co_chair": "A",
            "partner_co_chair": "B",
        },
    )
    assert bad.status_code == 422 and "ends_at must be after starts_at" in bad.text


def test_the_partner_comments_but_records_nothing(browser):
    browser.sign_in("jwg.secretary", language="en")
    url = ninth(browser)
    browser.client.cookies.clear()
    browser.sign_in("partner.liaison", language="zh")
    page = browser.get(url).text
    assert "新决定" not in page and "评论" in page
    assert browser.post(f"{url}/comments", {"text": "建议一月份举行联合演练。"}).status_code == 303
    assert "建议一月份举行联合演练。" in browser.get(url).text
    assert browser.post(f"{url}/decisions", {"text": "x"}).status_code == 403
    assert browser.get("/meetings/new").status_code == 403


def test_company_users_have_no_meeting_pages(browser):
    browser.sign_in("company.security", language="en")
    assert 'href="/meetings"' not in browser.get("/").text
    assert browser.get("/meetings").status_code == 403
