"""The weekly threat assessment of a province: the week's incidents against the weeks before,
incidents by type and month over a year, the risk map, the threat levels and their changes, the
sites of highest risk, and the analyst's judgement. Read as the reader may see it, like the SITREP."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.crud import ListRequest
from jsms.core.db import utcnow
from jsms.core.marking import Tlp
from jsms.core.schemas import PageParams
from jsms.geo.provinces import PROVINCES, province_outline
from jsms.incidents import service as incidents
from jsms.registry import service as registry
from jsms.reports.sitrep import highest_marking, window
from jsms.risk import service as risk

TREND_MONTHS = 12
TOP_SITES = 10


@dataclass
class ThreatAssessment:
    province: str
    week_ending: date
    start: datetime
    end: datetime
    reader: Actor
    generated_at: datetime
    week: list[Any] = field(default_factory=list)  # incidents of the week
    weekly_average: float = 0.0  # of the four weeks before
    months: list[str] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    level: Any = None
    districts: list[Any] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)
    sites: list[tuple[Any, Any]] = field(default_factory=list)  # (site, its risk), highest first
    raster: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    judgement: str = ""
    marking: Tlp = Tlp.GREEN


def _month_keys(end: date) -> list[str]:
    keys, year, month = [], end.year, end.month
    for _ in range(TREND_MONTHS):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def gather(
    session: Session, reader: Actor, province: str, week_ending: date, judgement: str = ""
) -> ThreatAssessment:
    _, end = window(week_ending)
    start = end - timedelta(days=7)
    report = ThreatAssessment(province, week_ending, start, end, reader, utcnow(), judgement=judgement)
    year = incidents.counted_between(session, reader, end - timedelta(days=366), end, province)
    report.week = [i for i in year if i.occurred_at >= start]
    before = [i for i in year if start - timedelta(days=28) <= i.occurred_at < start]
    report.weekly_average = round(len(before) / 4, 1)
    report.months = _month_keys(week_ending)
    counts = Counter((i.kind, i.occurred_at.strftime("%Y-%m")) for i in year)
    for kind in sorted({i.kind for i in year}):
        report.by_kind[kind] = [counts[(kind, month)] for month in report.months]
    levels = {level.area: level for level in risk.threat_levels(session, reader)}
    report.level = levels.get(province)
    report.districts = sorted(
        (level for area, level in levels.items() if area.startswith(f"{province}/")),
        key=lambda level: (-level.level, level.area),
    )
    report.changes = [
        c for c in risk.changes_between(session, reader, start, end) if c.area.split("/")[0] == province
    ]
    report.sites = _riskiest_sites(session, reader, province)
    report.raster = _within(
        province_outline(province), *risk.intensity_raster(session, reader, province_outline(province).bounds)
    )
    report.marking = highest_marking(year)  # the week's and the trend's incidents
    return report


def _within(outline, lats: np.ndarray, lons: np.ndarray, values: np.ndarray):
    """The raster with the cells outside the province blanked (NaN: not drawn)."""
    lon_mesh, lat_mesh = np.meshgrid(lons, lats)
    inside = shapely.contains_xy(outline, lon_mesh, lat_mesh)
    return lats, lons, np.where(inside, values, np.nan)


def _riskiest_sites(session: Session, reader: Actor, province: str) -> list[tuple[Any, Any]]:
    query = ListRequest(PageParams(limit=500, offset=0), filters={"province": province})
    sites, _ = registry.list_sites(session, reader, query)
    rated = [(site, risk.site_risk(session, reader, site.id)) for site in sites]
    return sorted(rated, key=lambda pair: -pair[1].risk)[:TOP_SITES]


def province_name(code: str, language: str) -> str:
    return PROVINCES[code].name_in(language) if code in PROVINCES else code
