"""Web hardening: sign-in rate limit and lock-out, security headers, CSRF on every form, cookies,
no secret in the logs."""

import logging
import re
from datetime import timedelta
from importlib import resources

import pytest
from sqlalchemy import select

from jsms.core import db as core_db
from jsms.core.models import AuditRecord, SignInFailures, User
from jsms.core.pages import PageRoute
from jsms.web.app import ROUTERS
from jsms.web.hardening import MaskSecrets, content_security_policy, mask_secrets
from tests.web.conftest import Browser


def token_request(api, username: str, password: str):
    return api.client.post("/api/v1/auth/token", data={"username": username, "password": password})


# ---- sign-in: rate limit and lock-out ----------------------------------------------------


def test_sign_ins_from_one_address_are_rate_limited(api, configure):
    configure(login_rate_limit="3/minute")
    answers = [token_request(api, "host.analyst", "wrong").status_code for _ in range(3)]
    assert answers == [401, 401, 401]
    limited = token_request(api, "host.analyst", "demo")  # even the right password waits
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "try again" in limited.json()["detail"]


def test_the_sign_in_page_says_when_to_try_again(api, configure):
    configure(login_rate_limit="2/minute")
    browser = Browser(api.client)
    for _ in range(2):
        browser.sign_in("host.analyst", "wrong")
    page = browser.sign_in("host.analyst", "wrong")
    assert page.status_code == 429 and "Too many sign-in attempts from this computer" in page.text


def test_an_account_locks_after_repeated_failures_and_an_administrator_unlocks_it(api, configure, connection):
    configure(login_lockout_failures=3, login_lockout_minutes=15)
    token = api.token("host.analyst")  # a session begun before the attack
    for _ in range(3):
        assert token_request(api, "host.analyst", "guess").status_code == 401
    refused = token_request(api, "host.analyst", "demo")
    assert refused.status_code == 401 and "locked" in refused.json()["detail"]
    # A stranger's guesses lock new sign-ins, not the user's open session.
    me = api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200

    with core_db.new_session(None) as session:
        user = session.scalar(select(User).where(User.username == "host.analyst"))
        locked = session.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "user.locked", AuditRecord.object_id == str(user.id)
            )
        ).all()
    assert len(locked) == 1 and locked[0].actor == "system:sign-in"
    assert locked[0].changes["failures"] == 3

    assert api.post(f"/api/v1/users/{user.id}/unlock", "host.officer").status_code == 403
    unlocked = api.post(f"/api/v1/users/{user.id}/unlock", "admin")
    assert unlocked.status_code == 200, unlocked.text
    assert token_request(api, "host.analyst", "demo").status_code == 200


def test_a_lock_expires_and_a_success_clears_the_count(api, configure):
    configure(login_lockout_failures=2)
    for _ in range(2):
        token_request(api, "host.analyst", "guess")
    with core_db.new_session(None) as session:
        user = session.scalar(select(User).where(User.username == "host.analyst"))
        failures = session.get(SignInFailures, user.id)
        assert failures.count == 2 and failures.locked_until is not None
        failures.locked_until = core_db.utcnow() - timedelta(seconds=1)
        session.commit()
    assert token_request(api, "host.analyst", "demo").status_code == 200
    with core_db.new_session(None) as session:
        assert session.get(SignInFailures, user.id) is None


def test_the_sign_in_page_tells_a_locked_account(api, configure):
    configure(login_lockout_failures=1)
    browser = Browser(api.client)
    browser.sign_in("host.analyst", "guess")
    page = browser.sign_in("host.analyst", "demo")
    assert page.status_code == 401 and "This account is locked" in page.text


def test_an_unknown_user_gets_the_same_answer_and_locks_nothing(api, configure):
    configure(login_lockout_failures=1)
    for _ in range(2):
        answer = token_request(api, "nobody.at.all", "guess")
        assert answer.status_code == 401 and answer.json()["detail"] == "Incorrect username or password"


# ---- headers and cookies -----------------------------------------------------------------


def test_every_answer_carries_the_security_headers(api):
    for url in ("/login", "/api/v1/health", "/api/v1/sites", "/static/js/forms.js"):
        headers = api.get(url, "host.officer").headers
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["x-frame-options"] == "DENY", url
        assert "frame-ancestors 'none'" in headers["content-security-policy"], url
        assert headers["referrer-policy"] == "same-origin", url
    assert api.get("/api/v1/sites", "host.officer").headers["cache-control"] == "no-store"
    assert "no-store" not in api.client.get("/static/js/forms.js").headers.get("cache-control", "")
    assert "strict-transport-security" not in api.client.get("/login").headers


def test_over_https_the_browser_is_told_to_stay_there_and_cookies_are_secure(api):
    api.client.base_url = "https://testserver"
    try:
        page = api.client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "secure" in page.headers["set-cookie"].lower()
        signed_in = Browser(api.client).sign_in("host.officer")
        session_cookie = next(
            c for c in signed_in.headers.get_list("set-cookie") if c.startswith("jsms_session")
        )
        assert "secure" in session_cookie.lower() and "httponly" in session_cookie.lower()
    finally:
        api.client.base_url = "http://testserver"


def test_cookies_can_be_made_secure_behind_a_tls_proxy(api, configure):
    configure(secure_cookies=True)
    signed_in = Browser(api.client).sign_in("host.officer")
    cookies = signed_in.headers.get_list("set-cookie")
    assert cookies and all("secure" in c.lower() for c in cookies if c.startswith("jsms_session"))


def test_scripts_come_only_from_this_site():
    policy = content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["script-src"] == "'self'"
    assert "https://*.tile.example.org" in directives["img-src"]


def _templates() -> list[tuple[str, str]]:
    found = []
    for package in resources.files("jsms").iterdir():
        templates = package / "templates"
        if package.is_dir() and templates.is_dir():
            stack = [templates]
            while stack:
                for entry in stack.pop().iterdir():
                    if entry.is_dir():
                        stack.append(entry)
                    elif entry.name.endswith(".html"):
                        found.append((entry.name, entry.read_text()))
    return found


def test_no_template_runs_inline_script():
    """The policy would block them: behaviour lives in static/js (forms.js, map.js, ...)."""
    templates = _templates()
    assert len(templates) > 30
    for name, html in templates:
        assert not re.search(r"\son[a-z]+\s*=", html), f"{name} has an inline event handler"
        for script in re.findall(r"<script\b[^>]*>", html):
            data = 'type="application/json"' in script  # data for a script, never run
            assert "src=" in script or data, f"{name} has an inline <script>"


# ---- CSRF on every form ------------------------------------------------------------------


def _page_routes_that_change_state() -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, PageRoute)
        for method in sorted(route.methods - {"GET", "HEAD"})
    ]


def test_every_form_post_needs_its_csrf_token(api):
    routes = _page_routes_that_change_state()
    assert len(routes) > 50
    browser = Browser(api.client)
    browser.sign_in("host.commander")
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)
        refused = api.client.request(method, url, data={"csrf_token": "forged"}, follow_redirects=False)
        assert refused.status_code == 403, f"{method} {path} answered {refused.status_code} to a forged token"


# ---- logs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (
            '"GET /osmand?id=GWD-7&token=s3cr3t&lat=25 HTTP/1.1" 200',
            '"GET /osmand?id=GWD-7&token=***&lat=25 HTTP/1.1" 200',
        ),
        ("GET /field?device=d1&token=abc.def", "GET /field?device=d1&token=***"),
        ("GET /api/v1/calendar/host.officer/K3yK3y.ics", "GET /api/v1/calendar/host.officer/***.ics"),
        ("Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer ***"),
        ("password=hunter2&username=a", "password=***&username=a"),
        ("GET /api/v1/sites?limit=5", "GET /api/v1/sites?limit=5"),
    ],
)
def test_secrets_are_masked(line, masked):
    assert mask_secrets(line) == masked


def test_the_filter_masks_uvicorns_access_lines():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/osmand/?id=a&token=SECRET", "1.1", 200),
        None,
    )
    MaskSecrets().filter(record)
    assert "SECRET" not in record.getMessage() and "token=***" in record.getMessage()


def test_a_running_server_writes_no_secret_to_its_log(demo_node):
    import httpx

    secret = "Zq9-not-a-real-token-but-a-secret-all-the-same"
    with httpx.Client(base_url=demo_node.base, timeout=10) as client:
        client.get(f"/osmand/?id=unknown-device&lat=25&lon=62&token={secret}")
        client.get(f"/field?device=unknown&token={secret}")
        client.get(f"/api/v1/calendar/host.officer/{secret}.ics")
        client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    log = (demo_node.data_dir / "server.log").read_text(errors="replace")
    assert "/api/v1/calendar/host.officer/***.ics" in log  # the requests were logged, masked
    assert secret not in log


def test_wrong_taxii_passwords_count_towards_the_lock_out(api, configure):
    import base64

    configure(login_lockout_failures=2)

    def basic(password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"host.analyst:{password}".encode()).decode()}

    for _ in range(2):
        assert api.client.get("/taxii2/", headers=basic("guess")).status_code == 401
    locked = api.client.get("/taxii2/", headers=basic("demo"))
    assert locked.status_code == 401 and "locked" in locked.json()["description"]
