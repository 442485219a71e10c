"""News monitoring: articles in, proposed incidents out, an analyst's decision on each.

An article is stored once (by the fingerprint of its text). When it reports a new attack, the
attack joins the event of earlier reports it can be (dates, places, kinds and tolls agree) or
starts a new one; each event waits in the review queue. The analyst accepts it (a draft incident
with every article as a source, or an update of the incident accepted before), merges it into an
incident that exists already, or rejects it. No commit here.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import HttpUrl, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, invalid_field
from jsms.core.i18n import N_
from jsms.core.policy import get_visible, require, visible
from jsms.geo.provinces import PROVINCES
from jsms.incidents import schemas as incident_schemas
from jsms.incidents import service as incidents
from jsms.incidents.models import Incident as IncidentRecord
from jsms.osint import schemas as s
from jsms.osint.cluster import Cluster, closest, day_of, lead_words
from jsms.osint.extract import Extraction, Incident, extract
from jsms.osint.inputs import RawArticle, too_short
from jsms.osint.models import NewsArticle, NewsEvent
from jsms.osint.text import Article, read_article

# Candidate events for a new report: those dated within this many days of it (same_event decides).
CANDIDATE_DAYS = 20
MAX_WORDS = 300
TOLL_TARGETS = {"killed": "killed", "injured": "injured", "killed_chinese": "killed_protected"}  # → incident
_URL = TypeAdapter(HttpUrl)


def extract_raw(raw: RawArticle) -> Extraction:
    return extract(_read(raw))


def _read(raw: RawArticle) -> Article:
    return read_article(raw.text, raw.published, raw.title)


def fingerprint(text: str) -> str:
    """The same article from another feed or fetched again: the same words, whatever the spacing."""
    return hashlib.sha256(" ".join(re.findall(r"\w+", text.lower())).encode()).hexdigest()


# ---- ingesting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ingested:
    article: NewsArticle
    duplicate: bool  # the same text was stored before: nothing changed
    event: NewsEvent | None
    new_event: bool  # the article started an event (else it joined one, or reports none)


def ingest(session: Session, actor: Actor, raw: RawArticle) -> Ingested:
    """Store an article once, read it, and put the new attack it reports into the review queue."""
    require(session, actor, "osint.ingest")
    read = _read(raw)
    if too_short(read.text):
        raise invalid_field("text", N_("the article has too little text to read"))
    digest = fingerprint(read.text)
    known = session.scalar(select(NewsArticle).where(NewsArticle.fingerprint == digest))
    if known is not None:  # a feed read again: nothing to extract
        return Ingested(known, True, known.event, False)
    extraction = extract(read)
    article = NewsArticle(
        id=uuid.uuid4(),
        fingerprint=digest,
        location=raw.location[:1000],
        source=(raw.source or extraction.article.source or None),
        title=extraction.article.title[:300] or raw.location[:300],
        published_on=extraction.article.published,
        text=read.text,
        reports_new_incident=extraction.reports_new_incident,
        extraction=extraction_json(extraction),
    )
    session.add(article)
    new = next((incident for incident in extraction.incidents if incident.new), None)
    if new is None:
        session.flush()
        return Ingested(article, False, None, False)
    event, created = _event_for(session, new, lead_words(extraction), article)
    article.event = event
    session.flush()
    return Ingested(article, False, event, created)


def extraction_json(extraction: Extraction) -> dict[str, Any]:
    """What the extractor read, kept with the article: each attack, its values and their evidence."""
    return {
        "reports_new_incident": extraction.reports_new_incident,
        "new_incident_confidence": extraction.new_incident_confidence,
        "incidents": [
            {
                **_fields_of(incident),
                "new": incident.new,
                "confidence": incident.confidence,
                "evidence": [
                    {
                        "field": e.field,
                        "start": e.start,
                        "end": e.end,
                        "text": e.text,
                        "confidence": e.confidence,
                    }
                    for e in incident.evidence
                ],
            }
            for incident in extraction.incidents
        ],
    }


def _fields_of(incident: Incident) -> dict[str, Any]:
    return {**incident.as_contract(), "precision": incident.precision}


def _as_incident(fields: dict[str, Any]) -> Incident:
    """An event's stored values in the form the deduplication compares."""
    return Incident(
        mentions=[],
        date=fields.get("date"),
        precision=fields.get("precision"),
        province=fields.get("province"),
        district=fields.get("district"),
        event_type=fields.get("event_type"),
        killed=fields.get("killed"),
        killed_protected=fields.get("killed_chinese"),
    )


def _day_of(fields: dict[str, Any]) -> date | None:
    """The event's day as stored: a month alone counts from its first day."""
    return day_of(fields.get("date"), day_of_month=1)


def _event_for(
    session: Session, new: Incident, words: set[str], article: NewsArticle
) -> tuple[NewsEvent, bool]:
    """The event this report belongs to (updated with what it adds), or a new one."""
    fields = _fields_of(new)
    day = _day_of(fields)
    candidates = session.scalars(
        select(NewsEvent).where(
            NewsEvent.occurred_on.between(day - timedelta(CANDIDATE_DAYS), day + timedelta(CANDIDATE_DAYS))
        )
    ).all()
    clusters = [Cluster(str(e.id), _as_incident(e.fields), set(e.words)) for e in candidates]
    match = closest(clusters, new, words)
    if match is None:
        event = NewsEvent(
            id=uuid.uuid4(),
            status="pending",
            fields=fields,
            occurred_on=day,
            title=article.title,
            confidence=new.confidence,
            words=sorted(words)[:MAX_WORDS],
        )
        session.add(event)
        return event, True
    event = next(e for e in candidates if str(e.id) == match.key)
    event.fields = _joined(event.fields, fields)
    event.occurred_on = _day_of(event.fields)
    event.confidence = max(event.confidence, new.confidence)
    event.words = sorted(set(event.words) | words)[:MAX_WORDS]
    if event.status in ("accepted", "merged"):
        event.status = "pending"  # the incident exists: the analyst sees what this report adds
    return event, False


def _joined(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """An event's values with a further report's: tolls rise as reports come in; a day is more
    exact than a month; anything else the first report gave stands, and gaps are filled."""
    joined = dict(old)
    for name, value in new.items():
        if value is None:
            continue
        if name in TOLL_TARGETS:
            joined[name] = max(value, old.get(name) or 0)
        elif name in ("date", "precision"):
            if old.get("precision") == "month" and new.get("precision") == "day":
                joined[name] = value
        elif old.get(name) is None:
            joined[name] = value
    return joined


# ---- reading -------------------------------------------------------------------------------


def list_events(session: Session, actor: Actor, query: ListRequest) -> tuple[list[NewsEvent], int]:
    return list_page(
        session,
        actor,
        NewsEvent,
        query,
        text_columns=("title",),
        sortable=("occurred_on", "created_at", "updated_at", "confidence", "status"),
        default_sort="-updated_at",
    )


def get_event(session: Session, actor: Actor, event_id: uuid.UUID) -> NewsEvent:
    return get_visible(session, actor, NewsEvent, event_id)


def list_articles(session: Session, actor: Actor, query: ListRequest) -> tuple[list[NewsArticle], int]:
    return list_page(
        session,
        actor,
        NewsArticle,
        query,
        text_columns=("title", "source", "location"),
        sortable=("published_on", "created_at", "title"),
        default_sort="-created_at",
    )


def get_article(session: Session, actor: Actor, article_id: uuid.UUID) -> NewsArticle:
    return get_visible(session, actor, NewsArticle, article_id)


# ---- deciding ------------------------------------------------------------------------------


def _pending(session: Session, actor: Actor, event_id: uuid.UUID) -> NewsEvent:
    event = get_event(session, actor, event_id)
    require(session, actor, "osint.review", event)
    if event.status != "pending":
        raise Conflict(f"The proposal is {event.status} already; only a pending proposal can be decided")
    return event


def _decide(event: NewsEvent, status: str, actor: Actor, incident_id: uuid.UUID | None, reason: str) -> None:
    event.status = status
    event.incident_id = incident_id
    event.decided_by, event.decided_at, event.reason = actor.username, utcnow(), reason or None
    for article in event.articles:
        article.decided = True


def source_of(article: NewsArticle) -> incident_schemas.SourceIn:
    """An article as an incident's source: its title, its address, its outlet, its date."""
    url = next((u for u in (article.location, article.source) if u and u.startswith("http")), None)
    try:
        link = _URL.validate_python(url) if url else None
    except ValidationError:
        link = None
    publisher = article.source if article.source and not article.source.startswith("http") else None
    if publisher is None and link is not None:
        publisher = urlsplit(str(link)).hostname
    return incident_schemas.SourceIn(
        title=article.title[:300], url=link, publisher=publisher, published_on=article.published_on
    )


def _new_sources(incident: IncidentRecord, event: NewsEvent) -> list[incident_schemas.SourceIn]:
    """The incident's sources with the event's undecided articles added (none twice)."""
    kept = [
        incident_schemas.SourceIn(
            title=src.title, url=src.url, publisher=src.publisher, published_on=src.published_on
        )
        for src in incident.sources
    ]
    have = {_same_source(src) for src in kept}
    for article in event.articles:
        source = source_of(article)
        if not article.decided and _same_source(source) not in have:
            kept.append(source)
    return kept


def _same_source(source: incident_schemas.SourceIn) -> tuple[str, str | None]:
    return source.title, str(source.url) if source.url else None


def _at(fields: dict[str, Any]) -> tuple[datetime, str]:
    day = _day_of(fields)
    if day is None:
        raise invalid_field("occurred_at", N_("the proposal has no date; give one"))
    return datetime(day.year, day.month, day.day, tzinfo=UTC), fields.get("precision") or "day"


def _lead(event: NewsEvent) -> str:
    """The first lines of the first report: the narrative the analyst starts from."""
    first = event.articles[0] if event.articles else None
    if first is None:
        return ""
    sentences = read_article(first.text, first.published_on, first.title).sentences
    return " ".join(sentence.text for sentence in sentences[1:3])[:2000]


def accept(session: Session, actor: Actor, event_id: uuid.UUID, data: s.Accept) -> IncidentRecord:
    """A draft incident from the proposal, its articles as sources; or, when the proposal was
    accepted before, the new articles added to that incident (and, while it is a draft, the
    tolls they raise)."""
    event = _pending(session, actor, event_id)
    fields = event.fields
    if event.incident_id is not None:
        incident = incidents.get_incident(session, actor, event.incident_id)
        changes: dict[str, Any] = {"sources": _new_sources(incident, event)}
        if incident.state == "draft":
            changes |= {
                target: fields[name] for name, target in TOLL_TARGETS.items() if fields.get(name) is not None
            }
        changes |= data.overrides()
        update = _validated(incident_schemas.IncidentUpdate, changes)
        incident = incidents.update_incident(session, actor, incident.id, update)
    else:
        occurred_at, precision = _at(fields)
        values: dict[str, Any] = {
            "title": event.title,
            "occurred_at": occurred_at,
            "time_precision": precision,
            "lat": fields.get("lat"),
            "lon": fields.get("lon"),
            "place_name": ", ".join(p for p in (fields.get("place"), fields.get("district")) if p)[:200],
            "kind": fields.get("event_type") or "other",
            "target_category": "foreign_nationals" if fields.get("targets_chinese") else "other",
            "protected_nationality_targeted": bool(fields.get("targets_chinese")),
            **{target: fields.get(name) for name, target in TOLL_TARGETS.items()},
            "claimed_by": fields.get("claimed_by"),
            "narrative": _lead(event),
            "sources": [source_of(article) for article in event.articles],
        }
        values |= data.overrides()
        if values["lat"] is None or values["lon"] is None:
            raise invalid_field("lat", N_("the proposal has no place on the map; give lat and lon"))
        create = _validated(incident_schemas.IncidentCreate, values)
        incident = incidents.create_incident(
            session, actor, create, source_system="osint", external_id=str(event.id)
        )
    _decide(event, "accepted", actor, incident.id, data.note)
    session.flush()
    return incident


def merge(session: Session, actor: Actor, event_id: uuid.UUID, data: s.Merge) -> IncidentRecord:
    """The proposal is an incident recorded already: its articles become that incident's sources."""
    event = _pending(session, actor, event_id)
    incident = incidents.get_incident(session, actor, data.incident_id)
    update = incident_schemas.IncidentUpdate(sources=_new_sources(incident, event))
    incident = incidents.update_incident(session, actor, incident.id, update)
    _decide(event, "merged", actor, incident.id, data.note)
    session.flush()
    return incident


def reject(session: Session, actor: Actor, event_id: uuid.UUID, data: s.Reject) -> NewsEvent:
    """Not an incident (a rumour, a report about somewhere else, an old attack retold)."""
    event = _pending(session, actor, event_id)
    _decide(event, "rejected", actor, event.incident_id, data.reason)
    session.flush()
    return event


def _validated(model, values: dict[str, Any]):
    """The incident's own validation, its errors named as fields of this request."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "proposal"
        raise invalid_field(name, N_("the incident would be invalid: %(why)s"), why=first["msg"]) from None


def merge_candidates(
    session: Session, actor: Actor, event: NewsEvent, limit: int = 15
) -> list[IncidentRecord]:
    """Incidents on record that this proposal may be: those the reader sees within a month of its
    date, in its province when it names one, nearest in time first."""
    day = event.occurred_on
    if day is None:
        return []
    around = datetime(day.year, day.month, day.day, tzinfo=UTC)
    stmt = select(IncidentRecord).where(
        IncidentRecord.occurred_at.between(around - timedelta(days=31), around + timedelta(days=31)),
        IncidentRecord.state != "rejected",
    )
    province = province_code(event.fields.get("province"))
    if province:
        stmt = stmt.where(IncidentRecord.province == province)
    found = session.scalars(visible(stmt, session, actor, IncidentRecord).limit(200)).all()
    return sorted(found, key=lambda i: abs((i.occurred_at - around).total_seconds()))[:limit]


def province_code(name: str | None) -> str | None:
    """The ISO code of a province as the extractor names it."""
    return next((p.code for p in PROVINCES.values() if p.name == name), None)
