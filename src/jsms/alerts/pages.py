"""Alert pages: the list (active first), each alert with its evidence, map and timeline, and the
acknowledge and resolve steps; a small panel of active alerts that the live map refreshes."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from jsms.alerts import schemas as s
from jsms.alerts import service
from jsms.alerts.models import Alert
from jsms.core.crud import ListRequest, Resource
from jsms.core.forms import Column, DetailRow, FormField, PageSpec, add_pages, label, plain
from jsms.core.http import SessionDep, permits
from jsms.core.i18n import N_
from jsms.core.marking import Tlp
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect, render, translator_for
from jsms.core.policy import allows

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation([NavItem("/alerts", N_("Alerts"), "alert.read", order=27)])

ACTIONS = {
    "raised": N_("Raised"),
    "repeated": N_("Seen again"),
    "escalated": N_("Escalated"),
    "acknowledged": N_("Acknowledged"),
    "cleared": N_("Condition ended"),
    "resolved": N_("Resolved"),
}
PANEL_SIZE = 12
# What an item of evidence may say besides when, which device and where.
EVIDENCE_LABELS = {
    "distance_m": N_("Distance (m)"),
    "distance_km": N_("Distance (km)"),
    "speed_kmh": N_("Speed (km/h)"),
    "progress_m": N_("Along the route (m)"),
    "level": N_("Threat level"),
    "zone": N_("District"),
    "alarm": N_("Alarm"),
    "incident": N_("Incident"),
    "cause": N_("Cause"),
    "reason": N_("Reason"),
    "intensity": N_("Intensity"),
}


# Alerts are raised by the system, never created or edited through a form: no writers.
ALERTS = Resource(
    "alerts",
    "alerts",
    s.AlertRead,
    s.Acknowledge,
    s.Acknowledge,
    s.AlertParams,
    service.list_alerts,
    service.get_alert,
    None,
    None,
    access=("alert.read", "alert.acknowledge"),
)
ALERT_PAGES = PageSpec(
    resource=ALERTS,
    title=N_("Alerts"),
    singular=N_("Alert"),
    write_permission="alert.acknowledge",
    columns=[
        Column("raised_at", N_("Raised"), lambda a, t: t.datetime(a.raised_at, "short"), sort="raised_at"),
        Column("severity", N_("Severity"), label(service.SEVERITY_LABELS, "severity"), sort="severity"),
        Column("kind", N_("Alert"), label(service.KIND_LABELS, "kind"), link=True),
        Column("message", N_("What"), service.render),
        Column("status", N_("State"), label(service.STATE_LABELS, "status"), sort="status"),
        Column("tier", N_("Tier"), lambda a, t: t.gettext(service.TIER_LABELS[a.tier]), sort="tier"),
    ],
    details=[
        DetailRow(N_("What"), service.render),
        DetailRow(N_("Severity"), label(service.SEVERITY_LABELS, "severity")),
        DetailRow(N_("State"), label(service.STATE_LABELS, "status")),
        DetailRow(N_("Tier"), lambda a, t: t.gettext(service.TIER_LABELS[a.tier])),
        DetailRow(N_("About"), plain("subject_label")),
        DetailRow(N_("Raised"), lambda a, t: t.datetime(a.raised_at)),
        DetailRow(N_("Last seen"), lambda a, t: t.datetime(a.last_seen_at)),
        DetailRow(N_("Seen again"), lambda a, t: t.number(a.repeats)),
        DetailRow(N_("Condition ended"), lambda a, t: t.datetime(a.cleared_at)),
        DetailRow(
            N_("Acknowledged"),
            lambda a, t: (
                f"{t.datetime(a.acknowledged_at)} · {a.acknowledged_by}" if a.acknowledged_at else ""
            ),
        ),
        DetailRow(
            N_("Resolved"),
            lambda a, t: f"{t.datetime(a.resolved_at)} · {a.resolved_by}" if a.resolved_at else "",
        ),
        DetailRow(N_("What was done"), plain("resolution")),
        DetailRow(N_("Escalates at"), lambda a, t: t.datetime(a.escalate_at) if a.status == "open" else ""),
        DetailRow(N_("Marking"), lambda a, t: Tlp(a.tlp).label),
    ],
    fields=[],
    forms=False,
    detail_template="alerts/alert.html",
    filters=[
        FormField("status", N_("State"), "select", service.STATE_LABELS),
        FormField("severity", N_("Severity"), "select", service.SEVERITY_LABELS),
        FormField("kind", N_("Alert"), "select", service.KIND_LABELS),
    ],
    extra=lambda session, actor, alert: _detail_context(session, actor, alert),
)


def _detail_context(session, actor, alert: Alert) -> dict[str, Any]:
    shown = ("t", "device", "lat", "lon")
    evidence = [
        {
            "at": datetime.fromtimestamp(item["t"], UTC) if isinstance(item.get("t"), int | float) else None,
            "device": item.get("device") or "",
            "position": f"{item['lat']:.5f}, {item['lon']:.5f}" if item.get("lat") is not None else "",
            "details": [
                (EVIDENCE_LABELS.get(k, k), v) for k, v in item.items() if k not in shown and v is not None
            ],
        }
        for item in alert.evidence
    ]
    return {
        "may_acknowledge": allows(session, actor, "alert.acknowledge", alert) and alert.status == "open",
        "may_resolve": allows(session, actor, "alert.resolve", alert) and alert.status != "resolved",
        "actions": ACTIONS,
        "evidence": evidence,
        "kind_labels": service.KIND_LABELS,
        "severity_labels": service.SEVERITY_LABELS,
        "state_labels": service.STATE_LABELS,
        "point": {"lat": alert.lat, "lon": alert.lon} if alert.lat is not None else None,
    }


@router.get("/alerts/panel", response_class=HTMLResponse)
@permits("alert.read")
def panel(request: Request, session: SessionDep, actor: PageActor):
    """The active alerts, most recent first: the live map's side panel (refreshed on each event)."""
    return _panel(request, session, actor)


def _panel(request: Request, session, actor):
    query = ListRequest(s.AlertParams(limit=PANEL_SIZE).page(), filters={"active": True})
    items, total = service.list_alerts(session, actor, query)
    t = translator_for(request, actor)
    rows = [
        {
            "alert": a,
            "message": service.render(a, t),
            "label": t.gettext(service.KIND_LABELS.get(a.kind, a.kind)),
            "state": t.gettext(service.STATE_LABELS[a.status]),
        }
        for a in items
    ]
    return render(request, "alerts/panel.html", {"rows": rows, "total": total}, actor=actor)


add_pages(router, ALERT_PAGES)

Note = Annotated[str, Form(max_length=2000)]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]


@router.post("/alerts/{alert_id}/acknowledge")
@permits("alert.acknowledge")
def acknowledge(
    alert_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, note: Note = ""
):
    service.acknowledge(session, actor, alert_id, note)
    if request.headers.get("hx-request"):  # from the live map's panel: the panel again
        session.flush()
        return _panel(request, session, actor)
    return redirect(f"/alerts/{alert_id}", request)


@router.post("/alerts/{alert_id}/resolve")
@permits("alert.resolve")
def resolve(alert_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor, note: Reason):
    service.resolve(session, actor, alert_id, note)
    return redirect(f"/alerts/{alert_id}", request)
