"""The live stream decides in memory whether a watcher may see an alert: that decision must be the
SQL read rule's, for every role, party, marking, release list and organisation."""

import itertools
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from jsms.alerts import service as alerts
from jsms.alerts.models import Alert
from jsms.core.auth import actor_for
from jsms.core.db import new_session, unit_of_work
from jsms.core.errors import Forbidden
from jsms.core.marking import Tlp
from jsms.core.models import Organisation, User
from jsms.core.policy import read_in_memory, reader_for, visible

DEMO_USERS = (
    "host.commander",
    "host.officer",
    "host.analyst",
    "partner.liaison",
    "company.security",
    "jwg.secretary",
    "auditor",
)
RELEASES = ([], ["host"], ["partner"], ["host", "partner"])


def _matrix_of_alerts(session) -> list[Alert]:
    company = session.scalar(select(User.organisation_id).where(User.username == "company.security"))
    other = session.scalar(select(Organisation.id).where(Organisation.id != company).limit(1))
    made = []
    for tlp, owner, release, org in itertools.product(
        Tlp, ("host", "partner"), RELEASES, (None, company, other)
    ):
        alert = Alert(
            id=uuid.uuid4(),
            kind="deviation",
            severity="severe",
            status="open",
            group_key=f"test:{uuid.uuid4()}",
            subject_type="journey",
            subject_id="x",
            subject_label="A convoy",
            message=alerts.MESSAGES["deviation"],
            params={},
            evidence=[],
            raised_at=datetime.now(UTC),
            last_seen_at=datetime.now(UTC),
            tier=1,
            tlp=tlp.value,
            owner_party=owner,
            release_to=release,
            org_id=org,
        )
        session.add(alert)
        made.append(alert)
    return made


def test_the_live_streams_decision_is_the_sql_rules(connection):
    from jsms.tracking.service import TRACKING

    with unit_of_work(TRACKING) as session:
        made = _matrix_of_alerts(session)
        messages = {a.id: alerts.live_message(a, "raised") for a in made}
    decided = 0
    for username in DEMO_USERS:
        with new_session(None) as session:
            actor = actor_for(session.scalar(select(User).where(User.username == username)))
            try:
                stmt = visible(select(Alert.id).where(Alert.id.in_(list(messages))), session, actor, Alert)
                readable = set(session.scalars(stmt))
            except Forbidden:
                readable = set()
            reader = reader_for(session, actor)
        for alert_id, message in messages.items():
            in_memory = read_in_memory(reader, Alert, message)
            if in_memory is not None:
                decided += 1
                assert in_memory == (alert_id in readable), (username, message)
    # Only a company's own-organisation scope needs the database; everyone else is decided here.
    assert decided >= (len(DEMO_USERS) - 1) * len(messages)
