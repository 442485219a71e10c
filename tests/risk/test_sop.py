"""SOP rules: a posture's requirements, strictest value wins, as a table of cases."""

import pytest
from pydantic import ValidationError

from jsms.risk.sop import DEFAULT_RULES, Posture, RuleSet, evaluate


@pytest.mark.parametrize(
    ("posture", "escorts", "armoured", "hours", "group", "checkin", "approval", "rules"),
    [
        ({"threat_level": 1}, 1, False, (6, 20), 20, 60, "officer", []),
        ({"threat_level": 2}, 2, False, (6, 20), 20, 45, "officer", ["guarded"]),
        ({"threat_level": 3}, 2, True, (7, 18), 12, 30, "officer", ["guarded", "elevated"]),
        ({"threat_level": 4}, 3, True, (8, 17), 8, 15, "commander", ["guarded", "elevated", "high"]),
        (
            {"threat_level": 5},
            4,
            True,
            (9, 16),
            6,
            10,
            "commander",
            ["guarded", "elevated", "high", "severe"],
        ),
        ({"threat_level": 1, "site_tier": 1}, 2, True, (6, 20), 20, 60, "officer", ["tier-1-site"]),
        ({"threat_level": 1, "departure_hour": 21}, 1, False, (6, 20), 20, 15, "commander", ["night"]),
        ({"threat_level": 1, "departure_hour": 5}, 1, False, (6, 20), 20, 15, "commander", ["night"]),
        (
            {"threat_level": 1, "departure_hour": 6, "arrival_hour": 18},
            1,
            False,
            (6, 20),
            20,
            60,
            "officer",
            [],
        ),
        (
            {"threat_level": 4, "site_tier": 1, "arrival_hour": 22},
            3,
            True,
            (8, 17),
            8,
            15,
            "commander",
            ["guarded", "elevated", "high", "tier-1-site", "night"],
        ),
    ],
)
def test_default_rules(posture, escorts, armoured, hours, group, checkin, approval, rules):
    result = evaluate(DEFAULT_RULES, Posture(**posture))
    r = result.requirements
    assert (
        r.escort_vehicles,
        r.armoured_vehicle,
        r.allowed_hours,
        r.max_group_size,
        r.checkin_interval_minutes,
        r.approval_level,
    ) == (escorts, armoured, hours, group, checkin, approval)
    assert result.applied_rules == rules


def test_rules_only_tighten():
    loose = DEFAULT_RULES.model_copy(deep=True)
    loose.rules[0].require.escort_vehicles = 0
    loose.rules[0].require.checkin_interval_minutes = 600
    result = evaluate(loose, Posture(threat_level=2)).requirements
    assert result.escort_vehicles == 1 and result.checkin_interval_minutes == 60


def test_a_rule_set_is_validated():
    document = DEFAULT_RULES.model_dump()
    document["rules"].append(document["rules"][0])
    with pytest.raises(ValidationError, match="unique"):
        RuleSet.model_validate(document)
    document = DEFAULT_RULES.model_dump()
    document["baseline"]["allowed_hours"] = (20, 6)
    with pytest.raises(ValidationError, match="allowed_hours"):
        RuleSet.model_validate(document)
    with pytest.raises(ValidationError):
        Posture(threat_level=6)
