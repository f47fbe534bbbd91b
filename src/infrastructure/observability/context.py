"""The request a log line belongs to: its id and, once authenticated, its user.

The middleware sets a `RequestContext` for each request; code that learns the user id writes it
into that same object, so the request log sees it whatever thread or task set it (`run_orm`
copies the context into the ORM thread, and the object is shared, not copied).
"""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

REQUEST_ID_HEADER = "x-request-id"
# What a caller's id may be: long enough for a UUID or a W3C trace id, and nothing that could
# break a log line or a header.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


@dataclass
class RequestContext:
    request_id: str
    user_id: int | None = None


_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def current_request() -> RequestContext | None:
    return _current.get()


def bind_user_id(user_id: int) -> None:
    """Tell the request log who the caller is; outside a request it does nothing."""
    context = _current.get()
    if context is not None:
        context.user_id = user_id


def accepted_request_id(value: bytes | str | None) -> str:
    """The caller's `X-Request-ID` when it is safe to repeat, else a new one."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def enter_request(request_id: str) -> object:
    """Start a request's context; pass what it returns to `leave_request`."""
    return _current.set(RequestContext(request_id))


def leave_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
