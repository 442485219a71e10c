"""The live engine: checks every fix of a journey under way against its plan, and the clock
against its schedule. Pure logic over plain data; the service feeds it and stores what it finds.

A batch of fixes is screened with array operations for all journeys at once (distance to the
route, progress along it, speed, the zone's threat level); only journeys where something is
wrong, or was wrong a moment ago, go through the step-by-step logic of episodes:

- a condition (off route, stopped outside a planned halt, in a zone above the allowed level,
  escort too far) starts an *episode* at its first fix; the episode raises one finding once it
  has lasted its dwell time, so a detour of seconds or one noisy fix raises nothing;
- hysteresis: a condition turns on past its threshold and off only well inside it (back within
  60 % of the deviation distance, for instance), and an episode ends only after the condition
  has stayed off for a minute, so a flickering condition is one episode, not a flood.

Each finding carries a key made from the data (journey, kind, the episode's first fix time):
processing the same fixes twice, in this process or another after a crash, yields the same keys,
which the alert store refuses to count twice.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jsms.tracking.geometry import RouteIndex, haversine_m

CLEAR_S = 60.0  # a condition must stay off this long before its episode ends
REJOIN_FRACTION = 0.6  # back on route only within this fraction of the deviation distance
SEPARATION_REJOIN = 0.8
MAX_ACCURACY_M = 250.0  # fixes claiming worse accuracy are not used for geometry
STOP_SPEED_KMH, MOVING_SPEED_KMH = 5.0, 10.0
HALT_RADIUS_M = 500.0  # a stop this near the origin, a checkpoint or the destination is planned
DEPARTURE_RADIUS_M = 1000.0
ARRIVAL_RADIUS_M = 500.0
CHECKPOINT_RADIUS_M = 500.0
ZONE_DWELL_S = 30.0
SEPARATION_DWELL_S = 60.0
SEPARATION_FRESH_S = 120.0  # compare escort and protected fixes at most this far apart in time
IMPLIED_SPEED_WITHIN_S = 600.0
SAVE_PROGRESS_EVERY_M = 5000.0

SEVERITY = {
    "sos": "extreme",
    "deviation": "severe",
    "zone": "severe",
    "separation": "severe",
    "silence": "severe",
    "incident_near": "severe",
    "stop": "moderate",
    "missed_checkpoint": "moderate",
    "overdue": "moderate",
    "missed_checkin": "moderate",
    "late_departure": "minor",
}
PROTECTED, ESCORT = 1, 2


@dataclass(frozen=True)
class Limits:
    """The SOP's monitoring thresholds in metres and seconds."""

    deviation_m: float = 500.0
    deviation_s: float = 120.0
    stop_s: float = 900.0
    silence_s: float = 600.0
    separation_m: float = 2000.0
    late_s: float = 1800.0
    overdue_s: float = 1800.0
    checkin_grace_s: float = 600.0
    incident_m: float = 10_000.0

    @classmethod
    def from_monitoring(cls, m: dict[str, Any]) -> "Limits":
        return cls(
            deviation_m=float(m["deviation_m"]),
            deviation_s=float(m["deviation_minutes"]) * 60,
            stop_s=float(m["stop_minutes"]) * 60,
            silence_s=float(m["silence_minutes"]) * 60,
            separation_m=float(m["escort_separation_m"]),
            late_s=float(m["late_departure_minutes"]) * 60,
            overdue_s=float(m["overdue_minutes"]) * 60,
            checkin_grace_s=float(m["checkin_grace_minutes"]) * 60,
            incident_m=float(m["incident_radius_km"]) * 1000,
        )


@dataclass(frozen=True)
class Checkpoint:
    name: str
    offset_m: float
    elapsed_s: float
    lat: float
    lon: float


@dataclass
class Plan:
    """What a journey is checked against: its route, halts, times, thresholds and devices."""

    journey_id: str
    label: str
    status: str  # approved | under_way
    route_lat: np.ndarray
    route_lon: np.ndarray
    checkpoints: list[Checkpoint]  # the first is the origin, the last the destination
    window_end: float
    started_at: float | None
    projected_arrival: float
    checkin_due: list[float]
    checkin_interval_s: float
    allowed_level: int
    limits: Limits
    protected: tuple[int, ...]  # device slots
    escorts: tuple[int, ...]
    version: int = 0


@dataclass
class Episode:
    since: float
    evidence: list[dict[str, Any]]
    raised: bool = False
    off_since: float | None = None


@dataclass
class JourneyState:
    """What the engine remembers of a journey between batches (saved as JSON)."""

    hint: int = 0
    progress_m: float = 0.0
    departed_at: float | None = None
    arrived_at: float | None = None
    next_checkpoint: int = 1
    near_checkpoints: list[int] = field(default_factory=list)
    episodes: dict[str, Episode] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)  # one-off findings already made
    last_checkin: float | None = None

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "episodes"}
        data["episodes"] = {k: e.__dict__ for k, e in self.episodes.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "JourneyState":
        episodes = {k: Episode(**e) for k, e in data.get("episodes", {}).items()}
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "episodes"}
        return cls(**fields, episodes=episodes)


@dataclass
class Finding:
    """Something an operator must know: what, about which journey and device, when and where, why."""

    kind: str
    key: str  # the same fixes always give the same key
    journey_id: str | None
    device: int | None
    t: float
    lat: float | None
    lon: float | None
    params: dict[str, Any]
    evidence: list[dict[str, Any]]

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    @property
    def group_key(self) -> str:
        """Findings of one group while an alert of it is open fold into that alert."""
        subject = self.journey_id if self.journey_id is not None else f"device:{self.device}"
        return f"{self.kind}:{subject}"


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    cleared: list[tuple[str, str]] = field(default_factory=list)  # (journey id, kind) episodes over
    departed: list[tuple[str, float]] = field(default_factory=list)
    arrived: list[tuple[str, float]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # journeys whose saved state is out of date


@dataclass
class Fixes:
    """A batch of fixes as arrays. `journey` is the plan index (-1: none), `role` PROTECTED/ESCORT;
    speed and accuracy are NaN when the device did not say."""

    device: np.ndarray
    journey: np.ndarray
    role: np.ndarray
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    speed_kmh: np.ndarray
    accuracy: np.ndarray
    positioned: np.ndarray

    def __len__(self) -> int:
        return len(self.t)

    def take(self, index: np.ndarray) -> "Fixes":
        return Fixes(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    def evidence(self, i: int, **extra: Any) -> dict[str, Any]:
        item = {"device": int(self.device[i]), "t": float(self.t[i])}
        if self.positioned[i]:
            item |= {"lat": round(float(self.lat[i]), 6), "lon": round(float(self.lon[i]), 6)}
        if not np.isnan(self.speed_kmh[i]):
            item["speed_kmh"] = round(float(self.speed_kmh[i]), 1)
        return item | extra


def _runs(index: np.ndarray, journey: np.ndarray, signal: np.ndarray) -> list[np.ndarray]:
    """Split fix indices (sorted by journey, then time) where the journey or the signal changes."""
    if len(index) == 0:
        return []
    key_journey, key_signal = journey[index], signal[index]
    cuts = np.flatnonzero((np.diff(key_journey) != 0) | (np.diff(key_signal) != 0)) + 1
    return np.split(index, cuts)


def _signal(on: np.ndarray, off: np.ndarray) -> np.ndarray:
    """1 where a condition is on, 0 where it is off, -1 where the fix says nothing (keep the state)."""
    level = np.full(len(on), -1, dtype=np.int8)
    level[off] = 0
    level[on] = 1
    return level


@dataclass(frozen=True)
class _PlanArrays:
    """Per plan, what the batch checks compare against (built once per set of plans, not per batch)."""

    deviation_m: np.ndarray
    dwell_s: dict[str, np.ndarray]
    allowed_level: np.ndarray
    no_protected: np.ndarray

    @classmethod
    def of(cls, plans: list[Plan]) -> "_PlanArrays":
        return cls(
            deviation_m=np.array([p.limits.deviation_m for p in plans]),
            dwell_s={
                "deviation": np.array([p.limits.deviation_s for p in plans]),
                "stop": np.array([p.limits.stop_s for p in plans]),
                "zone": np.full(len(plans), ZONE_DWELL_S),
            },
            allowed_level=np.array([p.allowed_level for p in plans], dtype=np.int64),
            no_protected=np.array([not p.protected for p in plans], dtype=bool),
        )


class Engine:
    """Plans, their states and the last fix of every device; `observe` fixes, `tick` the clock."""

    def __init__(self, zones=None):
        # zones.levels_at(lat, lon) -> (levels, zone ids), zones.name(zone id): see risk.ZoneMap
        self.zones = zones
        self.plans: list[Plan] = []
        self.index_of: dict[str, int] = {}
        self.states: list[JourneyState] = []
        self.routes = RouteIndex.build([])
        self.halts = np.zeros((0, 1, 2))
        self.limits = _PlanArrays.of([])
        self.device_t = np.zeros(0)
        self.device_lat = np.zeros(0)
        self.device_lon = np.zeros(0)
        self.device_speed = np.zeros(0)  # km/h with the last position (NaN: not said)

    # ---- plans -------------------------------------------------------------------------

    def set_plans(self, plans: list[Plan], saved: dict[str, dict[str, Any]] | None = None) -> None:
        """Monitor these journeys; a journey already monitored keeps its state, a new one starts
        from its saved state (another process's) or afresh."""
        saved = saved or {}
        previous = {plan.journey_id: self.states[i] for i, plan in enumerate(self.plans)}
        self.plans = list(plans)
        self.index_of = {plan.journey_id: i for i, plan in enumerate(self.plans)}
        self.states = []
        for plan in self.plans:
            state = previous.get(plan.journey_id)
            if state is None:
                data = saved.get(plan.journey_id)
                state = JourneyState.from_json(data) if data else JourneyState()
            if plan.started_at is not None and state.departed_at is None and plan.status == "under_way":
                state.departed_at = plan.started_at
            self.states.append(state)
        self.routes = RouteIndex.build([(p.route_lat, p.route_lon) for p in self.plans])
        most = max((len(p.checkpoints) for p in self.plans), default=1)
        self.halts = np.full((len(self.plans), most, 2), np.nan)
        for i, plan in enumerate(self.plans):
            for k, cp in enumerate(plan.checkpoints):
                self.halts[i, k] = cp.lat, cp.lon
        self.limits = _PlanArrays.of(self.plans)
        top = max((max((*p.protected, *p.escorts), default=-1) for p in self.plans), default=-1)
        self._ensure_devices(top + 1)

    def _ensure_devices(self, count: int) -> None:
        if count > len(self.device_t):
            grow = count - len(self.device_t) + 64
            self.device_t = np.concatenate([self.device_t, np.zeros(grow)])
            self.device_lat = np.concatenate([self.device_lat, np.full(grow, np.nan)])
            self.device_lon = np.concatenate([self.device_lon, np.full(grow, np.nan)])
            self.device_speed = np.concatenate([self.device_speed, np.full(grow, np.nan)])

    def state_of(self, journey_id: str) -> JourneyState:
        return self.states[self.index_of[journey_id]]

    def record_checkin(self, journey_id: str, t: float) -> None:
        if journey_id in self.index_of:
            state = self.state_of(journey_id)
            state.last_checkin = max(state.last_checkin or 0.0, t)

    # ---- fixes -------------------------------------------------------------------------

    def observe(self, fixes: Fixes) -> Outcome:
        """Check a batch of fixes (any order, any journeys); remember where every device was."""
        outcome = Outcome()
        if len(fixes) == 0:
            return outcome
        self._ensure_devices(int(fixes.device.max()) + 1)
        order = np.lexsort((fixes.t, fixes.journey))
        fixes = fixes.take(order)
        implied = self._implied_speed(fixes)
        self._remember_devices(fixes)
        on_journey = fixes.journey >= 0
        if not on_journey.any():
            return outcome
        fixes, implied = fixes.take(on_journey), implied[on_journey]
        usable = fixes.positioned & ~(fixes.accuracy > MAX_ACCURACY_M)
        distance = np.full(len(fixes), np.nan)
        progress = np.full(len(fixes), np.nan)
        segment = np.zeros(len(fixes), dtype=np.int64)
        if usable.any():
            u = np.flatnonzero(usable)
            present = np.unique(fixes.journey[u])
            hint_of = np.zeros(len(self.plans), dtype=np.int64)
            hint_of[present] = [self.states[j].hint for j in present.tolist()]
            hints = hint_of[fixes.journey[u]]
            distance[u], segment[u], progress[u] = self.routes.match(
                fixes.journey[u], hints, fixes.lat[u], fixes.lon[u]
            )
        self._advance(fixes, usable, segment, progress, outcome)
        signals, zone_seen = self._signals(fixes, usable, distance, implied)
        self._run_episodes(fixes, signals, distance, zone_seen, outcome)
        self._check_separation(fixes, outcome)
        return outcome

    def _implied_speed(self, fixes: Fixes) -> np.ndarray:
        """The speed each fix reports, or else the speed from the same device's previous fix (in
        the batch, or remembered from earlier ones)."""
        speed = fixes.speed_kmh.copy()
        missing = np.isnan(speed) & fixes.positioned
        if not missing.any():
            return speed
        placed = np.flatnonzero(fixes.positioned)
        order = placed[np.lexsort((fixes.t[placed], fixes.device[placed]))]  # by device, then time
        device, t = fixes.device[order], fixes.t[order]
        lat, lon = fixes.lat[order], fixes.lon[order]
        first = np.r_[True, device[1:] != device[:-1]]
        t0, lat0, lon0 = np.r_[0.0, t[:-1]], np.r_[np.nan, lat[:-1]], np.r_[np.nan, lon[:-1]]
        t0[first], lat0[first], lon0[first] = (
            self.device_t[device[first]],
            self.device_lat[device[first]],
            self.device_lon[device[first]],
        )
        dt = t - t0
        known = (dt > 0) & (dt <= IMPLIED_SPEED_WITHIN_S) & ~np.isnan(lat0)
        with np.errstate(invalid="ignore", divide="ignore"):
            implied = np.where(
                known, haversine_m(lat0, lon0, lat, lon) / np.where(known, dt, 1.0) * 3.6, np.nan
            )
        speed[order] = np.where(missing[order], implied, speed[order])
        return speed

    def _remember_devices(self, fixes: Fixes) -> None:
        # The latest fix per device wins; NumPy assigns repeated indices in order, so sort by time.
        order = np.argsort(fixes.t, kind="stable")
        device, t = fixes.device[order], fixes.t[order]
        newer = t >= self.device_t[device]
        self.device_t[device[newer]] = t[newer]
        placed = newer & fixes.positioned[order]
        self.device_lat[device[placed]] = fixes.lat[order][placed]
        self.device_lon[device[placed]] = fixes.lon[order][placed]
        self.device_speed[device[placed]] = fixes.speed_kmh[order][placed]

    def _advance(self, fixes, usable, segment, progress, outcome: Outcome) -> None:
        """Progress along the route, departure, arrival and checkpoints: per journey in the batch."""
        bounds = np.flatnonzero(np.diff(fixes.journey, prepend=-2, append=-1))
        for start, end in itertools.pairwise(bounds):
            j = int(fixes.journey[start])
            plan, state = self.plans[j], self.states[j]
            rows = np.arange(start, end)[usable[start:end] & (fixes.role[start:end] == PROTECTED)]
            if rows.size == 0:
                rows = np.arange(start, end)[usable[start:end]]
            if rows.size == 0:
                continue
            last = rows[-1]
            state.hint = int(segment[last])
            if state.departed_at is None:
                origin = plan.checkpoints[0]
                away = haversine_m(origin.lat, origin.lon, fixes.lat[rows], fixes.lon[rows])
                gone = np.flatnonzero(away > DEPARTURE_RADIUS_M)
                if gone.size:
                    state.departed_at = float(fixes.t[rows[gone[0]]])
                    outcome.departed.append((plan.journey_id, state.departed_at))
                    outcome.changed.add(plan.journey_id)
            if state.departed_at is None or state.arrived_at is not None:
                continue
            before = state.progress_m
            state.progress_m = max(state.progress_m, float(np.nanmax(progress[rows])))
            if int(state.progress_m // SAVE_PROGRESS_EVERY_M) != int(before // SAVE_PROGRESS_EVERY_M):
                outcome.changed.add(plan.journey_id)  # others read the route ahead from the saved state
            self._checkpoints(j, fixes, rows, outcome)

    def _checkpoints(self, j: int, fixes: Fixes, rows: np.ndarray, outcome: Outcome) -> None:
        plan, state = self.plans[j], self.states[j]
        points = plan.checkpoints
        while state.next_checkpoint < len(points):
            k = state.next_checkpoint
            cp = points[k]
            near = haversine_m(cp.lat, cp.lon, fixes.lat[rows], fixes.lon[rows]) <= CHECKPOINT_RADIUS_M
            if near.any() and k not in state.near_checkpoints:
                state.near_checkpoints.append(k)
                outcome.changed.add(plan.journey_id)
            if k == len(points) - 1:  # the destination: arrival
                if near.any():
                    at = float(fixes.t[rows[np.flatnonzero(near)[0]]])
                    state.arrived_at = at
                    state.next_checkpoint = k + 1
                    outcome.arrived.append((plan.journey_id, at))
                    outcome.changed.add(plan.journey_id)
                return
            if state.progress_m < cp.offset_m + 2 * CHECKPOINT_RADIUS_M:
                return
            if k not in state.near_checkpoints:
                last = rows[-1]
                outcome.findings.append(
                    Finding(
                        "missed_checkpoint",
                        f"missed_checkpoint:{plan.journey_id}:{k}",
                        plan.journey_id,
                        int(fixes.device[last]),
                        float(fixes.t[last]),
                        float(fixes.lat[last]),
                        float(fixes.lon[last]),
                        {"journey": plan.label, "checkpoint": cp.name},
                        [fixes.evidence(last, progress_m=round(state.progress_m))],
                    )
                )
            state.next_checkpoint = k + 1
            outcome.changed.add(plan.journey_id)

    def _signals(self, fixes: Fixes, usable, distance, speed):
        """Per fix and condition: on (1), off (0) or no say (-1); only protected fixes of journeys
        that have left and not yet arrived say anything about the route. Also each fix's zone
        (threat level and zone id), for the findings' words."""
        journeys = fixes.journey
        n = len(fixes)
        moving = self._moving(journeys)
        subject = (fixes.role == PROTECTED) | self.limits.no_protected[journeys]
        judged = usable & moving & subject
        limit = self.limits.deviation_m[journeys]
        deviation = _signal(judged & (distance > limit), judged & (distance < limit * REJOIN_FRACTION))

        halts = self.halts[journeys]  # (n, k, 2), NaN where a journey has fewer halts
        to_halt = haversine_m(halts[:, :, 0], halts[:, :, 1], fixes.lat[:, None], fixes.lon[:, None])
        in_halt = np.where(np.isnan(to_halt), np.inf, to_halt).min(axis=1) <= HALT_RADIUS_M
        known = ~np.isnan(speed)
        stop = _signal(
            judged & known & (speed < STOP_SPEED_KMH) & ~in_halt,
            judged & ((known & (speed >= MOVING_SPEED_KMH)) | in_halt),
        )
        zone = np.full(n, -1, dtype=np.int8)
        zone_seen = np.zeros((n, 2), dtype=np.int64)
        if self.zones is not None and judged.any():
            u = np.flatnonzero(judged)
            levels, ids = self.zones.levels_at(fixes.lat[u], fixes.lon[u])
            zone[u] = np.where(levels > self.limits.allowed_level[journeys[u]], 1, 0)
            zone_seen[u, 0], zone_seen[u, 1] = levels, ids
        return {"deviation": deviation, "stop": stop, "zone": zone}, zone_seen

    def _moving(self, journeys: np.ndarray) -> np.ndarray:
        """Whether each fix's journey has left and not yet arrived (read only for journeys in the batch)."""
        present = np.unique(journeys)
        table = np.zeros(len(self.plans), dtype=bool)
        table[present] = [
            self.states[j].departed_at is not None and self.states[j].arrived_at is None
            for j in present.tolist()
        ]
        return table[journeys]

    def _run_episodes(self, fixes: Fixes, signals, distance, zone_seen, outcome: Outcome) -> None:
        for kind, signal in signals.items():
            interesting = signal == 1
            active = [j for j, s in enumerate(self.states) if kind in s.episodes]
            if active:
                interesting |= np.isin(fixes.journey, active) & (signal >= 0)
            dwell = self.limits.dwell_s[kind]

            def step(i: int, kind=kind, signal=signal, dwell=dwell) -> None:
                self._episode_step(fixes, i, kind, signal, distance, zone_seen, dwell, outcome)

            for run in _runs(np.flatnonzero(interesting), fixes.journey, signal):
                # A run of fixes with the same signal changes the episode at most twice: at its
                # first fix, and where its timer (dwell, or clearing) runs out.
                step(run[0])
                episode = self.states[int(fixes.journey[run[0]])].episodes.get(kind)
                if episode is None or len(run) == 1:
                    continue
                if signal[run[0]] == 1 and not episode.raised:
                    due = episode.since + dwell[int(fixes.journey[run[0]])]
                elif signal[run[0]] == 0 and episode.off_since is not None:
                    due = episode.off_since + CLEAR_S
                else:
                    continue
                k = int(np.searchsorted(fixes.t[run], due))
                if 0 < k < len(run):
                    step(run[k])

    def _episode_step(self, fixes: Fixes, i: int, kind, signal, distance, zone_seen, dwell, outcome) -> None:
        j = int(fixes.journey[i])
        detail = {}
        if kind == "deviation":
            detail["distance_m"] = round(float(distance[i]))
        elif kind == "zone" and signal[i] == 1:
            detail["level"] = int(zone_seen[i, 0])
            detail["zone"] = self.zones.name(int(zone_seen[i, 1]))
        evidence = fixes.evidence(i, **detail)
        self._step(j, kind, kind, int(signal[i]), float(fixes.t[i]), evidence, float(dwell[j]), outcome)

    def _step(self, j, kind, name, signal, t, evidence, dwell_s, outcome: Outcome) -> None:
        """One observation through one condition's episode (`name`: the episode, e.g. one escort's
        separation; `kind`: what it is). See the module's docstring."""
        plan, state = self.plans[j], self.states[j]
        episode = state.episodes.get(name)
        if signal == 1:
            if episode is None:
                episode = Episode(since=t, evidence=[evidence])
                state.episodes[name] = episode
                outcome.changed.add(plan.journey_id)
            elif episode.off_since is not None:
                episode.off_since = None
                outcome.changed.add(plan.journey_id)
            if not episode.raised and t - episode.since >= dwell_s:
                episode.raised = True
                detail = {
                    k: v for k, v in evidence.items() if k not in ("device", "t", "lat", "lon", "speed_kmh")
                }
                params = {"journey": plan.label, **detail, "minutes": round((t - episode.since) / 60, 1)}
                outcome.findings.append(
                    Finding(
                        kind,
                        f"{name}:{plan.journey_id}:{episode.since:.3f}",
                        plan.journey_id,
                        evidence.get("device"),
                        t,
                        evidence.get("lat"),
                        evidence.get("lon"),
                        params,
                        [*episode.evidence, evidence],
                    )
                )
                outcome.changed.add(plan.journey_id)
        elif signal == 0 and episode is not None:
            if episode.off_since is None:
                episode.off_since = t
                outcome.changed.add(plan.journey_id)
            elif t - episode.off_since >= CLEAR_S:
                del state.episodes[name]
                if episode.raised:
                    outcome.cleared.append((plan.journey_id, kind))
                outcome.changed.add(plan.journey_id)

    def _check_separation(self, fixes: Fixes, outcome: Outcome) -> None:
        """Each escort device against the protected device heard last, for journeys in this batch."""
        for j in np.unique(fixes.journey).tolist():
            plan, state = self.plans[j], self.states[j]
            if not plan.escorts or not plan.protected or state.departed_at is None or state.arrived_at:
                continue
            lead = max(plan.protected, key=lambda d: self.device_t[d])
            if self.device_t[lead] == 0 or np.isnan(self.device_lat[lead]):
                continue
            for escort in plan.escorts:
                t_e = self.device_t[escort]
                if t_e == 0 or np.isnan(self.device_lat[escort]):
                    continue
                if abs(t_e - self.device_t[lead]) > SEPARATION_FRESH_S:
                    continue
                d = float(
                    haversine_m(
                        self.device_lat[lead],
                        self.device_lon[lead],
                        self.device_lat[escort],
                        self.device_lon[escort],
                    )
                )
                limit = plan.limits.separation_m
                signal = 1 if d > limit else 0 if d < limit * SEPARATION_REJOIN else -1
                name = f"separation:{escort}"
                if signal == -1 or (signal == 0 and name not in state.episodes):
                    continue
                t = float(max(t_e, self.device_t[lead]))
                evidence = {
                    "device": escort,
                    "t": t,
                    "lat": round(float(self.device_lat[escort]), 6),
                    "lon": round(float(self.device_lon[escort]), 6),
                    "distance_m": round(d),
                }
                self._step(j, "separation", name, signal, t, evidence, SEPARATION_DWELL_S, outcome)

    # ---- the clock ---------------------------------------------------------------------

    def tick(self, now: float) -> Outcome:
        """Findings that need no fix: late departure, overdue arrival, missed check-in, silence."""
        outcome = Outcome()
        for j, plan in enumerate(self.plans):
            state = self.states[j]
            if state.arrived_at is not None:
                continue
            if state.departed_at is None:
                if plan.status == "approved" and now > plan.window_end + plan.limits.late_s:
                    self._once(
                        j, "late_departure", now, {"minutes": round((now - plan.window_end) / 60)}, outcome
                    )
                continue
            self._tick_under_way(j, now, outcome)
        return outcome

    def _tick_under_way(self, j: int, now: float, outcome: Outcome) -> None:
        plan, state = self.plans[j], self.states[j]
        if now > plan.projected_arrival + plan.limits.overdue_s:
            late = round((now - plan.projected_arrival) / 60)
            self._once(j, "overdue", now, {"minutes": late}, outcome)
        for k, due in enumerate(plan.checkin_due):
            if due + plan.limits.checkin_grace_s >= now:
                break
            checked = state.last_checkin is not None and state.last_checkin >= due - plan.checkin_interval_s
            if not checked:
                self._once(j, "missed_checkin", now, {"due": due}, outcome, suffix=str(k))
        for device in (*plan.protected, *plan.escorts):
            heard = max(self.device_t[device], state.departed_at or 0.0)
            if now - heard > plan.limits.silence_s:
                self._once(
                    j,
                    "silence",
                    now,
                    {"minutes": round((now - heard) / 60)},
                    outcome,
                    suffix=f"{device}:{heard:.3f}",
                    device=device,
                )

    def _once(self, j, kind, now, params, outcome: Outcome, suffix: str = "", device: int | None = None):
        plan, state = self.plans[j], self.states[j]
        key = f"{kind}:{plan.journey_id}" + (f":{suffix}" if suffix else "")
        if key in state.done:
            return
        state.done.append(key)
        lat = lon = None
        if device is not None and not np.isnan(self.device_lat[device]):
            lat, lon = float(self.device_lat[device]), float(self.device_lon[device])
        evidence = (
            [{"device": device, "t": float(self.device_t[device]), "lat": lat, "lon": lon}]
            if device is not None
            else []
        )
        outcome.findings.append(
            Finding(
                kind, key, plan.journey_id, device, now, lat, lon, {"journey": plan.label, **params}, evidence
            )
        )
        outcome.changed.add(plan.journey_id)

    def incident_near(self, incident_id: str, lat: float, lon: float, label: str, now: float) -> Outcome:
        """A verified incident: every journey under way whose route ahead passes within its radius."""
        outcome = Outcome()
        for j, plan in enumerate(self.plans):
            state = self.states[j]
            if state.arrived_at is not None or (state.departed_at is None and plan.status != "approved"):
                continue
            distance = self.routes.remaining_distance(j, state.progress_m, lat, lon)
            if distance <= plan.limits.incident_m:
                params = {"journey": plan.label, "incident": label, "distance_km": round(distance / 1000, 1)}
                key = f"incident_near:{plan.journey_id}:{incident_id}"
                if key not in state.done:
                    state.done.append(key)
                    outcome.findings.append(
                        Finding(
                            "incident_near",
                            key,
                            plan.journey_id,
                            None,
                            now,
                            lat,
                            lon,
                            params,
                            [{"incident": incident_id, "lat": lat, "lon": lon}],
                        )
                    )
                    outcome.changed.add(plan.journey_id)
        return outcome
