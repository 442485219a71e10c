"""The pages through HTTP: sign-in, navigation by role, policy on every page, forms, languages."""

import re

import pytest
from sqlalchemy import func, select

from jsms.registry.models import Site
from tests.web.conftest import text_of


def test_pages_need_a_signed_in_user(browser):
    for path in ("/", "/sites", "/persons", "/map/sites.json"):
        response = browser.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_sign_in_sets_a_safe_session_cookie_and_goes_where_asked(browser):
    response = browser.client.post(
        "/login",
        data={"username": "host.officer", "password": "demo", "next": "/sites", "csrf_token": browser.csrf()},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/sites"
    cookie = response.headers["set-cookie"]
    assert "jsms_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_sign_in_refuses_an_outside_next_address(browser):
    response = browser.client.post(
        "/login",
        data={
            "username": "host.officer",
            "password": "demo",
            "next": "https://evil.example/",
            "csrf_token": browser.csrf(),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_wrong_password_shows_the_form_again(browser):
    response = browser.sign_in("host.officer", "nope")
    assert response.status_code == 401 and "Incorrect username or password." in response.text


def test_a_form_post_without_its_csrf_token_is_refused(browser):
    browser.sign_in("host.officer")
    response = browser.post("/sites/new", {"name": "X", "kind": "camp", "lat": "25", "lon": "62"}, csrf=False)
    assert response.status_code == 403
    forged = browser.client.post(
        "/sites/new", data={"name": "X", "csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403


@pytest.mark.parametrize(
    ("user", "visible", "hidden"),
    [
        ("host.officer", {"/sites", "/persons", "/units", "/projects", "/assets", "/agreements"}, set()),
        ("partner.liaison", {"/sites", "/persons", "/units", "/agreements"}, set()),
        ("auditor", {"/sites", "/agreements"}, {"/persons", "/units"}),
        ("company.security", {"/sites", "/persons"}, {"/units", "/agreements"}),
    ],
)
def test_navigation_shows_only_what_the_role_may_use(browser, user, visible, hidden):
    browser.sign_in(user)
    page = browser.get("/").text
    links = set(re.findall(r'<nav class="main-nav".*?</nav>', page, flags=re.S)[0].split('href="')[1:])
    paths = {link.split('"')[0] for link in links}
    assert visible <= paths and not (hidden & paths), paths


def test_partner_is_refused_with_a_403_page_not_a_blank_one(browser):
    browser.sign_in("partner.liaison", language="zh")
    response = browser.get("/units/new")
    assert response.status_code == 403
    assert "机制政策不允许您查看或执行此操作。" in response.text and "<nav" in response.text
    auditor_pages = browser.get("/persons")
    assert auditor_pages.status_code == 200


def test_withheld_record_is_a_404_page(api, browser):
    pakistani = api.post(
        "/api/v1/persons", "host.officer", json={"full_name": "Imran Qureshi", "nationality": "PK"}
    )
    browser.sign_in("partner.liaison")
    response = browser.get(f"/persons/{pakistani.json()['id']}")
    assert (
        response.status_code == 404 and "没有此记录，或尚未向您发布。" in response.text
    )  # the liaison reads Chinese


def test_site_list_searches_sorts_and_pages(browser):
    browser.sign_in("host.officer")
    page = text_of(browser.get("/sites?q=Gwadar&sort=-name").text)
    assert page.index("Pak-China Friendship Hospital") < page.index("Gwadar Port ")
    assert "Karot" not in page
    second = browser.get("/sites?page=2").text
    assert "Page 2 of 2" in text_of(second)


def test_site_page_shows_its_map_unit_and_people(browser):
    browser.sign_in("host.officer")
    listing = browser.get("/sites?q=Gwadar Port").text
    site_url = re.search(r'href="(/sites/[0-9a-f-]{36})">Gwadar Port<', listing).group(1)
    page = browser.get(site_url).text
    assert 'id="map"' in page and f"/map/sites.json?site={site_url.split('/')[-1]}" in page
    assert "Task Force-88" in page and "Protected persons at this site" in page


def test_person_page_masks_personal_data_for_the_analyst(api, browser):
    person = api.first("/api/v1/persons", "host.officer")
    browser.sign_in("host.analyst", language="en")
    analyst_view = text_of(browser.get(f"/persons/{person['id']}").text)
    assert "withheld" in analyst_view and not re.search(r"\bE\d{8}\b", analyst_view)
    browser.client.cookies.clear()
    browser.sign_in("host.officer")
    officer_view = text_of(browser.get(f"/persons/{person['id']}").text)
    assert re.search(r"\bE\d{8}\b", officer_view)


def test_create_form_shows_errors_at_the_fields_and_stores_nothing(browser, connection):
    browser.sign_in("host.officer")
    before = connection.execute(select(func.count()).select_from(Site)).scalar_one()
    response = browser.post("/sites/new", {"name": "", "kind": "camp", "lat": "123", "lon": "67"})
    assert response.status_code == 422
    html = response.text
    assert re.search(r'data-field="lat">.*?Must be at most 90.*?</div>', html, flags=re.S)
    assert re.search(r'data-field="name">.*?This field is required.*?</div>', html, flags=re.S)
    assert 'value="123"' in html
    assert connection.execute(select(func.count()).select_from(Site)).scalar_one() == before


def test_domain_errors_appear_at_the_field_in_the_users_language(browser):
    browser.sign_in("host.officer", language="ur")
    response = browser.post(
        "/sites/new", {"name": "Kabul office", "kind": "office", "lat": "34.53", "lon": "69.17"}
    )
    assert response.status_code == 422
    assert re.search(r'data-field="lat">.*?پاکستان سے باہر ہے.*?</div>', response.text, flags=re.S)


def test_create_and_edit_a_site_through_the_forms(browser):
    browser.sign_in("host.officer")
    created = browser.post(
        "/sites/new",
        {"name": "Hub checkpoint", "kind": "camp", "lat": "25.05", "lon": "66.88", "security_tier": "2"},
    )
    assert created.status_code == 303
    url = created.headers["location"]
    page = text_of(browser.get(url).text)
    assert "Hub checkpoint" in page and "Balochistan" in page
    edited = browser.post(
        f"{url}/edit",
        {
            "name": "Hub checkpoint",
            "kind": "camp",
            "lat": "25.05",
            "lon": "66.88",
            "security_tier": "1",
            "notes": "Night patrols",
        },
    )
    assert edited.status_code == 303
    assert "Night patrols" in browser.get(url).text


def test_language_switch_is_remembered_and_urdu_is_right_to_left(browser):
    browser.sign_in("host.officer")
    assert '<html lang="en" dir="ltr">' in browser.get("/sites").text
    switched = browser.language("ur")
    assert switched.status_code == 303 and "jsms_lang=ur" in switched.headers["set-cookie"]
    page = browser.get("/sites").text
    assert '<html lang="ur" dir="rtl">' in page and "مقامات" in page
    browser.language("zh")
    assert "地点" in browser.get("/sites").text


def test_partners_map_layer_holds_only_released_sites(api, browser):
    site = api.first("/api/v1/sites", q="Karot")
    api.patch(f"/api/v1/sites/{site['id']}", "host.commander", json={"tlp": "red"})
    browser.sign_in("partner.liaison")
    names = {f["properties"]["name"] for f in browser.get("/map/sites.json").json()["features"]}
    assert "Gwadar Port" in names and "Karot Hydropower Project" not in names


def test_basemap_is_served_from_bundled_data(browser):
    browser.sign_in("host.analyst")
    base = browser.get("/map/basemap.json").json()
    assert len(base["provinces"]["features"]) == 7
    assert {"N-5", "N-35", "M-2"} <= {road["properties"]["ref"] for road in base["roads"]["features"]}
    assert any(city["properties"]["name"] == "Karachi" for city in base["cities"]["features"])


def test_policy_page_shows_the_policy_and_its_approvals(browser):
    browser.sign_in("partner.liaison", language="en")
    page = text_of(browser.get("/policy").text)
    assert "Version 1 in force" in page and "Approve journeys" in page
    assert "Partner liaison officer — own nationals only" in page
    assert "Propose a new version" not in page


def test_policy_proposed_and_approved_through_the_page(browser, api):
    from jsms.core.policy import PolicyDocument

    browser.sign_in("host.commander", language="en")
    document = PolicyDocument()
    document.grants["journey.request"].append("partner_liaison_officer")
    proposed = browser.post(
        "/policy/proposals",
        {"summary": "Liaison may request journeys", "document": document.model_dump_json()},
    )
    assert proposed.status_code == 303
    version = next(v for v in api.get("/api/v1/policy/versions", "auditor").json() if v["number"] == 2)
    assert browser.post(f"/policy/{version['id']}/approve", {}).status_code == 303
    page = browser.get("/policy").text
    assert 'data-version="2" data-status="proposed"' in page and "Awaiting approval" in page
    bad = browser.post(
        "/policy/proposals", {"summary": "Broken", "document": '{"grants": {"x.y": ["general"]}}'}
    )
    assert bad.status_code == 422
    browser.client.cookies.clear()
    browser.sign_in("partner.representative", language="en")
    assert browser.post(f"/policy/{version['id']}/approve", {}).status_code == 303
    assert 'data-version="2" data-status="active"' in browser.get("/policy").text


def test_units_areas_of_responsibility_are_on_the_map(browser):
    browser.sign_in("host.officer")
    names = {f["properties"]["name"] for f in browser.get("/map/units.json").json()["features"]}
    assert any(name.startswith("Special Security Division South") for name in names)
    assert any(name.startswith("Task Force-88") for name in names)
    browser.client.cookies.clear()
    browser.sign_in("auditor")
    assert browser.get("/map/units.json").json()["features"] == []


def test_an_expired_form_says_so_in_the_users_language(browser):
    browser.sign_in("host.officer", language="zh")
    forged = browser.client.post(
        "/sites/new", data={"name": "X", "csrf_token": "stale"}, follow_redirects=False
    )
    assert forged.status_code == 403 and "表单已过期，请刷新页面后重试。" in forged.text
    assert "机制政策不允许" not in forged.text  # not mistaken for a policy refusal
