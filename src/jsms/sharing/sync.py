"""`jsms sync`: take in what the other party's node releases to this one, and push to it what this
node releases to it, over TAXII 2.1.

The other node's collection for this node's party is read from where the last sync stopped (objects
added after the stored cursor), page by page with taxii2-client, and taken in as one bundle: created,
updated to a later version, or left alone. The cursor moves only in the same commit as what it
covers, so a sync that fails half way loses nothing and the next one starts from the same place. A
node that does not answer is tried again a few times, then the failure is recorded and reported.

Pushing sends this node's releasable records changed since the last acknowledged push to the other
node's inbox collection, a batch of whole incidents (each with its place and group) at a time. Each
batch is logged as released and the push mark moved only once the other node's status says it took
the batch in; a refused batch stops the push with the other node's reasons.
"""

import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import requests
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Server, as_pages

from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.db import unit_of_work, utcnow
from jsms.core.errors import DomainError
from jsms.sharing import policy_exchange, service, signing
from jsms.sharing.models import SyncState
from jsms.sharing.taxii import alias_for, inbox_alias_for, taxii_time

log = logging.getLogger("jsms.sharing")
SYNC = Actor.system("sync")
PAGE = 500
PUSH_BATCH = 100  # records per envelope: well under the other node's size limit


class PeerRefused(DomainError):
    status = 403
    title = "The other node refused this node's account"
    slug = "peer-refused"


class PushRefused(DomainError):
    status = 422
    title = "The other node refused what was pushed"
    slug = "push-refused"


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


def _collection(peer: Peer, wanted: str):
    """The peer's collection with the alias `wanted`."""
    server = peer.server()
    for root in server.api_roots:
        for collection in root.collections:
            if collection.alias == wanted:
                return collection
    raise PeerUnavailable(f"{peer.url} has no collection {wanted!r} for this node's account")


def _with_retries(peer: Peer, attempts: int, backoff_s: float, work):
    """`work()`, tried again while the peer does not answer; the last failure recorded and raised."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except (requests.RequestException, TAXIIServiceException) as error:
            response = getattr(error, "response", None)
            if response is not None and response.status_code in (401, 403):  # trying again won't help
                _record_failure(peer, f"refused this node's account: {error}")
                raise PeerRefused(f"{peer.url} refused this node's account: {error}") from None
            log.warning("sync with %s failed (attempt %d of %d): %s", peer.url, attempt, attempts, error)
            if attempt == attempts:
                _record_failure(peer, str(error))
                raise PeerUnavailable(
                    f"{peer.url} did not answer after {attempts} attempts: {error}"
                ) from None
            time.sleep(backoff_s * attempt)
    raise AssertionError("unreachable")


def _fetch(peer: Peer, cursor: datetime | None) -> list[dict]:
    collection = _collection(peer, alias_for(get_settings().node_party))
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
    objects = _with_retries(peer, attempts, backoff_s, lambda: _fetch(peer, cursor))
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


def push(peer: Peer, attempts: int = 3, backoff_s: float = 2.0) -> int:
    """Push to `peer` what this node released to it since the last push (see the module's
    docstring); the number of records it took in."""
    with unit_of_work(SYNC) as session:
        state = session.get(SyncState, peer.url)
        since = state.pushed_through if state else None
        groups = service.release_groups(session, SYNC, peer.party, since)
    if not groups:
        return 0
    inbox = _with_retries(
        peer, attempts, backoff_s, lambda: _collection(peer, inbox_alias_for(get_settings().node_party))
    )
    pushed = 0
    for batch in _batches(groups):
        envelope = {"objects": [json.loads(o.serialize()) for release in batch for o in release.objects]}
        status = _with_retries(peer, attempts, backoff_s, partial(inbox.add_objects, envelope))
        if status.failure_count:
            reasons = "; ".join(f["message"] for f in status.failures[:5] if f.get("message"))
            _record_failure(peer, f"push refused: {reasons}")
            raise PushRefused(f"{peer.url} refused {status.failure_count} objects: {reasons}")
        with unit_of_work(SYNC) as session:
            service.log_release(session, SYNC, peer.party, "push", batch)
            state = session.get(SyncState, peer.url) or SyncState(peer=peer.url)
            state.pushed_through = batch[-1].version
            state.last_push_at = state.last_attempt_at = utcnow()
            state.last_error = None
            session.add(state)
        pushed += len(batch)
    return pushed


def _batches(groups: list[service.Release]) -> Iterator[list[service.Release]]:
    """About PUSH_BATCH records at a time, never splitting records changed at the same moment
    (the push mark is a moment: a split would leave the rest behind it)."""
    batch: list[service.Release] = []
    for release in groups:
        if len(batch) >= PUSH_BATCH and release.version != batch[-1].version:
            yield batch
            batch = []
        batch.append(release)
    if batch:
        yield batch


# ---- the mechanism policy -------------------------------------------------------------------


def _api(peer: Peer) -> tuple[str, requests.Session]:
    """The peer's HTTP API and a session signed in with this node's account there."""
    base = peer.url.split("/taxii2")[0].rstrip("/")
    http = requests.Session()
    answer = http.post(
        f"{base}/api/v1/auth/token", data={"username": peer.user, "password": peer.password}, timeout=30
    )
    answer.raise_for_status()
    http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return base, http


def exchange_governance(
    peer: Peer, pull: bool = True, push: bool = True, attempts: int = 3, backoff_s: float = 2.0
) -> policy_exchange.Taken:
    """Exchange signed audit heads (each node keeps the other's; the first key seen is pinned) and
    policy statements: proposals travel, approvals come back, a version both parties approved
    comes into force on both. Pulling takes in theirs; pushing sends ours."""

    def talk() -> tuple[dict | None, dict | None]:
        base, http = _api(peer)
        head = statement = None
        if pull:
            head = _fetched(http, f"{base}/api/v1/sharing/signed-head")
            statement = _fetched(http, f"{base}/api/v1/sharing/policy")
        if push:
            with unit_of_work(SYNC) as session:
                ours = (signing.signed_head(session), policy_exchange.statement(session))
            for path, body in zip(("signed-head", "policy"), ours, strict=True):
                sent = http.post(f"{base}/api/v1/sharing/{path}", json=body, timeout=30)
                if sent.status_code == 422:
                    detail = sent.json().get("detail")
                    raise PushRefused(f"{peer.url} refused this node's {path}: {detail}")
                sent.raise_for_status()
        return head, statement

    head, statement = _with_retries(peer, attempts, backoff_s, talk)
    if head is None or statement is None:
        return policy_exchange.Taken()
    with unit_of_work(SYNC) as session:
        signing.keep(session, head)
        session.flush()
        return policy_exchange.take_statement(session, statement, peer.party)


def _fetched(http: requests.Session, url: str) -> dict:
    answer = http.get(url, timeout=30)
    answer.raise_for_status()
    return answer.json()
