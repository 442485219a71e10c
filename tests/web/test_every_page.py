"""Every page of the navigation, with a detail page and the forms of each, in the three languages:
it renders, Urdu runs right-to-left, and no interface string is left in English."""

import re
from html import unescape

import pytest
from babel.messages.pofile import read_po

from tests.conftest import DEMO_USERS
from tests.web.test_translations import LOCALE

PAGES = [
    "/",
    "/sites",
    "/persons",
    "/units",
    "/projects",
    "/assets",
    "/agreements",
    "/organisations",
    "/policy",
    "/exchange",
    "/exchange/preview",
    "/news",
    "/news/new",
    "/news-feeds",
    "/news-feeds/new",
    "/meetings",
    "/meetings/new",
    "/working-groups",
    "/working-groups/new",
]
TEXT_NODE = re.compile(r">([^<>]+)<")


def english_interface_strings(language: str) -> set[str]:
    """Message ids whose translation differs from the English, long enough not to be data by chance."""
    with open(LOCALE / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po, locale=language)
    return {
        m.id
        for m in catalogue
        if m.id and m.string and m.string != m.id and "%(" not in m.id and len(m.id) > 3
    }


def text_nodes(html: str) -> set[str]:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return {unescape(node).strip() for node in TEXT_NODE.findall(html) if node.strip()}


def pages_of(browser) -> list[str]:
    """The navigation's pages, a detail page and the forms of each registry."""
    urls = list(PAGES)
    for listing in PAGES[1:8]:
        html = browser.get(listing).text
        detail = re.search(rf'href="({listing}/[0-9a-f-]{{36}})"', html)
        if detail:
            urls += [detail.group(1), f"{detail.group(1)}/edit", f"{listing}/new"]
    # Journeys: a journey's page, the planner, and the planner showing route options.
    journey = re.search(r'href="(/journeys/[0-9a-f-]{36})"', browser.get("/journeys").text)
    sites = re.findall(r'href="/sites/([0-9a-f-]{36})"', browser.get("/sites").text)
    plan = f"/journeys/new?origin_site={sites[0]}&destination_site={sites[1]}&depart=2026-12-01T09:00"
    shared = re.search(r'href="(/exchange/incidents/[0-9a-f-]{36})"', browser.get("/exchange/preview").text)
    proposal = re.search(r'href="(/news/[0-9a-f-]{36})"', browser.get("/news").text)
    meeting = re.search(r'href="(/meetings/[0-9a-f-]{36})"', browser.get("/meetings").text).group(1)
    group = re.search(r'href="(/working-groups/[0-9a-f-]{36})"', browser.get("/working-groups").text).group(1)
    urls += [meeting, f"{meeting}/edit", group, f"{group}/edit"]
    return [*urls, "/journeys", journey.group(1), "/journeys/new", plan, shared.group(1), proposal.group(1)]


@pytest.mark.parametrize("language", ["zh", "ur", "en"])
def test_every_page_renders_in_the_language_without_english_leftovers(browser, language):
    browser.sign_in("host.commander", language=language)
    leftovers = english_interface_strings(language) if language != "en" else set()
    for url in pages_of(browser):
        response = browser.get(url)
        assert response.status_code == 200, url
        html = response.text
        direction = "rtl" if language == "ur" else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in html, url
        untranslated = text_nodes(html) & leftovers
        assert not untranslated, f"{url} in {language} shows English: {sorted(untranslated)}"


@pytest.mark.parametrize("user", DEMO_USERS)
def test_every_demo_user_opens_every_page_of_its_navigation(browser, user):
    browser.sign_in(user)
    home = browser.get("/")
    assert home.status_code == 200
    links = re.findall(r'<nav class="main-nav".*?</nav>', home.text, flags=re.S)[0]
    for path in re.findall(r'href="([^"]+)"', links):
        assert browser.get(path).status_code == 200, f"{user}: {path}"
