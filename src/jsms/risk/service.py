"""The risk picture kept current: the surface in memory, threat levels in the database.

The surface is built from the counted incidents the first time it is needed in a process
and then follows the incident events (`incident.verified`, `.changed`, `.withdrawn`)
delivered by the outbox dispatcher: one exact incremental update each, then the area levels
are re-read from the surface and every level that moved is stored, kept in the history and
announced as `threat_level.changed`.
"""

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, NotFound, invalid_field
from jsms.core.events import after_batch, emit, on, periodically
from jsms.core.i18n import N_
from jsms.core.policy import active_policy, require
from jsms.geo.provinces import PROVINCES
from jsms.incidents import service as incidents
from jsms.risk import sop
from jsms.risk.areas import AreaIndex, area_index, level_for, levels_for
from jsms.risk.models import SopRuleSet, ThreatLevel, ThreatLevelChange, ThreatOverride
from jsms.risk.surface import RiskModel, RiskSurface


@dataclass
class RiskEngine:
    surface: RiskSurface
    areas: AreaIndex
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
    """Store every area's level: an override in force, else what the surface implies.

    Every level that moved is recorded with its cause (computed, override, override_expired)
    and, where an area already had a level, announced as `threat_level.changed`.
    """
    risk = engine(session)
    with _lock:
        intensities = area_intensities(risk, at)
    now = at or utcnow()
    current = {row.area: row for row in session.scalars(select(ThreatLevel))}
    in_force, expired = _overrides_in_force(session, now)
    keys = list(intensities)
    computed = levels_for(np.array([intensities[k][1] for k in keys])).tolist()
    changes = []
    for key, computed_level in zip(keys, computed, strict=True):
        kind, intensity = intensities[key]
        row = current.get(key)
        previous = row.level if row is not None else None
        if row is None:
            row = ThreatLevel(
                area=key,
                area_kind=kind,
                level=computed_level,
                computed_level=computed_level,
                intensity=intensity,
                updated_at=now,
            )
            session.add(row)
        row.intensity = round(intensity, 6)
        row.computed_level = computed_level
        level, cause, reason = computed_level, "computed", ""
        if key in in_force:
            level, cause, reason = in_force[key].level, "override", in_force[key].reason
        elif key in expired:
            cause, reason = "override_expired", expired[key]
        row.level = level
        if previous == level:
            continue
        row.updated_at = now
        change = ThreatLevelChange(
            area=key,
            area_kind=kind,
            previous_level=previous,
            level=level,
            intensity=round(intensity, 6),
            cause=cause,
            reason=reason,
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
                    "cause": cause,
                    "reason": reason,
                },
            )
    session.flush()
    return changes


def _overrides_in_force(session: Session, now: datetime) -> tuple[dict[str, ThreatOverride], dict[str, str]]:
    """Active overrides by area, and the reasons of those that expired just now (marked expired)."""
    in_force: dict[str, ThreatOverride] = {}
    expired: dict[str, str] = {}
    for override in session.scalars(
        select(ThreatOverride).where(ThreatOverride.status == "active").order_by(ThreatOverride.proposed_at)
    ):
        if override.expires_at <= now:
            override.status = "expired"
            expired[override.area] = override.reason
        else:
            in_force[override.area] = override
    return in_force, expired


def propose_override(
    session: Session, actor: Actor, area: str, level: int, reason: str, expires_at: datetime
) -> ThreatOverride:
    """Set an area's level by hand, with a reason and an expiry. Where the policy wants both parties
    for threat-level overrides, it waits for the other party's approval before it takes effect."""
    require(session, actor, "risk.override")
    if session.get(ThreatLevel, area) is None:
        raise invalid_field("area", N_("no province or district %(area)s"), area=area)
    if expires_at <= utcnow():
        raise invalid_field("expires_at", N_("the expiry must be in the future"))
    override = ThreatOverride(
        area=area,
        level=level,
        reason=reason,
        expires_at=expires_at,
        proposed_by=actor.username,
        approved_by={actor.party: actor.username},
        status="proposed",
    )
    session.add(override)
    if not needs_both_parties(session):
        _activate_override(session, override)
    session.flush()
    return override


def needs_both_parties(session: Session) -> bool:
    return "threat_level.override" in active_policy(session).dual_approval


def approve_override(session: Session, actor: Actor, override_id: uuid.UUID) -> ThreatOverride:
    require(session, actor, "risk.approve_override")
    override = session.get(ThreatOverride, override_id)
    if override is None:
        raise NotFound(f"No threat-level override with id {override_id}")
    if override.status != "proposed":
        raise Conflict(f"The override is {override.status}, not awaiting approval")
    if actor.party in override.approved_by:
        raise Conflict(f"The {actor.party} party has already approved this override")
    override.approved_by = {**override.approved_by, actor.party: actor.username}
    if set(override.approved_by) >= {"host", "partner"}:
        _activate_override(session, override)
    session.flush()
    return override


def withdraw_override(session: Session, actor: Actor, override_id: uuid.UUID) -> ThreatOverride:
    require(session, actor, "risk.override")
    override = session.get(ThreatOverride, override_id)
    if override is None:
        raise NotFound(f"No threat-level override with id {override_id}")
    if override.status not in ("proposed", "active"):
        raise Conflict(f"The override is {override.status}")
    override.status = "withdrawn"
    session.flush()
    refresh_levels(session)
    return override


def _activate_override(session: Session, override: ThreatOverride) -> None:
    for earlier in session.scalars(
        select(ThreatOverride).where(ThreatOverride.area == override.area, ThreatOverride.status == "active")
    ):
        earlier.status = "withdrawn"
    override.status = "active"
    session.flush()
    refresh_levels(session)


def overrides(session: Session, actor: Actor, status: str | None = None) -> list[ThreatOverride]:
    require(session, actor, "risk.read")
    stmt = select(ThreatOverride).order_by(ThreatOverride.proposed_at.desc())
    if status:
        stmt = stmt.where(ThreatOverride.status == status)
    return list(session.scalars(stmt))


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


# ---- standard operating procedures -------------------------------------------------------


def install_default_rules(session: Session) -> SopRuleSet | None:
    """Version 1 of the SOPs on a new node (the default set of the risk README); no-op afterwards."""
    if session.scalar(select(SopRuleSet.id).limit(1)) is not None:
        return None
    rule_set = SopRuleSet(
        number=1,
        status="active",
        summary="Default SOPs at installation",
        rules=sop.DEFAULT_RULES.model_dump(mode="json"),
        created_by="system:install",
    )
    session.add(rule_set)
    session.flush()
    return rule_set


def active_rules(session: Session, actor: Actor) -> tuple[int, sop.RuleSet]:
    """The SOP version in force and its rules (the defaults until a version is stored)."""
    require(session, actor, "sop.read")
    current = session.scalar(select(SopRuleSet).where(SopRuleSet.status == "active"))
    if current is None:
        return 0, sop.DEFAULT_RULES
    return current.number, sop.RuleSet.model_validate(current.rules)


def rule_set_versions(session: Session, actor: Actor) -> list[SopRuleSet]:
    require(session, actor, "sop.read")
    return list(session.scalars(select(SopRuleSet).order_by(SopRuleSet.number.desc())))


def new_rule_set(session: Session, actor: Actor, rules: sop.RuleSet, summary: str) -> SopRuleSet:
    """Put a new SOP version in force; the earlier ones are kept as superseded."""
    require(session, actor, "sop.write")
    install_default_rules(session)
    number = 1
    for earlier in session.scalars(select(SopRuleSet)):
        number = max(number, earlier.number + 1)
        if earlier.status == "active":
            earlier.status = "superseded"
    rule_set = SopRuleSet(
        number=number,
        status="active",
        summary=summary,
        rules=rules.model_dump(mode="json"),
        created_by=actor.username,
    )
    session.add(rule_set)
    session.flush()
    return rule_set


def requirements_for(session: Session, actor: Actor, posture: sop.Posture) -> tuple[int, sop.Evaluation]:
    """What a journey with this posture requires under the SOPs in force."""
    number, rules = active_rules(session, actor)
    return number, sop.evaluate(rules, posture)


# ---- sites -------------------------------------------------------------------------------

SITE_RADIUS_KM = 5.0
# A more protected site is a more attractive target: its tier raises the risk read around it.
TIER_FACTORS = {1: 1.5, 2: 1.2, 3: 1.0}


@dataclass(frozen=True)
class SiteRisk:
    site_id: uuid.UUID
    surrounding_intensity: float
    tier: int
    risk: float
    level: int
    assessment_score: float | None = None
    protection: float = 1.0


def site_risk(session: Session, actor: Actor, site_id: uuid.UUID) -> SiteRisk:
    """A site's risk: the highest intensity within 5 km of it, weighted by its security tier and by
    how well its latest final joint assessment found it protected."""
    from jsms.registry import service as registry

    require(session, actor, "risk.read")
    site = registry.get_site(session, actor, site_id)
    risk = engine(session)
    with _lock:
        around = risk.surface.max_within(site.lat, site.lon, SITE_RADIUS_KM)
    protection = protection_factor(site.assessment_score)
    weighted = around * TIER_FACTORS.get(site.security_tier, 1.0) * protection
    return SiteRisk(
        site.id,
        round(around, 3),
        site.security_tier,
        round(weighted, 3),
        level_for(weighted),
        site.assessment_score,
        protection,
    )


def protection_factor(assessment_score: float | None) -> float:
    """How a site's latest final joint assessment weighs on its risk: a well protected site (100)
    keeps three quarters of the risk around it, a badly protected one (0) has a quarter more,
    one never assessed keeps it as it is."""
    if assessment_score is None:
        return 1.0
    return round(1.25 - 0.5 * assessment_score / 100, 4)


# What the dispatcher does for the risk picture.
on("incident.verified")(_apply_incident)
on("incident.changed")(_apply_incident)
on("incident.withdrawn")(_withdraw_incident)
after_batch(_refresh_if_stale)
periodically(refresh_levels)  # overrides expire and old incidents fade even when nothing happens


# ---- zones for the live engine -----------------------------------------------------------


@dataclass
class ZoneMap:
    """The threat level in force at any point: the level of the district it lies in (overrides
    count), looked up for many points at once through the raster's district labels."""

    grid: Any
    district_labels: np.ndarray
    levels: np.ndarray  # per district index
    keys: tuple[str, ...]

    def levels_at(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Level and district index (-1 outside every district) of each point."""
        row, col, inside = self.grid.index(lat, lon)
        district = np.full(len(lat), -1, dtype=np.int64)
        district[inside] = self.district_labels[row[inside], col[inside]]
        level = np.where(district >= 0, self.levels[np.maximum(district, 0)], 1)
        return level, district

    def name(self, district: int) -> str:
        return self.keys[district].split("/", 1)[1] if district >= 0 else ""


def zone_map(session: Session) -> ZoneMap:
    risk = engine(session)
    keys = risk.areas.district_keys
    stored = dict(
        session.execute(
            select(ThreatLevel.area, ThreatLevel.level).where(ThreatLevel.area_kind == "district")
        ).all()
    )
    levels = np.array([stored.get(key, 1) for key in keys], dtype=np.int64)
    return ZoneMap(risk.surface.grid, risk.areas.district_labels, levels, keys)


def changes_between(
    session: Session, actor: Actor, start: datetime, end: datetime
) -> list[ThreatLevelChange]:
    """Every change of a threat level in [start, end), in time order (for reports); an area's first
    level, set when the node began, is not a change."""
    require(session, actor, "risk.read")
    stmt = select(ThreatLevelChange).where(
        ThreatLevelChange.at >= start,
        ThreatLevelChange.at < end,
        ThreatLevelChange.previous_level.is_not(None),
    )
    return list(session.scalars(stmt.order_by(ThreatLevelChange.at)))


def intensity_raster(
    session: Session, actor: Actor, bbox: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The risk intensity now over a box (min_lon, min_lat, max_lon, max_lat): cell-centre
    latitudes, longitudes and the values, rows from south to north (for the risk map)."""
    require(session, actor, "risk.read")
    risk = engine(session)
    with _lock:
        lats, lons = risk.surface.grid.centres()
        rows = (lats >= bbox[1]) & (lats <= bbox[3])
        cols = (lons >= bbox[0]) & (lons <= bbox[2])
        values = risk.surface.raster[np.ix_(rows, cols)] * risk.surface.scale()
    return lats[rows], lons[cols], np.maximum(values, 0.0)
