"""Domain errors, rendered as RFC 9457 problem+json by the web layer and as one line by the CLI."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """What is wrong with one field. `template` and `params` let a page show it translated."""

    loc: list[str | int]
    msg: str
    type: str = "value_error"
    template: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"loc": self.loc, "msg": self.msg, "type": self.type}


@dataclass
class DomainError(Exception):
    detail: str
    errors: list[FieldError] = field(default_factory=list)

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __str__(self) -> str:
        if self.errors:
            where = "; ".join(f"{'.'.join(str(p) for p in e.loc)}: {e.msg}" for e in self.errors)
            return f"{self.detail} ({where})"
        return self.detail


class Invalid(DomainError):
    status = 422
    title = "Invalid input"
    slug = "invalid"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class Unauthenticated(DomainError):
    status = 401
    title = "Not authenticated"
    slug = "unauthenticated"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"
    slug = "precondition-failed"


def invalid_field(loc: str, template: str, **params: Any) -> Invalid:
    """An Invalid error about one field (a dotted path such as 'geometry.coordinates').

    `template` is an N_()-marked message with %(name)s placeholders filled from `params`,
    so the API answers in English and a page can show the same message translated.
    """
    message = template % params if params else template
    return Invalid(
        "The input is not valid", [FieldError(loc.split("."), message, template=template, params=params)]
    )


@dataclass
class TooManyRequests(DomainError):
    """A rate limit reached: the answer says when to try again (Retry-After)."""

    retry_after: int = 60  # seconds

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}

    status = 429
    title = "Too many requests"
    slug = "too-many-requests"
