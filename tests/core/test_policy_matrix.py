"""The permission matrix of the default mechanism policy, enumerated: every role × party × action."""

import pytest
from pydantic import ValidationError

from jsms.core.actor import Actor
from jsms.core.policy import PARTIES, ROLES, Decision, PolicyDocument, decide, parse_rule

# What the parties agreed, action by action: who may, and on which objects
# ("*" any object, "own" their organisation's, "nationals" their own nationals).
AGREED = """
organisation.read     host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
organisation.write    host_commander:* administrator@host:*
project.read          host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:own
project.write         host_commander:* host_operations_officer:* administrator@host:*
site.read             host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:own
site.write            host_commander:* host_operations_officer:* company_security_manager:own
person.read           host_commander:* host_operations_officer:* host_analyst:* partner_representative:nationals partner_liaison_officer:nationals company_security_manager:own
person.write          host_commander:* host_operations_officer:* company_security_manager:own
person.read_personal  host_commander:* host_operations_officer:* partner_liaison_officer:nationals company_security_manager:own
unit.read             host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* administrator@host:*
unit.write            host_commander:* host_operations_officer:*
unit.task             host_commander:* host_operations_officer:*
asset.read            host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
asset.write           host_commander:* host_operations_officer:*
agreement.read        host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:*
agreement.write       host_commander:* working_group_secretary:*
agreement.deliver     host_commander:* host_operations_officer:* working_group_secretary:*
incident.read         host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
incident.write        host_commander:* host_operations_officer:* host_analyst:*
incident.verify       host_commander:* host_analyst:*
meeting.read          host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:*
meeting.write         working_group_secretary:* host_commander:*
meeting.comment       host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:*
action.update         working_group_secretary:* host_commander:* partner_representative:*
assessment.read       host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:own
assessment.write      host_commander:* host_operations_officer:* partner_liaison_officer:* working_group_secretary:*
assessment.sign       host_commander:* host_operations_officer:* partner_representative:* partner_liaison_officer:*
remediation.update    host_commander:* host_operations_officer:* company_security_manager:own working_group_secretary:*
osint.read            host_commander:* host_operations_officer:* host_analyst:* auditor:*
osint.ingest          host_commander:* host_operations_officer:* host_analyst:* administrator@host:*
osint.review          host_commander:* host_analyst:*
casualty.read         host_commander:* host_operations_officer:* host_analyst:* partner_representative:nationals partner_liaison_officer:nationals company_security_manager:own auditor:*
casualty.read_personal host_commander:* host_operations_officer:* partner_liaison_officer:nationals company_security_manager:own
casualty.write        host_commander:* host_operations_officer:* company_security_manager:own
compensation.read     host_commander:* host_operations_officer:* partner_representative:* partner_liaison_officer:nationals company_security_manager:own working_group_secretary:* auditor:*
compensation.write    host_commander:* working_group_secretary:* company_security_manager:own
compensation.approve  host_commander:* partner_representative:*
compensation.pay      host_commander:* company_security_manager:own
report.read           host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
report.write          host_commander:* host_analyst:*
investigation.read    host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:*
investigation.write   host_commander:* host_operations_officer:* host_analyst:*
gazetteer.read        host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
risk.read             host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
risk.override         host_commander:* host_analyst:*
risk.approve_override host_commander:* partner_representative:*
sop.read              host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
sop.write             host_commander:*
route.plan            host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* company_security_manager:*
journey.read          host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* auditor:* company_security_manager:own
journey.request       host_commander:* host_operations_officer:* company_security_manager:own
journey.approve       host_commander:* host_operations_officer:*
journey.assign        host_commander:* host_operations_officer:*
journey.conduct       host_commander:* host_operations_officer:*
device.read           host_commander:* host_operations_officer:* host_analyst:* auditor:* company_security_manager:own
device.write          host_commander:* host_operations_officer:* company_security_manager:own
tracking.ingest       host_commander:* host_operations_officer:* administrator@host:*
track.read            host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* auditor:* company_security_manager:*
alert.read            host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* auditor:* company_security_manager:own
alert.acknowledge     host_commander:* host_operations_officer:*
alert.resolve         host_commander:* host_operations_officer:*
alert_channel.read    host_commander:* administrator@host:* auditor:*
alert_channel.write   host_commander:* administrator@host:*
rollcall.read         host_commander:* host_operations_officer:* host_analyst:* partner_representative:nationals partner_liaison_officer:nationals company_security_manager:own auditor:*
rollcall.mark         host_commander:* host_operations_officer:*
field.report          field_device:*
user.read             administrator:* auditor:*
user.write            administrator:*
token.create          administrator:*
policy.read           host_commander:* host_operations_officer:* host_analyst:* partner_representative:* partner_liaison_officer:* working_group_secretary:* auditor:* administrator:* company_security_manager:*
policy.propose        host_commander:* partner_representative:* administrator:*
policy.approve        host_commander:* partner_representative:*
audit.read            auditor:* administrator:*
sharing.read          host_commander:* host_analyst:* partner_representative:* partner_liaison_officer:* auditor:*
sharing.release       host_commander:* host_analyst:* partner_representative:*
sharing.receive       host_commander:* host_analyst:* partner_representative:* partner_liaison_officer:*
"""


def agreed_matrix() -> dict[str, dict[tuple[str, str | None], str]]:
    matrix = {}
    for line in AGREED.strip().splitlines():
        action, *rules = line.split()
        entries = {}
        for rule in rules:
            who, scope = rule.split(":")
            role, _, party = who.partition("@")
            entries[(role, party or None)] = scope
        matrix[action] = entries
    return matrix


def expected(action: str, role: str, party: str) -> Decision:
    entries = agreed_matrix()[action]
    scope = entries.get((role, party), entries.get((role, None)))
    if scope is None:
        return Decision(False)
    return Decision(True, None if scope == "*" else frozenset({scope}))


CASES = [
    (action, role, party)
    for action in agreed_matrix()
    for role, fixed_party in ROLES.items()
    for party in PARTIES
    if fixed_party in (None, party)
]


def test_the_matrix_covers_every_action_of_the_policy():
    assert set(agreed_matrix()) == set(PolicyDocument().grants)
    assert len(CASES) == len(agreed_matrix()) * 15  # 5 one-party roles + 5 roles of either party × 2


@pytest.mark.parametrize(("action", "role", "party"), CASES)
def test_default_policy_decides_as_agreed(action, role, party):
    actor = Actor(username="someone", role=role, party=party)
    decision = decide(actor, action, PolicyDocument())
    want = expected(action, role, party)
    assert (decision.allowed, decision.scopes) == (want.allowed, want.scopes)
    if not decision.allowed:
        assert role in decision.reason and action in decision.reason


@pytest.mark.parametrize(
    "action",
    [
        "unit.write",
        "unit.task",
        "journey.approve",
        "journey.assign",
        "journey.conduct",
        "alert.acknowledge",
        "alert.resolve",
        "device.write",
        "asset.write",
        "site.write",
        "organisation.write",
        "user.write",
    ],
)
@pytest.mark.parametrize("role", ["partner_liaison_officer", "partner_representative"])
def test_partner_neither_tasks_units_nor_approves_journeys(action, role):
    assert not decide(Actor("p", role, "partner"), action, PolicyDocument()).allowed


def test_a_version_agreed_before_an_action_existed_gives_it_its_defaults():
    older = PolicyDocument().model_dump(mode="json")
    del older["grants"]["alert.acknowledge"]
    policy = PolicyDocument.model_validate(older)
    assert decide(Actor("o", "host_operations_officer", "host"), "alert.acknowledge", policy).allowed
    assert not decide(Actor("p", "partner_liaison_officer", "partner"), "alert.acknowledge", policy).allowed


def test_unknown_action_is_denied_by_default():
    assert not decide(Actor("c", "host_commander", "host"), "incident.launch", PolicyDocument()).allowed


def test_system_actor_is_allowed_everything():
    assert decide(Actor.system("job"), "anything.at_all", PolicyDocument()).allowed


def test_a_new_version_can_grant_the_partner_journey_requests():
    grants = dict(PolicyDocument().grants)
    grants["journey.request"] = [*grants["journey.request"], "partner_liaison_officer"]
    policy = PolicyDocument(grants=grants, partner_may_request_journeys=True)
    assert decide(Actor("p", "partner_liaison_officer", "partner"), "journey.request", policy).allowed


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("general", "unknown role"),
        ("host_commander@moon", "unknown party"),
        ("host_commander:everything", "unknown scope"),
    ],
)
def test_bad_rules_are_refused(rule, message):
    with pytest.raises(ValueError, match=message):
        parse_rule(rule)
    with pytest.raises(ValidationError, match=message):
        PolicyDocument(grants={"site.read": [rule]})


def test_policy_changes_always_need_both_parties():
    with pytest.raises(ValidationError, match=r"policy\.change"):
        PolicyDocument(dual_approval=["threat_level.override"])
    assert {"policy.change", "threat_level.override", "compensation.amount"} <= set(
        PolicyDocument().dual_approval
    )


def test_editing_a_policy_document_leaves_the_defaults_alone():
    document = PolicyDocument()
    document.grants["journey.request"].append("partner_liaison_officer")
    assert "partner_liaison_officer" not in PolicyDocument().grants["journey.request"]
