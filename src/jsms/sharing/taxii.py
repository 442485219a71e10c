"""TAXII 2.1 on the node (standards.md §2): discovery at /taxii2/, one API root, one collection per
audience — what this node releases to that party's node.

Reading a collection is a release like any other: the same policy decision (`service.release`),
logged with the channel "taxii". A user of the audience's party reads it (the other node syncing);
a user of this node's party who may release reads it too (to see what the other node gets).
Users sign in with HTTP Basic (their user name and password) or a bearer token.

Objects are paged in the order they were added (a record's version is added when it changes);
`next` is an opaque cursor. Only the latest version of each object is served.

The other direction is a second collection per party, written to and never read: the other node
pushes what it releases into `received-from-<party>`, and it is taken in as a `jsms sync` pull would
take it in — the whole envelope or nothing, each broken object named in the status resource.
"""

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from jsms.core.actor import Actor
from jsms.core.auth import actor_for, user_for_bearer
from jsms.core.config import get_settings
from jsms.core.db import new_session, unit_of_work
from jsms.core.errors import DomainError, Forbidden, Invalid, NotFound, Unauthenticated
from jsms.core.http import PROBLEMS, RuledRoute, permits, sign_in
from jsms.core.policy import allows
from jsms.sharing import service
from jsms.sharing.models import TaxiiStatus

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
API_ROOT = "/taxii2/jsms/"
PARTIES = ("host", "partner")
MAX_PAGE = 500
MAX_CONTENT_LENGTH = 10 * 1024 * 1024
NODE_RELEASE = Actor.system("taxii")


def taxii_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _taxii_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=TAXII, headers=headers)


# What every TAXII endpoint may answer, all in the TAXII media type.
TAXII_ANSWERS = {
    **{
        code: {"description": problem["description"], "content": {TAXII: {}}}
        for code, problem in PROBLEMS.items()
    },
    200: {"description": "A TAXII resource", "content": {TAXII: {}}},
    406: {"description": "Not acceptable", "content": {TAXII: {}}},
}


class TaxiiRoute(RuledRoute):
    """Errors as TAXII error resources, in the TAXII media type."""

    def __init__(self, path: str, endpoint, **kwargs):
        kwargs["responses"] = {**TAXII_ANSWERS, **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def taxii_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as error:
                headers = {"WWW-Authenticate": 'Basic realm="jsms"'} if error.status == 401 else None
                body = {"title": error.title, "description": str(error), "http_status": str(error.status)}
                return _taxii_response(body, error.status, headers)
            except RequestValidationError as error:  # a bad filter or limit: TAXII says 400
                where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
                body = {"title": "Bad request", "description": where, "http_status": "400"}
                return _taxii_response(body, 400)

        return taxii_handler


router = APIRouter(prefix="/taxii2", route_class=TaxiiRoute, tags=["taxii"])


def _actor(authorization: str | None) -> Actor:
    """The user behind HTTP Basic credentials or a bearer token."""
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            username, _, password = base64.b64decode(credentials).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("Malformed Basic credentials") from None
        # A session that may write: a wrong password counts towards the account's lock-out.
        with new_session(None, write=True) as session:
            return actor_for(sign_in(session, username, password))
    with new_session(None) as session:
        if scheme.lower() == "bearer" and credentials:
            return actor_for(user_for_bearer(session, credentials.strip()))
    raise Unauthenticated("Sign in with HTTP Basic or a bearer token")


def _accepting(accept: str | None) -> None:
    if accept and "application/taxii+json" not in accept and "*/*" not in accept:
        raise _NotAcceptable()


class _BadRequest(DomainError):
    """A malformed filter or cursor: TAXII answers 400."""

    status = 400
    title = "Bad request"
    slug = "bad-request"


class _NotAcceptable(DomainError):
    status = 406
    title = "Not acceptable"
    slug = "not-acceptable"

    def __init__(self) -> None:
        super().__init__(f"This server answers in {TAXII}")


def alias_for(audience: str) -> str:
    """The collection's alias: how the other node finds what is released to it."""
    return f"released-to-{audience}"


def inbox_alias_for(sender: str) -> str:
    """The alias of the collection the other node pushes into."""
    return f"received-from-{sender}"


def collection_id(audience: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"jsms:{get_settings().node_id}:for:{audience}"))


def inbox_id(sender: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"jsms:{get_settings().node_id}:from:{sender}"))


def _audience_of(collection: str) -> str:
    """The party a readable collection releases to (403 for an inbox, 404 for no collection)."""
    direction, party = _collection_of(collection)
    if direction != "released":
        raise Forbidden("This collection takes in what the other node sends; it cannot be read")
    return party


def _sender_of(collection: str) -> str:
    """The party whose node writes into this inbox (403 for a readable collection, 404 for none)."""
    direction, party = _collection_of(collection)
    if direction != "received":
        raise Forbidden("This collection is what this node releases; it cannot be written to")
    return party


def _collection_of(collection: str) -> tuple[str, str]:
    """("released", audience) or ("received", sender) for a collection id; 404 for none."""
    for party in _other_parties():
        if collection_id(party) == collection:
            return "released", party
        if inbox_id(party) == collection:
            return "received", party
    raise NotFound(f"No collection {collection}")


def _may_read(actor: Actor, audience: str) -> bool:
    with new_session(actor) as session:
        if actor.party == audience:
            return allows(session, actor, "sharing.receive")
        return actor.party == get_settings().node_party and allows(session, actor, "sharing.release")


def _may_write(actor: Actor, sender: str) -> bool:
    """The other node's account may push what its party releases."""
    with new_session(actor) as session:
        return actor.party == sender and allows(session, actor, "sharing.receive")


def _collection(actor: Actor, audience: str) -> dict[str, Any]:
    return {
        "id": collection_id(audience),
        "title": f"Released to the {audience} node",
        "alias": alias_for(audience),
        "description": "What this node's policy and markings release to that party, as STIX 2.1.",
        "can_read": _may_read(actor, audience),
        "can_write": False,
        "media_types": [STIX],
    }


def _inbox(actor: Actor, sender: str) -> dict[str, Any]:
    return {
        "id": inbox_id(sender),
        "title": f"Received from the {sender} node",
        "alias": inbox_alias_for(sender),
        "description": "Where that party's node pushes what it releases to this one, as STIX 2.1.",
        "can_read": False,
        "can_write": _may_write(actor, sender),
        "media_types": [STIX],
    }


def _any_collection(actor: Actor, collection: str) -> dict[str, Any]:
    direction, party = _collection_of(collection)
    return _collection(actor, party) if direction == "released" else _inbox(actor, party)


Auth = Annotated[str | None, Header()]
Accept = Annotated[str | None, Header()]


@router.get("/")
@permits(checked_by_endpoint=True)
async def discovery(authorization: Auth = None, accept: Accept = None) -> Response:
    _accepting(accept)
    await run_in_threadpool(_actor, authorization)
    return _taxii_response(
        {
            "title": f"JSMS node {get_settings().node_id}",
            "description": "Exchange between the parties' nodes (TAXII 2.1).",
            "default": API_ROOT,
            "api_roots": [API_ROOT],
        }
    )


@router.get("/jsms/")
@permits(checked_by_endpoint=True)
async def api_root(authorization: Auth = None, accept: Accept = None) -> Response:
    _accepting(accept)
    await run_in_threadpool(_actor, authorization)
    return _taxii_response(
        {
            "title": "JSMS",
            "versions": [TAXII],
            "max_content_length": MAX_CONTENT_LENGTH,
        }
    )


def _other_parties() -> list[str]:
    return [party for party in PARTIES if party != get_settings().node_party]


@router.get("/jsms/collections/")
@permits(checked_by_endpoint=True)
async def collections(authorization: Auth = None, accept: Accept = None) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    found = [
        await run_in_threadpool(describe, actor, party)
        for party in _other_parties()
        for describe in (_collection, _inbox)
    ]
    return _taxii_response({"collections": found})


@router.get("/jsms/collections/{collection}/")
@permits(checked_by_endpoint=True)
async def collection(collection: str, authorization: Auth = None, accept: Accept = None) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    return _taxii_response(await run_in_threadpool(_any_collection, actor, collection))


# ---- objects -------------------------------------------------------------------------------


class Filters:
    """TAXII filters and paging (standards.md §2.4), checked: a malformed one is a 400."""

    def __init__(self, request: Request, limit: int | None, added_after: str | None, next_: str | None):
        params = request.query_params
        self.ids = _match(params, "id")
        self.types = _match(params, "type")
        self.versions = _match(params, "version") or ["last"]
        self.spec_versions = _match(params, "spec_version")
        if limit is not None and limit <= 0:
            raise _BadRequest("limit must be a positive number")
        self.limit = min(limit or MAX_PAGE, MAX_PAGE)
        self.added_after = _parse_time(added_after, "added_after") if added_after else None
        self.offset = _cursor(next_) if next_ else 0

    def keep(self, item: dict[str, Any]) -> bool:
        stix_object = item["object"]
        if self.ids and stix_object["id"] not in self.ids:
            return False
        if self.types and stix_object["type"] not in self.types:
            return False
        if self.spec_versions and "2.1" not in self.spec_versions:
            return False
        fixed = [v for v in self.versions if v not in ("last", "first", "all")]
        if fixed and item["version"] not in fixed:
            return False
        return self.added_after is None or item["date_added"] > self.added_after


def _match(params, name: str) -> list[str]:
    values = params.getlist(f"match[{name}]")
    if len(values) > 1:
        raise _BadRequest(f"match[{name}] may be given once (separate values with commas)")
    return [v for v in values[0].split(",") if v] if values else []


def _parse_time(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _BadRequest(f"{name} {text!r} is not a timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cursor(text: str) -> int:
    try:
        offset = int(base64.urlsafe_b64decode(text.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _BadRequest(f"next {text!r} is not a cursor this server gave") from None
    if offset < 0:
        raise _BadRequest(f"next {text!r} is not a cursor this server gave")
    return offset


def _released(actor: Actor, audience: str) -> list[dict[str, Any]]:
    """Every object released to `audience`, with when it was added and its version, oldest first;
    the release is logged."""
    if not _may_read(actor, audience):
        raise Forbidden("You may not read this collection")
    with unit_of_work(actor) as session:
        # The node releases (a reader of the other party may receive, not release); the log
        # names the reader.
        chosen = service.release_groups(session, NODE_RELEASE, audience)
        service.log_release(session, actor, audience, "taxii", chosen)
    # An object is added when the record it belongs to last changed (its place, group and note
    # with the incident); an object shared by several records counts from the latest of them.
    items: dict[str, dict[str, Any]] = {}
    for release in chosen:
        for stix_object in release.objects:
            item = {
                "object": stix_object,
                "date_added": release.version,
                "version": taxii_time(stix_object["modified"]),
            }
            known = items.get(stix_object["id"])
            if known is None or known["date_added"] < release.version:
                items[stix_object["id"]] = item
    return sorted(items.values(), key=lambda i: (i["date_added"], i["object"]["id"]))


def _page(items: list[dict[str, Any]], filters: Filters) -> tuple[list[dict[str, Any]], dict, dict]:
    kept = [item for item in items if filters.keep(item)]
    page = kept[filters.offset : filters.offset + filters.limit]
    more = filters.offset + len(page) < len(kept)
    envelope: dict[str, Any] = {"more": more}
    if more:
        envelope["next"] = base64.urlsafe_b64encode(str(filters.offset + len(page)).encode()).decode()
    headers = {}
    if page:
        headers = {
            "X-TAXII-Date-Added-First": taxii_time(page[0]["date_added"]),
            "X-TAXII-Date-Added-Last": taxii_time(page[-1]["date_added"]),
        }
    return page, envelope, headers


def _objects_of(page: list[dict[str, Any]]) -> list[Any]:
    return [orjson.loads(item["object"].serialize()) for item in page]


Limit = Annotated[int | None, Query()]
After = Annotated[str | None, Query()]
Next = Annotated[str | None, Query(alias="next")]


@router.get("/jsms/collections/{collection}/objects/")
@permits(checked_by_endpoint=True)
async def objects(
    collection: str,
    request: Request,
    limit: Limit = None,
    added_after: After = None,
    next_: Next = None,
    authorization: Auth = None,
    accept: Accept = None,
) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    audience = _audience_of(collection)
    filters = Filters(request, limit, added_after, next_)
    items = await run_in_threadpool(_released, actor, audience)
    page, envelope, headers = _page(items, filters)
    if page:
        envelope["objects"] = _objects_of(page)
    return _taxii_response(envelope, headers=headers)


@router.get("/jsms/collections/{collection}/objects/{object_id}/")
@permits(checked_by_endpoint=True)
async def one_object(
    collection: str,
    object_id: str,
    request: Request,
    limit: Limit = None,
    added_after: After = None,
    next_: Next = None,
    authorization: Auth = None,
    accept: Accept = None,
) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    audience = _audience_of(collection)
    filters = Filters(request, limit, added_after, next_)
    filters.ids = [object_id]
    items = await run_in_threadpool(_released, actor, audience)
    page, envelope, headers = _page(items, filters)
    if not page:
        raise NotFound(f"No object {object_id} in this collection")
    envelope["objects"] = _objects_of(page)
    return _taxii_response(envelope, headers=headers)


@router.get("/jsms/collections/{collection}/objects/{object_id}/versions/")
@permits(checked_by_endpoint=True)
async def versions(
    collection: str,
    object_id: str,
    request: Request,
    limit: Limit = None,
    added_after: After = None,
    next_: Next = None,
    authorization: Auth = None,
    accept: Accept = None,
) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    audience = _audience_of(collection)
    filters = Filters(request, limit, added_after, next_)
    filters.ids = [object_id]
    items = await run_in_threadpool(_released, actor, audience)
    page, envelope, headers = _page(items, filters)
    if not page:
        raise NotFound(f"No object {object_id} in this collection")
    envelope["versions"] = [item["version"] for item in page]
    return _taxii_response(envelope, headers=headers)


@router.get("/jsms/collections/{collection}/manifest/")
@permits(checked_by_endpoint=True)
async def manifest(
    collection: str,
    request: Request,
    limit: Limit = None,
    added_after: After = None,
    next_: Next = None,
    authorization: Auth = None,
    accept: Accept = None,
) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    audience = _audience_of(collection)
    filters = Filters(request, limit, added_after, next_)
    items = await run_in_threadpool(_released, actor, audience)
    page, envelope, headers = _page(items, filters)
    if page:
        envelope["objects"] = [
            {
                "id": item["object"]["id"],
                "date_added": taxii_time(item["date_added"]),
                "version": item["version"],
                "media_type": STIX,
            }
            for item in page
        ]
    return _taxii_response(envelope, headers=headers)


# ---- writes: the other node pushes ---------------------------------------------------------


class _TooLarge(DomainError):
    status = 413
    title = "Content too large"
    slug = "too-large"


class _UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


def _envelope_objects(body: bytes) -> list[Any]:
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Invalid(f"The body is not JSON: {error}") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise Invalid('A TAXII envelope is a JSON object with a list "objects"')
    if not envelope["objects"]:
        raise Invalid("The envelope has no objects")
    return envelope["objects"]


def _detail(item: Any, message: str | None = None) -> dict[str, Any]:
    """A status detail: the object's id and version (what it says they are, even when broken)."""
    known = item if isinstance(item, dict) else {}
    version = known.get("modified") or known.get("created", "")
    detail = {"id": str(known.get("id", "")), "version": str(version)}
    return {**detail, "message": message} if message else detail


def _take_in(actor: Actor, collection: str, sender: str, objects: list[Any]) -> TaxiiStatus:
    """Take the envelope in whole, or nothing of it; its status is stored either way."""
    bundle = orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
    status = TaxiiStatus(
        id=uuid.uuid4(),
        collection=collection,
        actor=actor.username,
        requested_at=datetime.now(UTC),
        total=len(objects),
    )
    # The node takes the records in (as `jsms sync` does); the audit names the account that pushed.
    node = Actor.system(f"taxii-inbox:{actor.username}")
    try:
        with unit_of_work(node) as session:
            service.take_in(session, node, bundle, sender)
        status.successes, status.failures = [_detail(item) for item in objects], []
    except Invalid as error:
        broken = {e.loc[1]: e.msg for e in error.errors if len(e.loc) == 2}
        refused = f"not taken in: {len(broken) or 'some'} object(s) of the envelope are invalid"
        status.successes = []
        status.failures = [_detail(item, broken.get(index, refused)) for index, item in enumerate(objects)]
    with unit_of_work(actor) as session:
        session.add(status)
    return status


def _status_resource(status: TaxiiStatus) -> dict[str, Any]:
    return {
        "id": str(status.id),
        "status": "complete",
        "request_timestamp": taxii_time(status.requested_at),
        "total_count": status.total,
        "success_count": len(status.successes),
        "successes": status.successes,
        "failure_count": len(status.failures),
        "failures": status.failures,
        "pending_count": 0,
        "pendings": [],
    }


@router.post("/jsms/collections/{collection}/objects/")
@permits(checked_by_endpoint=True)
async def add_objects(
    collection: str,
    request: Request,
    authorization: Auth = None,
    accept: Accept = None,
    content_type: Annotated[str | None, Header()] = None,
    content_length: Annotated[int | None, Header()] = None,
) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    sender = _sender_of(collection)
    if not await run_in_threadpool(_may_write, actor, sender):
        raise Forbidden("You may not write to this collection")
    if not (content_type or "").replace(" ", "").startswith("application/taxii+json"):
        raise _UnsupportedMediaType(f"Send the envelope as {TAXII}")
    if content_length is not None and content_length > MAX_CONTENT_LENGTH:
        raise _TooLarge(f"At most {MAX_CONTENT_LENGTH} bytes per request")
    body = bytearray()
    async for chunk in request.stream():  # a client may lie about, or omit, its length
        body += chunk
        if len(body) > MAX_CONTENT_LENGTH:
            raise _TooLarge(f"At most {MAX_CONTENT_LENGTH} bytes per request")
    objects = _envelope_objects(bytes(body))
    status = await run_in_threadpool(_take_in, actor, collection, sender, objects)
    return _taxii_response(_status_resource(status), 202)


def _status_for(actor: Actor, status_id: str) -> TaxiiStatus:
    try:
        key = uuid.UUID(status_id)
    except ValueError:
        raise NotFound(f"No status {status_id}") from None
    with new_session(actor) as session:
        status = session.get(TaxiiStatus, key)
        # The writer sees its own; this node's people who see the exchange see all.
        if status is None or not (
            status.actor == actor.username
            or (actor.party == get_settings().node_party and allows(session, actor, "sharing.read"))
        ):
            raise NotFound(f"No status {status_id}")
        return status


@router.get("/jsms/status/{status_id}/")
@router.get("/jsms/status/{status_id}", include_in_schema=False)  # where taxii2-client looks
@permits(checked_by_endpoint=True)
async def write_status(status_id: str, authorization: Auth = None, accept: Accept = None) -> Response:
    _accepting(accept)
    actor = await run_in_threadpool(_actor, authorization)
    return _taxii_response(_status_resource(await run_in_threadpool(_status_for, actor, status_id)))
