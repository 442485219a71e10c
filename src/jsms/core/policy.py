"""Who may do what: one decision from role × party × the object's marking × the active policy.

The mechanism policy is a versioned document (see core/governance.py). Its `grants`
map each action to rules of the form ``role[@party][:scope]``:

- ``host_operations_officer`` — that role, whatever the object;
- ``administrator@host`` — that role, only for users of the host party;
- ``company_security_manager:own`` — only objects owned within the user's own
  organisation subtree; ``partner_liaison_officer:nationals`` — only persons of
  the user's own party's nationality.

Reads go through `visible()`, which turns the same rules and the markings into
SQL (default deny); writes call `require()`. Nothing else filters by party.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Select, String, and_, false, or_, select, true, type_coerce
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.errors import Forbidden, NotFound
from jsms.core.i18n import N_
from jsms.core.marking import Marked, Tlp, release_token
from jsms.core.models import Organisation, Party, PolicyVersion

HOST, PARTNER = "host", "partner"
PARTIES = (HOST, PARTNER)

# Role → the party its holders must belong to (None: either party).
ROLES: dict[str, str | None] = {
    "host_commander": HOST,
    "host_operations_officer": HOST,
    "host_analyst": HOST,
    "partner_representative": PARTNER,
    "partner_liaison_officer": PARTNER,
    "company_security_manager": None,
    "working_group_secretary": None,
    "auditor": None,
    "administrator": None,
    # Not a user's role: the phone of a protected person or an escort leader, signed in by its
    # device token on the field page. It may only report about its own journey.
    "field_device": None,
}
DEVICE_ROLES = frozenset({"field_device"})
ROLE_LABELS = {
    "host_commander": N_("Host commander"),
    "host_operations_officer": N_("Host operations officer"),
    "host_analyst": N_("Host analyst"),
    "partner_representative": N_("Partner representative"),
    "partner_liaison_officer": N_("Partner liaison officer"),
    "company_security_manager": N_("Company security manager"),
    "working_group_secretary": N_("Working-group secretary"),
    "auditor": N_("Auditor"),
    "administrator": N_("Administrator"),
    "field_device": N_("Field device"),
}
ACTION_LABELS = {
    "organisation.read": N_("See organisations"),
    "organisation.write": N_("Register organisations"),
    "project.read": N_("See projects"),
    "project.write": N_("Register projects"),
    "site.read": N_("See sites"),
    "site.write": N_("Register and change sites"),
    "person.read": N_("See protected persons"),
    "person.write": N_("Register protected persons"),
    "person.read_personal": N_("See passport and phone numbers"),
    "unit.read": N_("See units"),
    "unit.write": N_("Register units"),
    "unit.task": N_("Task units"),
    "asset.read": N_("See assets"),
    "asset.write": N_("Register assets"),
    "agreement.read": N_("See agreements"),
    "agreement.write": N_("Record agreements"),
    "agreement.deliver": N_("Record deliveries and handovers of donated equipment"),
    "incident.read": N_("See incidents"),
    "incident.write": N_("Record incidents"),
    "incident.verify": N_("Verify or reject incidents"),
    "meeting.read": N_("See working groups, meetings and their actions"),
    "meeting.write": N_("Record working groups, meetings, decisions and actions"),
    "meeting.comment": N_("Comment on meetings"),
    "action.update": N_("Close or reschedule meeting actions"),
    "assessment.read": N_("See joint security assessments of sites"),
    "assessment.write": N_("Record joint security assessments and their findings"),
    "assessment.sign": N_("Sign joint security assessments for one's party"),
    "remediation.update": N_("Follow the remediation of assessment findings"),
    "osint.read": N_("See news articles and the incidents they propose"),
    "osint.ingest": N_("Feed news articles in"),
    "osint.review": N_("Accept, merge or reject incidents proposed from the news"),
    "casualty.read": N_("See casualty records"),
    "casualty.read_personal": N_("See casualties' and beneficiaries' names and personal data"),
    "casualty.write": N_("Record casualties"),
    "compensation.read": N_("See compensation cases"),
    "compensation.write": N_("Prepare compensation cases"),
    "compensation.approve": N_("Approve or reject compensation cases"),
    "compensation.pay": N_("Record compensation payments"),
    "report.read": N_("Read situation reports and threat assessments"),
    "report.write": N_("Write the outlook and judgement of reports"),
    "investigation.read": N_("See investigations"),
    "investigation.write": N_("Record investigation progress"),
    "gazetteer.read": N_("Look up places"),
    "risk.read": N_("See threat levels and risk"),
    "risk.override": N_("Override threat levels"),
    "risk.approve_override": N_("Approve threat-level overrides for a party"),
    "sop.read": N_("See the standard operating procedures"),
    "sop.write": N_("Change the standard operating procedures"),
    "route.plan": N_("Plan routes"),
    "journey.read": N_("See journeys"),
    "journey.request": N_("Request journeys"),
    "journey.approve": N_("Approve journeys"),
    "journey.assign": N_("Assign escorts to journeys"),
    "journey.conduct": N_("Start, complete and abort journeys"),
    "device.read": N_("See tracking devices"),
    "device.write": N_("Register tracking devices"),
    "tracking.ingest": N_("Send position batches for any device"),
    "track.read": N_("See where journeys are and have been"),
    "alert.read": N_("See alerts"),
    "alert.acknowledge": N_("Acknowledge alerts"),
    "alert.resolve": N_("Resolve alerts"),
    "alert_channel.read": N_("See alert channels"),
    "alert_channel.write": N_("Manage alert channels"),
    "rollcall.read": N_("See roll calls"),
    "rollcall.mark": N_("Mark persons accounted for"),
    "field.report": N_("Check in and send SOS from the field page"),
    "user.read": N_("See user accounts"),
    "user.write": N_("Manage user accounts"),
    "token.create": N_("Issue API tokens for others"),
    "policy.read": N_("See the mechanism policy"),
    "policy.propose": N_("Propose policy versions"),
    "policy.approve": N_("Approve policy versions for a party"),
    "audit.read": N_("Read the audit trail"),
    "sharing.read": N_("See what was exchanged with the other node"),
    "sharing.release": N_("Release records to the other node, and preview what it receives"),
    "sharing.receive": N_("Take in what the other node shared"),
}
SCOPE_LABELS = {"own": N_("own organisation only"), "nationals": N_("own nationals only")}
DECISION_LABELS = {
    "policy.change": N_("Policy changes"),
    "threat_level.override": N_("Threat-level overrides"),
    "compensation.amount": N_("Compensation amounts"),
}
COMPANY_ROLES = frozenset({"company_security_manager"})
SCOPES = ("own", "nationals")

HOST_OPS = ["host_commander", "host_operations_officer"]
HOST_ALL = [*HOST_OPS, "host_analyst"]
PARTNER_ALL = ["partner_representative", "partner_liaison_officer"]
READERS = [*HOST_ALL, *PARTNER_ALL, "working_group_secretary", "auditor", "administrator"]
SHARING = ["host_commander", "host_analyst", "partner_representative"]

DEFAULT_GRANTS: dict[str, list[str]] = {
    "organisation.read": [*READERS, "company_security_manager"],
    "organisation.write": ["host_commander", "administrator@host"],
    "project.read": [*READERS, "company_security_manager:own"],
    "project.write": [*HOST_OPS, "administrator@host"],
    "site.read": [*READERS, "company_security_manager:own"],
    "site.write": [*HOST_OPS, "company_security_manager:own"],
    "person.read": [
        *HOST_ALL,
        "partner_representative:nationals",
        "partner_liaison_officer:nationals",
        "company_security_manager:own",
    ],
    "person.write": [*HOST_OPS, "company_security_manager:own"],
    "person.read_personal": [
        *HOST_OPS,
        "partner_liaison_officer:nationals",
        "company_security_manager:own",
    ],
    "unit.read": [*HOST_ALL, *PARTNER_ALL, "working_group_secretary", "administrator@host"],
    "unit.write": ["host_commander", "host_operations_officer"],
    "unit.task": ["host_commander", "host_operations_officer"],
    "asset.read": [*READERS, "company_security_manager"],
    "asset.write": [*HOST_OPS],
    "agreement.read": [*READERS],
    "agreement.write": ["host_commander", "working_group_secretary"],
    "agreement.deliver": [*HOST_OPS, "working_group_secretary"],
    "incident.read": [*READERS, "company_security_manager"],
    "incident.write": [*HOST_ALL],
    "incident.verify": ["host_commander", "host_analyst"],
    "meeting.read": [*READERS],
    "meeting.write": ["working_group_secretary", "host_commander"],
    "meeting.comment": [*HOST_ALL, *PARTNER_ALL, "working_group_secretary"],
    "action.update": ["working_group_secretary", "host_commander", "partner_representative"],
    "assessment.read": [*READERS, "company_security_manager:own"],
    "assessment.write": [*HOST_OPS, "partner_liaison_officer", "working_group_secretary"],
    "assessment.sign": [*HOST_OPS, "partner_representative", "partner_liaison_officer"],
    "remediation.update": [*HOST_OPS, "company_security_manager:own", "working_group_secretary"],
    "osint.read": [*HOST_ALL, "auditor"],
    "osint.ingest": [*HOST_ALL, "administrator@host"],
    "osint.review": ["host_commander", "host_analyst"],
    "casualty.read": [
        *HOST_ALL,
        "partner_representative:nationals",
        "partner_liaison_officer:nationals",
        "company_security_manager:own",
        "auditor",
    ],
    "casualty.read_personal": [
        *HOST_OPS,
        "partner_liaison_officer:nationals",
        "company_security_manager:own",
    ],
    "casualty.write": [*HOST_OPS, "company_security_manager:own"],
    # The partner's representative approves cases of either party's nationals (the second step).
    "compensation.read": [
        *HOST_OPS,
        "partner_representative",
        "partner_liaison_officer:nationals",
        "company_security_manager:own",
        "working_group_secretary",
        "auditor",
    ],
    "compensation.write": ["host_commander", "working_group_secretary", "company_security_manager:own"],
    "compensation.approve": ["host_commander", "partner_representative"],
    "compensation.pay": ["host_commander", "company_security_manager:own"],
    "report.read": [*READERS, "company_security_manager"],  # each reads the copy the policy gives them
    "report.write": ["host_commander", "host_analyst"],
    "investigation.read": [*HOST_ALL, *PARTNER_ALL, "working_group_secretary"],
    "investigation.write": [*HOST_ALL],
    "gazetteer.read": [*READERS, "company_security_manager"],
    "risk.read": [*READERS, "company_security_manager"],
    "risk.override": ["host_commander", "host_analyst"],
    "risk.approve_override": ["host_commander", "partner_representative"],
    "sop.read": [*READERS, "company_security_manager"],
    "sop.write": ["host_commander"],
    "route.plan": [*HOST_ALL, *PARTNER_ALL, "company_security_manager"],
    "journey.read": [*HOST_ALL, *PARTNER_ALL, "auditor", "company_security_manager:own"],
    "journey.request": [*HOST_OPS, "company_security_manager:own"],
    "journey.approve": [*HOST_OPS],
    "journey.assign": [*HOST_OPS],
    "journey.conduct": [*HOST_OPS],
    "device.read": [*HOST_ALL, "company_security_manager:own", "auditor"],
    "device.write": [*HOST_OPS, "company_security_manager:own"],
    "tracking.ingest": [*HOST_OPS, "administrator@host"],
    "track.read": [*HOST_ALL, *PARTNER_ALL, "company_security_manager", "auditor"],
    "alert.read": [*HOST_ALL, *PARTNER_ALL, "company_security_manager:own", "auditor"],
    "alert.acknowledge": [*HOST_OPS],
    "alert.resolve": [*HOST_OPS],
    "alert_channel.read": ["host_commander", "administrator@host", "auditor"],
    "alert_channel.write": ["host_commander", "administrator@host"],
    "rollcall.read": [
        *HOST_ALL,
        "partner_representative:nationals",
        "partner_liaison_officer:nationals",
        "company_security_manager:own",
        "auditor",
    ],
    "rollcall.mark": [*HOST_OPS],
    "field.report": ["field_device"],
    "user.read": ["administrator", "auditor"],
    "user.write": ["administrator"],
    "token.create": ["administrator"],
    "policy.read": [*READERS, "company_security_manager"],
    "policy.propose": ["host_commander", "partner_representative", "administrator"],
    "policy.approve": ["host_commander", "partner_representative"],
    "audit.read": ["auditor", "administrator"],
    "sharing.read": [*SHARING, "partner_liaison_officer", "auditor"],
    "sharing.release": SHARING,
    "sharing.receive": [*SHARING, "partner_liaison_officer"],
}


# What the policy may withhold when a record leaves the node, by kind of record (the title, time,
# place and type of an incident always go).
REDACTABLE = {
    "incident": frozenset(
        {
            "narrative",
            "sources",
            "claimed_by",
            "place_name",
            "district",
            "target_category",
            "killed",
            "injured",
            "killed_protected",
            "injured_protected",
            "protected_nationality_targeted",
            "investigation_status",
        }
    ),
}


class PolicyDocument(BaseModel):
    """The content of one mechanism policy version, as both parties agreed it."""

    # A fresh copy of every list: a document being edited must never change the defaults.
    grants: dict[str, list[str]] = Field(
        default_factory=lambda: {a: list(r) for a, r in DEFAULT_GRANTS.items()}
    )
    # Highest marking a party may receive of what the other party owns, unless released by name.
    max_tlp_received: dict[str, Tlp] = Field(default_factory=lambda: {HOST: Tlp.AMBER, PARTNER: Tlp.AMBER})
    # Company users see no more than this of what is not their own.
    company_max_tlp: Tlp = Tlp.GREEN
    default_markings: dict[str, Tlp] = Field(
        default_factory=lambda: {
            "site": Tlp.GREEN,
            "unit": Tlp.AMBER,
            "agreement": Tlp.GREEN,
            "incident": Tlp.AMBER,
            "journey": Tlp.AMBER,
            "threat_level": Tlp.GREEN,
            "meeting": Tlp.GREEN,
            "assessment": Tlp.AMBER,
        }
    )
    # Decisions that take effect only with an approval from each party.
    dual_approval: list[str] = Field(
        default_factory=lambda: ["policy.change", "threat_level.override", "compensation.amount"]
    )
    partner_may_request_journeys: bool = False
    # Fields withheld whenever a record of this kind leaves the node (e.g. a unit's call sign).
    redactions: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("grants")
    @classmethod
    def _new_actions_take_defaults(cls, grants: dict[str, list[str]]) -> dict[str, list[str]]:
        # A version agreed before an action existed says nothing about it: the action takes its
        # default rules until the parties agree a version that names it.
        missing = {a: list(r) for a, r in DEFAULT_GRANTS.items() if a not in grants}
        return {**grants, **missing}

    @field_validator("grants")
    @classmethod
    def _rules_are_known(cls, grants: dict[str, list[str]]) -> dict[str, list[str]]:
        for action, rules in grants.items():
            for rule in rules:
                parse_rule(rule)  # raises ValueError naming the bad rule
            if "." not in action:
                raise ValueError(f"action {action!r} must look like 'object.verb'")
        return grants

    def default_marking(self, kind: str) -> Tlp:
        """The marking records of `kind` carry unless marked otherwise (AMBER if the policy is silent)."""
        return self.default_markings.get(kind, Tlp.AMBER)

    @field_validator("redactions")
    @classmethod
    def _redactions_are_known(cls, redactions: dict[str, list[str]]) -> dict[str, list[str]]:
        for kind, fields in redactions.items():
            if kind not in REDACTABLE:
                raise ValueError(
                    f"records of kind {kind!r} do not leave the node; redact one of {sorted(REDACTABLE)}"
                )
            unknown = sorted(set(fields) - REDACTABLE[kind])
            if unknown:
                raise ValueError(
                    f"{kind} has no field that can be withheld named {', '.join(unknown)}; "
                    f"choose from {', '.join(sorted(REDACTABLE[kind]))}"
                )
        return redactions

    @field_validator("dual_approval")
    @classmethod
    def _policy_change_is_dual(cls, decisions: list[str]) -> list[str]:
        if "policy.change" not in decisions:
            raise ValueError("'policy.change' must always need the approval of both parties")
        return decisions


@dataclass(frozen=True)
class Rule:
    role: str
    party: str | None
    scope: str | None


def parse_rule(text: str) -> Rule:
    role_party, _, scope = text.partition(":")
    role, _, party = role_party.partition("@")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} in rule {text!r}")
    if party and party not in PARTIES:
        raise ValueError(f"unknown party {party!r} in rule {text!r}")
    if scope and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r} in rule {text!r}")
    return Rule(role, party or None, scope or None)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # None: allowed on any object; otherwise only on objects within one of these scopes.
    scopes: frozenset[str] | None = None
    reason: str = ""


def decide(actor: Actor, action: str, policy: PolicyDocument) -> Decision:
    """Decide whether the actor's role and party allow an action, and on which objects."""
    if actor.is_system:
        return Decision(True)
    scopes: set[str] = set()
    for rule in map(parse_rule, policy.grants.get(action, [])):
        if rule.role != actor.role or (rule.party and rule.party != actor.party):
            continue
        if rule.scope is None:
            return Decision(True)
        scopes.add(rule.scope)
    if scopes:
        return Decision(True, frozenset(scopes))
    return Decision(False, reason=f"the role {actor.role} ({actor.party}) may not {action}")


POLICY_CACHE_KEY = "jsms.policy"


_parsed_policies: dict[uuid.UUID | None, PolicyDocument] = {}  # a version's document never changes


def active_policy(session: Session) -> PolicyDocument:
    """The policy in force, read once per unit of work (which version is in force is asked each
    time; its document is read and checked only the first time this process meets it)."""
    cached = session.info.get(POLICY_CACHE_KEY)
    if cached is None:
        version = session.scalar(select(PolicyVersion.id).where(PolicyVersion.status == "active"))
        cached = _parsed_policies.get(version)
        if cached is None:
            document = session.scalar(select(PolicyVersion.document).where(PolicyVersion.id == version))
            cached = PolicyDocument.model_validate(document) if document else PolicyDocument()
            if len(_parsed_policies) > 16:
                _parsed_policies.clear()
            _parsed_policies[version] = cached
        session.info[POLICY_CACHE_KEY] = cached
    return cached


def forget_policy(session: Session) -> None:
    session.info.pop(POLICY_CACHE_KEY, None)


def _scope_clause(model: Any, scope: str, actor: Actor, session: Session):
    columns: dict[str, str] = getattr(model, "__scope_columns__", {})
    if scope not in columns:
        return false()
    column = getattr(model, columns[scope])
    if scope == "own":
        subtree = select(Organisation.id).where(Organisation.path.startswith(actor.org_path))
        return column.in_(subtree)
    if scope == "nationals":
        return column == party_country(session, actor.party)
    return false()


def party_country(session: Session, party: str) -> str | None:
    key = f"jsms.country.{party}"
    if key not in session.info:
        session.info[key] = session.scalar(select(Party.country).where(Party.code == party))
    return session.info[key]


def _in_scope(session: Session, actor: Actor, obj: Any, scope: str) -> bool:
    """The Python twin of `_scope_clause`, for one object (possibly not yet stored)."""
    column = getattr(type(obj), "__scope_columns__", {}).get(scope)
    value = getattr(obj, column) if column else None
    if value is None:
        return False
    if scope == "own":
        path = session.scalar(select(Organisation.path).where(Organisation.id == value))
        return path is not None and path.startswith(actor.org_path)
    return scope == "nationals" and value == party_country(session, actor.party)


def _marking_clause(model: Any, actor: Actor, policy: PolicyDocument, session: Session):
    if not issubclass(model, Marked):
        return true()
    # Compare the stored text itself: the column's type would otherwise re-encode the operand.
    release_to = type_coerce(model.release_to, String)
    named = release_to.contains(release_token(actor.party))
    if actor.role in COMPANY_ROLES:
        ceiling = policy.company_max_tlp
        mine = _scope_clause(model, "own", actor, session)
    else:
        ceiling = policy.max_tlp_received.get(actor.party, Tlp.CLEAR)
        mine = model.owner_party == actor.party
    within = and_(release_to == "", model.tlp.in_([t.value for t in Tlp.up_to(ceiling)]))
    return or_(mine, named, within)


def read_filter(session: Session, actor: Actor, model: Any, action: str | None = None):
    """The SQL condition for the rows of `model` the actor may read (raises Forbidden if none)."""
    policy = active_policy(session)
    action = action or f"{model.__policy_name__}.read"
    decision = decide(actor, action, policy)
    if not decision.allowed:
        raise Forbidden(f"Not permitted: {decision.reason}")
    if actor.is_system:
        return true()
    scope = true()
    if decision.scopes is not None:
        scope = or_(*(_scope_clause(model, s, actor, session) for s in sorted(decision.scopes)))
    return and_(scope, _marking_clause(model, actor, policy, session))


@dataclass(frozen=True)
class Reader:
    """What deciding an actor's reads in memory needs, read from the database once (the live
    stream keeps one for a few seconds instead of asking the database about every event)."""

    actor: Actor
    policy: PolicyDocument
    country: str | None  # the country of the actor's party (the "nationals" scope)


def reader_for(session: Session, actor: Actor) -> Reader:
    return Reader(actor, active_policy(session), party_country(session, actor.party))


def read_in_memory(reader: Reader, model: Any, values: Mapping[str, Any]) -> bool | None:
    """The Python twin of `read_filter` for one object given by its column values (release_to as
    a list): whether the actor may read it, or None when only the database can tell (a scope of
    the organisation tree). Tested to agree with the SQL for every role, party and marking."""
    actor = reader.actor
    decision = decide(actor, f"{model.__policy_name__}.read", reader.policy)
    if not decision.allowed:
        return False
    if actor.is_system:
        return True
    if decision.scopes is not None:
        found = [_scope_in_memory(reader, model, values, scope) for scope in decision.scopes]
        if True not in found:
            return None if None in found else False
    return _marking_in_memory(reader, model, values)


def _scope_in_memory(reader: Reader, model: Any, values: Mapping[str, Any], scope: str) -> bool | None:
    column = getattr(model, "__scope_columns__", {}).get(scope)
    if column is None:
        return False
    if scope == "own":
        return None  # the organisation tree is in the database
    return scope == "nationals" and values.get(column) is not None and values.get(column) == reader.country


def _marking_in_memory(reader: Reader, model: Any, values: Mapping[str, Any]) -> bool | None:
    """The Python twin of `_marking_clause`: mine, or named in the release list, or unrestricted
    and at most the ceiling the actor's party (or a company) receives."""
    if model is not None and not issubclass(model, Marked):
        return True
    actor, release_to = reader.actor, values["release_to"]
    if actor.party in release_to:
        return True
    if actor.role in COMPANY_ROLES:
        ceiling, mine = reader.policy.company_max_tlp, _scope_in_memory(reader, model, values, "own")
    else:
        ceiling = reader.policy.max_tlp_received.get(actor.party, Tlp.CLEAR)
        mine = values["owner_party"] == actor.party
    if not release_to and Tlp(values["tlp"]).rank <= Tlp(ceiling).rank:
        return True
    return mine


PEER_ROLE = "peer_node"


def peer(party: str) -> Actor:
    """The other party's node as a reader: what it may receive is what its party may read."""
    return Actor(username=f"node:{party}", role=PEER_ROLE, party=party)


def may_release(reader: Reader, model: Any | None, values: Mapping[str, Any]) -> bool:
    """In memory, whether one object may go to people of the reader's party outside the pages (an
    e-mail or a webhook to them): the marking rule their users are held to; undecided is no.
    `model` None: a record kept in no marked table (e.g. a threat-level change, marked by policy)."""
    return _marking_in_memory(reader, model, values) is True


def release_filter(session: Session, node_party: str, audience: str, model: Any):
    """The SQL condition for the rows of `model` this node (of `node_party`) releases to the node
    of `audience`: its own records only (never the other's echoed back), and of those what the
    marking rule lets that party read — the same rule its users are held to."""
    if audience == node_party:
        raise Forbidden("A node releases to the other party's node, not to its own")
    policy = active_policy(session)
    return and_(model.owner_party == node_party, _marking_clause(model, peer(audience), policy, session))


def visible(stmt: Select, session: Session, actor: Actor, model: Any, action: str | None = None) -> Select:
    """Restrict a SELECT over `model` to what the actor may read, inside the query."""
    return stmt.where(read_filter(session, actor, model, action))


def get_visible(session: Session, actor: Actor, model: Any, object_id: Any, *options: Any) -> Any:
    """Load one object the actor may read; 404 whether it is missing or withheld. `options`: loader
    options (e.g. not to load a relationship the caller does not need)."""
    stmt = select(model).where(model.id == object_id).options(*options)
    obj = session.scalar(visible(stmt, session, actor, model))
    if obj is None:
        raise NotFound(f"No {model.__policy_name__} with id {object_id}")
    return obj


def mark_new(
    session: Session,
    actor: Actor,
    obj: Marked,
    kind: str,
    tlp: Tlp | None,
    release_to: list[str] | None = None,
) -> None:
    """Give a new shareable object its marking: as asked, else the policy's default for its kind;
    owned by the actor's party."""
    obj.tlp = (tlp or active_policy(session).default_marking(kind)).value
    obj.owner_party = actor.party
    obj.release_to = list(release_to or [])


def require(session: Session, actor: Actor, action: str, obj: Any = None) -> None:
    """Raise Forbidden unless the actor may do `action` (on `obj`, when one is given)."""
    decision = decide(actor, action, active_policy(session))
    if not decision.allowed:
        raise Forbidden(f"Not permitted: {decision.reason}")
    if obj is None or decision.scopes is None:
        return
    if not any(_in_scope(session, actor, obj, scope) for scope in decision.scopes):
        raise Forbidden(f"Not permitted: {action} is limited to objects within your own scope")


def allows(session: Session, actor: Actor, action: str, obj: Any = None) -> bool:
    """Whether `require` would let the actor do `action` (on `obj`, when one is given)."""
    if obj is None:
        return decide(actor, action, active_policy(session)).allowed
    try:
        require(session, actor, action, obj)
    except Forbidden:
        return False
    return True
