"""The feeds a node reads by itself: the register (API and pages), reading one now, the poller's
idea of what is due, and a feed that fails."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from jsms.core.db import utcnow
from jsms.osint import feeds
from jsms.osint.models import NewsArticle, NewsFeed

FEEDS = "/api/v1/osint/feeds"


def register(api, url: str, user: str = "host.analyst", **more):
    return api.post(FEEDS, user, json={"name": "Example Wire", "url": url, **more})


def articles(connection) -> int:
    return connection.execute(select(func.count()).select_from(NewsArticle)).scalar_one()


def test_a_registered_feed_is_read_now_and_its_entries_proposed(api, connection, news_site):
    made = register(api, f"{news_site}/feed.xml", poll_minutes=15)
    assert made.status_code == 201, made.text
    feed = made.json()
    assert feed["active"] is True and feed["last_polled_at"] is None
    before = articles(connection)
    polled = api.post(f"{FEEDS}/{feed['id']}/poll", "host.analyst")
    assert polled.status_code == 200, polled.text
    assert polled.json() == {"entries": 1, "new_articles": 1, "error": None}
    assert articles(connection) == before + 1
    after = api.get(f"{FEEDS}/{feed['id']}", "host.analyst").json()
    assert after["last_polled_at"] is not None and after["last_new_articles"] == 1
    again = api.post(f"{FEEDS}/{feed['id']}/poll", "host.analyst").json()
    assert again["new_articles"] == 0  # stored once


def test_a_feed_that_fails_says_why_and_the_next_read_clears_it(api, news_site):
    feed = register(api, f"{news_site}/gone.xml").json()
    failed = api.post(f"{FEEDS}/{feed['id']}/poll", "host.analyst").json()
    assert failed["error"] and "404" in failed["error"]
    assert "404" in api.get(f"{FEEDS}/{feed['id']}", "host.analyst").json()["last_error"]
    moved = api.patch(f"{FEEDS}/{feed['id']}", "host.analyst", json={"url": f"{news_site}/feed.xml"})
    assert moved.status_code == 200, moved.text
    assert api.post(f"{FEEDS}/{feed['id']}/poll", "host.analyst").json()["error"] is None
    assert api.get(f"{FEEDS}/{feed['id']}", "host.analyst").json()["last_error"] is None


def test_what_the_poller_reads_is_what_is_due(api, connection):
    due = register(api, "https://news.example/due.xml", poll_minutes=30).json()
    fresh = register(api, "https://news.example/fresh.xml", poll_minutes=30).json()
    off = register(api, "https://news.example/off.xml", active=False).json()
    now = utcnow()
    for feed_id, read in (
        (due["id"], now - timedelta(minutes=31)),
        (fresh["id"], now - timedelta(minutes=5)),
    ):
        connection.execute(
            update(NewsFeed).where(NewsFeed.id == uuid.UUID(feed_id)).values(last_polled_at=read)
        )
    ids = {str(feed_id) for feed_id, _ in feeds.due_feeds()}
    assert due["id"] in ids and fresh["id"] not in ids and off["id"] not in ids
    assert fresh["id"] in {str(feed_id) for feed_id, _ in feeds.due_feeds(every=True)}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "url": "not a url"}, "url"),
        ({"name": "", "url": "https://news.example/a.xml"}, "name"),
        ({"name": "x", "url": "https://news.example/a.xml", "poll_minutes": 1}, "poll_minutes"),
        ({"name": "x", "url": "https://news.example/a.xml", "colour": "red"}, "colour"),
    ],
)
def test_bad_feeds_are_refused_naming_the_field(api, body, field):
    answer = api.post(FEEDS, "host.analyst", json=body)
    assert answer.status_code == 422 and any(field in e["loc"] for e in answer.json()["errors"])


def test_a_feed_is_registered_once(api):
    assert register(api, "https://news.example/once.xml").status_code == 201
    assert register(api, "https://news.example/once.xml").status_code == 409


@pytest.mark.parametrize(
    ("user", "status"), [("partner.liaison", 403), ("company.security", 403), ("auditor", 403)]
)
def test_only_the_host_registers_feeds(api, user, status):
    assert register(api, "https://news.example/other.xml", user).status_code == status


def test_the_feed_pages_register_a_feed_and_queue_a_read(api, browser, connection):
    browser.sign_in("host.analyst", language="en")
    made = browser.post(
        "/news-feeds/new",
        {"name": "Wire", "url": "https://news.example/wire.xml", "poll_minutes": "60", "active": "on"},
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    feed_id = uuid.UUID(url.rsplit("/", 1)[-1])
    connection.execute(update(NewsFeed).where(NewsFeed.id == feed_id).values(last_polled_at=utcnow()))
    page = browser.get(url).text
    assert "Read within a minute" in page
    assert browser.post(f"{url}/read-now", {}).status_code == 303
    assert feed_id in {feed for feed, _ in feeds.due_feeds()}
    listing = browser.get("/news-feeds").text
    assert re.search(r"Wire", listing) and "Not read yet" in listing


@pytest.mark.parametrize("user", ["partner.liaison", "auditor", "company.security"])
def test_only_who_may_feed_articles_in_reads_a_feed_now(api, user):
    feed = register(api, "https://news.example/now.xml").json()
    assert api.post(f"{FEEDS}/{feed['id']}/poll", user).status_code == 403
