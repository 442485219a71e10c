"""Pydantic in/out models of the registries."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    field_validator,
    model_validator,
)

from jsms.core.crud import ListParams
from jsms.core.marking import Tlp
from jsms.core.parties import ORGANISATION_KINDS as ORGANISATION_KIND_SLUGS
from jsms.core.schemas import NoNulls, ReadModel, Strict

ORGANISATION_KINDS = Literal[tuple(kind for kind in ORGANISATION_KIND_SLUGS if kind != "unit")]
PROGRAMMES = Literal["corridor", "non_corridor"]
PROJECT_SECTORS = Literal[
    "energy",
    "transport",
    "port",
    "water",
    "mining",
    "industry",
    "education",
    "health",
    "telecom",
    "other",
]
PROJECT_STATUSES = Literal["planned", "under_construction", "operational", "completed", "suspended"]
SITE_KINDS = Literal[
    "port",
    "power_plant",
    "dam",
    "camp",
    "office",
    "university",
    "airport",
    "road_section",
    "mine",
    "industrial_zone",
    "residence",
    "hospital",
    "diplomatic",
    "other",
]
UNIT_KINDS = Literal[
    "security_division",
    "province_protection_unit",
    "police",
    "naval_task_force",
    "other",
]
ASSET_KINDS = Literal["armoured_vehicle", "vehicle", "fire_truck", "ambulance", "scanner", "other"]
ASSET_STATUSES = Literal["pending_delivery", "delivered", "in_service", "maintenance", "retired"]
AGREEMENT_KINDS = Literal["mou", "agreement", "exchange_of_notes", "contract"]
AGREEMENT_STATUSES = Literal["draft", "signed", "in_force", "expired"]
PERSON_STATUSES = Literal["in_country", "departed", "on_leave"]
PARTY_CODES = Literal["host", "partner"]

ProvinceCode = Annotated[str, Field(pattern=r"^PK-(BA|GB|IS|JK|KP|PB|SD)$")]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _country(code: str) -> str:
    code = code.upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


CountryCode = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]


class Marking(Strict):
    tlp: Tlp | None = None
    release_to: list[PARTY_CODES] | None = None


class MarkingRead(BaseModel):
    tlp: Tlp
    tlp_label: str
    owner_party: str
    release_to: list[str]


# ---- organisations -----------------------------------------------------------------------


class OrganisationCreate(Strict):
    party: PARTY_CODES
    kind: ORGANISATION_KINDS
    name: Name
    name_zh: str | None = None
    name_ur: str | None = None
    short_name: str | None = Field(None, max_length=40)
    parent_id: uuid.UUID | None = None


class OrganisationUpdate(Strict, NoNulls):
    nullable = frozenset({"name_zh", "name_ur", "short_name", "parent_id"})

    name: Name | None = None
    name_zh: str | None = None
    name_ur: str | None = None
    short_name: str | None = Field(None, max_length=40)
    parent_id: uuid.UUID | None = None


class OrganisationRead(ReadModel):
    id: uuid.UUID
    party: str = Field(validation_alias="party_code")
    kind: str
    name: str
    name_zh: str | None
    name_ur: str | None
    short_name: str | None
    parent_id: uuid.UUID | None
    path: str
    version: int


# ---- projects ----------------------------------------------------------------------------


class ProjectCreate(Strict):
    name: Name
    name_zh: str | None = None
    programme: PROGRAMMES
    sector: PROJECT_SECTORS
    status: PROJECT_STATUSES = "under_construction"
    sponsor_org_id: uuid.UUID | None = None
    description: str = ""


class ProjectUpdate(Strict, NoNulls):
    nullable = frozenset({"name_zh", "sponsor_org_id"})

    name: Name | None = None
    name_zh: str | None = None
    programme: PROGRAMMES | None = None
    sector: PROJECT_SECTORS | None = None
    status: PROJECT_STATUSES | None = None
    sponsor_org_id: uuid.UUID | None = None
    description: str | None = None


class ProjectRead(ReadModel):
    id: uuid.UUID
    name: str
    name_zh: str | None
    programme: str
    sector: str
    status: str
    sponsor_org_id: uuid.UUID | None
    description: str
    version: int


# ---- sites -------------------------------------------------------------------------------


class PointGeometry(Strict):
    type: Literal["Point"]
    coordinates: Annotated[list[float], Field(min_length=2, max_length=3)]


class PolygonGeometry(Strict):
    type: Literal["Polygon"]
    coordinates: list[list[Annotated[list[float], Field(min_length=2, max_length=3)]]] = Field(min_length=1)


class MultiPolygonGeometry(Strict):
    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Annotated[list[float], Field(min_length=2, max_length=3)]]]] = Field(
        min_length=1
    )


Geometry = Annotated[PointGeometry | PolygonGeometry, Field(discriminator="type")]
Area = Annotated[PolygonGeometry | MultiPolygonGeometry, Field(discriminator="type")]


class SiteFields(Strict):
    name_zh: str | None = None
    name_ur: str | None = None
    security_tier: int | None = Field(None, ge=1, le=3, description="1 = highest protection")
    project_id: uuid.UUID | None = None
    guarding_unit_id: uuid.UUID | None = None
    owner_org_id: uuid.UUID | None = None
    notes: str | None = None
    district: str | None = Field(None, max_length=80, description="Correct the derived district")


class SiteCreate(SiteFields, Marking):
    """A site is located by `lat`/`lon` (a point) or by a GeoJSON `geometry` (point or polygon)."""

    name: Name
    kind: SITE_KINDS
    security_tier: int = Field(2, ge=1, le=3, description="1 = highest protection")
    lat: Latitude | None = None
    lon: Longitude | None = None
    geometry: Geometry | None = None

    @model_validator(mode="after")
    def _located(self) -> "SiteCreate":
        if self.geometry is None and (self.lat is None or self.lon is None):
            raise ValueError("give lat and lon, or a GeoJSON geometry")
        if self.geometry is not None and (self.lat is not None or self.lon is not None):
            raise ValueError("give either lat and lon or a geometry, not both")
        return self


class SiteUpdate(SiteFields, Marking, NoNulls):
    nullable = frozenset(
        {
            "name_zh",
            "name_ur",
            "project_id",
            "guarding_unit_id",
            "owner_org_id",
            "district",
            "release_to",
        }
    )

    name: Name | None = None
    kind: SITE_KINDS | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    geometry: Geometry | None = None

    @model_validator(mode="after")
    def _pairs(self) -> "SiteUpdate":
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        return self


class SiteRead(ReadModel):
    id: uuid.UUID
    name: str
    name_zh: str | None
    name_ur: str | None
    kind: str
    security_tier: int
    geometry: dict[str, Any]
    lat: float
    lon: float
    h3_cell: str
    province: str | None
    district: str | None
    project_id: uuid.UUID | None
    guarding_unit_id: uuid.UUID | None
    owner_org_id: uuid.UUID | None
    notes: str
    assessment_score: float | None
    assessed_on: date | None
    marking: MarkingRead
    version: int


# ---- protected persons -------------------------------------------------------------------

Phone = Annotated[str, Field(pattern=r"^\+[1-9][0-9 ]{6,18}$", description="E.164, e.g. +92 300 1234567")]


class PersonFields(Strict):
    name_hanzi: str | None = Field(None, max_length=60)
    name_pinyin: str | None = Field(None, max_length=200)
    gender: Literal["female", "male", "other"] | None = None
    job_title: str | None = Field(None, max_length=120)
    employer_org_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_phone: Phone | None = None
    passport_number: str | None = Field(None, pattern=r"^[A-Z0-9]{6,12}$")
    phone: Phone | None = None
    status: PERSON_STATUSES | None = None

    @field_validator("name_hanzi")
    @classmethod
    def _hanzi(cls, value: str | None) -> str | None:
        if value and not all("\u3400" <= ch <= "\u9fff" or ch in "·・" for ch in value):
            raise ValueError("must be written in Chinese characters")
        return value


class PersonCreate(PersonFields):
    full_name: Name
    nationality: CountryCode
    consent_to_tracking: bool = False


class PersonUpdate(PersonFields, NoNulls):
    nullable = frozenset(PersonFields.model_fields) - {"status"}

    full_name: Name | None = None
    nationality: CountryCode | None = None
    consent_to_tracking: bool | None = None


class PersonRead(ReadModel):
    id: uuid.UUID
    full_name: str
    name_hanzi: str | None
    name_pinyin: str | None
    nationality: str
    gender: str | None
    job_title: str | None
    employer_org_id: uuid.UUID | None
    project_id: uuid.UUID | None
    site_id: uuid.UUID | None
    emergency_contact_name: str | None
    consent_to_tracking: bool
    consent_recorded_at: datetime | None
    status: str
    version: int


class PersonDetail(PersonRead):
    """One person; personal data only for a role the policy lets see it, and every such read audited.

    Built explicitly (never from the model's attributes), so that the decrypted fields
    cannot reach a response by accident.
    """

    personal_data_withheld: bool = True
    passport_number: str | None = None
    phone: str | None = None
    emergency_contact_phone: str | None = None


# ---- units -------------------------------------------------------------------------------


class UnitFields(Strict):
    call_sign: str | None = Field(None, max_length=40)
    strength: int | None = Field(None, ge=0, le=100_000)
    province: ProvinceCode | None = None
    hq_lat: Latitude | None = None
    hq_lon: Longitude | None = None
    area_of_responsibility: Area | None = None
    name_zh: str | None = None
    name_ur: str | None = None
    short_name: str | None = Field(None, max_length=40)


class UnitCreate(UnitFields, Marking):
    name: Name
    kind: UNIT_KINDS
    parent_id: uuid.UUID = Field(description="The organisation or unit this unit belongs to")


class UnitUpdate(UnitFields, Marking, NoNulls):
    nullable = frozenset(UnitFields.model_fields) | {"release_to"}

    name: Name | None = None
    kind: UNIT_KINDS | None = None


class UnitRead(BaseModel):
    id: uuid.UUID
    name: str
    name_zh: str | None
    name_ur: str | None
    short_name: str | None
    kind: str
    parent_id: uuid.UUID | None
    call_sign: str | None
    strength: int | None
    province: str | None
    hq_lat: float | None
    hq_lon: float | None
    area_of_responsibility: dict[str, Any] | None
    marking: MarkingRead
    version: int


# ---- agreements --------------------------------------------------------------------------


class AgreementItemIn(Strict):
    description: str = Field(min_length=1, max_length=300)
    asset_kind: ASSET_KINDS | None = None
    quantity: int = Field(ge=1, le=100_000)


class DeliveryIn(Strict):
    """A consignment of one item of the agreement, delivered to an organisation (a unit is one)."""

    item_id: uuid.UUID
    quantity: int = Field(ge=1, le=10_000)
    delivered_on: date
    recipient_org_id: uuid.UUID
    registrations: list[str] | None = Field(
        None, max_length=10_000, description="One per asset delivered, in order (number plates, serials)"
    )
    note: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _one_registration_each(self):
        if self.registrations is not None:
            if len(self.registrations) != self.quantity:
                raise ValueError("give one registration per asset delivered, or none")
            if len(set(self.registrations)) != len(self.registrations):
                raise ValueError("the registrations repeat one another")
        return self


class HandoverIn(Strict):
    handed_over_on: date
    received_by: str = Field(min_length=1, max_length=200, description="Who signed for the equipment")


class DeliveryRead(ReadModel):
    id: uuid.UUID
    item_id: uuid.UUID
    quantity: int
    delivered_on: date
    recipient_org_id: uuid.UUID
    status: str
    handed_over_on: date | None
    received_by: str
    note: str
    recorded_by: str
    asset_ids: list[uuid.UUID] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _asset_ids(cls, value: Any) -> Any:
        if hasattr(value, "assets"):
            return {
                **{k: getattr(value, k) for k in cls.model_fields if hasattr(value, k)},
                "asset_ids": [a.id for a in value.assets],
            }
        return value


class AgreementItemRead(ReadModel):
    id: uuid.UUID
    description: str
    asset_kind: str | None
    quantity: int
    delivered: int
    handed_over: int
    delivery_status: str
    deliveries: list[DeliveryRead]


class AgreementCreate(Marking):
    title: str = Field(min_length=1, max_length=300)
    title_zh: str | None = None
    kind: AGREEMENT_KINDS
    status: AGREEMENT_STATUSES = "signed"
    signed_on: date | None = None
    signatories: list[PARTY_CODES] = Field(default_factory=lambda: ["host", "partner"])
    summary: str = ""
    items: list[AgreementItemIn] = Field(default_factory=list)


class AgreementUpdate(Marking, NoNulls):
    nullable = frozenset({"title_zh", "signed_on", "release_to"})

    title: str | None = Field(None, min_length=1, max_length=300)
    title_zh: str | None = None
    kind: AGREEMENT_KINDS | None = None
    status: AGREEMENT_STATUSES | None = None
    signed_on: date | None = None
    signatories: list[PARTY_CODES] | None = None
    summary: str | None = None
    items: list[AgreementItemIn] | None = None


class AgreementRead(ReadModel):
    id: uuid.UUID
    title: str
    title_zh: str | None
    kind: str
    status: str
    signed_on: date | None
    signatories: list[str]
    summary: str
    items: list[AgreementItemRead]
    marking: MarkingRead
    version: int


# ---- assets ------------------------------------------------------------------------------


class AssetFields(Strict):
    registration: str | None = Field(None, max_length=40)
    armour_rating: str | None = Field(None, max_length=24, description="e.g. VPAM VR7, CEN B6")
    owner_org_id: uuid.UUID | None = None
    agreement_id: uuid.UUID | None = None
    assigned_unit_id: uuid.UUID | None = None
    notes: str | None = None


class AssetCreate(AssetFields):
    kind: ASSET_KINDS
    name: Name
    status: ASSET_STATUSES = "in_service"


class AssetUpdate(AssetFields, NoNulls):
    nullable = frozenset(AssetFields.model_fields) - {"notes"}

    kind: ASSET_KINDS | None = None
    name: Name | None = None
    status: ASSET_STATUSES | None = None


class AssetRead(ReadModel):
    id: uuid.UUID
    kind: str
    name: str
    registration: str | None
    armour_rating: str | None
    status: str
    owner_org_id: uuid.UUID | None
    agreement_id: uuid.UUID | None
    delivery_id: uuid.UUID | None
    assigned_unit_id: uuid.UUID | None
    notes: str
    version: int


# ---- list filters (query parameters) -----------------------------------------------------


class OrganisationParams(ListParams):
    kind: str | None = None
    party: PARTY_CODES | None = None
    parent_id: uuid.UUID | None = None


class ProjectParams(ListParams):
    programme: PROGRAMMES | None = None
    sector: PROJECT_SECTORS | None = None
    status: PROJECT_STATUSES | None = None


class SiteParams(ListParams):
    kind: SITE_KINDS | None = None
    province: ProvinceCode | None = None
    project_id: uuid.UUID | None = None
    security_tier: int | None = Field(None, ge=1, le=3)


class PersonParams(ListParams):
    nationality: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    site_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    employer_org_id: uuid.UUID | None = None
    status: PERSON_STATUSES | None = None


class UnitParams(ListParams):
    kind: UNIT_KINDS | None = None
    province: ProvinceCode | None = None


class AgreementParams(ListParams):
    kind: AGREEMENT_KINDS | None = None
    status: AGREEMENT_STATUSES | None = None


class AssetParams(ListParams):
    kind: ASSET_KINDS | None = None
    status: ASSET_STATUSES | None = None
    agreement_id: uuid.UUID | None = None
    owner_org_id: uuid.UUID | None = None
