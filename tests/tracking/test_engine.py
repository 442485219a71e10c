"""The live engine's checks, case by case, on a straight 96 km road from (30, 67) to (30, 68)."""

import numpy as np
import pytest

from jsms.tracking.engine import ESCORT, PROTECTED, Checkpoint, Engine, Fixes, JourneyState, Limits, Plan

T0 = 1_800_000_000.0
LAT = 30.0
KM_PER_DEG_LON = 96.4  # at 30° north
PROTECTED_DEVICE, ESCORT_DEVICE = 0, 1


def lon_at(km: float) -> float:
    return 67.0 + km / KM_PER_DEG_LON


def plan(status="under_way", escorts=(ESCORT_DEVICE,), allowed_level=3, **limits) -> Plan:
    checkpoints = [
        Checkpoint("Origin", 0.0, 0.0, LAT, 67.0),
        Checkpoint("Midway", 48_200.0, 2892.0, LAT, lon_at(48.2)),
        Checkpoint("Destination", 96_400.0, 5784.0, LAT, 68.0),
    ]
    return Plan(
        journey_id="j1",
        label="Test convoy",
        status=status,
        route_lat=np.array([LAT, LAT, LAT]),
        route_lon=np.array([67.0, 67.5, 68.0]),
        checkpoints=checkpoints,
        window_end=T0 + 3600,
        started_at=T0 if status == "under_way" else None,
        projected_arrival=T0 + 5784,
        checkin_due=[T0 + 1800, T0 + 3600, T0 + 5400],
        checkin_interval_s=1800,
        allowed_level=allowed_level,
        limits=Limits(**limits),
        protected=(PROTECTED_DEVICE,),
        escorts=escorts,
    )


def fixes(rows, journey=0) -> Fixes:
    """rows: (device, seconds after T0, km along the road, km north of it, speed km/h)."""
    device = np.array([r[0] for r in rows])
    return Fixes(
        device=device,
        journey=np.full(len(rows), journey),
        role=np.where(device == ESCORT_DEVICE, ESCORT, PROTECTED),
        t=np.array([T0 + r[1] for r in rows], dtype=float),
        lat=np.array([LAT + r[3] / 110.574 for r in rows]),
        lon=np.array([lon_at(r[2]) for r in rows]),
        speed_kmh=np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float),
        accuracy=np.full(len(rows), 10.0),
        positioned=np.ones(len(rows), dtype=bool),
    )


def drive(engine, start_s, end_s, start_km, speed=60.0, north_km=0.0, every=10, device=PROTECTED_DEVICE):
    rows = [
        (device, s, start_km + (s - start_s) * speed / 3600, north_km, speed)
        for s in range(start_s, end_s, every)
    ]
    return engine.observe(fixes(rows))


def kinds(outcome) -> list[str]:
    return [f.kind for f in outcome.findings]


@pytest.fixture
def engine() -> Engine:
    e = Engine()
    e.set_plans([plan()])
    return e


def test_a_convoy_on_its_route_raises_nothing_and_progress_follows_it(engine):
    outcome = drive(engine, 0, 1800, 0.0)
    assert kinds(outcome) == []
    assert engine.state_of("j1").progress_m == pytest.approx(29_833, rel=0.01)
    assert engine.state_of("j1").near_checkpoints == []


def test_departure_is_detected_when_an_approved_convoy_leaves_the_origin():
    engine = Engine()
    engine.set_plans([plan(status="approved")])
    assert drive(engine, 0, 50, 0.0, speed=30).departed == []  # still within 1 km of the origin
    outcome = drive(engine, 60, 300, 0.5, speed=30)
    assert [j for j, _ in outcome.departed] == ["j1"]


def test_arrival_is_detected_at_the_destination(engine):
    assert drive(engine, 0, 5400, 1.0).arrived == []
    outcome = drive(engine, 5400, 5800, 91.0)
    assert [j for j, _ in outcome.arrived] == ["j1"]
    assert "missed_checkpoint" not in kinds(outcome)


def test_a_deviation_counts_once_it_has_lasted_its_dwell_time(engine):
    drive(engine, 0, 600, 0.0)
    off = drive(engine, 600, 690, 10.0, north_km=1.0)  # 90 s off route: under the 120 s dwell
    assert kinds(off) == []
    still_off = drive(engine, 690, 900, 11.5, north_km=1.0)
    assert kinds(still_off) == ["deviation"]
    finding = still_off.findings[0]
    assert finding.params["distance_m"] == pytest.approx(1000, abs=20)
    assert finding.evidence[0]["t"] == T0 + 600  # the episode's first fix is evidence


def test_a_short_detour_and_a_noisy_fix_raise_nothing(engine):
    drive(engine, 0, 600, 0.0)
    assert kinds(drive(engine, 600, 640, 10.0, north_km=1.0)) == []  # 40 s detour
    assert kinds(drive(engine, 640, 800, 10.7)) == []
    noisy = fixes([(PROTECTED_DEVICE, 810, 13.4, 3.0, 60.0)])  # one fix 3 km off
    assert kinds(engine.observe(noisy)) == []
    assert kinds(drive(engine, 820, 1500, 13.6)) == []


def test_a_persisting_or_flickering_deviation_is_one_alert_not_a_flood(engine):
    drive(engine, 0, 600, 0.0)
    first = drive(engine, 600, 1200, 10.0, north_km=1.0)
    assert kinds(first) == ["deviation"]
    # 0.4 km off is inside the threshold but not back on route (hysteresis): still the same episode
    assert kinds(drive(engine, 1200, 1300, 20.0, north_km=0.4)) == []
    assert kinds(drive(engine, 1300, 2000, 21.7, north_km=1.0)) == []
    # back on route for 30 s, then off again: the episode had not ended
    assert kinds(drive(engine, 2000, 2030, 33.3)) == []
    assert kinds(drive(engine, 2030, 2400, 33.8, north_km=1.0)) == []


def test_an_episode_ends_after_a_minute_back_on_route_and_a_new_one_can_start(engine):
    drive(engine, 0, 600, 0.0)
    drive(engine, 600, 900, 10.0, north_km=1.0)
    back = drive(engine, 900, 1100, 15.0)
    assert back.cleared == [("j1", "deviation")]
    again = drive(engine, 1100, 1400, 18.3, north_km=1.0)
    assert kinds(again) == ["deviation"]
    keys = {f.key for f in again.findings}
    assert keys == {f"deviation:j1:{T0 + 1100:.3f}"}


def test_a_stop_outside_planned_halts_counts_after_the_sop_limit(engine):
    drive(engine, 0, 1200, 0.0)
    outcome = drive(engine, 1200, 1200 + 14 * 60, 20.0, speed=0.0, every=30)
    assert kinds(outcome) == []
    outcome = drive(engine, 1200 + 14 * 60, 1200 + 17 * 60, 20.0, speed=0.0, every=30)
    assert kinds(outcome) == ["stop"]


def test_a_stop_at_a_checkpoint_is_planned(engine):
    drive(engine, 0, 2880, 0.0)
    assert kinds(drive(engine, 2880, 2880 + 30 * 60, 48.1, speed=0.0, every=30)) == []


def test_entering_a_zone_above_the_allowed_level():
    class Zones:
        def levels_at(self, lat, lon):
            east = lon > 67.5
            return np.where(east, 4, 2), east.astype(int)

        def name(self, zone):
            return ["Quetta", "Kech"][zone]

    engine = Engine(zones=Zones())
    engine.set_plans([plan(allowed_level=3)])
    assert kinds(drive(engine, 0, 2880, 0.0)) == []
    outcome = drive(engine, 2880, 3300, 48.0)
    assert kinds(outcome) == ["zone"]
    assert outcome.findings[0].params["level"] == 4
    assert outcome.findings[0].params["zone"] == "Kech"


def test_escort_separation(engine):
    rows = []
    for s in range(0, 600, 10):
        km = s * 60 / 3600
        rows += [(PROTECTED_DEVICE, s, km, 0.0, 60.0), (ESCORT_DEVICE, s, max(km - 0.3, 0.0), 0.0, 60.0)]
    assert kinds(engine.observe(fixes(rows))) == []
    findings = []
    for s in range(600, 900, 10):  # the escort falls 3 km behind and stays there
        km = s * 60 / 3600
        batch = [(PROTECTED_DEVICE, s, km, 0.0, 60.0), (ESCORT_DEVICE, s, km - 3.0, 0.0, 60.0)]
        findings += kinds(engine.observe(fixes(batch)))
    assert findings == ["separation"]


def test_the_clock_late_departure_overdue_checkins_and_silence():
    engine = Engine()
    engine.set_plans([plan(status="approved", escorts=())])
    assert kinds(engine.tick(T0 + 3600 + 1700)) == []
    assert kinds(engine.tick(T0 + 3600 + 1900)) == ["late_departure"]
    assert kinds(engine.tick(T0 + 3600 + 2000)) == []  # once

    engine = Engine()
    engine.set_plans([plan(escorts=())])
    drive(engine, 0, 1700, 0.0)
    engine.record_checkin("j1", T0 + 1500)
    assert kinds(engine.tick(T0 + 1700 + 300)) == []  # heard 5 min ago, check-in done
    assert kinds(engine.tick(T0 + 1700 + 660)) == ["silence"]  # 11 minutes quiet
    assert kinds(engine.tick(T0 + 1700 + 700)) == []
    assert kinds(engine.tick(T0 + 3600 + 700)) == ["missed_checkin"]  # the 2nd check-in was not made
    assert sorted(kinds(engine.tick(T0 + 5784 + 1900))) == ["missed_checkin", "overdue"]


def test_a_silence_ends_when_the_device_is_heard_and_a_new_one_is_a_new_alert(engine):
    drive(engine, 0, 100, 0.0)
    first = engine.tick(T0 + 100 + 700)
    assert "silence" in kinds(first)
    drive(engine, 800, 900, 13.0)
    second = engine.tick(T0 + 900 + 700)
    silences = [f.key for f in second.findings if f.kind == "silence"]
    assert len(silences) >= 1 and not set(silences) & {f.key for f in first.findings}


def test_an_incident_near_the_route_ahead_but_not_behind(engine):
    drive(engine, 0, 2400, 0.0)  # 40 km along
    behind = engine.incident_near("i1", LAT + 0.02, lon_at(20.0), "IED", T0 + 2400)
    ahead = engine.incident_near("i2", LAT + 0.05, lon_at(70.0), "IED", T0 + 2400)
    far = engine.incident_near("i3", LAT + 0.5, lon_at(70.0), "IED", T0 + 2400)
    assert kinds(behind) == [] and kinds(far) == []
    assert kinds(ahead) == ["incident_near"]
    assert ahead.findings[0].params["distance_km"] == pytest.approx(5.5, abs=0.2)


def test_a_skipped_checkpoint_is_missed(engine):
    drive(engine, 0, 2400, 0.0)
    detour = drive(engine, 2400, 3200, 40.0, north_km=2.0)  # around the midway checkpoint
    assert "missed_checkpoint" in kinds(detour) or "missed_checkpoint" in kinds(
        drive(engine, 3200, 3600, 53.3)
    )


def test_replaying_the_same_fixes_after_a_restart_gives_the_same_keys(engine):
    drive(engine, 0, 600, 0.0)
    saved = JourneyState.from_json(engine.state_of("j1").as_json())
    original = drive(engine, 600, 900, 10.0, north_km=1.0)
    restarted = Engine()
    restarted.set_plans([plan()], {"j1": saved.as_json()})
    replay = drive(restarted, 600, 900, 10.0, north_km=1.0)
    assert [f.key for f in replay.findings] == [f.key for f in original.findings] != []


def test_a_tracker_that_reports_no_speed_is_judged_by_the_distance_between_its_fixes(engine):
    drive(engine, 0, 1200, 0.0)
    rows = [(PROTECTED_DEVICE, s, 20.0, 0.0, None) for s in range(1200, 1200 + 17 * 60, 30)]
    assert kinds(engine.observe(fixes(rows))) == ["stop"]
    moving = [(PROTECTED_DEVICE, s, 20.0 + (s - 2300) / 60, 0.0, None) for s in range(2300, 2600, 30)]
    assert kinds(engine.observe(fixes(moving))) == []
