"""The news review pages: the queue, a proposal with its evidence highlighted, and the analyst's
decisions through the forms, in the three languages."""

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from jsms.incidents.models import Incident, IncidentSource
from jsms.osint.models import NewsEvent
from jsms.osint.pages import highlighted
from tests.web.conftest import text_of

ARTICLES = Path(__file__).parent / "articles"


def proposal_of(api, name: str) -> str:
    text = (ARTICLES / name).read_text(encoding="utf-8")
    answer = api.post(
        "/api/v1/osint/articles",
        "host.analyst",
        json={"text": text, "location": f"https://news.example/{name}"},
    )
    return answer.json()["event_id"]


def sources_of(connection, incident_id: uuid.UUID) -> list[str]:
    return list(
        connection.execute(
            select(IncidentSource.url).where(IncidentSource.incident_id == incident_id)
        ).scalars()
    )


def test_highlighting_merges_overlapping_evidence_and_keeps_every_character():
    text = "Five Chinese engineers were killed in Besham on Tuesday."
    killed, engineers = (0, text.index(" in ")), (5, text.index(" were"))
    besham = (text.index("Besham"), text.index(" on"))
    tuesday = (text.index("on Tuesday"), len(text) - 1)
    evidence = [
        {"field": "killed_protected", "start": killed[0], "end": killed[1]},
        {"field": "targets_protected", "start": engineers[0], "end": engineers[1]},
        {"field": "place", "start": besham[0], "end": besham[1]},
        {"field": "date", "start": tuesday[0], "end": tuesday[1]},
        {"field": "unknown", "start": 0, "end": 4},  # not a field the page knows: not marked
        {"field": "place", "start": 50, "end": 99},  # beyond the text: not marked
    ]
    pieces = highlighted(text, evidence)
    assert "".join(p["text"] for p in pieces) == text
    marked = [(p["text"], p.get("family")) for p in pieces if p.get("fields")]
    assert marked == [
        ("Five Chinese engineers were killed", "toll"),
        ("Besham", "place"),
        ("on Tuesday", "time"),
    ]
    assert pieces[0]["fields"] == ["Protected nationals killed", "Protected nationals targeted"]


def test_the_queue_lists_proposals_and_a_proposal_shows_its_articles_with_evidence(api, browser):
    event_id = proposal_of(api, "besham-wire.txt")
    proposal_of(api, "besham-daily.txt")
    browser.sign_in("host.analyst", language="en")
    queue = browser.get("/news?status=pending")
    assert queue.status_code == 200 and f'href="/news/{event_id}"' in queue.text
    page = browser.get(f"/news/{event_id}")
    assert page.status_code == 200
    assert page.text.count('<article class="news-article"') == 2
    assert re.search(r'<mark class="ev ev-place" title="Place">Besham</mark>', page.text)
    assert re.search(r'<mark class="ev ev-time" title="Date">on Tuesday</mark>', page.text)
    assert 'action="/news/' in page.text and "Accept as a draft incident" in text_of(page.text)


def test_the_analyst_accepts_a_proposal_through_the_form_and_lands_on_the_draft(api, browser, connection):
    event_id = proposal_of(api, "karachi-university.txt")
    browser.sign_in("host.analyst", language="en")
    accepted = browser.post(
        f"/news/{event_id}/accept",
        {"title": "", "kind": "suicide_bombing", "lat": "", "lon": "", "note": "seen on TV too"},
    )
    assert accepted.status_code == 303, accepted.text
    incident_id = uuid.UUID(accepted.headers["location"].rsplit("/", 1)[-1])
    incident = connection.execute(
        select(Incident.state, Incident.source_system).where(Incident.id == incident_id)
    ).one()
    assert tuple(incident) == ("draft", "osint")
    assert sources_of(connection, incident_id) == ["https://news.example/karachi-university.txt"]
    event = connection.execute(
        select(NewsEvent.status, NewsEvent.decided_by).where(NewsEvent.id == uuid.UUID(event_id))
    ).one()
    assert tuple(event) == ("accepted", "host.analyst")
    page = browser.get(f"/news/{event_id}")
    assert "Accept as a draft incident" not in page.text and f'href="/incidents/{incident_id}"' in page.text


def test_merge_offers_incidents_of_that_time_and_place(api, browser, connection):
    event_id = proposal_of(api, "airport-first.txt")  # the demo's history holds the airport attack
    browser.sign_in("host.commander", language="en")
    page = browser.get(f"/news/{event_id}").text
    options = re.findall(r'<option value="([0-9a-f-]{36})">([^<]*)</option>', page)
    assert options, "no incident offered to merge with"
    merged = browser.post(f"/news/{event_id}/merge", {"incident_id": options[0][0]})
    assert merged.status_code == 303 and merged.headers["location"] == f"/incidents/{options[0][0]}"
    assert "https://news.example/airport-first.txt" in sources_of(connection, uuid.UUID(options[0][0]))


def test_reject_through_the_form_needs_a_reason(api, browser):
    event_id = proposal_of(api, "guard-shooting.txt")
    browser.sign_in("host.analyst", language="en")
    assert browser.post(f"/news/{event_id}/reject", {"reason": ""}).status_code == 422
    rejected = browser.post(f"/news/{event_id}/reject", {"reason": "not an attack on the project"})
    assert rejected.status_code == 303
    assert "not an attack on the project" in browser.get(f"/news/{event_id}").text


@pytest.mark.parametrize("user", ["host.officer", "auditor"])
def test_readers_who_may_not_decide_see_no_forms_and_cannot_post(api, browser, user):
    event_id = proposal_of(api, "port-authority.txt")
    browser.sign_in(user, language="en")
    page = browser.get(f"/news/{event_id}")
    assert page.status_code == 200 and "Accept as a draft incident" not in page.text
    assert browser.post(f"/news/{event_id}/reject", {"reason": "x"}).status_code == 403


def test_the_partner_has_no_news_review(api, browser):
    event_id = proposal_of(api, "port-authority.txt")
    browser.sign_in("partner.liaison", language="en")
    assert 'href="/news"' not in browser.get("/").text
    assert browser.get(f"/news/{event_id}").status_code == 403


@pytest.mark.parametrize(("language", "heading"), [("zh", "新闻审核"), ("ur", "خبروں کا جائزہ")])
def test_the_review_pages_speak_the_readers_language(api, browser, language, heading):
    event_id = proposal_of(api, "besham-wire.txt")
    browser.sign_in("host.analyst", language=language)
    assert heading in browser.get("/news").text
    page = browser.get(f"/news/{event_id}").text
    assert f'<html lang="{language}"' in page and heading in page


def test_an_officer_hands_in_an_article_through_the_form(browser):
    browser.sign_in("host.officer", language="en")
    assert browser.get("/news/new").status_code == 200
    text = (ARTICLES / "gwadar-convoy.txt").read_text(encoding="utf-8")
    handed = browser.post("/news/new", {"text": text, "source": "https://news.example/gwadar"})
    assert handed.status_code == 303 and re.fullmatch(r"/news/[0-9a-f-]{36}", handed.headers["location"])
    again = browser.post("/news/new", {"text": text})
    assert again.status_code == 303 and again.headers["location"] == handed.headers["location"]


def test_a_meeting_handed_in_is_stored_and_the_form_says_nothing_is_proposed(browser):
    browser.sign_in("host.analyst", language="en")
    text = (ARTICLES / "jwg-meeting.txt").read_text(encoding="utf-8")
    answer = browser.post("/news/new", {"text": text})
    assert answer.status_code == 200 and "reports no new attack" in answer.text


@pytest.mark.parametrize(
    ("form", "message"),
    [({"text": "Too short."}, "too little text"), ({"text": "x " * 10, "published_on": "soon"}, "date")],
)
def test_a_bad_article_form_is_shown_again_with_the_problem(browser, form, message):
    browser.sign_in("host.analyst", language="en")
    answer = browser.post("/news/new", form)
    assert answer.status_code == 422 and message in answer.text
    assert form["text"].strip() in answer.text  # what was typed is kept


def test_the_partner_cannot_hand_in_articles(browser):
    browser.sign_in("partner.liaison", language="en")
    assert browser.get("/news/new").status_code == 403
    assert browser.post("/news/new", {"text": "word " * 20}).status_code == 403
