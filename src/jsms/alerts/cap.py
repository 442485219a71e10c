"""Alerts as CAP 1.2 messages (OASIS Common Alerting Protocol), one <info> per language, and an
Atom feed of them (standards.md §3). Element order follows the schema's sequences exactly.

An alert's first message is an `Alert`; once acknowledged it is re-sent as an `Update`, and once
resolved as a `Cancel` with urgency Past, both naming the first message in <references>.
"""

from datetime import UTC, datetime

from lxml import etree

from jsms.alerts.models import Alert
from jsms.alerts.service import KIND_LABELS, render
from jsms.core.i18n import LANGUAGES, N_, Translator
from jsms.core.marking import Tlp

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_LANGUAGE = {"en": "en-US", "zh": "zh-CN", "ur": "ur-PK"}
RESPONSE = {
    "sos": "Execute",
    "zone": "Avoid",
    "incident_near": "Avoid",
    "threat_level": "Prepare",
    "deviation": "Assess",
    "separation": "Assess",
    "silence": "Assess",
}
CERTAINTY = {"threat_level": "Likely", "incident_near": "Likely"}
SENDER_NAME = N_("JSMS operations room")
RESTRICTION = N_("Security staff of the joint mechanism only")
POINT_RADIUS_KM = 1


def cap_time(moment: datetime) -> str:
    """CAP's date-time: seconds, an explicit offset, UTC written as -00:00 (a 'Z' is invalid)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def _el(parent, name: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _pair(parent, name: str, value_name: str, value: str) -> None:
    element = _el(parent, name)
    _el(element, "valueName", value_name)
    _el(element, "value", value)


def identifier(alert: Alert, node: str, first: bool = False) -> str:
    base = f"{node}.alert.{alert.id}"
    return base if first or _message_type(alert) == "Alert" else f"{base}.{alert.version}"


def _message_type(alert: Alert) -> str:
    return {"open": "Alert", "acknowledged": "Update", "resolved": "Cancel"}[alert.status]


def alert_element(alert: Alert, node: str, status: str = "Actual", web: str | None = None):
    """The CAP <alert> of an alert in its present state, with an <info> in each language."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    sender = f"jsms@{node}"
    _el(root, "identifier", identifier(alert, node))
    _el(root, "sender", sender)
    _el(root, "sent", cap_time(alert.updated_at or alert.raised_at))
    _el(root, "status", status)
    _el(root, "msgType", _message_type(alert))
    _el(root, "source", "JSMS")
    _el(root, "scope", "Restricted")
    _el(root, "restriction", f"{Tlp(alert.tlp).label} {Translator('en').gettext(RESTRICTION)}")
    _el(root, "code", Tlp(alert.tlp).label)
    if _message_type(alert) != "Alert":
        first = identifier(alert, node, first=True)
        _el(root, "references", f"{sender},{first},{cap_time(alert.raised_at)}")
    for language in LANGUAGES:
        _info(root, alert, Translator(language, "UTC"), web)
    return root


def _info(root, alert: Alert, translator: Translator, web: str | None) -> None:
    info = _el(root, "info")
    _el(info, "language", CAP_LANGUAGE[translator.language])
    _el(info, "category", "Security")
    _el(info, "event", translator.gettext(KIND_LABELS.get(alert.kind, alert.kind)))
    _el(
        info,
        "responseType",
        "AllClear" if alert.status == "resolved" else RESPONSE.get(alert.kind, "Monitor"),
    )
    _el(info, "urgency", "Past" if alert.status == "resolved" else "Immediate")
    _el(info, "severity", alert.severity.capitalize())
    _el(info, "certainty", CERTAINTY.get(alert.kind, "Observed"))
    _pair(info, "eventCode", "JSMS", alert.kind)
    _el(info, "effective", cap_time(alert.raised_at))
    _el(info, "senderName", translator.gettext(SENDER_NAME))
    label = translator.gettext(KIND_LABELS.get(alert.kind, alert.kind))
    _el(info, "headline", f"{label}: {alert.subject_label}"[:160])
    _el(info, "description", render(alert, translator))
    if web:
        _el(info, "web", web)
    _pair(info, "parameter", "tier", str(alert.tier))
    _pair(info, "parameter", "state", alert.status)
    if alert.journey_id:
        _pair(info, "parameter", "journey", str(alert.journey_id))
    if alert.lat is not None or alert.area:
        area = _el(info, "area")
        _el(area, "areaDesc", alert.subject_label[:200])
        if alert.lat is not None:
            _el(area, "circle", f"{alert.lat:.5f},{alert.lon:.5f} {POINT_RADIUS_KM}")
        if alert.area and alert.area.startswith("PK-") and "/" not in alert.area:
            _pair(area, "geocode", "ISO3166-2", alert.area)


def document(alert: Alert, node: str, status: str = "Actual", web: str | None = None) -> bytes:
    return etree.tostring(alert_element(alert, node, status, web), xml_declaration=True, encoding="UTF-8")


def feed(alerts: list[Alert], node: str, status: str = "Actual", base_url: str | None = None) -> bytes:
    """An Atom feed whose entries each carry one CAP alert (the form CAP aggregators read)."""
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    etree.SubElement(root, f"{{{ATOM_NS}}}id").text = f"urn:jsms:{node}:alerts"
    etree.SubElement(root, f"{{{ATOM_NS}}}title").text = f"JSMS alerts — {node}"
    newest = max((a.updated_at or a.raised_at for a in alerts), default=datetime.now(UTC))
    etree.SubElement(root, f"{{{ATOM_NS}}}updated").text = newest.astimezone(UTC).isoformat()
    author = etree.SubElement(root, f"{{{ATOM_NS}}}author")
    etree.SubElement(author, f"{{{ATOM_NS}}}name").text = f"jsms@{node}"
    for alert in alerts:
        entry = etree.SubElement(root, f"{{{ATOM_NS}}}entry")
        etree.SubElement(entry, f"{{{ATOM_NS}}}id").text = f"urn:uuid:{alert.id}"
        label = Translator("en").gettext(KIND_LABELS.get(alert.kind, alert.kind))
        etree.SubElement(entry, f"{{{ATOM_NS}}}title").text = f"{label}: {alert.subject_label}"
        updated = (alert.updated_at or alert.raised_at).astimezone(UTC).isoformat()
        etree.SubElement(entry, f"{{{ATOM_NS}}}updated").text = updated
        web = f"{base_url}/alerts/{alert.id}" if base_url else None
        if web:
            etree.SubElement(entry, f"{{{ATOM_NS}}}link", href=web)
        content = etree.SubElement(entry, f"{{{ATOM_NS}}}content", type="text/xml")
        content.append(alert_element(alert, node, status, web))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
