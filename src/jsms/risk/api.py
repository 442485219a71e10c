"""HTTP API of the risk picture: threat levels per area, their history, the surface, a point's risk."""

import uuid
from typing import Annotated, Literal

import h3
import numpy as np
from fastapi import APIRouter, Query

from jsms.core.errors import NotFound, invalid_field
from jsms.core.http import ActorDep, SessionDep, UnitOfWorkRoute, permits
from jsms.core.i18n import N_
from jsms.core.policy import require
from jsms.risk import schemas as s
from jsms.risk import service
from jsms.risk.areas import LEVELS, level_for
from jsms.risk.sop import Posture

router = APIRouter(prefix="/api/v1/risk", route_class=UnitOfWorkRoute, tags=["risk"])
MAX_SURFACE_CELLS = 20_000


@router.get("/areas", response_model=list[s.AreaLevel])
@permits("risk.read")
def areas(session: SessionDep, actor: ActorDep, kind: Literal["province", "district"] | None = None):
    """The threat level in force in each province and district, the intensity behind it, and the
    analyst's override where one is in force (with its reason and expiry)."""
    active = {o.area: o for o in service.overrides(session, actor, "active")}
    return [
        s.AreaLevel(
            area=row.area,
            area_kind=row.area_kind,
            name=service.area_name(row.area),
            level=row.level,
            level_label=LEVELS[row.level],
            computed_level=row.computed_level,
            intensity=round(row.intensity, 3),
            updated_at=row.updated_at,
            override=s.OverrideRead.model_validate(active[row.area]) if row.area in active else None,
        )
        for row in service.threat_levels(session, actor, kind)
    ]


@router.get("/overrides", response_model=list[s.OverrideRead])
@permits("risk.read")
def list_overrides(
    session: SessionDep,
    actor: ActorDep,
    status: Literal["proposed", "active", "expired", "withdrawn"] | None = None,
):
    return service.overrides(session, actor, status)


@router.post("/overrides", response_model=s.OverrideRead, status_code=201)
@permits("risk.override")
def propose_override(data: s.OverrideIn, session: SessionDep, actor: ActorDep):
    """Set an area's level by hand with a reason and an expiry; under the default policy it takes
    effect once the other party has approved it too."""
    return service.propose_override(session, actor, data.area, data.level, data.reason, data.expires_at)


@router.post("/overrides/{override_id}/approve", response_model=s.OverrideRead)
@permits("risk.approve_override")
def approve_override(override_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return service.approve_override(session, actor, override_id)


@router.post("/overrides/{override_id}/withdraw", response_model=s.OverrideRead)
@permits("risk.override")
def withdraw_override(override_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    return service.withdraw_override(session, actor, override_id)


@router.get("/areas/{area:path}/history", response_model=list[s.LevelChange])
@permits("risk.read")
def history(area: str, session: SessionDep, actor: ActorDep):
    return service.level_history(session, actor, area)


@router.get("/point", response_model=s.PointRisk)
@permits("risk.read")
def point(
    session: SessionDep,
    actor: ActorDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
):
    """The risk intensity at one point now, and the level it alone would mean."""
    intensity = service.intensity_at(session, actor, lat, lon)
    level = level_for(intensity)
    return s.PointRisk(
        lat=lat, lon=lon, intensity=round(intensity, 3), level=level, level_label=LEVELS[level]
    )


@router.get("/sites/{site_id}", response_model=s.SiteRiskRead)
@permits("risk.read", "site.read")
def site_risk(site_id: uuid.UUID, session: SessionDep, actor: ActorDep):
    """A site's risk: the highest intensity within 5 km, weighted by its security tier."""
    result = service.site_risk(session, actor, site_id)
    return s.SiteRiskRead(**result.__dict__, level_label=LEVELS[result.level])


@router.get("/surface")
@permits("risk.read")
def surface(
    session: SessionDep,
    actor: ActorDep,
    bbox: Annotated[
        str,
        Query(pattern=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$", description="min lon,min lat,max lon,max lat"),
    ],
    resolution: Annotated[int, Query(ge=4, le=8)] = 6,
    minimum: Annotated[float, Query(ge=0)] = 0.5,
):
    """The surface as GeoJSON H3 hexagons inside a bounding box (cells below `minimum` left out)."""
    require(session, actor, "risk.read")
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox.split(","))
    if not (min_lon < max_lon and min_lat < max_lat):
        raise invalid_field("bbox", N_("the box must run from its south-west to its north-east corner"))
    box = h3.LatLngPoly([(min_lat, min_lon), (min_lat, max_lon), (max_lat, max_lon), (max_lat, min_lon)])
    cells = list(h3.polygon_to_cells(box, resolution))
    if len(cells) > MAX_SURFACE_CELLS:
        raise invalid_field(
            "resolution",
            N_("too many cells (%(count)s); choose a coarser resolution or a smaller box"),
            count=len(cells),
        )
    centres = np.array([h3.cell_to_latlng(c) for c in cells]) if cells else np.zeros((0, 2))
    risk = service.engine(session)
    values = risk.surface.values_at(centres[:, 0], centres[:, 1]) if cells else np.zeros(0)
    features = []
    for cell, value in zip(cells, values.tolist(), strict=True):
        if value < minimum:
            continue
        ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
        features.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {"intensity": round(value, 3), "level": level_for(value)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get("/sop", response_model=s.RuleSetVersion)
@permits("sop.read")
def sop_in_force(session: SessionDep, actor: ActorDep):
    """The standard operating procedures in force: a baseline and the rules that tighten it."""
    versions = service.rule_set_versions(session, actor)
    active = next((v for v in versions if v.status == "active"), None)
    if active is None:
        raise NotFound("No SOP version is stored yet; the defaults apply")
    return active


@router.get("/sop/versions", response_model=list[s.RuleSetVersion])
@permits("sop.read")
def sop_versions(session: SessionDep, actor: ActorDep):
    return service.rule_set_versions(session, actor)


@router.post("/sop/versions", response_model=s.RuleSetVersion, status_code=201)
@permits("sop.write")
def new_sop_version(data: s.RuleSetProposal, session: SessionDep, actor: ActorDep):
    """Put a new version of the SOPs in force (the earlier ones are kept)."""
    return service.new_rule_set(session, actor, data.rules, data.summary)


@router.post("/sop/evaluate", response_model=s.PostureRequirements)
@permits("sop.read")
def sop_requirements(posture: Posture, session: SessionDep, actor: ActorDep):
    """What a journey with this posture (threat level on its way, hours, site tier) requires."""
    number, result = service.requirements_for(session, actor, posture)
    return s.PostureRequirements(
        sop_version=number,
        posture=posture,
        requirements=result.requirements,
        applied_rules=result.applied_rules,
    )
