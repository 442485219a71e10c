"""HTTP API of the registries: /api/v1/{organisations,projects,sites,persons,units,assets,agreements}."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, check_if_match, etag
from jsms.core.schemas import Page, PageParams, page_params
from jsms.registry import schemas as s
from jsms.registry import service
from jsms.registry.models import Agreement, Asset, Project, ProtectedPerson, Site

router = APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute)
PageDep = Annotated[PageParams, Depends(page_params)]
Text = Annotated[str | None, Query(max_length=200, description="Words to find in names")]
Sort = Annotated[str | None, Query(max_length=40, description="Field to sort by; prefix '-' for descending")]
Province = Annotated[str | None, Query(pattern=r"^PK-(BA|GB|IS|JK|KP|PB|SD)$")]
NO_CONTENT = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}


def _page(items, total: int, page: PageParams, view=None) -> dict:
    return {
        "items": [view(i) for i in items] if view else items,
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }


def _tagged(response: Response, obj):
    response.headers["ETag"] = etag(obj.version)
    return obj


# ---- organisations -----------------------------------------------------------------------


@router.get("/organisations", response_model=Page[s.OrganisationRead], tags=["registry"])
def list_organisations(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Text = None,
    sort: Sort = None,
    kind: str | None = None,
    party: s.PARTY_CODES | None = None,
    parent_id: uuid.UUID | None = None,
):
    query = service.ListQuery(page, q, {"kind": kind, "parent_id": parent_id}, sort)
    return _page(*service.list_organisations(session, actor, query, party), page)


@router.post("/organisations", response_model=s.OrganisationRead, status_code=201, tags=["registry"])
def create_organisation(data: s.OrganisationCreate, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.create_organisation(session, actor, data))


@router.get("/organisations/{org_id}", response_model=s.OrganisationRead, tags=["registry"])
def get_organisation(org_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.get_organisation_visible(session, actor, org_id))


@router.patch("/organisations/{org_id}", response_model=s.OrganisationRead, tags=["registry"])
def update_organisation(
    org_id: uuid.UUID,
    data: s.OrganisationUpdate,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
):
    check_if_match(request, service.get_organisation_visible(session, actor, org_id).version)
    return _tagged(response, service.update_organisation(session, actor, org_id, data))


# ---- projects ----------------------------------------------------------------------------


@router.get("/projects", response_model=Page[s.ProjectRead], tags=["registry"])
def list_projects(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Text = None,
    sort: Sort = None,
    programme: s.PROGRAMMES | None = None,
    sector: s.PROJECT_SECTORS | None = None,
    status: s.PROJECT_STATUSES | None = None,
):
    query = service.ListQuery(page, q, {"programme": programme, "sector": sector, "status": status}, sort)
    return _page(*service.list_projects(session, actor, query), page)


@router.post("/projects", response_model=s.ProjectRead, status_code=201, tags=["registry"])
def create_project(data: s.ProjectCreate, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.create_project(session, actor, data))


@router.get("/projects/{project_id}", response_model=s.ProjectRead, tags=["registry"])
def get_project(project_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.get_visible(session, actor, Project, project_id))


@router.patch("/projects/{project_id}", response_model=s.ProjectRead, tags=["registry"])
def update_project(
    project_id: uuid.UUID,
    data: s.ProjectUpdate,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
):
    check_if_match(request, service.get_visible(session, actor, Project, project_id).version)
    return _tagged(response, service.update_project(session, actor, project_id, data))


@router.delete("/projects/{project_id}", tags=["registry"], **NO_CONTENT)
def delete_project(project_id: uuid.UUID, session: SessionDep, actor: ActorDep, request: Request):
    check_if_match(request, service.get_visible(session, actor, Project, project_id).version)
    service.delete(session, actor, Project, project_id)


# ---- sites -------------------------------------------------------------------------------


@router.get("/sites", response_model=Page[s.SiteRead], tags=["registry"])
def list_sites(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Text = None,
    sort: Sort = None,
    kind: s.SITE_KINDS | None = None,
    province: Province = None,
    project_id: uuid.UUID | None = None,
    security_tier: Annotated[int | None, Query(ge=1, le=3)] = None,
):
    filters = {
        "kind": kind,
        "province": province,
        "project_id": project_id,
        "security_tier": security_tier,
    }
    return _page(*service.list_sites(session, actor, service.ListQuery(page, q, filters, sort)), page)


@router.post("/sites", response_model=s.SiteRead, status_code=201, tags=["registry"])
def create_site(data: s.SiteCreate, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.create_site(session, actor, data))


@router.get("/sites/{site_id}", response_model=s.SiteRead, tags=["registry"])
def get_site(site_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.get_site(session, actor, site_id))


@router.patch("/sites/{site_id}", response_model=s.SiteRead, tags=["registry"])
def update_site(
    site_id: uuid.UUID,
    data: s.SiteUpdate,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
):
    check_if_match(request, service.get_site(session, actor, site_id).version)
    return _tagged(response, service.update_site(session, actor, site_id, data))


@router.delete("/sites/{site_id}", tags=["registry"], **NO_CONTENT)
def delete_site(site_id: uuid.UUID, session: SessionDep, actor: ActorDep, request: Request):
    check_if_match(request, service.get_site(session, actor, site_id).version)
    service.delete(session, actor, Site, site_id)


@router.get("/sites/{site_id}/persons", response_model=list[s.PersonRead], tags=["registry"])
def site_persons(site_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return service.site_people(session, actor, service.get_site(session, actor, site_id))


# ---- protected persons -------------------------------------------------------------------


@router.get("/persons", response_model=Page[s.PersonRead], tags=["registry"])
def list_persons(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Text = None,
    sort: Sort = None,
    nationality: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    site_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    employer_org_id: uuid.UUID | None = None,
    status: s.PERSON_STATUSES | None = None,
):
    filters = {
        "nationality": nationality,
        "site_id": site_id,
        "project_id": project_id,
        "employer_org_id": employer_org_id,
        "status": status,
    }
    return _page(*service.list_persons(session, actor, service.ListQuery(page, q, filters, sort)), page)


def _person_out(session, actor, person: ProtectedPerson) -> s.PersonDetail:
    public = s.PersonRead.model_validate(person).model_dump()
    revealed = service.personal_data(session, actor, person)
    if revealed is None:
        return s.PersonDetail(**public)
    return s.PersonDetail(**public, **revealed, personal_data_withheld=False)


@router.post("/persons", response_model=s.PersonDetail, status_code=201, tags=["registry"])
def create_person(data: s.PersonCreate, session: SessionDep, actor: ActorDep, response: Response):
    person = service.create_person(session, actor, data)
    response.headers["ETag"] = etag(person.version)
    return _person_out(session, actor, person)


@router.get("/persons/{person_id}", response_model=s.PersonDetail, tags=["registry"])
def get_person(person_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
    person = service.get_person(session, actor, person_id)
    response.headers["ETag"] = etag(person.version)
    return _person_out(session, actor, person)


@router.patch("/persons/{person_id}", response_model=s.PersonDetail, tags=["registry"])
def update_person(
    person_id: uuid.UUID,
    data: s.PersonUpdate,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
):
    check_if_match(request, service.get_person(session, actor, person_id).version)
    person = service.update_person(session, actor, person_id, data)
    response.headers["ETag"] = etag(person.version)
    return _person_out(session, actor, person)


@router.delete("/persons/{person_id}", tags=["registry"], **NO_CONTENT)
def delete_person(person_id: uuid.UUID, session: SessionDep, actor: ActorDep, request: Request):
    check_if_match(request, service.get_person(session, actor, person_id).version)
    service.delete(session, actor, ProtectedPerson, person_id)


# ---- units -------------------------------------------------------------------------------


@router.get("/units", response_model=Page[s.UnitRead], tags=["registry"])
def list_units(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Text = None,
    sort: Sort = None,
    kind: s.UNIT_KINDS | None = None,
    province: Province = None,
):
    query = service.ListQuery(page, q, {"kind": kind, "province": province}, sort)
    return _page(*service.list_units(session, actor, query), page, service.unit_view)


@router.post("/units", response_model=s.UnitRead, status_code=201, tags=["registry"])
def create_unit(data: s.UnitCreate, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.unit_view(service.create_unit(session, actor, data)))


@router.get("/units/{unit_id}", response_model=s.UnitRead, tags=["registry"])
def get_unit(unit_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.unit_view(service.get_unit(session, actor, unit_id)))


@router.patch("/units/{unit_id}", response_model=s.UnitRead, tags=["registry"])
def update_unit(
    unit_id: uuid.UUID,
    data: s.UnitUpdate,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
):
    check_if_match(request, service.get_unit(session, actor, unit_id).version)
    return _tagged(response, service.unit_view(service.update_unit(session, actor, unit_id, data)))


@router.delete("/units/{unit_id}", tags=["registry"], **NO_CONTENT)
def delete_unit(unit_id: uuid.UUID, session: SessionDep, actor: ActorDep, request: Request):
    check_if_match(request, service.get_unit(session, actor, unit_id).version)
    service.delete_unit(session, actor, unit_id)


# ---- agreements --------------------------------------------------------------------------


@router.get("/agreements", response_model=Page[s.AgreementRead], tags=["registry"])
def list_agreements(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Text = None,
    sort: Sort = None,
    kind: s.AGREEMENT_KINDS | None = None,
    status: s.AGREEMENT_STATUSES | None = None,
):
    query = service.ListQuery(page, q, {"kind": kind, "status": status}, sort)
    return _page(*service.list_agreements(session, actor, query), page)


@router.post("/agreements", response_model=s.AgreementRead, status_code=201, tags=["registry"])
def create_agreement(data: s.AgreementCreate, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.create_agreement(session, actor, data))


@router.get("/agreements/{agreement_id}", response_model=s.AgreementRead, tags=["registry"])
def get_agreement(agreement_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.get_agreement(session, actor, agreement_id))


@router.patch("/agreements/{agreement_id}", response_model=s.AgreementRead, tags=["registry"])
def update_agreement(
    agreement_id: uuid.UUID,
    data: s.AgreementUpdate,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
):
    check_if_match(request, service.get_agreement(session, actor, agreement_id).version)
    return _tagged(response, service.update_agreement(session, actor, agreement_id, data))


@router.delete("/agreements/{agreement_id}", tags=["registry"], **NO_CONTENT)
def delete_agreement(agreement_id: uuid.UUID, session: SessionDep, actor: ActorDep, request: Request):
    check_if_match(request, service.get_agreement(session, actor, agreement_id).version)
    service.delete(session, actor, Agreement, agreement_id)


# ---- assets ------------------------------------------------------------------------------


@router.get("/assets", response_model=Page[s.AssetRead], tags=["registry"])
def list_assets(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    q: Text = None,
    sort: Sort = None,
    kind: s.ASSET_KINDS | None = None,
    status: s.ASSET_STATUSES | None = None,
    agreement_id: uuid.UUID | None = None,
    owner_org_id: uuid.UUID | None = None,
):
    filters = {
        "kind": kind,
        "status": status,
        "agreement_id": agreement_id,
        "owner_org_id": owner_org_id,
    }
    return _page(*service.list_assets(session, actor, service.ListQuery(page, q, filters, sort)), page)


@router.post("/assets", response_model=s.AssetRead, status_code=201, tags=["registry"])
def create_asset(data: s.AssetCreate, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.create_asset(session, actor, data))


@router.get("/assets/{asset_id}", response_model=s.AssetRead, tags=["registry"])
def get_asset(asset_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
    return _tagged(response, service.get_asset(session, actor, asset_id))


@router.patch("/assets/{asset_id}", response_model=s.AssetRead, tags=["registry"])
def update_asset(
    asset_id: uuid.UUID,
    data: s.AssetUpdate,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
):
    check_if_match(request, service.get_asset(session, actor, asset_id).version)
    return _tagged(response, service.update_asset(session, actor, asset_id, data))


@router.delete("/assets/{asset_id}", tags=["registry"], **NO_CONTENT)
def delete_asset(asset_id: uuid.UUID, session: SessionDep, actor: ActorDep, request: Request):
    check_if_match(request, service.get_asset(session, actor, asset_id).version)
    service.delete(session, actor, Asset, asset_id)
