"""News review pages: the queue of incidents proposed from the news, each proposal with its
articles and the words every value was read from highlighted; accept, merge or reject."""

import uuid
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError

from jsms.core.crud import Resource
from jsms.core.errors import Invalid, invalid_field
from jsms.core.forms import (
    Column,
    DetailRow,
    FormField,
    PageSpec,
    add_pages,
    field_messages,
    label,
    plain,
    yes_no,
)
from jsms.core.http import SessionDep, permits
from jsms.core.i18n import N_, Translator
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect, render, translator_for
from jsms.core.policy import allows, require
from jsms.geo.provinces import PROVINCES
from jsms.incidents import labels as incident_labels
from jsms.osint import feeds, service
from jsms.osint import schemas as s
from jsms.osint.api import FEEDS, raw_article
from jsms.osint.models import NewsEvent

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation(
    [
        NavItem("/news", N_("News review"), "osint.read", order=22),
        NavItem("/news-feeds", N_("News feeds"), "osint.read", order=23),
    ]
)

STATES = {
    "pending": N_("Awaiting review"),
    "accepted": N_("Accepted"),
    "merged": N_("Merged"),
    "rejected": N_("Rejected"),
}
# What each highlighted span of an article gave, and the colour family it is shown in.
EVIDENCE = {
    "date": (N_("Date"), "time"),
    "place": (N_("Place"), "place"),
    "event_type": (N_("Kind"), "kind"),
    "killed": (N_("Killed"), "toll"),
    "injured": (N_("Injured"), "toll"),
    "killed_protected": (N_("Protected nationals killed"), "toll"),
    "injured_protected": (N_("Protected nationals injured"), "toll"),
    "killed_others": (N_("Others killed"), "toll"),
    "injured_others": (N_("Others injured"), "toll"),
    "targets_protected": (N_("Protected nationals targeted"), "target"),
    "claimed_by": (N_("Claimed by"), "claim"),
}

LEGEND = (
    (N_("Date"), "time"),
    (N_("Place"), "place"),
    (N_("Kind"), "kind"),
    (N_("Casualties"), "toll"),
    (N_("Protected nationals targeted"), "target"),
    (N_("Claimed by"), "claim"),
)


def where(event: NewsEvent, t: Translator) -> str:
    """Place, district and province (in the reader's language) as far as the articles say."""
    code = service.province_code(event.fields.get("province"))
    province = PROVINCES[code].name_in(t.language) if code else ""
    place, district = event.fields.get("place"), event.fields.get("district")
    return ", ".join(p for p in (place, district if district != place else None, province) if p)


def kind(event: NewsEvent, t: Translator) -> str:
    value = event.fields.get("event_type")
    return t.gettext(incident_labels.KINDS[value]) if value in incident_labels.KINDS else ""


def casualties(event: NewsEvent, t: Translator) -> str:
    f = event.fields
    killed = "?" if f.get("killed") is None else t.number(f["killed"])
    protected = f" ({t.number(f['killed_chinese'])})" if f.get("killed_chinese") is not None else ""
    return f"{killed}{protected} / {'?' if f.get('injured') is None else t.number(f['injured'])}"


def targeted(event: NewsEvent, t: Translator) -> str:
    return t.gettext(N_("Yes")) if event.fields.get("targets_chinese") else t.gettext(N_("No"))


NEWS = Resource(
    "news",
    "news",
    s.EventRead,
    s.Accept,
    s.Accept,
    s.EventParams,
    service.list_events,
    service.get_event,
    None,
    None,
    access=("osint.read", "osint.review"),
)
NEWS_PAGES = PageSpec(
    resource=NEWS,
    title=N_("News review"),
    singular=N_("Proposed incident"),
    write_permission="osint.ingest",  # the list's "New": hand in an article
    columns=[
        Column("occurred_on", N_("Date"), lambda e, t: t.date(e.occurred_on), sort="occurred_on"),
        Column("title", N_("Title"), plain("title"), link=True),
        Column("kind", N_("Kind"), kind),
        Column("where", N_("Where"), where),
        Column("casualties", N_("Killed (protected) / injured"), casualties),
        Column("articles", N_("Articles"), lambda e, t: t.number(len(e.articles))),
        Column("confidence", N_("Confidence"), lambda e, t: t.percent(e.confidence), sort="confidence"),
        Column("status", N_("State"), label(STATES, "status"), sort="status"),
    ],
    details=[
        DetailRow(N_("State"), label(STATES, "status")),
        DetailRow(N_("Date"), lambda e, t: t.date(e.occurred_on)),
        DetailRow(N_("Kind"), kind),
        DetailRow(N_("Where"), where),
        DetailRow(N_("Killed (protected) / injured"), casualties),
        DetailRow(N_("Protected nationals targeted"), targeted),
        DetailRow(N_("Claimed by"), lambda e, t: e.fields.get("claimed_by") or ""),
        DetailRow(N_("Confidence"), lambda e, t: t.percent(e.confidence)),
        DetailRow(
            N_("Decided"),
            lambda e, t: f"{t.datetime(e.decided_at)} · {e.decided_by}" if e.decided_at else "",
        ),
        DetailRow(N_("Reason"), plain("reason")),
    ],
    fields=[],
    forms=False,
    detail_template="osint/proposal.html",
    filters=[FormField("status", N_("State"), "select", STATES)],
    extra=lambda session, actor, event: _detail_context(session, actor, event),
)


def highlighted(text: str, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into pieces, the pieces that gave a value marked with what they gave.
    Overlapping spans ("five Chinese nationals killed" gives a toll and a target) become one."""
    spans = sorted(
        (e["start"], e["end"], e["field"])
        for e in evidence
        if 0 <= e["start"] < e["end"] <= len(text) and e["field"] in EVIDENCE
    )
    merged: list[list[Any]] = []
    for start, end, name in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if name not in merged[-1][2]:
                merged[-1][2].append(name)
        else:
            merged.append([start, end, [name]])
    pieces, at = [], 0
    for start, end, names in merged:
        if start > at:
            pieces.append({"text": text[at:start]})
        pieces.append(
            {
                "text": text[start:end],
                "fields": [EVIDENCE[n][0] for n in names],
                "family": EVIDENCE[names[0]][1],
            }
        )
        at = end
    if at < len(text):
        pieces.append({"text": text[at:]})
    return pieces


def _article_view(article) -> dict[str, Any]:
    """An article with the evidence of the attack it reports as new highlighted."""
    reported = next((i for i in article.extraction.get("incidents", []) if i.get("new")), None)
    return {
        "article": article,
        "pieces": highlighted(article.text, reported["evidence"] if reported else []),
        "link": article.location if article.location.startswith(("http://", "https://")) else None,
    }


def _detail_context(session, actor, event: NewsEvent) -> dict[str, Any]:
    may_review = allows(session, actor, "osint.review", event) and event.status == "pending"
    return {
        "state_labels": STATES,
        "may_review": may_review,
        "articles": [_article_view(a) for a in event.articles],
        "legend": LEGEND,
        "kinds": incident_labels.KINDS,
        "candidates": service.merge_candidates(session, actor, event) if may_review else [],
        "incident_url": f"/incidents/{event.incident_id}" if event.incident_id else None,
    }


Text = Annotated[str, Form(max_length=300)]
Note = Annotated[str, Form(max_length=2000)]


def _number(value: str) -> float | None:
    return float(value) if value.strip() else None


@router.post("/news/{event_id}/accept")
@permits("osint.review")
def accept(
    event_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    title: Text = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    lat: Annotated[str, Form(max_length=40)] = "",
    lon: Annotated[str, Form(max_length=40)] = "",
    place_name: Annotated[str, Form(max_length=200)] = "",
    note: Note = "",
):
    """Accept with what the analyst corrected on the form (blank: as read from the articles)."""
    values = {"title": title, "kind": kind, "place_name": place_name}
    try:
        data = s.Accept(
            **{k: v for k, v in values.items() if v.strip()}, lat=_number(lat), lon=_number(lon), note=note
        )
    except (ValueError, ValidationError) as error:
        raise invalid_field(
            "accept", N_("the values on the form are not valid: %(why)s"), why=str(error)
        ) from None
    incident = service.accept(session, actor, event_id, data)
    return redirect(f"/incidents/{incident.id}", request)


@router.post("/news/{event_id}/merge")
@permits("osint.review")
def merge(
    event_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    incident_id: Annotated[uuid.UUID, Form()],
    note: Note = "",
):
    incident = service.merge(session, actor, event_id, s.Merge(incident_id=incident_id, note=note))
    return redirect(f"/incidents/{incident.id}", request)


@router.post("/news/{event_id}/reject")
@permits("osint.review")
def reject(
    event_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
):
    service.reject(session, actor, event_id, s.Reject(reason=reason))
    return redirect(f"/news/{event_id}", request)


# ---- handing in an article -----------------------------------------------------------------

ARTICLE_FIELDS = [
    FormField("text", N_("Article text"), "textarea", required=True, wide=True),
    FormField("title", N_("Title"), wide=True),
    FormField("published_on", N_("Published"), "date"),
    FormField("source", N_("Source (outlet or URL)"), wide=True),
]


def _article_form(request: Request, actor, values: dict[str, Any], error=None, note: str = ""):
    t = translator_for(request, actor)
    errors, general = field_messages(error, t) if error is not None else ({}, [])
    context = {
        "spec": NEWS_PAGES,
        "base": "/news",
        "obj": None,
        "fields": ARTICLE_FIELDS,
        "values": values,
        "errors": errors,
        "general": [*general, *([note] if note else [])],
        "options": {},
    }
    return render(request, "form.html", context, actor=actor, status_code=422 if error else 200)


@router.get("/news/new")
@permits("osint.ingest")
def new_article(request: Request, session: SessionDep, actor: PageActor):
    """A form to hand in an article read elsewhere (pasted text)."""
    require(session, actor, "osint.ingest")
    return _article_form(request, actor, {})


@router.post("/news/new")
@permits("osint.ingest")
def hand_in_article(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    text: Annotated[str, Form(max_length=s.MAX_ARTICLE_CHARS)] = "",
    title: Text = "",
    published_on: Annotated[str, Form(max_length=20)] = "",
    source: Annotated[str, Form(max_length=200)] = "",
):
    values = {"text": text, "title": title, "published_on": published_on, "source": source}
    try:
        data = s.ArticleIn.model_validate({k: v for k, v in values.items() if v.strip()})
        result = service.ingest(session, actor, raw_article(data))
    except (ValidationError, Invalid) as error:
        return _article_form(request, actor, values, error)
    if result.event is not None:
        return redirect(f"/news/{result.event.id}", request)
    t = translator_for(request, actor)
    note = (
        N_("This article was stored before.")
        if result.duplicate
        else N_("The article is stored; it reports no new attack, so nothing is proposed.")
    )
    return _article_form(request, actor, {}, note=t.gettext(note))


# ---- the feeds the node reads --------------------------------------------------------------

NEWS_FEEDS = replace(FEEDS, name="news-feeds")  # the API's resource, at /news-feeds on the pages


def last_read(feed, t: Translator) -> str:
    if feed.last_polled_at is None:
        return t.gettext(N_("Not read yet"))
    return f"{t.datetime(feed.last_polled_at, 'short')} · " + t.gettext(
        N_("%(count)s new articles"), count=t.number(feed.last_new_articles)
    )


FEED_PAGES = PageSpec(
    resource=NEWS_FEEDS,
    title=N_("News feeds"),
    singular=N_("News feed"),
    write_permission="osint.ingest",
    columns=[
        Column("name", N_("Name"), plain("name"), link=True, sort="name"),
        Column("url", N_("Address"), plain("url")),
        Column("active", N_("Read"), yes_no("active")),
        Column("poll_minutes", N_("Every (minutes)"), lambda f, t: t.number(f.poll_minutes)),
        Column("last_polled_at", N_("Last read"), last_read, sort="last_polled_at"),
        Column("last_error", N_("Problem"), plain("last_error")),
    ],
    details=[
        DetailRow(N_("Name"), plain("name")),
        DetailRow(N_("Address"), plain("url")),
        DetailRow(N_("Read"), yes_no("active")),
        DetailRow(N_("Every (minutes)"), lambda f, t: t.number(f.poll_minutes)),
        DetailRow(N_("Last read"), last_read),
        DetailRow(N_("Problem"), plain("last_error")),
    ],
    fields=[
        FormField("name", N_("Name"), required=True, wide=True),
        FormField("url", N_("Address"), "url", required=True, wide=True),
        FormField("poll_minutes", N_("Every (minutes)"), "number"),
        FormField("active", N_("Read"), "checkbox"),
    ],
    initial=lambda f: {"name": f.name, "url": f.url, "poll_minutes": f.poll_minutes, "active": f.active},
    detail_template="osint/feed.html",
    extra=lambda session, actor, feed: {"may_read_now": allows(session, actor, "osint.ingest", feed)},
)


@router.post("/news-feeds/{feed_id}/read-now")
@permits("osint.read", "osint.ingest")
def read_now(feed_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
    """Make the feed due: the poller reads it within a minute (not in this request, which holds the
    database while the news site answers)."""
    feeds.read_soon(session, actor, feed_id)
    return redirect(f"/news-feeds/{feed_id}", request)


add_pages(router, FEED_PAGES)
add_pages(router, NEWS_PAGES)  # after /news/new, which its /news/{id} would otherwise take
