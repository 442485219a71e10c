"""The two parties and each party's organisation tree (party → organisation → unit → user)."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.errors import NotFound, invalid_field
from jsms.core.i18n import N_
from jsms.core.models import Organisation, Party
from jsms.core.policy import PARTIES, require

ORGANISATION_KINDS = (
    "ministry",
    "agency",
    "armed_forces",
    "police",
    "embassy",
    "consulate",
    "secretariat",
    "company",
    "unit",
)


def get_party(session: Session, code: str) -> Party:
    party = session.scalar(select(Party).where(Party.code == code))
    if party is None:
        raise invalid_field("party", f"unknown party {code!r}; expected one of {', '.join(PARTIES)}")
    return party


def ensure_parties(
    session: Session, host_country: str, partner_country: str, names: dict[str, dict[str, str]]
) -> list[Party]:
    """Create the two parties of a new node; leave existing ones as they are."""
    existing = {p.code: p for p in session.scalars(select(Party))}
    for code, country in (("host", host_country), ("partner", partner_country)):
        if code not in existing:
            labels = names.get(code, {})
            existing[code] = Party(
                code=code,
                country=country,
                name=labels.get("en", country),
                name_zh=labels.get("zh"),
                name_ur=labels.get("ur"),
            )
            session.add(existing[code])
    session.flush()
    return [existing["host"], existing["partner"]]


def organisation_path(party_code: str, parent: Organisation | None, org_id: uuid.UUID) -> str:
    return f"{parent.path if parent else f'/{party_code}/'}{org_id}/"


def add_organisation(
    session: Session,
    actor: Actor,
    *,
    party: str,
    kind: str,
    name: str,
    parent_id: uuid.UUID | None = None,
    name_zh: str | None = None,
    name_ur: str | None = None,
    short_name: str | None = None,
) -> Organisation:
    """Add a node to a party's tree (a unit's node is added by the registry with kind='unit')."""
    require(session, actor, "organisation.write" if kind != "unit" else "unit.write")
    if kind not in ORGANISATION_KINDS:
        raise invalid_field("kind", f"unknown kind {kind!r}; expected one of {', '.join(ORGANISATION_KINDS)}")
    party_row = get_party(session, party)
    parent = None
    if parent_id is not None:
        parent = session.get(Organisation, parent_id)
        if parent is None:
            raise invalid_field("parent_id", N_("no organisation with id %(id)s"), id=parent_id)
        if parent.party_id != party_row.id:
            raise invalid_field("parent_id", N_("the parent belongs to the other party"))
    org_id = uuid.uuid4()
    org = Organisation(
        id=org_id,
        party=party_row,
        parent_id=parent_id,
        kind=kind,
        name=name,
        name_zh=name_zh,
        name_ur=name_ur,
        short_name=short_name,
        path=organisation_path(party, parent, org_id),
    )
    session.add(org)
    session.flush()
    return org


def get_organisation(session: Session, org_id: uuid.UUID) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"No organisation with id {org_id}")
    return org


def move_organisation(session: Session, org: Organisation, new_parent_id: uuid.UUID | None) -> None:
    """Re-hang a node (and its subtree) under another parent of the same party."""
    parent = get_organisation(session, new_parent_id) if new_parent_id else None
    if parent is not None:
        if parent.party_id != org.party_id:
            raise invalid_field("parent_id", N_("the parent belongs to the other party"))
        if parent.path.startswith(org.path):
            raise invalid_field("parent_id", N_("an organisation cannot be placed under its own subtree"))
    old_path = org.path
    new_path = organisation_path(org.party.code, parent, org.id)
    for node in session.scalars(select(Organisation).where(Organisation.path.startswith(old_path))):
        node.path = new_path + node.path[len(old_path) :]
    org.parent_id = new_parent_id
    session.flush()


def check_role_fits(role: str, role_party: str | None, org: Organisation) -> None:
    """A role reserved to one party may be held only by users of that party's organisations."""
    if role_party is not None and org.party.code != role_party:
        raise invalid_field(
            "role",
            f"the role {role} is for users of the {role_party} party, "
            f"but {org.name} belongs to the {org.party.code} party",
        )
