"""`jsms sync`: take in what the other party's node releases to this one, over TAXII 2.1.

The other node's collection for this node's party is read from where the last sync stopped (objects
added after the stored cursor), page by page with taxii2-client, and taken in as one bundle: created,
updated to a later version, or left alone. The cursor moves only in the same commit as what it
covers, so a sync that fails half way loses nothing and the next one starts from the same place. A
node that does not answer is tried again a few times, then the failure is recorded and reported.
"""

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import requests
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Server, as_pages

from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.db import unit_of_work, utcnow
from jsms.core.errors import DomainError
from jsms.sharing import service
from jsms.sharing.models import SyncState
from jsms.sharing.taxii import alias_for, taxii_time

log = logging.getLogger("jsms.sharing")
SYNC = Actor.system("sync")
PAGE = 500


class PeerUnavailable(DomainError):
    status = 503
    title = "The other node is unavailable"
    slug = "peer-unavailable"


@dataclass(frozen=True)
class Peer:
    """The other party's node: its TAXII discovery URL, its party, and this node's account there."""

    url: str
    party: str
    user: str | None = None
    password: str | None = None

    def server(self) -> Server:
        return Server(self.url.rstrip("/") + "/", user=self.user, password=self.password)


def _collection(peer: Peer):
    """The peer's collection released to this node's party (found by its alias)."""
    wanted = alias_for(get_settings().node_party)
    server = peer.server()
    for root in server.api_roots:
        for collection in root.collections:
            if collection.alias == wanted:
                return collection
    raise PeerUnavailable(f"{peer.url} has no collection {wanted!r} readable by this node's account")


def _fetch(peer: Peer, cursor: datetime | None) -> list[dict]:
    collection = _collection(peer)
    filters = {"added_after": taxii_time(cursor)} if cursor else {}
    return [
        o
        for page in as_pages(collection.get_objects, per_request=PAGE, **filters)
        for o in page.get("objects", [])
    ]


def pull(peer: Peer, attempts: int = 3, backoff_s: float = 2.0) -> service.Received:
    """One sync from `peer` (see the module's docstring)."""
    with unit_of_work(SYNC) as session:
        state = session.get(SyncState, peer.url)
        cursor = state.cursor if state else None
    for attempt in range(1, attempts + 1):
        try:
            objects = _fetch(peer, cursor)
            break
        except (requests.RequestException, TAXIIServiceException) as error:
            log.warning("sync from %s failed (attempt %d of %d): %s", peer.url, attempt, attempts, error)
            if attempt == attempts:
                _record_failure(peer, str(error))
                raise PeerUnavailable(
                    f"{peer.url} did not answer after {attempts} attempts: {error}"
                ) from None
            time.sleep(backoff_s * attempt)
    with unit_of_work(SYNC) as session:
        received = service.Received()
        if objects:
            bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
            received = service.take_in(session, SYNC, json.dumps(bundle), peer.party)
            newest = max(_modified(o) for o in objects)
            cursor = newest if cursor is None or newest > cursor else cursor
        state = session.get(SyncState, peer.url) or SyncState(peer=peer.url)
        state.cursor = cursor
        state.last_success_at = state.last_attempt_at = utcnow()
        state.last_error = None
        session.add(state)
    return received


def _modified(item: dict) -> datetime:
    return datetime.fromisoformat(item["modified"].replace("Z", "+00:00"))


def _record_failure(peer: Peer, error: str) -> None:
    with unit_of_work(SYNC) as session:
        state = session.get(SyncState, peer.url) or SyncState(peer=peer.url)
        state.last_attempt_at = utcnow()
        state.last_error = error[:500]
        session.add(state)
