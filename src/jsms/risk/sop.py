"""Standard operating procedures for journeys: from a posture to what a journey requires.

Pure logic. A rule set has a baseline and rules; every rule whose condition matches the
posture tightens the requirements, and the strictest value of each wins: the most escort
vehicles, an armoured vehicle if any rule wants one, the narrowest travel hours, the smallest
group, the shortest check-in interval, the highest approval level. The default set is
written out in this module's README.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

APPROVAL_ORDER = ("officer", "commander")
NIGHT_START, NIGHT_END = 19, 6  # local hours: a departure or arrival from 19:00 to 05:59 is at night


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Posture(Strict):
    """What a journey faces: the highest threat level on its way, when it travels, where to."""

    threat_level: int = Field(ge=1, le=5)
    departure_hour: int | None = Field(None, ge=0, le=23, description="Local hour of departure")
    arrival_hour: int | None = Field(None, ge=0, le=23, description="Local hour of arrival")
    site_tier: int | None = Field(None, ge=1, le=3, description="Highest tier of the sites it links")

    @property
    def at_night(self) -> bool:
        return any(
            h is not None and (h >= NIGHT_START or h < NIGHT_END)
            for h in (self.departure_hour, self.arrival_hour)
        )


class Monitoring(Strict):
    """Live-tracking thresholds: how far off the route, how long stopped or silent, before an alert.

    In a tightening rule only the fields it names apply; every threshold tightens downwards."""

    deviation_m: int = Field(500, ge=50, le=50_000, description="Distance off the planned route")
    deviation_minutes: float = Field(2, ge=0, le=120, description="How long off route before it counts")
    stop_minutes: float = Field(15, ge=1, le=24 * 60, description="Longest stop outside planned halts")
    silence_minutes: float = Field(10, ge=1, le=24 * 60, description="Longest silence of a device")
    escort_separation_m: int = Field(2000, ge=100, le=100_000, description="Escort farther than this")
    late_departure_minutes: float = Field(30, ge=0, le=24 * 60, description="After the window closes")
    overdue_minutes: float = Field(30, ge=0, le=24 * 60, description="After the projected arrival")
    checkin_grace_minutes: float = Field(10, ge=0, le=24 * 60, description="After a check-in is due")
    incident_radius_km: float = Field(10, ge=0.5, le=200, description="Incident this near the route ahead")


class Requirements(Strict):
    escort_vehicles: int = Field(ge=0, le=20)
    armoured_vehicle: bool
    allowed_hours: tuple[int, int] = Field(description="Local hours [start, end) when travel is allowed")
    max_group_size: int = Field(ge=1, le=200)
    checkin_interval_minutes: int = Field(ge=1, le=24 * 60)
    approval_level: Literal["officer", "commander"]
    monitoring: Monitoring = Field(default_factory=Monitoring)

    @model_validator(mode="after")
    def _hours(self):
        start, end = self.allowed_hours
        if not (0 <= start < end <= 24):
            raise ValueError("allowed_hours must be [start, end) within 0–24 with start before end")
        return self


class Tightening(Strict):
    """What a rule demands; an absent field leaves that requirement as it is."""

    escort_vehicles: int | None = Field(None, ge=0, le=20)
    armoured_vehicle: bool | None = None
    allowed_hours: tuple[int, int] | None = None
    max_group_size: int | None = Field(None, ge=1, le=200)
    checkin_interval_minutes: int | None = Field(None, ge=1, le=24 * 60)
    approval_level: Literal["officer", "commander"] | None = None
    monitoring: Monitoring | None = None

    @field_serializer("monitoring")
    def _only_named(self, monitoring: Monitoring | None):
        # Keep only the thresholds the rule names: a stored rule must not tighten the rest.
        return monitoring.model_dump(exclude_unset=True) if monitoring is not None else None


class Condition(Strict):
    min_threat_level: int = Field(1, ge=1, le=5)
    max_threat_level: int = Field(5, ge=1, le=5)
    site_tiers: list[int] | None = None
    at_night: bool | None = None

    def matches(self, posture: Posture) -> bool:
        if not self.min_threat_level <= posture.threat_level <= self.max_threat_level:
            return False
        if self.site_tiers is not None and posture.site_tier not in self.site_tiers:
            return False
        return self.at_night is None or self.at_night == posture.at_night


class Rule(Strict):
    id: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    description: str = Field(min_length=1, max_length=500)
    when: Condition
    require: Tightening


class RuleSet(Strict):
    baseline: Requirements
    rules: list[Rule] = Field(max_length=200)

    @model_validator(mode="after")
    def _unique_ids(self):
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique")
        return self


class Evaluation(Strict):
    requirements: Requirements
    applied_rules: list[str]


def evaluate(rules: RuleSet, posture: Posture) -> Evaluation:
    """The requirements a posture triggers: the baseline tightened by every matching rule."""
    current = rules.baseline.model_dump()
    applied = []
    for rule in rules.rules:
        if not rule.when.matches(posture):
            continue
        applied.append(rule.id)
        demand = rule.require
        if demand.escort_vehicles is not None:
            current["escort_vehicles"] = max(current["escort_vehicles"], demand.escort_vehicles)
        if demand.armoured_vehicle:
            current["armoured_vehicle"] = True
        if demand.allowed_hours is not None:
            start = max(current["allowed_hours"][0], demand.allowed_hours[0])
            end = min(current["allowed_hours"][1], demand.allowed_hours[1])
            current["allowed_hours"] = (start, max(end, start + 1))  # never an empty window
        if demand.max_group_size is not None:
            current["max_group_size"] = min(current["max_group_size"], demand.max_group_size)
        if demand.checkin_interval_minutes is not None:
            current["checkin_interval_minutes"] = min(
                current["checkin_interval_minutes"], demand.checkin_interval_minutes
            )
        if demand.approval_level is not None:
            current["approval_level"] = max(
                current["approval_level"], demand.approval_level, key=APPROVAL_ORDER.index
            )
        if demand.monitoring is not None:
            limits = current["monitoring"]
            for name in demand.monitoring.model_fields_set:
                limits[name] = min(limits[name], getattr(demand.monitoring, name))
    return Evaluation(requirements=Requirements(**current), applied_rules=applied)


DEFAULT_RULES = RuleSet(
    baseline=Requirements(
        escort_vehicles=1,
        armoured_vehicle=False,
        allowed_hours=(6, 20),
        max_group_size=20,
        checkin_interval_minutes=60,
        approval_level="officer",
    ),
    rules=[
        Rule(
            id="guarded",
            description="Guarded or above: two escorts, check in every 45 minutes.",
            when=Condition(min_threat_level=2),
            require=Tightening(escort_vehicles=2, checkin_interval_minutes=45),
        ),
        Rule(
            id="elevated",
            description="Elevated or above: armoured vehicle, daylight only, groups of 12.",
            when=Condition(min_threat_level=3),
            require=Tightening(
                armoured_vehicle=True,
                allowed_hours=(7, 18),
                max_group_size=12,
                checkin_interval_minutes=30,
                monitoring=Monitoring(deviation_m=300, stop_minutes=10, silence_minutes=5),
            ),
        ),
        Rule(
            id="high",
            description="High or above: three escorts, commander's approval, groups of 8.",
            when=Condition(min_threat_level=4),
            require=Tightening(
                escort_vehicles=3,
                allowed_hours=(8, 17),
                max_group_size=8,
                checkin_interval_minutes=15,
                approval_level="commander",
                monitoring=Monitoring(
                    deviation_m=200, stop_minutes=5, silence_minutes=3, escort_separation_m=1000
                ),
            ),
        ),
        Rule(
            id="severe",
            description="Severe: four escorts, mid-day only, groups of 6, check in every 10 minutes.",
            when=Condition(min_threat_level=5),
            require=Tightening(
                escort_vehicles=4, allowed_hours=(9, 16), max_group_size=6, checkin_interval_minutes=10
            ),
        ),
        Rule(
            id="tier-1-site",
            description="To or from a tier 1 site: armoured vehicle and two escorts at least.",
            when=Condition(site_tiers=[1]),
            require=Tightening(escort_vehicles=2, armoured_vehicle=True),
        ),
        Rule(
            id="night",
            description="Travel at night needs the commander's approval and 15-minute check-ins.",
            when=Condition(at_night=True),
            require=Tightening(approval_level="commander", checkin_interval_minutes=15),
        ),
    ],
)
