"""Working groups and meetings through the HTTP API: the secretary's ninth meeting, decisions and
actions, the iCalendar export read back with an iCalendar parser, overdue actions alerting, the
partner's view and comments, papers, permissions and bad input."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from jsms.coordination import service
from jsms.coordination.feed import feed_path
from jsms.core.actor import Actor
from jsms.core.db import unit_of_work
from jsms.core.models import AuditRecord

NINTH = {
    "starts_at": "2026-12-10T10:00:00+05:00",
    "ends_at": "2026-12-10T13:00:00+05:00",
    "venue": "Ministry of Interior, Islamabad",
    "host_co_chair": "Additional Secretary (Interior)",
    "partner_co_chair": "Director-General, Public Security Liaison",
    "agenda": ["Threat assessment for the spring", "Status of open actions"],
    "attendees": [
        {"name": "Additional Secretary (Interior)", "organisation": "Ministry of Interior", "party": "host"},
        {
            "name": "Director-General, Public Security Liaison",
            "organisation": "Embassy of China",
            "party": "partner",
        },
        {
            "name": "Counsellor (Security)",
            "organisation": "Embassy of China",
            "party": "partner",
            "present": False,
        },
    ],
}


def group_id(api, short: str = "JWG-Security") -> str:
    groups = api.get("/api/v1/working-groups", "jwg.secretary", params={"q": short}).json()["items"]
    return next(g["id"] for g in groups if g["short_name"] == short)


def an_organisation(api, name: str = "Ministry of Interior") -> str:
    items = api.get("/api/v1/organisations", "jwg.secretary", params={"q": name}).json()["items"]
    return next(o["id"] for o in items if o["name"] == name)


def ninth_meeting(api, **more) -> dict:
    answer = api.post("/api/v1/meetings", "jwg.secretary", json={**NINTH, "group_id": group_id(api), **more})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_secretary_records_the_ninth_meeting_its_decision_and_action(api):
    meeting = ninth_meeting(api)
    assert meeting["number"] == 9  # eight held before it in the demo
    assert meeting["attendance"] == {"host": 1, "partner": 1}
    assert meeting["starts_at"] == "2026-12-10T05:00:00Z"
    decided = api.post(
        f"/api/v1/meetings/{meeting['id']}/decisions", "jwg.secretary", json={"text": "Daylight moves only."}
    )
    assert decided.status_code == 201 and decided.json()["number"] == 1
    action = api.post(
        f"/api/v1/meetings/{meeting['id']}/actions",
        "jwg.secretary",
        json={
            "text": "Issue the daylight-movement order",
            "owner_organisation_id": an_organisation(api),
            "due_on": "2026-12-20",
            "decision_id": decided.json()["id"],
        },
    )
    assert action.status_code == 201, action.text
    again = api.get(f"/api/v1/meetings/{meeting['id']}", "jwg.secretary").json()
    assert [d["text"] for d in again["decisions"]] == ["Daylight moves only."]
    assert again["actions"][0]["status"] == "open" and again["actions"][0]["due_on"] == "2026-12-20"


def test_the_meeting_exports_to_icalendar_that_a_parser_reads(api):
    meeting = ninth_meeting(api)
    answer = api.get(f"/api/v1/meetings/{meeting['id']}/ics", "jwg.secretary")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    [event] = calendar.walk("VEVENT")
    assert event["SUMMARY"] == "JWG-Security: meeting 9"
    assert event.decoded("DTSTART") == datetime(2026, 12, 10, 5, 0, tzinfo=UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=3)
    assert event["LOCATION"] == "Ministry of Interior, Islamabad"
    assert event["UID"] == f"meeting-{meeting['id']}@jsms" and event["STATUS"] == "CONFIRMED"
    assert "1. Threat assessment for the spring" in event["DESCRIPTION"]
    assert "Director-General, Public Security Liaison" in event["DESCRIPTION"]
    moved = api.patch(f"/api/v1/meetings/{meeting['id']}", "jwg.secretary", json={"status": "cancelled"})
    assert moved.status_code == 200, moved.text
    [cancelled] = Calendar.from_ical(
        api.get(f"/api/v1/meetings/{meeting['id']}/ics", "jwg.secretary").content
    ).walk("VEVENT")
    assert cancelled["STATUS"] == "CANCELLED" and int(cancelled["SEQUENCE"]) > int(event["SEQUENCE"])


def test_the_calendar_is_in_the_readers_language(api):
    meeting = ninth_meeting(api)
    [event] = Calendar.from_ical(
        api.get(f"/api/v1/meetings/{meeting['id']}/ics", "partner.liaison").content
    ).walk("VEVENT")
    assert str(event["SUMMARY"]) == "JWG-Security：第 9 次会议"


def test_each_user_has_a_calendar_feed_with_the_meetings_it_may_see(api):
    ninth_meeting(api)
    feed = api.client.get(feed_path("partner.liaison"))
    assert feed.status_code == 200
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) >= 3  # recent meetings of both groups and the ninth
    assert api.client.get(feed_path("partner.liaison").replace(".ics", "0.ics")).status_code == 404
    assert api.client.get(feed_path("nobody")).status_code == 404


def test_an_overdue_action_raises_one_alert_and_closing_it_ends_the_condition(api):
    meeting = ninth_meeting(api)
    made = api.post(
        f"/api/v1/meetings/{meeting['id']}/actions",
        "jwg.secretary",
        json={
            "text": "Deliver the escort roster",
            "owner_organisation_id": an_organisation(api),
            "due_on": "2026-11-01",
        },
    ).json()
    with unit_of_work(Actor.system("dispatcher")) as session:
        service.remind_actions(session, date(2026, 11, 23))
        service.remind_actions(session, date(2026, 11, 23))  # the next half minute: nothing new
    alerts = api.get(
        "/api/v1/alerts", "host.officer", params={"kind": "action_overdue", "limit": 100}
    ).json()["items"]
    mine = [a for a in alerts if "Deliver the escort roster" in a["subject_label"]]
    assert len(mine) == 1 and mine[0]["severity"] == "moderate"
    assert "Overdue since 2026-11-01" in mine[0]["message"]
    done = api.patch(f"/api/v1/actions/{made['id']}", "partner.representative", json={"status": "done"})
    assert done.status_code == 200 and done.json()["closed_by"] == "partner.representative"
    alert = api.get(f"/api/v1/alerts/{mine[0]['id']}", "host.officer").json()
    assert alert["cleared_at"] is not None


def test_an_action_falling_due_is_reminded(api):
    meeting = ninth_meeting(api)
    api.post(
        f"/api/v1/meetings/{meeting['id']}/actions",
        "jwg.secretary",
        json={
            "text": "Send the attendance list",
            "owner_organisation_id": an_organisation(api),
            "due_on": "2026-11-25",
        },
    )
    with unit_of_work(Actor.system("dispatcher")) as session:
        assert service.remind_actions(session, date(2026, 11, 23)) >= 1
    alerts = api.get("/api/v1/alerts", "host.officer", params={"kind": "action_due", "limit": 100}).json()[
        "items"
    ]
    assert any("Send the attendance list" in a["subject_label"] and a["severity"] == "minor" for a in alerts)


def test_the_partner_reads_and_comments_but_does_not_write(api):
    meeting = ninth_meeting(api)
    url = f"/api/v1/meetings/{meeting['id']}"
    assert api.get(url, "partner.liaison").status_code == 200
    comment = api.post(
        f"{url}/comments", "partner.liaison", json={"text": "We propose a joint drill in January."}
    )
    assert comment.status_code == 201 and comment.json()["party"] == "partner"
    assert api.get(url, "jwg.secretary").json()["comments"][0]["author"] == "partner.liaison"
    assert api.patch(url, "partner.liaison", json={"venue": "Beijing"}).status_code == 403
    assert api.post(f"{url}/decisions", "partner.liaison", json={"text": "x"}).status_code == 403


def test_a_meeting_marked_red_is_withheld_from_the_partner(api):
    meeting = ninth_meeting(api, tlp="red")
    assert api.get(f"/api/v1/meetings/{meeting['id']}", "partner.liaison").status_code == 404
    listed = api.get("/api/v1/meetings", "partner.liaison", params={"limit": 500}).json()["items"]
    assert meeting["id"] not in {m["id"] for m in listed}
    assert api.get(f"/api/v1/meetings/{meeting['id']}/ics", "partner.liaison").status_code == 404


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("host.officer", 403),
        ("company.security", 403),
        ("partner.representative", 403),
        ("host.commander", 201),
    ],
)
def test_who_may_record_meetings(api, user, status):
    body = {**NINTH, "group_id": group_id(api)}
    assert api.post("/api/v1/meetings", user, json=body).status_code == status


def test_company_users_see_no_meetings(api):
    assert api.get("/api/v1/meetings", "company.security").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2026-12-10T09:00:00+05:00"}, None),
        ({"starts_at": "2026-12-10T10:00:00"}, "starts_at"),
        ({"venue": ""}, "venue"),
        ({"attendees": [{"name": "X", "party": "martians"}]}, "party"),
        ({"number": 0}, "number"),
    ],
)
def test_bad_meetings_are_refused_naming_the_problem(api, change, field):
    answer = api.post(
        "/api/v1/meetings", "jwg.secretary", json={**NINTH, "group_id": group_id(api), **change}
    )
    assert answer.status_code == 422, answer.text
    if field:
        assert any(field in e["loc"] for e in answer.json()["errors"])


def test_a_meeting_number_is_not_taken_twice(api):
    answer = api.post(
        "/api/v1/meetings", "jwg.secretary", json={**NINTH, "group_id": group_id(api), "number": 8}
    )
    assert answer.status_code == 409 and "number 8" in answer.text


def test_bad_actions_are_refused(api):
    meeting = ninth_meeting(api)
    other = ninth_meeting(api)
    decided = api.post(
        f"/api/v1/meetings/{other['id']}/decisions", "jwg.secretary", json={"text": "x"}
    ).json()
    url = f"/api/v1/meetings/{meeting['id']}/actions"
    unknown = api.post(
        url,
        "jwg.secretary",
        json={"text": "x", "owner_organisation_id": decided["id"], "due_on": "2026-12-01"},
    )
    assert unknown.status_code == 422 and "owner_organisation_id" in unknown.text
    elsewhere = api.post(
        url,
        "jwg.secretary",
        json={
            "text": "x",
            "owner_organisation_id": an_organisation(api),
            "due_on": "2026-12-01",
            "decision_id": decided["id"],
        },
    )
    assert elsewhere.status_code == 422 and "decision_id" in elsewhere.text
    assert api.get(f"/api/v1/meetings/{meeting['id']}", "jwg.secretary").json()["actions"] == []


def test_papers_are_kept_and_given_back(api):
    meeting = ninth_meeting(api)
    url = f"/api/v1/meetings/{meeting['id']}/papers"
    paper = api.client.post(
        url,
        files={"file": ("minutes.pdf", b"%PDF-1.4 signed minutes", "application/pdf")},
        headers=api.headers("jwg.secretary"),
    )
    assert paper.status_code == 201, paper.text
    back = api.get(f"{url}/{paper.json()['id']}", "partner.liaison")
    assert back.status_code == 200 and back.content == b"%PDF-1.4 signed minutes"
    empty = api.client.post(
        url, files={"file": ("x.txt", b"", "text/plain")}, headers=api.headers("jwg.secretary")
    )
    assert empty.status_code == 422


def test_the_meeting_and_its_decision_are_in_the_audit_trail(api, connection):
    meeting = ninth_meeting(api)
    api.post(f"/api/v1/meetings/{meeting['id']}/decisions", "jwg.secretary", json={"text": "Recorded."})
    actions = set(
        connection.execute(
            select(AuditRecord.action).where(
                AuditRecord.actor == "jwg.secretary", AuditRecord.object_type.like("meeting%")
            )
        ).scalars()
    )
    assert {"meeting.create", "meeting_decision.create", "meeting_attendee.create"} <= actions


@pytest.mark.parametrize(
    ("user", "method", "path", "body"),
    [
        ("partner.liaison", "post", "/api/v1/working-groups", {"name": "X", "short_name": "X"}),
        ("host.officer", "post", "/api/v1/working-groups", {"name": "X", "short_name": "X"}),
        ("partner.representative", "patch", "/api/v1/working-groups/{group}", {"description": "x"}),
        ("company.security", "post", "/api/v1/meetings/{meeting}/comments", {"text": "x"}),
        ("partner.liaison", "post", "/api/v1/meetings/{meeting}/decisions", {"text": "x"}),
        ("partner.liaison", "patch", "/api/v1/actions/{action}", {"status": "done"}),
        ("host.officer", "patch", "/api/v1/actions/{action}", {"status": "done"}),
        ("company.security", "get", "/api/v1/actions", None),
        ("company.security", "get", "/api/v1/working-groups", None),
        ("company.security", "get", "/api/v1/meetings/{meeting}/ics", None),
    ],
)
def test_each_endpoint_refuses_who_the_policy_does_not_name(api, user, method, path, body):
    meeting = ninth_meeting(api)
    action = api.post(
        f"/api/v1/meetings/{meeting['id']}/actions",
        "jwg.secretary",
        json={"text": "x", "owner_organisation_id": an_organisation(api), "due_on": "2026-12-20"},
    ).json()
    url = path.format(group=group_id(api), meeting=meeting["id"], action=action["id"])
    answer = getattr(api, method)(url, user, **({"json": body} if body is not None else {}))
    assert answer.status_code in (403, 404), answer.text


def test_the_partner_may_not_add_papers_and_a_paper_has_a_size_limit(api):
    meeting = ninth_meeting(api)
    url = f"/api/v1/meetings/{meeting['id']}/papers"
    partner = api.client.post(
        url, files={"file": ("x.txt", b"x", "text/plain")}, headers=api.headers("partner.liaison")
    )
    assert partner.status_code == 403
    big = b"0" * (10 * 1024 * 1024 + 1)
    too_big = api.client.post(
        url,
        files={"file": ("big.bin", big, "application/octet-stream")},
        headers=api.headers("jwg.secretary"),
    )
    assert too_big.status_code == 422 and "10 MB" in too_big.text
    assert api.get(f"/api/v1/meetings/{meeting['id']}", "jwg.secretary").json()["attachments"] == []


def test_a_group_is_not_renamed_to_another_groups_name(api):
    renamed = api.patch(
        f"/api/v1/working-groups/{group_id(api, 'JWG-Non-CPEC')}",
        "jwg.secretary",
        json={"name": "Joint Working Group on Security of CPEC"},
    )
    assert renamed.status_code == 409
