"""HTTP API of the gazetteer: find places by name, and the province and district of a point."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.core.policy import require
from jsms.geo import gazetteer
from jsms.geo.provinces import PROVINCES, district_at, province_at

router = APIRouter(prefix="/api/v1/geo", route_class=UnitOfWorkRoute, tags=["geo"])


class PlaceOut(BaseModel):
    model_config = {"from_attributes": True}

    geonameid: int
    name: str
    lat: float
    lon: float
    population: int
    province: str | None
    district: str | None


class ProvinceOut(BaseModel):
    model_config = {"from_attributes": True}

    code: str
    name: str
    name_zh: str
    name_ur: str


class LocationOut(BaseModel):
    lat: float
    lon: float
    province: ProvinceOut | None
    district: str | None
    nearest_place: PlaceOut | None


@router.get("/places", response_model=list[PlaceOut])
@permits("gazetteer.read")
def search_places(
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    province: Annotated[str | None, Query(pattern=r"^PK-[A-Z]{2}$")] = None,
):
    """Places in Pakistan whose name or any alternate name matches (accents and case ignored)."""
    require(session, actor, "gazetteer.read")
    return gazetteer.search(q, limit, province)


@router.get("/provinces", response_model=list[ProvinceOut])
@permits("gazetteer.read")
def list_provinces(session: SessionDep, actor: ActorDep):
    require(session, actor, "gazetteer.read")
    return list(PROVINCES.values())


@router.get("/locate", response_model=LocationOut)
@permits("gazetteer.read")
def locate(
    session: SessionDep,
    actor: ActorDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
):
    """The province (ISO 3166-2:PK) and district of a point, and the nearest named place."""
    require(session, actor, "gazetteer.read")
    province = province_at(lat, lon)
    district = district_at(lat, lon, province) if province else None
    return LocationOut(
        lat=lat,
        lon=lon,
        province=province,
        district=district.name if district else None,
        nearest_place=gazetteer.nearest_place(lat, lon) if province else None,
    )
