"""Registry logic: projects, sites, protected persons, units, assets, agreements, organisations.

Every function takes the session and the acting user, checks the policy, and returns
domain objects; it never commits (the caller owns the unit of work).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pypinyin import Style, lazy_pinyin
from shapely import geometry as shapes
from shapely.validation import explain_validity
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.audit import record_access
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, Forbidden, NotFound, invalid_field
from jsms.core.i18n import N_
from jsms.core.marking import Marked, Tlp
from jsms.core.models import Organisation
from jsms.core.parties import add_organisation, get_organisation, move_organisation
from jsms.core.policy import active_policy, allows, get_visible, require, visible
from jsms.geo.provinces import place_point
from jsms.registry import schemas as s
from jsms.registry.models import (
    Agreement,
    AgreementItem,
    Asset,
    Delivery,
    Project,
    ProtectedPerson,
    Site,
    Unit,
)


def _assign(obj: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def _check_references(session: Session, values: dict[str, Any], targets: dict[str, Any]) -> None:
    """Refuse, naming the field, an id that points at no stored record (field → model it refers to)."""
    for field, model in targets.items():
        object_id = values.get(field)
        if object_id is not None and session.get(model, object_id) is None:
            raise invalid_field(
                field,
                N_("no %(kind)s with id %(id)s"),
                kind=model.__tablename__.replace("_", " "),
                id=object_id,
            )


def _mark_new(session: Session, actor: Actor, obj: Marked, marking: s.Marking, kind: str) -> None:
    """Give a new shareable object its marking: as asked, else the policy's default for its kind."""
    policy = active_policy(session)
    obj.tlp = (marking.tlp or policy.default_markings.get(kind, Tlp.GREEN)).value
    obj.owner_party = actor.party
    obj.release_to = list(marking.release_to or [])


def _remark(obj: Marked, changes: dict[str, Any]) -> None:
    if changes.get("tlp") is not None:
        obj.tlp = Tlp(changes["tlp"]).value
    if "release_to" in changes:
        obj.release_to = list(changes["release_to"] or [])


def delete(session: Session, actor: Actor, model: Any, object_id: uuid.UUID) -> None:
    obj = get_visible(session, actor, model, object_id)
    require(session, actor, f"{model.__policy_name__}.write", obj)
    session.delete(obj)
    session.flush()


# ---- organisations -----------------------------------------------------------------------


def list_organisations(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Organisation], int]:
    filters = dict(query.filters or {})
    party = filters.pop("party", None)
    query = ListRequest(query.page, query.q, filters, query.sort)
    stmt = select(Organisation)
    if party:
        stmt = stmt.where(Organisation.path.startswith(f"/{party}/"))
    return list_page(
        session,
        actor,
        Organisation,
        query,
        text_columns=("name", "name_zh", "short_name"),
        sortable=("name", "kind", "created_at"),
        default_sort="name",
        stmt=stmt,
    )


def get_project(session: Session, actor: Actor, project_id: uuid.UUID) -> Project:
    return get_visible(session, actor, Project, project_id)


def get_organisation_visible(session: Session, actor: Actor, org_id: uuid.UUID) -> Organisation:
    return get_visible(session, actor, Organisation, org_id)


def create_organisation(session: Session, actor: Actor, data: s.OrganisationCreate) -> Organisation:
    return add_organisation(
        session,
        actor,
        party=data.party,
        kind=data.kind,
        name=data.name,
        parent_id=data.parent_id,
        name_zh=data.name_zh,
        name_ur=data.name_ur,
        short_name=data.short_name,
    )


def update_organisation(
    session: Session, actor: Actor, org_id: uuid.UUID, data: s.OrganisationUpdate
) -> Organisation:
    org = get_visible(session, actor, Organisation, org_id)
    require(session, actor, "organisation.write" if org.kind != "unit" else "unit.write")
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        move_organisation(session, org, changes.pop("parent_id"))
    _assign(org, changes)
    session.flush()
    return org


# ---- projects ----------------------------------------------------------------------------


def list_projects(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Project], int]:
    return list_page(
        session,
        actor,
        Project,
        query,
        text_columns=("name", "name_zh"),
        sortable=("name", "programme", "sector", "status", "created_at"),
        default_sort="name",
    )


def create_project(session: Session, actor: Actor, data: s.ProjectCreate) -> Project:
    _check_references(session, data.model_dump(), {"sponsor_org_id": Organisation})
    project = Project(**data.model_dump())
    require(session, actor, "project.write", project)
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, actor: Actor, project_id: uuid.UUID, data: s.ProjectUpdate) -> Project:
    project = get_visible(session, actor, Project, project_id)
    require(session, actor, "project.write", project)
    changes = data.model_dump(exclude_unset=True)
    _check_references(session, changes, {"sponsor_org_id": Organisation})
    _assign(project, changes)
    require(session, actor, "project.write", project)
    session.flush()
    return project


# ---- sites -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    geometry: dict[str, Any]
    lat: float
    lon: float
    h3_cell: str
    province: str
    district: str | None


def locate(lat: float | None, lon: float | None, geometry: s.Geometry | None) -> Location:
    """Turn a site's point or polygon into its representative point, cell, province and district."""
    if geometry is not None:
        shape = shapes.shape(geometry.model_dump())
        if not shape.is_valid:
            raise invalid_field(
                "geometry", N_("the polygon is not valid: %(reason)s"), reason=explain_validity(shape)
            )
        point = shape.representative_point()
        lat, lon, field = point.y, point.x, "geometry"
        geojson = geometry.model_dump()
    else:
        field = "lat"
        geojson = {"type": "Point", "coordinates": [lon, lat]}
    where = place_point(lat, lon)
    if where is None:
        raise invalid_field(
            field, N_("the location %(lat).5f, %(lon).5f is outside Pakistan"), lat=lat, lon=lon
        )
    return Location(
        geojson, lat, lon, where.h3_cell, where.province.code, where.district.name if where.district else None
    )


SITE_REFERENCES = {"project_id": Project, "guarding_unit_id": Unit, "owner_org_id": Organisation}


def list_sites(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Site], int]:
    return list_page(
        session,
        actor,
        Site,
        query,
        text_columns=("name", "name_zh", "district"),
        sortable=("name", "kind", "province", "district", "security_tier", "created_at"),
        default_sort="name",
    )


def get_site(session: Session, actor: Actor, site_id: uuid.UUID) -> Site:
    return get_visible(session, actor, Site, site_id)


def record_site_assessment(session: Session, site_id: uuid.UUID, score: float | None, on: date) -> None:
    """Keep the score of a site's latest final joint assessment (an older one never replaces it)."""
    site = session.get(Site, site_id)
    if site is not None and (site.assessed_on is None or on >= site.assessed_on):
        site.assessment_score, site.assessed_on = score, on
        session.flush()


def create_site(session: Session, actor: Actor, data: s.SiteCreate) -> Site:
    values = data.model_dump(exclude={"lat", "lon", "geometry", "tlp", "release_to", "district"})
    _check_references(session, values, SITE_REFERENCES)
    where = locate(data.lat, data.lon, data.geometry)
    site = Site(
        **values,
        geometry=where.geometry,
        lat=where.lat,
        lon=where.lon,
        h3_cell=where.h3_cell,
        province=where.province,
        district=data.district or where.district,
    )
    site.notes = site.notes or ""
    if site.owner_org_id is None and actor.organisation_id is not None:
        site.owner_org_id = actor.organisation_id
    _mark_new(session, actor, site, data, "site")
    require(session, actor, "site.write", site)
    session.add(site)
    session.flush()
    return site


def update_site(session: Session, actor: Actor, site_id: uuid.UUID, data: s.SiteUpdate) -> Site:
    site = get_visible(session, actor, Site, site_id)
    require(session, actor, "site.write", site)
    changes = data.model_dump(exclude_unset=True)
    _check_references(session, changes, SITE_REFERENCES)
    if changes.get("lat") is not None or changes.get("geometry") is not None:
        where = locate(changes.get("lat"), changes.get("lon"), data.geometry)
        _assign(
            site,
            {
                "geometry": where.geometry,
                "lat": where.lat,
                "lon": where.lon,
                "h3_cell": where.h3_cell,
                "province": where.province,
                "district": changes.get("district") or where.district,
            },
        )
    _remark(site, changes)
    for name in ("lat", "lon", "geometry", "tlp", "release_to"):
        changes.pop(name, None)
    _assign(site, changes)
    require(session, actor, "site.write", site)
    session.flush()
    return site


def site_people(session: Session, actor: Actor, site: Site) -> list[ProtectedPerson]:
    """The protected persons attached to a site that the actor may see."""
    if not allows(session, actor, "person.read"):
        return []
    stmt = visible(
        select(ProtectedPerson).where(ProtectedPerson.site_id == site.id),
        session,
        actor,
        ProtectedPerson,
    )
    return list(session.scalars(stmt.order_by(ProtectedPerson.full_name)).unique())


# ---- protected persons -------------------------------------------------------------------


def pinyin_of(hanzi: str) -> str:
    """Romanise a Chinese name, surname first: '张伟' → 'Zhang Wei'."""
    syllables = lazy_pinyin(hanzi, style=Style.NORMAL, errors="ignore")
    if not syllables:
        return ""
    return " ".join([syllables[0].capitalize(), "".join(syllables[1:]).capitalize()]).strip()


PERSON_REFERENCES = {"employer_org_id": Organisation, "project_id": Project, "site_id": Site}


def list_persons(session: Session, actor: Actor, query: ListRequest) -> tuple[list[ProtectedPerson], int]:
    return list_page(
        session,
        actor,
        ProtectedPerson,
        query,
        text_columns=("full_name", "name_hanzi", "name_pinyin"),
        sortable=("full_name", "nationality", "status", "created_at"),
        default_sort="full_name",
    )


def get_person(session: Session, actor: Actor, person_id: uuid.UUID) -> ProtectedPerson:
    return get_visible(session, actor, ProtectedPerson, person_id)


def create_person(session: Session, actor: Actor, data: s.PersonCreate) -> ProtectedPerson:
    values = data.model_dump()
    _check_references(session, values, PERSON_REFERENCES)
    if values.get("name_hanzi") and not values.get("name_pinyin"):
        values["name_pinyin"] = pinyin_of(values["name_hanzi"])
    values["status"] = values.get("status") or "in_country"
    person = ProtectedPerson(**values)
    if person.consent_to_tracking:
        person.consent_recorded_at = utcnow()
    if person.employer_org_id is None and actor.role == "company_security_manager":
        person.employer_org_id = actor.organisation_id
    require(session, actor, "person.write", person)
    session.add(person)
    session.flush()
    return person


def update_person(
    session: Session, actor: Actor, person_id: uuid.UUID, data: s.PersonUpdate
) -> ProtectedPerson:
    person = get_visible(session, actor, ProtectedPerson, person_id)
    require(session, actor, "person.write", person)
    changes = data.model_dump(exclude_unset=True)
    _check_references(session, changes, PERSON_REFERENCES)
    if changes.get("name_hanzi") and "name_pinyin" not in changes:
        changes["name_pinyin"] = pinyin_of(changes["name_hanzi"])
    if changes.get("consent_to_tracking") and not person.consent_to_tracking:
        person.consent_recorded_at = utcnow()
    elif changes.get("consent_to_tracking") is False:
        person.consent_recorded_at = None
    _assign(person, changes)
    require(session, actor, "person.write", person)
    session.flush()
    return person


def personal_data(session: Session, actor: Actor, person: ProtectedPerson) -> dict[str, str | None] | None:
    """The person's encrypted fields, if the policy lets the actor see them; the read is audited."""
    try:
        require(session, actor, "person.read_personal", person)
    except Forbidden:
        return None
    fields = {name: getattr(person, name) for name in ProtectedPerson.PERSONAL_FIELDS}
    record_access(
        session,
        "protected_person.read_personal",
        "protected_person",
        person.id,
        [name for name, value in fields.items() if value is not None],
    )
    return fields


# ---- units -------------------------------------------------------------------------------


def list_units(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Unit], int]:
    stmt = select(Unit).join(Unit.node)
    if query.q:
        pattern = f"%{query.q.strip()}%"
        stmt = stmt.where(or_(Organisation.name.ilike(pattern), Unit.call_sign.ilike(pattern)))
    plain = ListRequest(page=query.page, filters=query.filters, sort=query.sort)
    return list_page(
        session,
        actor,
        Unit,
        plain,
        text_columns=(),
        stmt=stmt,
        sortable=("kind", "province", "strength", "created_at"),
        default_sort="kind",
    )


def get_unit(session: Session, actor: Actor, unit_id: uuid.UUID) -> Unit:
    return get_visible(session, actor, Unit, unit_id)


UNIT_NODE_FIELDS = ("name", "name_zh", "name_ur", "short_name")


def create_unit(session: Session, actor: Actor, data: s.UnitCreate) -> Unit:
    require(session, actor, "unit.write")
    parent = get_organisation(session, data.parent_id) if data.parent_id else None
    if parent is None:
        raise invalid_field("parent_id", N_("no organisation with id %(id)s"), id=data.parent_id)
    node = add_organisation(
        session,
        actor,
        party=parent.party.code,
        kind="unit",
        name=data.name,
        parent_id=parent.id,
        name_zh=data.name_zh,
        name_ur=data.name_ur,
        short_name=data.short_name,
    )
    values = data.model_dump(exclude={"parent_id", "tlp", "release_to", *UNIT_NODE_FIELDS})
    unit = Unit(id=node.id, node=node, **values)
    _mark_new(session, actor, unit, data, "unit")
    session.add(unit)
    session.flush()
    return unit


def update_unit(session: Session, actor: Actor, unit_id: uuid.UUID, data: s.UnitUpdate) -> Unit:
    unit = get_visible(session, actor, Unit, unit_id)
    require(session, actor, "unit.write", unit)
    changes = data.model_dump(exclude_unset=True)
    _assign(unit.node, {k: changes.pop(k) for k in UNIT_NODE_FIELDS if k in changes})
    _remark(unit, changes)
    changes.pop("tlp", None)
    changes.pop("release_to", None)
    _assign(unit, changes)
    session.flush()
    return unit


def delete_unit(session: Session, actor: Actor, unit_id: uuid.UUID) -> None:
    unit = get_visible(session, actor, Unit, unit_id)
    require(session, actor, "unit.write", unit)
    node = unit.node
    session.delete(unit)
    session.flush()
    session.delete(node)
    session.flush()


def unit_view(unit: Unit) -> s.UnitRead:
    node = unit.node
    return s.UnitRead(
        id=unit.id,
        name=node.name,
        name_zh=node.name_zh,
        name_ur=node.name_ur,
        short_name=node.short_name,
        kind=unit.kind,
        parent_id=node.parent_id,
        call_sign=unit.call_sign,
        strength=unit.strength,
        province=unit.province,
        hq_lat=unit.hq_lat,
        hq_lon=unit.hq_lon,
        area_of_responsibility=unit.area_of_responsibility,
        marking=s.MarkingRead(**unit.marking),
        version=unit.version,
    )


# ---- agreements --------------------------------------------------------------------------


def list_agreements(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Agreement], int]:
    return list_page(
        session,
        actor,
        Agreement,
        query,
        text_columns=("title", "title_zh", "summary"),
        sortable=("title", "signed_on", "kind", "status", "created_at"),
        default_sort="-signed_on",
    )


def get_agreement(session: Session, actor: Actor, agreement_id: uuid.UUID) -> Agreement:
    return get_visible(session, actor, Agreement, agreement_id)


def _items(items: list[s.AgreementItemIn]) -> list[AgreementItem]:
    return [AgreementItem(position=i, **item.model_dump()) for i, item in enumerate(items)]


def create_agreement(session: Session, actor: Actor, data: s.AgreementCreate) -> Agreement:
    require(session, actor, "agreement.write")
    agreement = Agreement(**data.model_dump(exclude={"items", "tlp", "release_to"}), items=_items(data.items))
    _mark_new(session, actor, agreement, data, "agreement")
    session.add(agreement)
    session.flush()
    return agreement


def update_agreement(
    session: Session, actor: Actor, agreement_id: uuid.UUID, data: s.AgreementUpdate
) -> Agreement:
    agreement = get_visible(session, actor, Agreement, agreement_id)
    require(session, actor, "agreement.write", agreement)
    changes = data.model_dump(exclude_unset=True)
    if "items" in changes:
        changes.pop("items")
        if any(item.deliveries for item in agreement.items):
            raise Conflict(
                "Equipment of this agreement has been delivered; its items can no longer be replaced"
            )
        agreement.items = _items(data.items or [])
    _remark(agreement, changes)
    changes.pop("tlp", None)
    changes.pop("release_to", None)
    _assign(agreement, changes)
    session.flush()
    return agreement


def add_delivery(session: Session, actor: Actor, agreement_id: uuid.UUID, data: s.DeliveryIn) -> Delivery:
    """A consignment of one of the agreement's items: each piece enters the asset registry as
    delivered, owned by the recipient, until the handover puts it into service."""
    agreement = get_agreement(session, actor, agreement_id)
    require(session, actor, "agreement.deliver", agreement)
    item = next((i for i in agreement.items if i.id == data.item_id), None)
    if item is None:
        raise invalid_field("item_id", N_("the agreement has no such item"))
    outstanding = item.quantity - item.delivered
    if data.quantity > outstanding:
        raise invalid_field(
            "quantity", N_("only %(left)s of this item remain to be delivered"), left=outstanding
        )
    if session.get(Organisation, data.recipient_org_id) is None:
        raise invalid_field("recipient_org_id", N_("no such organisation"))
    registrations = data.registrations or [None] * data.quantity
    taken = [
        r for r in registrations if r and session.scalar(select(Asset.id).where(Asset.registration == r))
    ]
    if taken:
        raise Conflict(f"An asset with registration {taken[0]} is on the register already")
    first = item.delivered  # pieces are numbered on from those delivered before
    unit_id = data.recipient_org_id if session.get(Unit, data.recipient_org_id) else None  # a unit uses them
    delivery = Delivery(**data.model_dump(exclude={"registrations"}), item=item, recorded_by=actor.username)
    delivery.assets = [
        Asset(
            kind=item.asset_kind or "other",
            name=f"{item.description} {first + n} ({agreement.title[:60]})",
            registration=registration,
            status="delivered",
            owner_org_id=data.recipient_org_id,
            agreement_id=agreement.id,
            assigned_unit_id=unit_id,
            notes="",
        )
        for n, registration in enumerate(registrations, start=1)
    ]
    session.add(delivery)
    session.flush()
    return delivery


def hand_over(
    session: Session, actor: Actor, agreement_id: uuid.UUID, delivery_id: uuid.UUID, data: s.HandoverIn
) -> Delivery:
    """The recipient signs for a consignment: its assets go into service."""
    agreement = get_agreement(session, actor, agreement_id)
    require(session, actor, "agreement.deliver", agreement)
    delivery = next((d for i in agreement.items for d in i.deliveries if d.id == delivery_id), None)
    if delivery is None:
        raise NotFound(f"The agreement has no delivery {delivery_id}")
    if delivery.status == "handed_over":
        raise Conflict(f"The delivery was handed over on {delivery.handed_over_on}")
    if data.handed_over_on < delivery.delivered_on:
        raise invalid_field("handed_over_on", N_("a handover cannot come before the delivery"))
    delivery.status, delivery.handed_over_on, delivery.received_by = (
        "handed_over",
        data.handed_over_on,
        data.received_by,
    )
    for asset in delivery.assets:
        if asset.status == "delivered":
            asset.status = "in_service"
    session.flush()
    return delivery


# ---- assets ------------------------------------------------------------------------------


ASSET_REFERENCES = {"owner_org_id": Organisation, "agreement_id": Agreement, "assigned_unit_id": Unit}


def list_assets(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Asset], int]:
    return list_page(
        session,
        actor,
        Asset,
        query,
        text_columns=("name", "registration"),
        sortable=("name", "kind", "status", "created_at"),
        default_sort="name",
    )


def get_asset(session: Session, actor: Actor, asset_id: uuid.UUID) -> Asset:
    return get_visible(session, actor, Asset, asset_id)


def create_asset(session: Session, actor: Actor, data: s.AssetCreate) -> Asset:
    values = data.model_dump()
    _check_references(session, values, ASSET_REFERENCES)
    values["notes"] = values.get("notes") or ""
    asset = Asset(**values)
    require(session, actor, "asset.write", asset)
    session.add(asset)
    session.flush()
    return asset


def update_asset(session: Session, actor: Actor, asset_id: uuid.UUID, data: s.AssetUpdate) -> Asset:
    asset = get_visible(session, actor, Asset, asset_id)
    require(session, actor, "asset.write", asset)
    changes = data.model_dump(exclude_unset=True)
    _check_references(session, changes, ASSET_REFERENCES)
    _assign(asset, changes)
    session.flush()
    return asset


# ---- retention ---------------------------------------------------------------------------

# What is erased of a person who has left: identity and contact details, kept encrypted until then.
ERASABLE_PERSON_FIELDS = (*ProtectedPerson.PERSONAL_FIELDS, "emergency_contact_name")


def erase_departed_persons(session: Session, before: datetime) -> list[uuid.UUID]:
    """Erase the personal data of persons departed and unchanged since before `before`; their
    names and history stay. Each erasure is an audited change of the person (values redacted)."""
    holding = or_(*(getattr(ProtectedPerson, name).is_not(None) for name in ERASABLE_PERSON_FIELDS))
    persons = session.scalars(
        select(ProtectedPerson).where(
            ProtectedPerson.status == "departed", ProtectedPerson.updated_at < before, holding
        )
    ).all()
    for person in persons:
        for name in ERASABLE_PERSON_FIELDS:
            setattr(person, name, None)
    session.flush()
    return [person.id for person in persons]
