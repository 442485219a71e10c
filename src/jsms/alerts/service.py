"""Alerts: raised by the live engine and other domains, acknowledged, escalated, resolved.

Raising is idempotent (a finding's key is stored once) and folds repeats: while an alert of a
group (a journey's deviation, a device's SOS) is not resolved, a new finding of the same group
adds its evidence to that alert instead of raising another. An alert nobody acknowledges in
time goes to the next tier, and on to the channels of that tier.
"""

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, noload

from jsms.alerts.models import Alert, AlertChannel, AlertDelivery, AlertEvent, AlertKey
from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import actor_of, utcnow
from jsms.core.errors import Conflict, invalid_field
from jsms.core.events import emit
from jsms.core.i18n import N_, Translator
from jsms.core.live import publish_after_commit
from jsms.core.models import ReleaseRecord
from jsms.core.policy import get_visible, may_release, peer, reader_for, require, visible

SEVERITIES = ("minor", "moderate", "severe", "extreme")
STATES = ("open", "acknowledged", "resolved")
MAX_TIER = 3
MAX_EVIDENCE = 50
# Minutes an alert may stay unacknowledged before it goes to the next tier.
ESCALATION_MINUTES = {"extreme": 2, "severe": 5, "moderate": 15, "minor": 60}

KIND_LABELS = {
    "sos": N_("SOS"),
    "deviation": N_("Route deviation"),
    "stop": N_("Unplanned stop"),
    "zone": N_("Entered a higher-threat zone"),
    "separation": N_("Escort separated"),
    "silence": N_("Device silent"),
    "incident_near": N_("Incident near the route"),
    "missed_checkpoint": N_("Missed checkpoint"),
    "overdue": N_("Overdue arrival"),
    "missed_checkin": N_("Missed check-in"),
    "late_departure": N_("Late departure"),
    "threat_level": N_("Threat level changed"),
    "action_due": N_("Meeting action falls due"),
    "action_overdue": N_("Meeting action overdue"),
}
MESSAGES = {
    "sos": N_("SOS from %(device)s"),
    "deviation": N_("%(journey)s is %(distance_m)s m off its planned route"),
    "stop": N_("%(journey)s has stopped outside a planned halt for %(minutes)s minutes"),
    "zone": N_("%(journey)s entered %(zone)s, at threat level %(level)s, above what it was approved for"),
    "separation": N_("An escort of %(journey)s is %(distance_m)s m from the protected vehicle"),
    "silence": N_("A device of %(journey)s has been silent for %(minutes)s minutes"),
    "incident_near": N_("%(incident)s reported %(distance_km)s km from the route ahead of %(journey)s"),
    "missed_checkpoint": N_("%(journey)s passed %(checkpoint)s without reporting there"),
    "overdue": N_("%(journey)s is %(minutes)s minutes overdue at its destination"),
    "missed_checkin": N_("%(journey)s missed the check-in due at %(due)s"),
    "late_departure": N_("%(journey)s has not left %(minutes)s minutes after its departure window closed"),
    "threat_level": N_("Threat level in %(area)s changed from %(old)s to %(new)s"),
    "action_due": N_("Due on %(day)s for %(owner)s: %(action)s"),
    "action_overdue": N_("Overdue since %(day)s for %(owner)s: %(action)s"),
}
SEVERITY_LABELS = {
    "minor": N_("Minor"),
    "moderate": N_("Moderate"),
    "severe": N_("Severe"),
    "extreme": N_("Extreme"),
}
STATE_LABELS = {"open": N_("Open"), "acknowledged": N_("Acknowledged"), "resolved": N_("Resolved")}
TIER_LABELS = {1: N_("Operations room"), 2: N_("Commander"), 3: N_("Leadership of both parties")}
TIME_PARAMS = frozenset({"due"})  # parameters holding Unix times, shown in the reader's zone


@dataclass
class AlertDraft:
    """An alert to raise, from any domain."""

    kind: str
    severity: str
    key: str
    group_key: str
    subject_type: str
    subject_id: str
    subject_label: str
    raised_at: datetime
    params: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    journey_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    org_id: uuid.UUID | None = None
    area: str | None = None
    tlp: str = "amber"
    owner_party: str = "host"
    release_to: list[str] = field(default_factory=list)


def render(alert: Alert, translator: Translator) -> str:
    """The alert's message in the reader's language and time zone."""
    return render_message(alert.kind, alert.message, alert.params, translator)


def render_message(kind: str, message: str, params: dict[str, Any], translator: Translator) -> str:
    params = dict(params)
    for name in TIME_PARAMS & params.keys():
        params[name] = translator.time(datetime.fromtimestamp(float(params[name]), UTC))
    for name, value in params.items():
        if isinstance(value, float) and name not in TIME_PARAMS:
            params[name] = translator.number(value)
    try:
        return translator.gettext(message, **params)
    except (KeyError, ValueError, TypeError):  # a parameter missing: show the template's words
        return translator.gettext(KIND_LABELS.get(kind, kind))


def live_message(alert: Alert, change: str) -> dict[str, Any]:
    """What the live stream learns when an alert is raised or changes: enough to decide, per
    watcher, whether it may be shown (its marking and organisation), and to word it."""
    return {
        "type": "alert",
        "change": change,
        "id": str(alert.id),
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "tier": alert.tier,
        "journey_id": str(alert.journey_id) if alert.journey_id else None,
        "device_id": str(alert.device_id) if alert.device_id else None,
        "lat": alert.lat,
        "lon": alert.lon,
        "at": alert.last_seen_at.isoformat(),
        "raised_at": alert.raised_at.isoformat(),
        "acknowledged_by": alert.acknowledged_by,
        "subject": alert.subject_label,
        "message": alert.message,
        "params": alert.params,
        "tlp": alert.tlp,
        "owner_party": alert.owner_party,
        "release_to": list(alert.release_to or []),
        "org_id": str(alert.org_id) if alert.org_id else None,
    }


def _who(session: Session) -> str:
    """The username of the unit of work's actor (the live engine, the dispatcher, a user)."""
    actor = actor_of(session)
    return actor.username if actor is not None else "system"


def _event(alert: Alert, actor: str, action: str, at: datetime, note: str = "") -> None:
    alert.events.append(AlertEvent(at=at, actor=actor, action=action, tier=alert.tier, note=note))


# ---- raising -----------------------------------------------------------------------------


def raise_alert(session: Session, draft: AlertDraft, now: datetime) -> Alert | None:
    """Raise a new alert, or fold the finding into its group's unresolved alert; None if this
    finding's key was raised before (nothing changes)."""
    if session.get(AlertKey, draft.key) is not None:
        return None
    current = session.scalar(
        select(Alert)
        .where(Alert.group_key == draft.group_key, Alert.status != "resolved")
        .order_by(Alert.raised_at.desc())
        .limit(1)
    )
    if current is not None:
        current.repeats += 1
        current.last_seen_at = max(current.last_seen_at, draft.raised_at)
        current.evidence = (current.evidence + draft.evidence)[-MAX_EVIDENCE:]
        if draft.lat is not None:
            current.lat, current.lon = draft.lat, draft.lon
        session.add(AlertKey(key=draft.key, alert_id=current.id))
        publish_after_commit(session, live_message(current, "repeated"))
        return current
    alert = Alert(
        id=uuid.uuid4(),  # known now: the key and deliveries refer to it without a flush
        kind=draft.kind,
        severity=draft.severity,
        status="open",
        group_key=draft.group_key,
        subject_type=draft.subject_type,
        subject_id=draft.subject_id,
        subject_label=draft.subject_label[:200],
        journey_id=draft.journey_id,
        device_id=draft.device_id,
        org_id=draft.org_id,
        area=draft.area,
        message=MESSAGES[draft.kind],
        params=draft.params,
        lat=draft.lat,
        lon=draft.lon,
        evidence=draft.evidence[-MAX_EVIDENCE:],
        raised_at=draft.raised_at,
        last_seen_at=draft.raised_at,
        tier=1,
        escalate_at=now + timedelta(minutes=ESCALATION_MINUTES[draft.severity]),
        tlp=draft.tlp,
        owner_party=draft.owner_party,
        release_to=draft.release_to,
    )
    session.add(alert)
    _event(alert, _who(session), "raised", now)
    session.add(AlertKey(key=draft.key, alert_id=alert.id))
    _queue_deliveries(session, alert, "raised", now)
    emit(session, "alert.raised", {"alert_id": str(alert.id), "kind": alert.kind})
    publish_after_commit(session, live_message(alert, "raised"))
    return alert


def clear_group(session: Session, group_key: str, at: datetime) -> None:
    """The condition behind a group's unresolved alert has ended (operators still resolve it)."""
    alert = session.scalar(select(Alert).where(Alert.group_key == group_key, Alert.status != "resolved"))
    if alert is not None and alert.cleared_at is None:
        alert.cleared_at = at
        _event(alert, _who(session), "cleared", at)
        publish_after_commit(session, live_message(alert, "cleared"))


# ---- operators ---------------------------------------------------------------------------


def list_alerts(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Alert], int]:
    filters = dict(query.filters or {})
    stmt = select(Alert)
    if filters.pop("active", None):
        stmt = stmt.where(Alert.status != "resolved")
    return list_page(
        session,
        actor,
        Alert,
        replace(query, filters=filters),
        text_columns=("subject_label", "kind"),
        sortable=("raised_at", "last_seen_at", "severity", "status", "kind", "tier"),
        default_sort="-raised_at",
        stmt=stmt,
    )


def get_alert(session: Session, actor: Actor, alert_id: uuid.UUID, with_events: bool = True) -> Alert:
    return get_visible(session, actor, Alert, alert_id, *([] if with_events else [noload(Alert.events)]))


def acknowledge(session: Session, actor: Actor, alert_id: uuid.UUID, note: str = "") -> Alert:
    """Someone has the alert in hand: escalation stops, and a sender of an SOS sees it."""
    alert = get_alert(session, actor, alert_id)
    require(session, actor, "alert.acknowledge", alert)
    if alert.status != "open":
        raise Conflict(f"The alert is {alert.status}; only an open alert can be acknowledged")
    now = utcnow()
    alert.status = "acknowledged"
    alert.acknowledged_at, alert.acknowledged_by = now, actor.username
    alert.escalate_at = None
    _event(alert, actor.username, "acknowledged", now, note)
    session.flush()
    publish_after_commit(session, live_message(alert, "acknowledged"))
    return alert


def resolve(session: Session, actor: Actor, alert_id: uuid.UUID, note: str) -> Alert:
    alert = get_alert(session, actor, alert_id)
    require(session, actor, "alert.resolve", alert)
    if alert.status == "resolved":
        raise Conflict("The alert is already resolved")
    now = utcnow()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor.username
    alert.status = "resolved"
    alert.resolved_at, alert.resolved_by, alert.resolution = now, actor.username, note
    alert.escalate_at = None
    _event(alert, actor.username, "resolved", now, note)
    session.flush()
    publish_after_commit(session, live_message(alert, "resolved"))
    return alert


def escalate_due(session: Session, now: datetime) -> list[Alert]:
    """Send every open alert whose time is up to the next tier (the last tier keeps reminding)."""
    due = session.scalars(
        select(Alert).where(Alert.status == "open", Alert.escalate_at.is_not(None), Alert.escalate_at <= now)
    ).all()
    for alert in due:
        if alert.tier < MAX_TIER:
            alert.tier += 1
            _queue_deliveries(session, alert, "escalated", now)
        alert.escalate_at = now + timedelta(minutes=ESCALATION_MINUTES[alert.severity])
        _event(alert, _who(session), "escalated", now)
        publish_after_commit(session, live_message(alert, "escalated"))
    return list(due)


def latest_for_device(session: Session, device_id: uuid.UUID, kind: str) -> Alert | None:
    """The newest alert of a kind for a device (the field page shows its own SOS)."""
    return session.scalar(
        select(Alert)
        .where(Alert.device_id == device_id, Alert.kind == kind)
        .order_by(Alert.raised_at.desc())
        .limit(1)
    )


# ---- channels ----------------------------------------------------------------------------


def _queue_deliveries(session: Session, alert: Alert, action: str, now: datetime) -> None:
    """Write a delivery for each channel this alert now reaches; sent after commit."""
    rank = SEVERITIES.index(alert.severity)
    with session.no_autoflush:  # the channels do not depend on what is pending (one flush at commit)
        channels = session.scalars(select(AlertChannel).where(AlertChannel.active.is_(True))).all()
    for channel in channels:
        reaches = channel.tier == alert.tier if action == "escalated" else channel.tier <= alert.tier
        wanted = not channel.kinds or alert.kind in channel.kinds
        if not (reaches and wanted and rank >= SEVERITIES.index(channel.min_severity)):
            continue
        audience = channel.audience or get_settings().node_party
        if audience != get_settings().node_party:
            if not _may_reach(session, alert, audience):
                continue
            session.add(_released(alert, audience, channel, now))
        delivery = AlertDelivery(alert_id=alert.id, channel_id=channel.id, action=action, next_attempt_at=now)
        session.add(delivery)


def _may_reach(session: Session, alert: Alert, audience: str) -> bool:
    """The same decision as every other way out: the marking rule for that party, failing closed."""
    values = {"tlp": alert.tlp, "owner_party": alert.owner_party, "release_to": alert.release_to or []}
    return may_release(reader_for(session, peer(audience)), Alert, values)


def _released(alert: Alert, audience: str, channel: AlertChannel, now: datetime) -> ReleaseRecord:
    return ReleaseRecord(
        at=now,
        audience=audience,
        channel=channel.kind,  # email | webhook
        actor=f"channel:{channel.name}"[:80],
        object_type="alert",
        object_id=alert.id,
        stix_id=f"alert:{alert.id}",
        version=now,
        tlp=alert.tlp,
    )


def list_channels(session: Session, actor: Actor, query: ListRequest) -> tuple[list[AlertChannel], int]:
    return list_page(
        session,
        actor,
        AlertChannel,
        query,
        text_columns=("name", "target"),
        sortable=("name",),
        default_sort="name",
    )


def get_channel(session: Session, actor: Actor, channel_id: uuid.UUID) -> AlertChannel:
    return get_visible(session, actor, AlertChannel, channel_id)


def create_channel(session: Session, actor: Actor, data) -> AlertChannel:
    require(session, actor, "alert_channel.write")
    _check_kinds(data.kinds)
    channel = AlertChannel(**data.model_dump())
    session.add(channel)
    session.flush()
    return channel


def update_channel(session: Session, actor: Actor, channel_id: uuid.UUID, data) -> AlertChannel:
    channel = get_channel(session, actor, channel_id)
    require(session, actor, "alert_channel.write")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("kinds"):
        _check_kinds(changes["kinds"])
    for name, value in changes.items():
        setattr(channel, name, value)
    session.flush()
    return channel


def _check_kinds(kinds: list[str]) -> None:
    unknown = sorted(set(kinds) - KIND_LABELS.keys())
    if unknown:
        raise invalid_field("kinds", N_("unknown alert kinds: %(kinds)s"), kinds=", ".join(unknown))


def raised_between(session: Session, actor: Actor, start: datetime, end: datetime) -> list[Alert]:
    """Alerts the actor may see raised in [start, end), in time order (for reports)."""
    stmt = visible(select(Alert), session, actor, Alert).where(
        Alert.raised_at >= start, Alert.raised_at < end
    )
    return list(session.scalars(stmt.order_by(Alert.raised_at)))
