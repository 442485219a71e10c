"""News monitoring through the HTTP API: articles stored once, reports of one attack proposed as
one incident, the analyst's accept / merge / reject, permissions and bad input."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from jsms.core.models import AuditRecord
from jsms.osint.models import NewsArticle, NewsEvent

ARTICLES = Path(__file__).parent / "articles"
QUEUE = "/api/v1/osint/proposals"


def article(name: str) -> dict:
    return {"text": (ARTICLES / name).read_text(encoding="utf-8"), "location": f"https://news.example/{name}"}


def post(api, name: str, user: str = "host.analyst"):
    return api.post("/api/v1/osint/articles", user, json=article(name))


def count(connection, model) -> int:
    return connection.execute(select(func.count()).select_from(model)).scalar_one()


def incidents(api) -> int:
    return api.get("/api/v1/incidents", "host.analyst", params={"limit": 1}).json()["total"]


def test_an_article_is_stored_once_and_its_attack_proposed(api, connection):
    first = post(api, "besham-wire.txt")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["duplicate"] is False and body["new_event"] is True
    assert body["article"]["published_on"] == "2024-03-26"
    stored = count(connection, NewsArticle), count(connection, NewsEvent)
    again = post(api, "besham-wire.txt")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["article"]["id"] == body["article"]["id"]
    assert (count(connection, NewsArticle), count(connection, NewsEvent)) == stored
    proposal = api.get(f"{QUEUE}/{body['event_id']}", "host.analyst").json()
    assert proposal["status"] == "pending"
    assert (
        proposal["fields"]["date"] == "2024-03-26" and proposal["fields"]["province"] == "Khyber Pakhtunkhwa"
    )
    assert proposal["fields"]["killed_chinese"] == 5


def test_reports_of_one_attack_from_two_outlets_make_one_proposal(api):
    pending = api.get(QUEUE, "host.analyst", params={"status": "pending"}).json()["total"]
    one = post(api, "besham-wire.txt").json()
    two = post(api, "besham-daily.txt").json()
    other = post(api, "karachi-university.txt").json()
    assert two["new_event"] is False and two["event_id"] == one["event_id"]
    assert other["event_id"] != one["event_id"]
    queue = api.get(QUEUE, "host.analyst", params={"status": "pending"}).json()
    assert queue["total"] == pending + 2
    besham = next(p for p in queue["items"] if p["id"] == one["event_id"])
    assert len(besham["articles"]) == 2


def test_an_article_about_a_meeting_proposes_nothing(api):
    proposals = api.get(QUEUE, "host.analyst").json()["total"]
    meeting = post(api, "jwg-meeting.txt").json()
    assert meeting["event_id"] is None and meeting["article"]["reports_new_incident"] is False
    assert api.get(QUEUE, "host.analyst").json()["total"] == proposals
    detail = api.get(f"/api/v1/osint/articles/{meeting['article']['id']}", "host.analyst").json()
    recalled = detail["extraction"]["incidents"]
    assert recalled and not any(i["new"] for i in recalled)  # earlier attacks read, none proposed


def test_accepting_makes_a_draft_incident_linked_to_its_sources(api):
    event_id = post(api, "besham-wire.txt").json()["event_id"]
    post(api, "besham-daily.txt")
    accepted = api.post(f"{QUEUE}/{event_id}/accept", "host.analyst", json={"note": "two outlets agree"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["event"]["status"] == "accepted"
    incident = api.get(f"/api/v1/incidents/{accepted.json()['incident_id']}", "host.analyst").json()
    assert incident["state"] == "draft" and incident["kind"] == "suicide_bombing"
    assert incident["province"] == "PK-KP" and incident["occurred_at"].startswith("2024-03-26")
    assert incident["killed_protected"] == 5 and incident["protected_nationality_targeted"] is True
    urls = {source["url"] for source in incident["sources"]}
    assert urls == {"https://news.example/besham-wire.txt", "https://news.example/besham-daily.txt"}
    again = api.post(f"{QUEUE}/{event_id}/accept", "host.analyst", json={})
    assert again.status_code == 409


def test_a_later_report_reopens_the_proposal_and_accepting_adds_it_to_the_incident(api):
    event_id = post(api, "airport-first.txt").json()["event_id"]
    incident_id = api.post(f"{QUEUE}/{event_id}/accept", "host.analyst", json={}).json()["incident_id"]
    later = post(api, "airport-second.txt").json()
    assert later["event_id"] == event_id
    assert api.get(f"{QUEUE}/{event_id}", "host.analyst").json()["status"] == "pending"
    updated = api.post(f"{QUEUE}/{event_id}/accept", "host.analyst", json={}).json()
    assert updated["incident_id"] == incident_id
    incident = api.get(f"/api/v1/incidents/{incident_id}", "host.analyst").json()
    assert len(incident["sources"]) == 2 and incident["killed"] == 2


def test_merging_adds_the_articles_to_an_incident_on_record(api):
    recorded = api.post(
        "/api/v1/incidents",
        "host.officer",
        json={
            "title": "Attack on a convoy of engineers, Gwadar",
            "occurred_at": "2023-08-13T09:30:00+05:00",
            "lat": 25.12,
            "lon": 62.32,
            "kind": "armed_attack",
        },
    ).json()
    event_id = post(api, "gwadar-convoy.txt").json()["event_id"]
    before = incidents(api)
    merged = api.post(f"{QUEUE}/{event_id}/merge", "host.analyst", json={"incident_id": recorded["id"]})
    assert merged.status_code == 200, merged.text
    assert merged.json()["event"]["status"] == "merged" and merged.json()["incident_id"] == recorded["id"]
    incident = api.get(f"/api/v1/incidents/{recorded['id']}", "host.analyst").json()
    assert [s["url"] for s in incident["sources"]] == ["https://news.example/gwadar-convoy.txt"]
    assert incidents(api) == before  # no second incident


def test_rejecting_needs_a_reason_and_makes_no_incident(api):
    event_id = post(api, "guard-shooting.txt").json()["event_id"]
    before = incidents(api)
    no_reason = api.post(f"{QUEUE}/{event_id}/reject", "host.analyst", json={"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    rejected = api.post(f"{QUEUE}/{event_id}/reject", "host.analyst", json={"reason": "a private dispute"})
    assert rejected.status_code == 200 and rejected.json()["event"]["status"] == "rejected"
    assert rejected.json()["event"]["reason"] == "a private dispute"
    assert incidents(api) == before


@pytest.mark.parametrize(
    ("user", "action", "allowed"),
    [
        ("host.analyst", "ingest", True),
        ("host.officer", "ingest", True),
        ("partner.liaison", "ingest", False),
        ("company.security", "ingest", False),
        ("host.officer", "review", False),
        ("partner.liaison", "review", False),
        ("jwg.secretary", "review", False),
        ("host.commander", "review", True),
        ("partner.liaison", "read", False),
        ("company.security", "read", False),
        ("auditor", "read", True),
    ],
)
def test_who_may_feed_read_and_decide(api, user, action, allowed):
    event_id = post(api, "karachi-university.txt").json()["event_id"]
    if action == "ingest":
        status = post(api, "port-authority.txt", user).status_code
        assert (status == 201) is allowed and (status == 403) is not allowed
    elif action == "review":
        status = api.post(f"{QUEUE}/{event_id}/reject", user, json={"reason": "x"}).status_code
        assert (status == 200) is allowed and (status in (403, 404)) is not allowed
    else:
        listed = api.get(QUEUE, user)
        one = api.get(f"{QUEUE}/{event_id}", user)
        assert (listed.status_code == 200 and one.status_code == 200) is allowed
        if not allowed:
            assert listed.status_code == 403 and one.status_code in (403, 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, None),
        ({"text": "   "}, None),
        ({"text": "An attack.", "html": "<p>An attack.</p>"}, None),
        ({"text": "x", "published_on": "yesterday"}, "published_on"),
        ({"text": "x", "colour": "red"}, "colour"),
        ({"html": "<html><body><nav>Home</nav></body></html>"}, "html"),
    ],
)
def test_bad_articles_are_refused_naming_the_problem(api, connection, body, field):
    stored = count(connection, NewsArticle)
    response = api.post("/api/v1/osint/articles", "host.analyst", json=body)
    assert response.status_code == 422, response.text
    if field:
        assert any(field in e["loc"] for e in response.json()["errors"])
    assert count(connection, NewsArticle) == stored


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("accept", {"lat": 33.0}, None),
        ("accept", {"kind": "drone_strike"}, "kind"),
        ("accept", {"lat": 10.0, "lon": 10.0}, "lat"),  # outside Pakistan
        ("merge", {}, "incident_id"),
        ("merge", {"incident_id": "not-a-uuid"}, "incident_id"),
        ("reject", {"reason": "x" * 2001}, "reason"),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(api, connection, action, body, field):
    event_id = post(api, "consulate-2018.txt").json()["event_id"]
    audit_before, incidents_before = count(connection, AuditRecord), incidents(api)
    response = api.post(f"{QUEUE}/{event_id}/{action}", "host.analyst", json=body)
    assert response.status_code == 422, response.text
    if field:
        assert any(field in e["loc"] for e in response.json()["errors"])
    assert api.get(f"{QUEUE}/{event_id}", "host.analyst").json()["status"] == "pending"
    assert incidents(api) == incidents_before
    assert count(connection, AuditRecord) == audit_before


def test_merging_into_an_incident_that_does_not_exist_is_not_found(api):
    event_id = post(api, "consulate-2018.txt").json()["event_id"]
    missing = "00000000-0000-4000-8000-000000000000"
    response = api.post(f"{QUEUE}/{event_id}/merge", "host.analyst", json={"incident_id": missing})
    assert response.status_code == 404
    assert api.get(f"{QUEUE}/{event_id}", "host.analyst").json()["status"] == "pending"


def test_decisions_are_in_the_audit_trail(api, connection):
    event_id = post(api, "consulate-2018.txt").json()["event_id"]
    api.post(f"{QUEUE}/{event_id}/reject", "host.commander", json={"reason": "duplicate of a record"})
    actions = connection.execute(
        select(AuditRecord.action, AuditRecord.actor).where(AuditRecord.object_type == "news_event")
    ).all()
    assert ("news_event.create", "host.analyst") in actions
    assert ("news_event.update", "host.commander") in actions


@pytest.mark.parametrize("user", ["partner.liaison", "company.security"])
def test_articles_are_not_read_by_who_the_policy_does_not_name(api, user):
    article_id = post(api, "karachi-university.txt").json()["article"]["id"]
    assert api.get("/api/v1/osint/articles", user).status_code == 403
    assert api.get(f"/api/v1/osint/articles/{article_id}", user).status_code in (403, 404)
