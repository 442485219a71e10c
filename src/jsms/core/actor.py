"""Who is acting: the user (or system job) behind a unit of work."""

import uuid
from dataclasses import dataclass, field

SYSTEM_PARTY = "host"


@dataclass(frozen=True)
class Actor:
    """The acting user as the policy sees it: role, party and place in the organisation tree."""

    username: str
    role: str
    party: str
    user_id: uuid.UUID | None = None
    display_name: str = ""
    organisation_id: uuid.UUID | None = None
    # Materialised path of the user's organisation node, e.g. "/<party-id>/<org-id>/<unit-id>/".
    org_path: str = "/"
    language: str = "en"
    timezone: str = "Asia/Karachi"
    is_system: bool = False
    scopes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(cls, job: str) -> "Actor":
        """An actor for work no person started (migrations, demo loading, scheduled jobs)."""
        return cls(username=f"system:{job}", role="system", party=SYSTEM_PARTY, is_system=True)
