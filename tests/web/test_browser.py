"""End-to-end in headless Chromium (Playwright, Debian's /usr/bin/chromium) against `jsms demo`."""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import missing_component
from tests.support.browser import browser as chromium
from tests.support.browser import chromium_path, screenshot, sign_in

ROOT = Path(__file__).resolve().parents[2]
# `make screenshots` sets this to refresh the README's picture; otherwise shots go to a temporary folder.
UPDATE_DOCS = os.environ.get("JSMS_UPDATE_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def chrome():
    if chromium_path() is None:
        missing_component("Chromium", "install the Debian package 'chromium'")
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(chrome):
    context = chrome.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


def test_officer_sees_the_dashboard_map_with_every_site(page, demo_server, tmp_path):
    sign_in(page, demo_server, "host.officer")
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    assert int(page.get_attribute("#map", "data-site-count")) >= 35
    assert page.locator(".leaflet-overlay-pane path").count() >= 35 + 7  # sites and provinces
    target = ROOT / "docs" / "dashboard.png" if UPDATE_DOCS else tmp_path / "dashboard.png"
    assert screenshot(page, target).stat().st_size > 20_000


def test_officer_creates_and_edits_a_site(page, demo_server):
    sign_in(page, demo_server, "host.officer")
    page.goto(f"{demo_server}/sites/new")
    page.fill("#f-name", "Ormara coastal camp")
    page.select_option("#f-kind", "camp")
    page.fill("#f-lat", "95")
    page.fill("#f-lon", "64.64")
    page.click("form.record button[type=submit]")
    assert page.locator("[data-field=lat] .field-error").inner_text() == "Must be at most 90."
    page.fill("#f-lat", "25.21")
    page.click("form.record button[type=submit]")
    page.wait_for_url(re.compile(r"/sites/[0-9a-f-]{36}$"))
    assert "Balochistan" in page.locator("dl.fields").inner_text()
    page.click("text=Edit")
    page.fill("#f-notes", "Coastal highway patrol base")
    page.click("form.record button[type=submit]")
    page.wait_for_url(re.compile(r"/sites/[0-9a-f-]{36}$"))
    assert "Coastal highway patrol base" in page.locator("dl.fields").inner_text()
    page.wait_for_selector("#map[data-ready='true']")
    assert page.get_attribute("#map", "data-site-count") == "1"


def test_language_switch_to_chinese_and_urdu(page, demo_server):
    sign_in(page, demo_server, "host.officer")
    page.goto(f"{demo_server}/sites")
    page.select_option("#language-select", "zh")
    page.wait_for_selector("html[lang=zh]")
    assert page.locator("h1").inner_text() == "地点"
    page.select_option("#language-select", "ur")
    page.wait_for_selector("html[lang=ur]")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "مقامات"
    # Right-to-left: the navigation starts at the right edge of the screen.
    brand = page.locator("a.brand").bounding_box()
    assert brand["x"] > 1000
    page.goto(f"{demo_server}/")
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_partner_liaison_sees_what_the_policy_grants_and_no_more(page, demo_server):
    sign_in(page, demo_server, "partner.liaison")
    assert page.get_attribute("html", "lang") == "zh"
    page.goto(f"{demo_server}/sites")
    assert page.locator("a.button", has_text="新建").count() == 0
    response = page.goto(f"{demo_server}/units/new")
    assert response.status == 403
    assert "机制政策不允许您查看或执行此操作。" in page.locator("main").inner_text()
    page.goto(f"{demo_server}/persons")
    assert "CN" in page.locator("table.list").inner_text()


def test_search_narrows_the_list_as_the_user_types(page, demo_server):
    sign_in(page, demo_server, "host.analyst")
    page.goto(f"{demo_server}/sites?sort=name")
    rows_before = page.locator("#results tbody tr").count()
    page.fill("#q", "Thar")
    from playwright.sync_api import expect

    expect(page.locator("#results tbody tr")).to_have_count(2)  # no eval: the page's CSP forbids it
    names = page.locator("#results tbody tr td:first-child").all_inner_texts()
    assert rows_before > 20 and names == ["Thar Coal Block I", "Thar Coal Block II"]
    assert "q=Thar" in page.url  # the search is in the address, so reloading keeps it


def test_the_planner_draws_the_route_options_and_the_officer_requests_one(page, demo_server, tmp_path):
    sign_in(page, demo_server, "host.officer")
    page.goto(f"{demo_server}/journeys/new")
    page.select_option("#f-origin-site", label="Embassy of China, Diplomatic Enclave, Islamabad")
    page.select_option("#f-destination-site", label="Dasu Hydropower Project (dam site)")
    page.fill("#f-depart", "2026-12-03T08:00")
    page.click("#plan-routes")
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    options = page.locator("tr.route-option").count()
    assert int(page.get_attribute("#map", "data-route-count")) == options >= 2
    assert page.locator(".leaflet-overlay-pane path.route-line").count() >= options
    screenshot(page, tmp_path / "planner.png")
    page.fill("#f-purpose", "Site visit of the embassy's security attaché")
    page.select_option("#f-persons", index=[0, 1])
    page.select_option("#f-vehicles", index=[0])
    page.click("#request-journey")
    page.wait_for_url(re.compile(r".*/journeys/[0-9a-f-]{36}$"))
    assert page.locator(".journey-state").inner_text() == "Draft"
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    assert page.locator("table.checkpoints tbody tr").count() >= 3


def test_no_page_breaks_the_content_security_policy(page, demo_server):
    """The policy allows scripts only from this site: a page that needed more would break."""
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )
    sign_in(page, demo_server, "host.commander")
    links = [a.get_attribute("href") for a in page.locator("nav.main a, header nav a").all()]
    assert len(links) > 8
    for link in [*links, "/journeys/new", "/policy"]:
        page.goto(f"{demo_server}{link}")
        page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.select_option("#language-select", "zh")  # the language switch submits itself (forms.js)
    assert page.locator("html").get_attribute("lang") == "zh"
    assert violations == []
