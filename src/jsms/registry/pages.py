"""Registry pages: lists, details and forms of sites, persons, units, projects, assets, agreements,
organisations; and the map layers of sites and units' areas."""

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.crud import ListRequest
from jsms.core.forms import Column, DetailRow, FormField, PageSpec, add_pages, label, personal, plain, yes_no
from jsms.core.http import SessionDep, permits, signed_in
from jsms.core.i18n import N_, Translator
from jsms.core.marking import Tlp
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect, translator_for
from jsms.core.policy import allows
from jsms.core.schemas import PageParams
from jsms.geo.provinces import PROVINCES, province_names
from jsms.registry import labels, service
from jsms.registry import schemas as s
from jsms.registry.api import RESOURCES

router = APIRouter(route_class=PageRoute, include_in_schema=False)
RESOURCE = {r.name: r for r in RESOURCES}
ALL = PageParams(limit=500, offset=0)

add_navigation(
    [
        NavItem("/sites", N_("Sites"), "site.read"),
        NavItem("/persons", N_("Protected persons"), "person.read"),
        NavItem("/units", N_("Units"), "unit.read"),
        NavItem("/projects", N_("Projects"), "project.read"),
        NavItem("/assets", N_("Assets"), "asset.read"),
        NavItem("/agreements", N_("Agreements"), "agreement.read"),
        NavItem("/organisations", N_("Organisations"), "organisation.read"),
    ]
)


def local_name(obj: Any, t: Translator) -> str:
    """The record's name in the reader's language where one is stored (name_zh, name_ur), else its name."""
    return getattr(obj, f"name_{t.language}", None) or obj.name


def province(obj: Any, t: Translator) -> str:
    code = getattr(obj, "province", None)
    return PROVINCES[code].name_in(t.language) if code in PROVINCES else ""


def marking(obj: Any, _t: Translator) -> str:
    return Tlp(obj.tlp).label


def when(attribute: str):
    return lambda obj, t: t.datetime(getattr(obj, attribute))


def choices_of(resource: str, name=lambda o: o.name):
    """Reference choices: the records of a resource the user may see, by id."""

    def options(session: Session, actor: Actor, _t: Translator) -> dict[str, str]:
        items, _ = RESOURCE[resource].list(session, actor, ListRequest(ALL))
        return {str(item.id): name(item) for item in items}

    return options


def unit_choices(session: Session, actor: Actor, _t: Translator) -> dict[str, str]:
    if not allows(session, actor, "unit.read"):
        return {}
    items, _ = service.list_units(session, actor, ListRequest(ALL))
    return {str(u.id): u.node.name for u in items}


def province_choices(_session: Session, _actor: Actor, t: Translator) -> dict[str, str]:
    return province_names(t.language)


MARKINGS = {t.value: t.label for t in Tlp}

# ---- sites -------------------------------------------------------------------------------

SITES = PageSpec(
    resource=RESOURCE["sites"],
    title=N_("Sites"),
    singular=N_("Site"),
    write_permission="site.write",
    columns=[
        Column("name", N_("Name"), local_name, sort="name", link=True),
        Column("kind", N_("Kind"), label(labels.SITE_KINDS, "kind"), sort="kind"),
        Column("province", N_("Province"), province, sort="province"),
        Column("district", N_("District"), plain("district"), sort="district"),
        Column(
            "tier", N_("Security tier"), label(labels.SECURITY_TIERS, "security_tier"), sort="security_tier"
        ),
        Column("marking", N_("Marking"), marking),
    ],
    details=[
        DetailRow(N_("Name"), plain("name")),
        DetailRow(N_("Chinese name"), plain("name_zh")),
        DetailRow(N_("Kind"), label(labels.SITE_KINDS, "kind")),
        DetailRow(N_("Security tier"), label(labels.SECURITY_TIERS, "security_tier")),
        DetailRow(N_("Province"), province),
        DetailRow(N_("District"), plain("district")),
        DetailRow(N_("Latitude"), plain("lat")),
        DetailRow(N_("Longitude"), plain("lon")),
        DetailRow(N_("Marking"), marking),
        DetailRow(N_("Notes"), plain("notes")),
        DetailRow(N_("Last changed"), when("updated_at")),
    ],
    fields=[
        FormField("name", N_("Name"), required=True),
        FormField("name_zh", N_("Chinese name")),
        FormField("kind", N_("Kind"), "select", labels.SITE_KINDS, required=True),
        FormField("security_tier", N_("Security tier"), "select", labels.SECURITY_TIERS),
        FormField("lat", N_("Latitude"), "number", step="any", required=True),
        FormField("lon", N_("Longitude"), "number", step="any", required=True),
        FormField("project_id", N_("Project"), "select", choices_of("projects")),
        FormField("guarding_unit_id", N_("Guarding unit"), "select", unit_choices),
        FormField("tlp", N_("Marking"), "select", MARKINGS),
        FormField("notes", N_("Notes"), "textarea", wide=True),
    ],
    initial=lambda site: {
        "name": site.name,
        "name_zh": site.name_zh,
        "kind": site.kind,
        "security_tier": site.security_tier,
        "lat": site.lat,
        "lon": site.lon,
        "project_id": site.project_id,
        "guarding_unit_id": site.guarding_unit_id,
        "tlp": site.tlp,
        "notes": site.notes,
    },
    detail_template="registry/site.html",
    filters=[
        FormField("kind", N_("Kind"), "select", labels.SITE_KINDS),
        FormField("province", N_("Province"), "select", province_choices),
    ],
    extra=lambda session, actor, site: {
        "people": service.site_people(session, actor, site),
        "unit": service.get_unit(session, actor, site.guarding_unit_id)
        if site.guarding_unit_id and allows(session, actor, "unit.read")
        else None,
        "person_fields": allows(session, actor, "person.read"),
    },
)

# ---- protected persons -------------------------------------------------------------------


PERSONS = PageSpec(
    resource=RESOURCE["persons"],
    title=N_("Protected persons"),
    singular=N_("Protected person"),
    write_permission="person.write",
    columns=[
        Column("full_name", N_("Name"), plain("full_name"), sort="full_name", link=True),
        Column("name_hanzi", N_("Chinese name"), plain("name_hanzi")),
        Column("nationality", N_("Nationality"), plain("nationality"), sort="nationality"),
        Column("job_title", N_("Job"), plain("job_title")),
        Column("status", N_("Status"), label(labels.PERSON_STATUSES, "status"), sort="status"),
        Column("consent", N_("Consents to tracking"), yes_no("consent_to_tracking")),
    ],
    details=[
        DetailRow(N_("Name"), plain("full_name")),
        DetailRow(N_("Chinese name"), plain("name_hanzi")),
        DetailRow(N_("Pinyin"), plain("name_pinyin")),
        DetailRow(N_("Nationality"), plain("nationality")),
        DetailRow(N_("Job"), plain("job_title")),
        DetailRow(N_("Status"), label(labels.PERSON_STATUSES, "status")),
        DetailRow(N_("Consents to tracking"), yes_no("consent_to_tracking")),
        DetailRow(N_("Consent recorded"), when("consent_recorded_at")),
        DetailRow(N_("Passport number"), personal("passport_number")),
        DetailRow(N_("Phone"), personal("phone")),
        DetailRow(N_("Emergency contact"), plain("emergency_contact_name")),
        DetailRow(N_("Emergency contact phone"), personal("emergency_contact_phone")),
    ],
    fields=[
        FormField("full_name", N_("Name"), required=True),
        FormField("name_hanzi", N_("Chinese name")),
        FormField(
            "nationality", N_("Nationality"), help=N_("Two-letter country code, e.g. CN"), required=True
        ),
        FormField("job_title", N_("Job")),
        FormField("site_id", N_("Site"), "select", choices_of("sites")),
        FormField("passport_number", N_("Passport number")),
        FormField("phone", N_("Phone")),
        FormField("emergency_contact_name", N_("Emergency contact")),
        FormField("emergency_contact_phone", N_("Emergency contact phone")),
        FormField("consent_to_tracking", N_("Consents to tracking"), "checkbox"),
    ],
    initial=lambda p: {
        "full_name": p.full_name,
        "name_hanzi": p.name_hanzi,
        "nationality": p.nationality,
        "job_title": p.job_title,
        "site_id": p.site_id,
        "emergency_contact_name": p.emergency_contact_name,
        "consent_to_tracking": p.consent_to_tracking,
    },
)

# ---- units, projects, assets, agreements, organisations ----------------------------------

UNITS = PageSpec(
    resource=RESOURCE["units"],
    title=N_("Units"),
    singular=N_("Unit"),
    write_permission="unit.write",
    columns=[
        Column("name", N_("Name"), local_name, link=True),
        Column("call_sign", N_("Call sign"), plain("call_sign")),
        Column("kind", N_("Kind"), label(labels.UNIT_KINDS, "kind"), sort="kind"),
        Column("province", N_("Province"), province, sort="province"),
        Column("strength", N_("Strength"), lambda u, t: t.number(u.strength), sort="strength"),
        Column("marking", N_("Marking"), lambda u, t: Tlp(u.marking.tlp).label),
    ],
    details=[
        DetailRow(N_("Name"), plain("name")),
        DetailRow(N_("Call sign"), plain("call_sign")),
        DetailRow(N_("Kind"), label(labels.UNIT_KINDS, "kind")),
        DetailRow(N_("Province"), province),
        DetailRow(N_("Strength"), lambda u, t: t.number(u.strength)),
        DetailRow(N_("Marking"), lambda u, t: Tlp(u.marking.tlp).label),
    ],
    fields=[
        FormField("name", N_("Name"), required=True),
        FormField("call_sign", N_("Call sign")),
        FormField("kind", N_("Kind"), "select", labels.UNIT_KINDS, required=True),
        FormField(
            "parent_id",
            N_("Belongs to"),
            "select",
            choices_of("organisations"),
            required=True,
            create_only=True,
        ),
        FormField("province", N_("Province"), "select", province_choices),
        FormField("strength", N_("Strength"), "number"),
    ],
    initial=lambda u: {
        "name": u.node.name,
        "call_sign": u.call_sign,
        "kind": u.kind,
        "parent_id": u.node.parent_id,
        "province": u.province,
        "strength": u.strength,
    },
)

PROJECTS = PageSpec(
    resource=RESOURCE["projects"],
    title=N_("Projects"),
    singular=N_("Project"),
    write_permission="project.write",
    columns=[
        Column("name", N_("Name"), local_name, sort="name", link=True),
        Column("programme", N_("Programme"), label(labels.PROGRAMMES, "programme"), sort="programme"),
        Column("sector", N_("Sector"), label(labels.PROJECT_SECTORS, "sector"), sort="sector"),
        Column("status", N_("Status"), label(labels.PROJECT_STATUSES, "status"), sort="status"),
    ],
    details=[
        DetailRow(N_("Name"), plain("name")),
        DetailRow(N_("Chinese name"), plain("name_zh")),
        DetailRow(N_("Programme"), label(labels.PROGRAMMES, "programme")),
        DetailRow(N_("Sector"), label(labels.PROJECT_SECTORS, "sector")),
        DetailRow(N_("Status"), label(labels.PROJECT_STATUSES, "status")),
        DetailRow(N_("Description"), plain("description")),
    ],
    fields=[
        FormField("name", N_("Name"), required=True),
        FormField("name_zh", N_("Chinese name")),
        FormField("programme", N_("Programme"), "select", labels.PROGRAMMES, required=True),
        FormField("sector", N_("Sector"), "select", labels.PROJECT_SECTORS, required=True),
        FormField("status", N_("Status"), "select", labels.PROJECT_STATUSES),
        FormField("description", N_("Description"), "textarea", wide=True),
    ],
    initial=lambda p: {
        "name": p.name,
        "name_zh": p.name_zh,
        "programme": p.programme,
        "sector": p.sector,
        "status": p.status,
        "description": p.description,
    },
)

ASSETS = PageSpec(
    resource=RESOURCE["assets"],
    title=N_("Assets"),
    singular=N_("Asset"),
    write_permission="asset.write",
    columns=[
        Column("name", N_("Name"), local_name, sort="name", link=True),
        Column("kind", N_("Kind"), label(labels.ASSET_KINDS, "kind"), sort="kind"),
        Column("registration", N_("Registration"), plain("registration")),
        Column("armour", N_("Armour rating"), plain("armour_rating")),
        Column("status", N_("Status"), label(labels.ASSET_STATUSES, "status"), sort="status"),
    ],
    details=[
        DetailRow(N_("Name"), plain("name")),
        DetailRow(N_("Kind"), label(labels.ASSET_KINDS, "kind")),
        DetailRow(N_("Registration"), plain("registration")),
        DetailRow(N_("Armour rating"), plain("armour_rating")),
        DetailRow(N_("Status"), label(labels.ASSET_STATUSES, "status")),
        DetailRow(N_("Notes"), plain("notes")),
    ],
    fields=[
        FormField("name", N_("Name"), required=True),
        FormField("kind", N_("Kind"), "select", labels.ASSET_KINDS, required=True),
        FormField("registration", N_("Registration")),
        FormField("armour_rating", N_("Armour rating")),
        FormField("status", N_("Status"), "select", labels.ASSET_STATUSES),
        FormField("assigned_unit_id", N_("Assigned unit"), "select", unit_choices),
        FormField("notes", N_("Notes"), "textarea", wide=True),
    ],
    initial=lambda a: {
        "name": a.name,
        "kind": a.kind,
        "registration": a.registration,
        "armour_rating": a.armour_rating,
        "status": a.status,
        "assigned_unit_id": a.assigned_unit_id,
        "notes": a.notes,
    },
)

AGREEMENTS = PageSpec(
    resource=RESOURCE["agreements"],
    title=N_("Agreements"),
    singular=N_("Agreement"),
    write_permission="agreement.write",
    columns=[
        Column("title", N_("Title"), plain("title"), sort="title", link=True),
        Column("kind", N_("Kind"), label(labels.AGREEMENT_KINDS, "kind"), sort="kind"),
        Column("signed_on", N_("Signed"), lambda a, t: t.date(a.signed_on), sort="signed_on"),
        Column("status", N_("Status"), label(labels.AGREEMENT_STATUSES, "status"), sort="status"),
    ],
    details=[
        DetailRow(N_("Title"), plain("title")),
        DetailRow(N_("Chinese title"), plain("title_zh")),
        DetailRow(N_("Kind"), label(labels.AGREEMENT_KINDS, "kind")),
        DetailRow(N_("Signed"), lambda a, t: t.date(a.signed_on)),
        DetailRow(N_("Status"), label(labels.AGREEMENT_STATUSES, "status")),
        DetailRow(N_("Summary"), plain("summary")),
    ],
    fields=[
        FormField("title", N_("Title"), required=True, wide=True),
        FormField("title_zh", N_("Chinese title"), wide=True),
        FormField("kind", N_("Kind"), "select", labels.AGREEMENT_KINDS, required=True),
        FormField("status", N_("Status"), "select", labels.AGREEMENT_STATUSES),
        FormField("signed_on", N_("Signed"), "date"),
        FormField("summary", N_("Summary"), "textarea", wide=True),
    ],
    initial=lambda a: {
        "title": a.title,
        "title_zh": a.title_zh,
        "kind": a.kind,
        "status": a.status,
        "signed_on": a.signed_on,
        "summary": a.summary,
    },
    detail_template="registry/agreement.html",
    extra=lambda session, actor, agreement: {
        "may_deliver": allows(session, actor, "agreement.deliver", agreement),
        "recipients": _organisation_names(session, actor),
        "delivery_statuses": labels.DELIVERY_STATUSES,
        "today": date.today(),
    },
)


def _organisation_names(session: Session, actor: Actor) -> dict:
    items, _ = service.list_organisations(session, actor, ListRequest(ALL))
    return {o.id: o for o in items}


ORGANISATIONS = PageSpec(
    resource=RESOURCE["organisations"],
    title=N_("Organisations"),
    singular=N_("Organisation"),
    write_permission="organisation.write",
    columns=[
        Column("name", N_("Name"), local_name, sort="name", link=True),
        Column("short_name", N_("Short name"), plain("short_name")),
        Column("kind", N_("Kind"), label(labels.ORGANISATION_KINDS, "kind"), sort="kind"),
        Column("party", N_("Party"), label(labels.PARTIES, "party_code")),
    ],
    details=[
        DetailRow(N_("Name"), plain("name")),
        DetailRow(N_("Chinese name"), plain("name_zh")),
        DetailRow(N_("Short name"), plain("short_name")),
        DetailRow(N_("Kind"), label(labels.ORGANISATION_KINDS, "kind")),
        DetailRow(N_("Party"), label(labels.PARTIES, "party_code")),
    ],
    fields=[
        FormField("name", N_("Name"), required=True),
        FormField("name_zh", N_("Chinese name")),
        FormField("short_name", N_("Short name")),
        FormField("party", N_("Party"), "select", labels.PARTIES, required=True),
        FormField(
            "kind",
            N_("Kind"),
            "select",
            {k: v for k, v in labels.ORGANISATION_KINDS.items() if k != "unit"},
            required=True,
        ),
        FormField("parent_id", N_("Belongs to"), "select", choices_of("organisations")),
    ],
    initial=lambda o: {
        "name": o.name,
        "name_zh": o.name_zh,
        "short_name": o.short_name,
        "party": o.party_code,
        "kind": o.kind,
        "parent_id": o.parent_id,
    },
)

for spec in (SITES, PERSONS, UNITS, PROJECTS, ASSETS, AGREEMENTS, ORGANISATIONS):
    add_pages(router, spec)


@router.post("/agreements/{agreement_id}/deliveries")
@permits("agreement.deliver")
def add_delivery(
    agreement_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    item_id: Annotated[uuid.UUID, Form()],
    quantity: Annotated[int, Form(ge=1, le=10_000)],
    delivered_on: Annotated[date, Form()],
    recipient_org_id: Annotated[uuid.UUID, Form()],
    registrations: Annotated[str, Form(max_length=200_000)] = "",
):
    """A consignment recorded on the agreement's page (registrations one a line, or none)."""
    plates = [line.strip() for line in registrations.splitlines() if line.strip()] or None
    data = s.DeliveryIn(
        item_id=item_id,
        quantity=quantity,
        delivered_on=delivered_on,
        recipient_org_id=recipient_org_id,
        registrations=plates,
    )
    service.add_delivery(session, actor, agreement_id, data)
    return redirect(f"/agreements/{agreement_id}", request)


@router.post("/agreements/{agreement_id}/deliveries/{delivery_id}/handover")
@permits("agreement.deliver")
def hand_over(
    agreement_id: uuid.UUID,
    delivery_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    actor: PageActor,
    handed_over_on: Annotated[date, Form()],
    received_by: Annotated[str, Form(min_length=1, max_length=200)],
):
    data = s.HandoverIn(handed_over_on=handed_over_on, received_by=received_by)
    service.hand_over(session, actor, agreement_id, delivery_id, data)
    return redirect(f"/agreements/{agreement_id}", request)


# ---- map layers --------------------------------------------------------------------------


@router.get("/map/sites.json")
@signed_in  # a layer of the map everyone has: empty where the policy shows nothing
def site_layer(request: Request, session: SessionDep, actor: PageActor, site: str | None = None):
    """The sites the user may see, as GeoJSON (one site when `site` is given)."""
    t = translator_for(request, actor)
    if not allows(session, actor, "site.read"):
        return JSONResponse({"type": "FeatureCollection", "features": []})
    sites, _ = service.list_sites(session, actor, ListRequest(PageParams(limit=500, offset=0)))
    if site:
        sites = [s for s in sites if str(s.id) == site]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": s.geometry,
                "properties": {
                    "id": str(s.id),
                    "name": s.name,
                    "kind": s.kind,
                    "tier": s.security_tier,
                    "url": f"/sites/{s.id}",
                    "kind_label": t.gettext(labels.SITE_KINDS[s.kind]),
                },
            }
            for s in sites
        ],
    }


@router.get("/map/units.json")
@signed_in  # a layer of the map everyone has: empty where the policy shows nothing
def unit_layer(session: SessionDep, actor: PageActor):
    """Units' areas of responsibility the user may see, as GeoJSON."""
    if not allows(session, actor, "unit.read"):
        return JSONResponse({"type": "FeatureCollection", "features": []})
    units, _ = service.list_units(session, actor, ListRequest(PageParams(limit=500, offset=0)))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": u.area_of_responsibility,
                "properties": {"id": str(u.id), "name": u.node.name, "call_sign": u.call_sign},
            }
            for u in units
            if u.area_of_responsibility
        ],
    }
