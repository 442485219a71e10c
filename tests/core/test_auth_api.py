"""Sign-in (OAuth2 password flow), bearer tokens, long-lived API tokens, users."""

import pytest

from tests.conftest import DEMO_USERS


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_demo_user_gets_a_token_and_knows_who_it_is(api, username):
    me = api.get("/api/v1/users/me", username).json()
    assert me["username"] == username
    assert me["party"] == (
        "partner" if username.startswith("partner") or username == "company.security" else "host"
    )


def test_wrong_password_is_401_and_says_nothing_more(api):
    for username in ("host.commander", "nobody"):
        response = api.client.post("/api/v1/auth/token", data={"username": username, "password": "wrong"})
        assert response.status_code == 401
        assert response.json()["detail"] == "Incorrect username or password"


def test_missing_form_fields_are_422(api):
    assert api.client.post("/api/v1/auth/token", data={"username": "x"}).status_code == 422


def test_garbage_bearer_token_is_401(api):
    response = api.client.get("/api/v1/sites", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_api_token_works_until_revoked(api):
    issued = api.post("/api/v1/tokens", "host.officer", json={"name": "tracker GWD-7"})
    assert issued.status_code == 201, issued.text
    secret = issued.json()["token"]
    assert secret.startswith("jsms_") and issued.json()["prefix"] == secret[:12]
    device = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/users/me", headers=device).json()["username"] == "host.officer"
    listed = api.get("/api/v1/tokens", "host.officer").json()
    assert [t["name"] for t in listed] == ["tracker GWD-7"] and "token" not in listed[0]
    assert api.delete(f"/api/v1/tokens/{issued.json()['id']}", "host.officer").status_code == 204
    assert api.client.get("/api/v1/users/me", headers=device).status_code == 401


def test_only_administrators_issue_tokens_for_others(api):
    officer = api.get("/api/v1/users/me", "host.officer").json()
    refused = api.post("/api/v1/tokens", "host.analyst", json={"name": "x", "user_id": officer["id"]})
    assert refused.status_code == 403
    allowed = api.post("/api/v1/tokens", "admin", json={"name": "x", "user_id": officer["id"]})
    assert allowed.status_code == 201


def test_administrator_creates_a_user_whose_role_fits_its_party(api):
    embassy = api.first("/api/v1/organisations", q="Embassy of the People")
    body = {
        "username": "liaison.two",
        "display_name": "Second liaison",
        "role": "partner_liaison_officer",
        "organisation_id": embassy["id"],
        "password": "a-long-password",
        "language": "zh",
        "timezone": "Asia/Shanghai",
    }
    assert api.post("/api/v1/users", "host.commander", json=body).status_code == 403
    created = api.post("/api/v1/users", "admin", json=body)
    assert created.status_code == 201 and created.json()["party"] == "partner"
    wrong = api.post(
        "/api/v1/users", "admin", json={**body, "username": "cmdr.two", "role": "host_commander"}
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["role"]
    duplicate = api.post("/api/v1/users", "admin", json=body)
    assert duplicate.status_code == 409
    short = api.post("/api/v1/users", "admin", json={**body, "username": "x.y", "password": "short"})
    assert short.status_code == 422
