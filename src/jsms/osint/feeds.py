"""Feeds the node reads by itself: the register of RSS/Atom feeds and the poller that reads each
when its interval is up and hands every entry to `service.ingest`.

Fetching happens outside any transaction (a slow news site must not hold the database), each
article is stored in its own unit of work (one bad entry spoils nothing else), and the feed's
status records when it was read and what it gave or why it failed. The poller runs where the
event dispatcher runs (one per node): the server, or `jsms worker`.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import new_session, unit_of_work, utcnow
from jsms.core.errors import Conflict, DomainError
from jsms.core.policy import get_visible, require
from jsms.core.schedule import Repeating
from jsms.osint import schemas as s
from jsms.osint import service
from jsms.osint.inputs import InputError, fetch
from jsms.osint.models import NewsFeed

log = logging.getLogger("jsms.osint")
FEED_READER = Actor.system("news-feeds")
CHECK_EVERY_S = 60.0


# ---- the register ----------------------------------------------------------------------------


def list_feeds(session: Session, actor: Actor, query: ListRequest) -> tuple[list[NewsFeed], int]:
    return list_page(
        session,
        actor,
        NewsFeed,
        query,
        text_columns=("name", "url"),
        sortable=("name", "last_polled_at", "created_at"),
        default_sort="name",
    )


def get_feed(session: Session, actor: Actor, feed_id: uuid.UUID) -> NewsFeed:
    return get_visible(session, actor, NewsFeed, feed_id)


def _unique_url(session: Session, url: str, feed_id: uuid.UUID | None = None) -> None:
    other = session.scalar(select(NewsFeed.id).where(NewsFeed.url == url))
    if other is not None and other != feed_id:
        raise Conflict(f"The feed {url} is registered already")


def create_feed(session: Session, actor: Actor, data: s.FeedIn) -> NewsFeed:
    require(session, actor, "osint.ingest")
    values = data.model_dump()
    values["url"] = str(data.url)
    _unique_url(session, values["url"])
    feed = NewsFeed(**values)
    session.add(feed)
    session.flush()
    return feed


def update_feed(session: Session, actor: Actor, feed_id: uuid.UUID, data: s.FeedUpdate) -> NewsFeed:
    feed = get_feed(session, actor, feed_id)
    require(session, actor, "osint.ingest", feed)
    changes = data.model_dump(exclude_unset=True)
    if "url" in changes:
        changes["url"] = str(data.url)
        _unique_url(session, changes["url"], feed.id)
    for name, value in changes.items():
        setattr(feed, name, value)
    session.flush()
    return feed


def delete_feed(session: Session, actor: Actor, feed_id: uuid.UUID) -> None:
    feed = get_feed(session, actor, feed_id)
    require(session, actor, "osint.ingest", feed)
    session.delete(feed)
    session.flush()


def read_soon(session: Session, actor: Actor, feed_id: uuid.UUID) -> NewsFeed:
    """Make the feed due, so that the poller reads it at its next check (within a minute)."""
    feed = get_feed(session, actor, feed_id)
    require(session, actor, "osint.ingest", feed)
    feed.last_polled_at = None
    session.flush()
    return feed


# ---- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Polled:
    feed_id: uuid.UUID
    entries: int
    new_articles: int
    error: str | None


def poll(feed_id: uuid.UUID, url: str) -> Polled:
    """Read one feed now: fetch, store each entry, record how it went on the feed."""
    new, entries, error = 0, 0, None
    try:
        articles = fetch(url)
        entries = len(articles)
        for article in articles:
            try:
                with unit_of_work(FEED_READER) as session:
                    new += not service.ingest(session, FEED_READER, article).duplicate
            except IntegrityError:  # stored meanwhile by another reader of the same article
                continue
            except DomainError as problem:
                log.info("skipped %s from %s: %s", article.location, url, problem)
    except InputError as problem:
        error = str(problem)
    with unit_of_work(FEED_READER) as session:
        feed = session.get(NewsFeed, feed_id)
        if feed is not None:
            feed.last_polled_at, feed.last_new_articles, feed.last_error = utcnow(), new, error
    return Polled(feed_id, entries, new, error)


def due_feeds(every: bool = False) -> list[tuple[uuid.UUID, str]]:
    """The active feeds whose interval is up (or all active ones)."""
    now = utcnow()
    with new_session(FEED_READER) as session:
        feeds = session.scalars(select(NewsFeed).where(NewsFeed.active.is_(True))).all()
        return [
            (f.id, f.url)
            for f in feeds
            if every
            or f.last_polled_at is None
            or f.last_polled_at + timedelta(minutes=f.poll_minutes) <= now
        ]


def poll_due(every: bool = False) -> list[Polled]:
    return [poll(feed_id, url) for feed_id, url in due_feeds(every)]


class FeedPoller(Repeating):
    """A thread that reads the feeds that are due, checking once a minute."""

    def __init__(self, check_every_s: float = CHECK_EVERY_S):
        super().__init__("jsms-news-feeds", poll_due, check_every_s)
