"""One builder for the list / create / read / update / delete routes every registry-like resource has.

Each resource names its schemas and service functions; the builder adds the routes with
the same conventions everywhere: pagination and filters from a query model, ETag on every
single-object answer, If-Match honoured on update and delete, 201 on create, 204 on delete.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.errors import invalid_field
from jsms.core.http import ActorDep, SessionDep, check_if_match, etag, permits
from jsms.core.i18n import N_
from jsms.core.policy import visible
from jsms.core.schemas import MAX_OFFSET, Page, PageParams


class ListParams(BaseModel):
    """Query parameters every list takes; a resource subclasses it to add its filters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    q: str | None = Field(None, max_length=200, description="Words to find in names")
    sort: str | None = Field(None, max_length=40, description="Field to sort by; prefix '-' for descending")

    def page(self) -> PageParams:
        return PageParams(limit=self.limit, offset=self.offset)

    def filters(self) -> dict[str, Any]:
        return self.model_dump(exclude={"limit", "offset", "q", "sort"})


@dataclass(frozen=True)
class ListRequest:
    """What a service's list function receives: text, exact-match filters, sort key and page."""

    page: PageParams
    q: str | None = None
    filters: dict[str, Any] | None = None
    sort: str | None = None

    @classmethod
    def of(cls, params: ListParams) -> "ListRequest":
        return cls(params.page(), params.q, params.filters(), params.sort)


def sorted_by(stmt: Select, model: Any, sort: str | None, allowed: Sequence[str], default: str) -> Select:
    """Order by a field the caller may sort on ("-name" for descending), then by id for a stable page."""
    key = sort or default
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in allowed:
        raise invalid_field("sort", N_("cannot sort by %(field)s"), field=name)
    column = getattr(model, name)
    return stmt.order_by(column.desc() if descending else column.asc(), model.id)


def list_page(
    session: Session,
    actor: Actor,
    model: Any,
    query: ListRequest,
    *,
    text_columns: Sequence[str],
    sortable: Sequence[str],
    default_sort: str,
    stmt: Select | None = None,
    policy_model: Any | None = None,
) -> tuple[list[Any], int]:
    """One page of the rows of `model` the actor may see (filtered in SQL by the policy), matching
    the free text and the exact filters, sorted, with the total count. `policy_model`: the table
    `stmt` joins whose marking and scopes decide, for rows that have none of their own."""
    stmt = visible(stmt if stmt is not None else select(model), session, actor, policy_model or model)
    if query.q:
        pattern = f"%{query.q.strip()}%"
        stmt = stmt.where(or_(*(getattr(model, c).ilike(pattern) for c in text_columns)))
    for name, value in (query.filters or {}).items():
        if value is not None:
            stmt = stmt.where(getattr(model, name) == value)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    stmt = sorted_by(stmt, model, query.sort, sortable, default_sort)
    rows = session.scalars(stmt.limit(query.page.limit).offset(query.page.offset)).unique().all()
    return list(rows), total


Lister = Callable[[Session, Actor, ListRequest], tuple[list[Any], int]]
Getter = Callable[[Session, Actor, uuid.UUID], Any]
Writer = Callable[..., Any]


@dataclass(frozen=True)
class Resource:
    """A resource at /api/v1/<name>: its schemas and the service functions behind it."""

    name: str
    tag: str
    read: type[BaseModel]
    create: type[BaseModel]
    update: type[BaseModel]
    params: type[ListParams]
    list: Lister
    get: Getter
    add: Writer
    change: Writer
    remove: Callable[[Session, Actor, uuid.UUID], None] | None = None
    # Turns a stored object into its answer (default: the read schema from its attributes).
    view: Callable[[Session, Actor, Any], Any] | None = None
    # The detail answer, when it shows more than a list item (e.g. a person's personal data).
    detail: type[BaseModel] | None = None
    # Turns a stored object into a list item, where the list shows more than its attributes.
    row: Callable[[Session, Actor, Any], Any] | None = None
    # The grants its routes need: (to read, to write), e.g. ("journey.read", "journey.request").
    access: tuple[str, str] | None = None

    def list_item(self, session: Session, actor: Actor, obj: Any) -> Any:
        if self.row:
            return self.row(session, actor, obj)
        if self.view and self.detail is None:
            return self.view(session, actor, obj)
        return obj


def add_routes(router: APIRouter, resource: Resource) -> None:
    """Add GET list, POST, GET one, PATCH and (if removable) DELETE for the resource."""
    path = f"/{resource.name}"
    one = f"/{resource.name}/{{object_id}}"
    detail = resource.detail or resource.read

    def answer(session: Session, actor: Actor, obj: Any, response: Response) -> Any:
        response.headers["ETag"] = etag(obj.version)
        return resource.view(session, actor, obj) if resource.view else obj

    if resource.access is None:
        raise ValueError(f"the resource {resource.name} must say which grants its routes need")
    reading, writing = permits(resource.access[0]), permits(resource.access[1])
    changing = permits(*resource.access)  # a change reads the record first

    @reading
    def list_items(session: SessionDep, actor: ActorDep, params: Annotated[resource.params, Query()]):
        items, total = resource.list(session, actor, ListRequest.of(params))
        items = [resource.list_item(session, actor, item) for item in items]
        return {"items": items, "total": total, "limit": params.limit, "offset": params.offset}

    @writing
    def create(data: resource.create, session: SessionDep, actor: ActorDep, response: Response):
        return answer(session, actor, resource.add(session, actor, data), response)

    @reading
    def read(object_id: uuid.UUID, session: SessionDep, actor: ActorDep, response: Response):
        return answer(session, actor, resource.get(session, actor, object_id), response)

    @changing
    def update(
        object_id: uuid.UUID,
        data: resource.update,
        session: SessionDep,
        actor: ActorDep,
        request: Request,
        response: Response,
    ):
        check_if_match(request, resource.get(session, actor, object_id).version)
        return answer(session, actor, resource.change(session, actor, object_id, data), response)

    @changing
    def delete(object_id: uuid.UUID, session: SessionDep, actor: ActorDep, request: Request) -> None:
        check_if_match(request, resource.get(session, actor, object_id).version)
        resource.remove(session, actor, object_id)

    singular = resource.name.removesuffix("s")
    tags = [resource.tag]
    router.add_api_route(
        path,
        list_items,
        methods=["GET"],
        response_model=Page[resource.read],
        tags=tags,
        name=f"list_{resource.name}",
        summary=f"List {resource.name}",
    )
    router.add_api_route(
        path,
        create,
        methods=["POST"],
        response_model=detail,
        status_code=201,
        tags=tags,
        name=f"create_{singular}",
        summary=f"Create a {singular}",
    )
    router.add_api_route(
        one,
        read,
        methods=["GET"],
        response_model=detail,
        tags=tags,
        name=f"get_{singular}",
        summary=f"Read a {singular}",
    )
    router.add_api_route(
        one,
        update,
        methods=["PATCH"],
        response_model=detail,
        tags=tags,
        name=f"update_{singular}",
        summary=f"Change a {singular} (If-Match honoured)",
    )
    if resource.remove is not None:
        router.add_api_route(
            one,
            delete,
            methods=["DELETE"],
            status_code=status.HTTP_204_NO_CONTENT,
            response_class=Response,
            tags=tags,
            name=f"delete_{singular}",
            summary=f"Delete a {singular} (If-Match honoured)",
        )
