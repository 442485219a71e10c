"""The permission matrix of the pages, read from the route table like the API's: every page has an
access rule, and every demo user (one per role and party), signed in through the form, is refused
each page and form its role holds no grant for — before the form is read."""

import pytest

from jsms.core import db as core_db
from jsms.core.http import access_rule
from jsms.core.pages import PageRoute
from jsms.core.policy import DEFAULT_GRANTS, active_policy, decide
from jsms.web.app import ROUTERS
from tests.conftest import DEMO_USERS
from tests.core.test_route_permissions import actors, url_of
from tests.web.conftest import Browser


def page_routes():
    return [
        (method, route)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, PageRoute)
        for method in sorted(route.methods - {"HEAD"})
    ]


def test_every_page_has_an_access_rule():
    routes = page_routes()
    assert len(routes) > 150
    missing = [f"{method} {route.path}" for method, route in routes if access_rule(route) is None]
    assert missing == [], "pages without @permits / @signed_in / @public"
    for _, route in routes:
        assert all(action in DEFAULT_GRANTS for action in access_rule(route).actions), route.path


def test_a_page_sends_whoever_is_not_signed_in_to_the_form(sqlite_api):
    for method, route in page_routes():
        if access_rule(route).signed_in:
            answer = sqlite_api.client.request(method, url_of(route), follow_redirects=False)
            assert answer.status_code in (303, 403), f"{method} {route.path}: {answer.status_code}"
            if answer.status_code == 303:
                assert answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("username", DEMO_USERS)
def test_a_page_refuses_whoever_its_rule_excludes(sqlite_api, sqlite_node, username):
    browser = Browser(sqlite_api.client)
    assert browser.sign_in(username).status_code == 303
    actor = actors(sqlite_node.database_url)[username]
    with core_db.new_session(None) as session:
        policy = active_policy(session)
    for method, route in page_routes():
        rule = access_rule(route)
        if not rule.signed_in:
            continue
        decisions = [decide(actor, action, policy) for action in rule.actions]
        allowed = all(d.allowed for d in decisions)
        url = url_of(route)
        answer = browser.get(url) if method == "GET" else browser.post(url, {})
        if not allowed:
            assert answer.status_code == 403, f"{method} {route.path}: {answer.status_code}"
        elif all(d.scopes is None for d in decisions) and not rule.further:
            assert answer.status_code != 403, f"{method} {route.path} refused {username}"
