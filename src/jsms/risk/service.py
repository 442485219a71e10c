"""The risk picture kept current: the surface in memory, threat levels in the database.

The surface is built from the counted incidents the first time it is needed in a process
and then follows the incident events (`incident.verified`, `.changed`, `.withdrawn`)
delivered by the outbox dispatcher: one exact incremental update each, then the area levels
are re-read from the surface and every level that moved is stored, kept in the history and
announced as `threat_level.changed`.
"""

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.db import utcnow
from jsms.core.events import after_batch, emit, on
from jsms.core.policy import require
from jsms.geo.provinces import PROVINCES
from jsms.incidents import service as incidents
from jsms.risk.areas import AreaIndex, area_index, levels_for
from jsms.risk.models import ThreatLevel, ThreatLevelChange
from jsms.risk.surface import RiskModel, RiskSurface


@dataclass
class RiskEngine:
    surface: RiskSurface
    areas: AreaIndex
    levels_stale: bool = False
    levels_stale: bool = False


_engine: RiskEngine | None = None
_lock = threading.RLock()


def engine(session: Session) -> RiskEngine:
    """The process's risk engine, built from the counted incidents on first use."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = build_engine(session)
        return _engine


def build_engine(session: Session, model: RiskModel | None = None) -> RiskEngine:
    surface = RiskSurface(model)
    rebuild(surface, session)
    return RiskEngine(surface, area_index(surface.grid))


def rebuild(surface: RiskSurface, session: Session) -> None:
    """A full recompute from every counted incident (also the remedy for any drift)."""
    data = incidents.risk_inputs(session)
    severity = surface.model.severities(data.kinds, data.killed, data.injured, data.protected)
    surface.recompute(data.ids, data.lat, data.lon, data.occurred_day, severity)


def forget_engine() -> None:
    """Drop the process's engine (tests; or after restoring a backup): it is rebuilt on next use."""
    global _engine
    with _lock:
        _engine = None


def _apply_incident(session: Session, payload: dict[str, Any]) -> None:
    risk = engine(session)
    severity = risk.surface.model.severity(
        payload["kind"], payload["killed"], payload["injured"], payload["protected_nationality_targeted"]
    )
    with _lock:
        risk.surface.upsert(
            payload["id"],
            payload["lat"],
            payload["lon"],
            datetime.fromisoformat(payload["occurred_at"]),
            severity,
        )
        risk.levels_stale = True


def _withdraw_incident(session: Session, payload: dict[str, Any]) -> None:
    risk = engine(session)
    with _lock:
        risk.surface.remove(payload["id"])
        risk.levels_stale = True


def _refresh_if_stale(session: Session) -> None:
    """After a batch of incident events: re-derive the area levels once."""
    risk = engine(session)
    if risk.levels_stale:
        refresh_levels(session)
        risk.levels_stale = False


on("incident.verified")(_apply_incident)
on("incident.changed")(_apply_incident)
on("incident.withdrawn")(_withdraw_incident)
after_batch(_refresh_if_stale)


def area_intensities(risk: RiskEngine, at: datetime | None = None) -> dict[str, tuple[str, float]]:
    """Each province's and district's highest intensity now: area key → (kind, intensity)."""
    scale = risk.surface.scale(at)
    result: dict[str, tuple[str, float]] = {}
    for kind, keys, grouping in (
        ("province", risk.areas.province_codes, risk.areas.provinces),
        ("district", risk.areas.district_keys, risk.areas.districts),
    ):
        for key, value in zip(keys, grouping.maxima(risk.surface.raster).tolist(), strict=True):
            result[key] = (kind, max(value, 0.0) * scale)
    return result


def refresh_levels(session: Session, at: datetime | None = None) -> list[ThreatLevelChange]:
    """Store every area level the surface now implies; record and announce those that moved."""
    risk = engine(session)
    with _lock:
        intensities = area_intensities(risk, at)
    current = {row.area: row for row in session.scalars(select(ThreatLevel))}
    keys = list(intensities)
    levels = levels_for(np.array([intensities[k][1] for k in keys]))
    changes = []
    now = at or utcnow()
    for key, level in zip(keys, levels.tolist(), strict=True):
        kind, intensity = intensities[key]
        row = current.get(key)
        if row is None:
            row = ThreatLevel(
                area=key,
                area_kind=kind,
                level=level,
                computed_level=level,
                intensity=intensity,
                updated_at=now,
            )
            session.add(row)
            previous = None
        else:
            previous = row.level
            row.intensity = round(intensity, 6)
            row.computed_level = level
            row.level = level  # overrides come later and take precedence here
        if previous != level:
            row.updated_at = now
            change = ThreatLevelChange(
                area=key,
                area_kind=kind,
                previous_level=previous,
                level=level,
                intensity=round(intensity, 6),
                cause="computed",
                at=now,
            )
            session.add(change)
            changes.append(change)
            if previous is not None:
                emit(
                    session,
                    "threat_level.changed",
                    {
                        "area": key,
                        "area_kind": kind,
                        "previous_level": previous,
                        "level": level,
                        "intensity": intensity,
                    },
                )
    session.flush()
    return changes


def threat_levels(session: Session, actor: Actor, kind: str | None = None) -> list[ThreatLevel]:
    require(session, actor, "risk.read")
    stmt = select(ThreatLevel).order_by(ThreatLevel.area)
    if kind:
        stmt = stmt.where(ThreatLevel.area_kind == kind)
    return list(session.scalars(stmt))


def level_history(session: Session, actor: Actor, area: str, limit: int = 100) -> list[ThreatLevelChange]:
    require(session, actor, "risk.read")
    return list(
        session.scalars(
            select(ThreatLevelChange)
            .where(ThreatLevelChange.area == area)
            .order_by(ThreatLevelChange.at.desc())
            .limit(limit)
        )
    )


def intensity_at(session: Session, actor: Actor, lat: float, lon: float) -> float:
    require(session, actor, "risk.read")
    risk = engine(session)
    with _lock:
        return float(risk.surface.values_at(np.array([lat]), np.array([lon]))[0])


def area_name(key: str, language: str = "en") -> str:
    province, _, district = key.partition("/")
    province_name = PROVINCES[province].name_in(language) if province in PROVINCES else province
    return f"{district}, {province_name}" if district else province_name
