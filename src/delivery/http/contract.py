"""The error answers of the API, declared once for the OpenAPI document.

Each route lists the statuses it can answer with `answers(...)`; this catalog gives each its
description, its body's schema and its headers, so the document says exactly what a client can
receive and client generators and contract tests can rely on it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    detail: str


class ProblemOut(BaseModel):
    """One reason a request was refused: what (`type`), where (`loc`) and why (`msg`)."""

    type: str
    loc: list[str | int]
    msg: str
    input: Any = None
    ctx: dict[str, Any] = Field(default_factory=dict)


class ValidationErrorOut(BaseModel):
    detail: list[ProblemOut]


class UnavailableOut(BaseModel):
    detail: str
    """`database unavailable`, `database busy` or `task broker unavailable`."""
    reason: str | None = None
    """When the database is busy: `statement timeout`, `lock timeout` or `database locked`."""


@dataclass(frozen=True)
class Answer:
    description: str
    model: type[BaseModel]
    headers: Mapping[str, str] = field(default_factory=dict)


_RETRY_AFTER = {"Retry-After": "Seconds to wait before trying again"}

CATALOG: Mapping[int, Answer] = {
    400: Answer("The body is not JSON the API can decode (for example, not UTF-8)", ErrorOut),
    401: Answer(
        "No, a malformed, forged or expired token; or refused credentials",
        ErrorOut,
        {"WWW-Authenticate": "Always `Bearer`"},
    ),
    403: Answer("The caller is not allowed to do this", ErrorOut),
    404: Answer("Not found, or not the caller's", ErrorOut),
    409: Answer("Conflicts with what is stored", ErrorOut),
    413: Answer("The body is larger than the API accepts; it was not read", ErrorOut),
    422: Answer("The request does not validate; one problem per entry", ValidationErrorOut),
    429: Answer("A rate limit is exceeded", ErrorOut, _RETRY_AFTER),
    503: Answer("The database (or task broker) cannot answer now", UnavailableOut, _RETRY_AFTER),
}

# What follows from a route's shape, for `answers(*READS_BODY, ...)`.
READS_BODY = (400, 413, 422)


def answers(
    *statuses: int,
    notes: Mapping[int, str] | None = None,
    links: tuple[int, Mapping[str, Any]] | None = None,
) -> dict[int | str, Any]:
    """FastAPI `responses` for these error statuses.

    `notes` adds a route's own reason to a status; `links` is the success status and the OpenAPI
    links of its answer (where its values lead next).
    """
    notes = notes or {}
    documented: dict[int | str, Any] = {}
    if links is not None:
        success, its_links = links
        documented[success] = {"links": dict(its_links)}
    for status in sorted(set(statuses)):
        answer = CATALOG[status]
        description = answer.description + (f". {notes[status]}" if status in notes else "")
        documented[status] = {"model": answer.model, "description": description}
        if answer.headers:
            documented[status]["headers"] = {
                name: {"description": text, "required": True, "schema": {"type": "string"}}
                for name, text in answer.headers.items()
            }
    return documented
