"""HTTP API of the registries: /api/v1/{organisations,projects,sites,persons,units,assets,agreements}."""

import uuid

from fastapi import APIRouter

from jsms.core.crud import Resource, add_routes
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.core.schemas import with_personal_data
from jsms.registry import schemas as s
from jsms.registry import service
from jsms.registry.models import Agreement, Asset, Project, ProtectedPerson, Site

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)


def _removal(model):
    return lambda session, actor, object_id: service.delete(session, actor, model, object_id)


def _person_view(session, actor, person: ProtectedPerson) -> s.PersonDetail:
    """A person with personal data only where the policy allows (that read is audited)."""
    public = s.PersonRead.model_validate(person)
    return with_personal_data(s.PersonDetail, public, service.personal_data(session, actor, person))


RESOURCES = (
    Resource(
        "organisations",
        "registry",
        s.OrganisationRead,
        s.OrganisationCreate,
        s.OrganisationUpdate,
        s.OrganisationParams,
        service.list_organisations,
        service.get_organisation_visible,
        service.create_organisation,
        service.update_organisation,
        access=("organisation.read", "organisation.write"),
    ),
    Resource(
        "projects",
        "registry",
        s.ProjectRead,
        s.ProjectCreate,
        s.ProjectUpdate,
        s.ProjectParams,
        service.list_projects,
        service.get_project,
        service.create_project,
        service.update_project,
        remove=_removal(Project),
        access=("project.read", "project.write"),
    ),
    Resource(
        "sites",
        "registry",
        s.SiteRead,
        s.SiteCreate,
        s.SiteUpdate,
        s.SiteParams,
        service.list_sites,
        service.get_site,
        service.create_site,
        service.update_site,
        remove=_removal(Site),
        access=("site.read", "site.write"),
    ),
    Resource(
        "persons",
        "registry",
        s.PersonRead,
        s.PersonCreate,
        s.PersonUpdate,
        s.PersonParams,
        service.list_persons,
        service.get_person,
        service.create_person,
        service.update_person,
        remove=_removal(ProtectedPerson),
        view=_person_view,
        detail=s.PersonDetail,
        access=("person.read", "person.write"),
    ),
    Resource(
        "units",
        "registry",
        s.UnitRead,
        s.UnitCreate,
        s.UnitUpdate,
        s.UnitParams,
        service.list_units,
        service.get_unit,
        service.create_unit,
        service.update_unit,
        remove=service.delete_unit,
        view=lambda _session, _actor, unit: service.unit_view(unit),
        access=("unit.read", "unit.write"),
    ),
    Resource(
        "agreements",
        "registry",
        s.AgreementRead,
        s.AgreementCreate,
        s.AgreementUpdate,
        s.AgreementParams,
        service.list_agreements,
        service.get_agreement,
        service.create_agreement,
        service.update_agreement,
        remove=_removal(Agreement),
        access=("agreement.read", "agreement.write"),
    ),
    Resource(
        "assets",
        "registry",
        s.AssetRead,
        s.AssetCreate,
        s.AssetUpdate,
        s.AssetParams,
        service.list_assets,
        service.get_asset,
        service.create_asset,
        service.update_asset,
        remove=_removal(Asset),
        access=("asset.read", "asset.write"),
    ),
)

for resource in RESOURCES:
    add_routes(router, resource)


@router.get("/sites/{site_id}/persons", response_model=list[s.PersonRead], tags=["registry"])
@permits("site.read", "person.read")
def site_persons(site_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """The protected persons attached to a site (those the caller may see)."""
    return service.site_people(session, actor, service.get_site(session, actor, site_id))


@router.post(
    "/agreements/{agreement_id}/deliveries", response_model=s.DeliveryRead, status_code=201, tags=["registry"]
)
@permits("agreement.deliver")
def add_delivery(agreement_id: uuid.UUID, data: s.DeliveryIn, session: SessionDep, actor: ActorDep):
    """A consignment of one item: its pieces enter the asset registry as delivered."""
    return service.add_delivery(session, actor, agreement_id, data)


@router.post(
    "/agreements/{agreement_id}/deliveries/{delivery_id}/handover",
    response_model=s.DeliveryRead,
    tags=["registry"],
)
@permits("agreement.deliver")
def hand_over(
    agreement_id: uuid.UUID, delivery_id: uuid.UUID, data: s.HandoverIn, session: SessionDep, actor: ActorDep
):
    """The recipient signs for the consignment; its assets go into service."""
    return service.hand_over(session, actor, agreement_id, delivery_id, data)
