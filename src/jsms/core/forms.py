"""Generic registry pages: searchable, sortable, paginated lists; detail pages; create and edit
forms that show each validation error next to its field, in the user's language.

A domain describes a resource once (columns, detail rows, form fields) and `add_pages`
adds GET /<name>, GET /<name>/new, POST /<name>/new, GET /<name>/<id>, GET and POST
/<name>/<id>/edit, all through the same service functions as the API.
"""

import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jsms.core.actor import Actor
from jsms.core.crud import ListRequest, Resource
from jsms.core.errors import Invalid
from jsms.core.http import SessionDep, permits
from jsms.core.i18n import N_, Translator
from jsms.core.pages import PageActor, redirect, render, translator_for
from jsms.core.policy import allows, require

PAGE_SIZE = 25

# Pydantic's error types → messages a page can show in any language.
VALIDATION_MESSAGES = {
    "missing": N_("This field is required."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than": N_("Must be less than %(lt)s."),
    "greater_than": N_("Must be more than %(gt)s."),
    "float_parsing": N_("Must be a number."),
    "int_parsing": N_("Must be a whole number."),
    "string_too_short": N_("Must not be empty."),
    "string_too_long": N_("Is too long (at most %(max_length)s characters)."),
    "literal_error": N_("Choose one of the listed values."),
    "enum": N_("Choose one of the listed values."),
    "string_pattern_mismatch": N_("Is not in the expected format."),
    "uuid_parsing": N_("Choose a record from the list."),
    "date_from_datetime_parsing": N_("Must be a date (YYYY-MM-DD)."),
    "date_parsing": N_("Must be a date (YYYY-MM-DD)."),
}


def label(mapping: dict[str, str], attribute: str) -> Callable[[Any, Translator], str]:
    """A column or row that shows a slug by its translated label."""
    return lambda obj, t: t.gettext(mapping.get(str(getattr(obj, attribute)), str(getattr(obj, attribute))))


def yes_no(attribute: str) -> Callable[[Any, Translator], str]:
    """A column or row that shows a flag as a translated yes or no."""
    return lambda obj, t: t.gettext(N_("Yes")) if getattr(obj, attribute) else t.gettext(N_("No"))


def personal(attribute: str) -> Callable[[Any, Translator], str]:
    """A personal-data row of a detail answer: the value where the policy showed it, else a note."""

    def value(record: Any, t: Translator) -> str:
        if record.personal_data_withheld:
            return t.gettext(N_("withheld"))
        return getattr(record, attribute) or ""

    return value


def plain(attribute: str) -> Callable[[Any, Translator], Any]:
    """A column or row that shows an attribute as it is (empty when missing)."""
    return lambda obj, t: "" if getattr(obj, attribute) is None else getattr(obj, attribute)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable[[Any, Translator], Any]
    sort: str | None = None  # the service's sort key, when the column can be sorted
    link: bool = False


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text, number, select, checkbox, textarea, lines (a list), date
    # Fixed choices (message ids, translated when shown), or a function of the session, the actor
    # and the reader's translator that returns them already in the reader's language.
    choices: dict[str, str] | Callable[[Session, Actor, Translator], dict[str, str]] | None = None
    required: bool = False
    wide: bool = False
    help: str | None = None
    step: str | None = None
    create_only: bool = False  # e.g. where a unit belongs: set once, not edited here

    def options(self, session: Session, actor: Actor, t: Translator) -> dict[str, str]:
        if callable(self.choices):
            return self.choices(session, actor, t)
        return self.choices or {}


@dataclass(frozen=True)
class DetailRow:
    label: str
    value: Callable[[Any, Translator], Any]


@dataclass
class PageSpec:
    """How one resource looks on the pages."""

    resource: Resource
    title: str
    singular: str
    write_permission: str
    columns: list[Column]
    details: list[DetailRow]
    fields: list[FormField]
    initial: Callable[[Any], dict[str, Any]] = lambda obj: {}
    detail_template: str = "detail.html"
    extra: Callable[[Session, Actor, Any], dict[str, Any]] | None = None
    filters: list[FormField] = field(default_factory=list)
    forms: bool = True  # False: the domain builds its own create and edit pages
    # Grants the forms need besides writing: to offer their choices (a case's casualties).
    form_grants: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.resource.name


def field_messages(error: ValidationError | Invalid, t: Translator) -> tuple[dict[str, str], list[str]]:
    """Translated messages by field name, and those that belong to no one field."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    if isinstance(error, ValidationError):
        for item in error.errors():
            template = VALIDATION_MESSAGES.get(item["type"])
            ctx = {
                k: t.number(v) if isinstance(v, int | float) else v
                for k, v in (item.get("ctx") or {}).items()
            }
            message = t.gettext(template, **ctx) if template else str(item.get("msg", ""))
            name = str(item["loc"][0]) if item["loc"] else None
            if name:
                by_field.setdefault(name, message)
            else:
                general.append(message.removeprefix("Value error, "))
    else:
        for item in error.errors:
            message = t.gettext(item.template, **item.params) if item.template else item.msg
            if item.loc:
                by_field.setdefault(str(item.loc[0]), message)
            else:
                general.append(message)
        if not error.errors:
            general.append(error.detail)
    return by_field, general


def _in_zone(values: dict[str, Any], fields: list[FormField], t: Translator) -> dict[str, Any]:
    """Read a "datetime-local" value (no zone) as the user's local time, and give it that zone."""
    for spec in fields:
        raw = values.get(spec.name)
        if spec.kind == "datetime-local" and raw:
            with suppress(ValueError):  # left as typed: validation then names the field
                values[spec.name] = datetime.fromisoformat(raw).replace(tzinfo=t.timezone).isoformat()
    return values


def _local(initial: dict[str, Any], t: Translator) -> dict[str, Any]:
    """A record's values for its edit form: times as the user's local "YYYY-MM-DDTHH:MM"."""
    return {
        name: value.astimezone(t.timezone).strftime("%Y-%m-%dT%H:%M")
        if isinstance(value, datetime)
        else value
        for name, value in initial.items()
    }


def _form_values(form, fields: list[FormField]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in fields:
        if spec.kind == "checkbox":
            values[spec.name] = spec.name in form
            continue
        raw = form.get(spec.name)
        if raw is None:
            continue
        raw = str(raw).strip()
        if spec.kind == "lines":  # one item a line (an agenda): a list
            values[spec.name] = [line.strip() for line in raw.splitlines() if line.strip()]
            continue
        values[spec.name] = raw if raw != "" else None
    return values


def add_pages(router: APIRouter, spec: PageSpec) -> None:
    """Add the list, detail, create and edit pages of a resource."""
    base = f"/{spec.name}"
    resource = spec.resource

    def context(session: Session, actor: Actor, **more: Any) -> dict[str, Any]:
        return {
            "spec": spec,
            "base": base,
            "can_write": allows(session, actor, spec.write_permission),
            **more,
        }

    def list_page(request: Request, session: SessionDep, actor: PageActor):
        query = request.query_params
        page_number = max(1, int(query.get("page", "1")) if query.get("page", "1").isdigit() else 1)
        raw = {k: v for k, v in query.items() if k in resource.params.model_fields and v != ""}
        raw.update(limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
        try:
            params = resource.params.model_validate(raw)
        except ValidationError:
            params = resource.params.model_validate({"limit": PAGE_SIZE, "offset": 0})
        items, total = resource.list(session, actor, ListRequest.of(params))
        items = [resource.list_item(session, actor, item) for item in items]  # as the API lists them
        pages = max(1, ceil(total / PAGE_SIZE))
        return render(
            request,
            "list.html",
            context(
                session,
                actor,
                items=items,
                total=total,
                page=page_number,
                pages=pages,
                params=params,
                query=dict(query),
                filter_options={
                    f.name: f.options(session, actor, translator_for(request, actor)) for f in spec.filters
                },
            ),
            actor=actor,
        )

    def detail_page(object_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
        obj = resource.get(session, actor, object_id)
        shown = resource.view(session, actor, obj) if resource.view else obj
        extra = spec.extra(session, actor, obj) if spec.extra else {}
        return render(
            request,
            spec.detail_template,
            context(session, actor, obj=shown, record=obj, **extra),
            actor=actor,
        )

    def form_page(
        request: Request,
        session: SessionDep,
        actor: PageActor,
        obj: Any,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        general: list[str] | None = None,
        status_code: int = 200,
    ):
        fields = fields_for(obj)
        t = translator_for(request, actor)
        options = {f.name: f.options(session, actor, t) for f in fields if f.kind == "select"}
        return render(
            request,
            "form.html",
            context(
                session,
                actor,
                obj=obj,
                fields=fields,
                values=values,
                errors=errors or {},
                general=general or [],
                options=options,
            ),
            actor=actor,
            status_code=status_code,
        )

    def fields_for(obj: Any) -> list[FormField]:
        """The fields of the create form, or of the edit form (without those set only at creation)."""
        return [f for f in spec.fields if obj is None or not f.create_only]

    def new_form(request: Request, session: SessionDep, actor: PageActor):
        require(session, actor, spec.write_permission)
        return form_page(request, session, actor, None, {})

    async def create(request: Request, session: SessionDep, actor: PageActor):
        values = _in_zone(
            _form_values(await request.form(), spec.fields), spec.fields, translator_for(request, actor)
        )
        try:
            data = resource.create.model_validate({k: v for k, v in values.items() if v is not None})
            obj = resource.add(session, actor, data)
        except (ValidationError, Invalid) as error:
            session.rollback()
            errors, general = field_messages(error, translator_for(request, actor))
            return form_page(request, session, actor, None, values, errors, general, 422)
        return redirect(f"{base}/{obj.id}", request)

    def edit_form(object_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
        obj = resource.get(session, actor, object_id)
        require(session, actor, spec.write_permission, obj)
        return form_page(
            request, session, actor, obj, _local(spec.initial(obj), translator_for(request, actor))
        )

    async def update(object_id: uuid.UUID, request: Request, session: SessionDep, actor: PageActor):
        obj = resource.get(session, actor, object_id)
        fields = fields_for(obj)
        t = translator_for(request, actor)
        values = _form_values(await request.form(), fields)
        try:
            changed = _changed(values, _local(spec.initial(obj), t))
            data = resource.update.model_validate(_in_zone(changed, fields, t))
            resource.change(session, actor, object_id, data)
        except (ValidationError, Invalid) as error:
            session.rollback()
            errors, general = field_messages(error, translator_for(request, actor))
            return form_page(request, session, actor, obj, values, errors, general, 422)
        return redirect(f"{base}/{object_id}", request)

    if resource.access is None:
        raise ValueError(f"the resource {resource.name} must say which grants its pages need")
    reading, writing = permits(resource.access[0]), permits(spec.write_permission, *spec.form_grants)
    changing = permits(resource.access[0], spec.write_permission, *spec.form_grants)
    router.add_api_route(base, reading(list_page), methods=["GET"])
    if spec.forms:
        router.add_api_route(f"{base}/new", writing(new_form), methods=["GET"])
        router.add_api_route(f"{base}/new", writing(create), methods=["POST"])
    router.add_api_route(f"{base}/{{object_id}}", reading(detail_page), methods=["GET"])
    if spec.forms:
        router.add_api_route(f"{base}/{{object_id}}/edit", changing(edit_form), methods=["GET"])
        router.add_api_route(f"{base}/{{object_id}}/edit", changing(update), methods=["POST"])


def _changed(values: dict[str, Any], initial: dict[str, Any]) -> dict[str, Any]:
    """Only the fields the user changed, so an edit sends no untouched value back."""
    return {
        k: v
        for k, v in values.items()
        if str(initial.get(k) if initial.get(k) is not None else "") != str(v if v is not None else "")
    }
