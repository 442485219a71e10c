"""Risk pages: threat levels, overrides and SOPs; the threat and risk layers of the map."""

import json
from functools import lru_cache
from importlib import resources
from typing import Annotated

import h3
import numpy as np
from fastapi import APIRouter, Form, Request
from pydantic import ValidationError

from jsms.core.errors import Invalid
from jsms.core.http import SessionDep, permits, signed_in
from jsms.core.i18n import N_
from jsms.core.pages import NavItem, PageActor, PageRoute, add_navigation, redirect, render, translator_for
from jsms.core.policy import allows, require
from jsms.risk import service
from jsms.risk.areas import LEVELS, level_for
from jsms.risk.sop import RuleSet

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_navigation([NavItem("/risk", N_("Threat levels"), "risk.read", order=30)])
RISK_LAYER_RESOLUTION = 5  # ~250 km² hexagons: a few thousand over Pakistan
RISK_LAYER_MINIMUM = 2.0
APPROVALS = {"officer": N_("Operations officer"), "commander": N_("Commander")}


@router.get("/risk")
@permits("risk.read")
def risk_page(request: Request, session: SessionDep, actor: PageActor):
    levels = sorted(service.threat_levels(session, actor), key=lambda row: (-row.level, -row.intensity))
    active = {o.area: o for o in service.overrides(session, actor, "active")}
    number, rules = service.active_rules(session, actor) if allows(session, actor, "sop.read") else (0, None)
    t = translator_for(request, actor)
    return render(
        request,
        "risk/risk.html",
        {
            "provinces": [row for row in levels if row.area_kind == "province"],
            "districts": [row for row in levels if row.area_kind == "district" and row.level > 1],
            "overrides": active,
            "pending": service.overrides(session, actor, "proposed"),
            "levels": LEVELS,
            "name": lambda key: service.area_name(key, t.language),
            "sop_number": number,
            "rules": rules,
            "can_approve": allows(session, actor, "risk.approve_override"),
            "approvals": APPROVALS,
            "can_edit_sop": allows(session, actor, "sop.write"),
            "rules_json": rules.model_dump_json(indent=2) if rules else "",
        },
        actor=actor,
    )


@lru_cache(maxsize=1)
def _province_shapes() -> dict:
    text = resources.files("jsms.geo").joinpath("data", "pk_provinces.geojson").read_text()
    return json.loads(text)


@router.get("/map/threat.json")
@signed_in  # a layer of the map everyone has: empty where the policy shows nothing
def threat_layer(request: Request, session: SessionDep, actor: PageActor):
    """Provinces with the threat level in force, for the map."""
    if not allows(session, actor, "risk.read"):
        return {"type": "FeatureCollection", "features": []}
    t = translator_for(request, actor)
    levels = {row.area: row for row in service.threat_levels(session, actor, "province")}
    features = []
    for feature in _province_shapes()["features"]:
        row = levels.get(feature["properties"]["code"])
        if row is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": feature["geometry"],
                    "properties": {
                        "name": service.area_name(row.area, t.language),
                        "level": row.level,
                        "label": t.gettext(LEVELS[row.level]),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


@router.get("/map/risk.json")
@signed_in  # a layer of the map everyone has: empty where the policy shows nothing
def risk_layer(session: SessionDep, actor: PageActor):
    """The risk surface as hexagons over Pakistan (cells below intensity 2 left out)."""
    require(session, actor, "risk.read")
    risk = service.engine(session)
    cells = _pakistan_cells()
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    values = risk.surface.values_at(centres[:, 0], centres[:, 1])
    features = []
    for cell, value in zip(cells, values.tolist(), strict=True):
        if value >= RISK_LAYER_MINIMUM:
            ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                    "properties": {"intensity": round(value, 2), "level": level_for(value)},
                }
            )
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def _pakistan_cells() -> tuple[str, ...]:
    cells: set[str] = set()
    for feature in _province_shapes()["features"]:
        cells |= set(h3.geo_to_cells(feature["geometry"], RISK_LAYER_RESOLUTION))
    return tuple(sorted(cells))


@router.post("/risk/sop")
@permits("sop.write")
def new_sop_version(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    summary: Annotated[str, Form(max_length=2000)],
    rules: Annotated[str, Form()],
):
    """A new SOP version from the page's editor (the JSON of the rule set)."""
    try:
        rule_set = RuleSet.model_validate_json(rules)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise Invalid(f"The rule set is not valid: {where}: {first['msg']}") from None
    if not summary.strip():
        raise Invalid("A new version needs a summary")
    service.new_rule_set(session, actor, rule_set, summary.strip())
    return redirect("/risk", request)
