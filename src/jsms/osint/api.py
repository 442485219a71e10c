"""HTTP API of news monitoring: articles in, the review queue of proposed incidents, decisions.

/api/v1/osint/articles           POST an article (text or HTML), list and read the articles
/api/v1/osint/proposals          the review queue (filter by status)
/api/v1/osint/proposals/{id}/accept | merge | reject
/api/v1/osint/feeds              the RSS/Atom feeds the node reads by itself; /{id}/poll reads one now
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jsms.core.crud import ListRequest, Resource, add_routes
from jsms.core.db import new_session
from jsms.core.errors import invalid_field
from jsms.core.http import (
    ActorDep,
    RuledRoute,
    SessionDep,
    UnitOfWorkRoute,
    authorised_actor,
    oauth2_scheme,
    permits,
)
from jsms.core.i18n import N_
from jsms.core.schemas import Page
from jsms.osint import feeds, service
from jsms.osint import schemas as s
from jsms.osint.inputs import InputError, RawArticle, from_html

router = APIRouter(prefix="/api/v1/osint", route_class=UnitOfWorkRoute, tags=["news"])
reader_router = APIRouter(
    prefix="/api/v1/osint", route_class=RuledRoute, tags=["news"]
)  # no request-long transaction


def raw_article(data: s.ArticleIn) -> RawArticle:
    """The article as the extractor takes it; a page's main text found as for a fetched page."""
    location = data.location or data.source or "api"
    if data.html is not None:
        try:
            page = from_html(data.html, location)
        except InputError:
            raise invalid_field("html", N_("no article text was found in the page")) from None
        return RawArticle(
            location, page.text, data.title or page.title, data.published_on or page.published, data.source
        )
    return RawArticle(location, data.text or "", data.title, data.published_on, data.source)


@router.post("/articles", response_model=s.Ingested, status_code=201)
@permits("osint.ingest")
def post_article(data: s.ArticleIn, session: SessionDep, actor: ActorDep, response: Response):
    """Hand in one article. Stored once (the same text again answers 200 and changes nothing); when
    it reports a new attack, that attack joins the proposal of earlier reports or starts one."""
    result = service.ingest(session, actor, raw_article(data))
    if result.duplicate:
        response.status_code = 200
    return s.Ingested(
        article=s.ArticleRead.model_validate(result.article),
        duplicate=result.duplicate,
        event_id=result.event.id if result.event else None,
        new_event=result.new_event,
    )


@router.get("/articles", response_model=Page[s.ArticleRead])
@permits("osint.read")
def list_articles(session: SessionDep, actor: ActorDep, params: Annotated[s.ArticleParams, Query()]):
    items, total = service.list_articles(session, actor, ListRequest.of(params))
    return {"items": items, "total": total, "limit": params.limit, "offset": params.offset}


@router.get("/articles/{article_id}", response_model=s.ArticleDetail)
@permits("osint.read")
def read_article(article_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """An article with what the extractor read in it: each value with the span it came from."""
    return service.get_article(session, actor, article_id)


@router.get("/proposals", response_model=Page[s.EventRead])
@permits("osint.read")
def list_proposals(session: SessionDep, actor: ActorDep, params: Annotated[s.EventParams, Query()]):
    """Proposed incidents, most recently changed first; `status=pending` is the review queue."""
    items, total = service.list_events(session, actor, ListRequest.of(params))
    return {"items": items, "total": total, "limit": params.limit, "offset": params.offset}


@router.get("/proposals/{event_id}", response_model=s.EventRead)
@permits("osint.read")
def read_proposal(event_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return service.get_event(session, actor, event_id)


def _decided(event, incident_id) -> s.Decided:
    return s.Decided(event=s.EventRead.model_validate(event), incident_id=incident_id)


@router.post("/proposals/{event_id}/accept", response_model=s.Decided)
@permits("osint.review")
def accept(event_id: uuid.UUID, data: s.Accept, session: SessionDep, actor: ActorDep):
    """A draft incident from the proposal, linked to its articles (or, for a proposal accepted
    before, the new articles added to its incident). Values given replace those read."""
    incident = service.accept(session, actor, event_id, data)
    return _decided(service.get_event(session, actor, event_id), incident.id)


@router.post("/proposals/{event_id}/merge", response_model=s.Decided)
@permits("osint.review")
def merge(event_id: uuid.UUID, data: s.Merge, session: SessionDep, actor: ActorDep):
    """The proposal is an incident on record already: its articles become that incident's sources."""
    incident = service.merge(session, actor, event_id, data)
    return _decided(service.get_event(session, actor, event_id), incident.id)


@router.post("/proposals/{event_id}/reject", response_model=s.Decided)
@permits("osint.review")
def reject(event_id: uuid.UUID, data: s.Reject, session: SessionDep, actor: ActorDep):
    event = service.reject(session, actor, event_id, data)
    return _decided(event, event.incident_id)


FEEDS = Resource(
    "feeds",
    "news",
    s.FeedRead,
    s.FeedIn,
    s.FeedUpdate,
    s.FeedParams,
    feeds.list_feeds,
    feeds.get_feed,
    feeds.create_feed,
    feeds.update_feed,
    remove=feeds.delete_feed,
    access=("osint.read", "osint.ingest"),
)


@reader_router.post("/feeds/{feed_id}/poll", response_model=s.Polled)
@permits("osint.read", "osint.ingest", checked_by_endpoint=True)
def poll_feed(feed_id: uuid.UUID, token: Annotated[str | None, Depends(oauth2_scheme)]):
    """Read the feed now (it is also read every `poll_minutes` by itself). Outside the request's
    unit of work: each article is stored in its own, while the sites answer."""
    actor = authorised_actor(token, "osint.ingest")
    with new_session(actor) as session:
        url = feeds.get_feed(session, actor, feed_id).url
    result = feeds.poll(feed_id, url)
    return s.Polled(entries=result.entries, new_articles=result.new_articles, error=result.error)


add_routes(router, FEEDS)
