"""Spans of our own code, which cost a flag check while tracing is off.

`with span("delete_completed_todos", user_id=7) as current:` opens a span, and
`current.set("deleted_count", n)` adds an attribute once it is known. Off, both do nothing.

Attributes whose name or text looks like a secret (`SECRET_PATTERN`) are replaced by
`[scrubbed]` as they are set: the request, SQL and task spans carry no such values, so only the
attributes our code passes here are checked.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.sampling import Sampler
    from opentelemetry.trace import Span, Tracer, TracerProvider

TRACER_NAME = "todo-service"
SCRUBBED = "[scrubbed]"
# Logfire's default patterns, and the names of this service's own secrets.
SECRET_PATTERN = re.compile(
    r"passw(or)?d|pwd|secret|auth(?!ors?\b)|credential|private[._ -]?key|api[._ -]?key|session"
    r"|cookie|csrf|xsrf|jwt|bearer|token|social[._ -]?security|credit[._ -]?card",
    re.IGNORECASE,
)

_tracer: "Tracer | None" = None
_current_span: "Callable[[], Span] | None" = None
_secret_names: dict[str, bool] = {}


class SpanAttributes:
    """What a `span` block yields: attributes to add to its span."""

    __slots__ = ("_span",)

    def __init__(self, span: "Span | None") -> None:
        self._span = span

    def set(self, key: str, value: Any) -> None:
        if self._span is not None:
            self._span.set_attribute(key, _scrubbed(key, value))


_OFF = SpanAttributes(None)


def enable(provider: "TracerProvider | None" = None) -> None:
    global _tracer, _current_span
    from opentelemetry import trace

    _tracer = (provider or trace.get_tracer_provider()).get_tracer(TRACER_NAME)
    _current_span = trace.get_current_span


def disable() -> None:
    global _tracer
    _tracer = None


def enabled() -> bool:
    return _tracer is not None


def recording_tracer() -> "Tracer | None":
    """The tracer, when the current span is sampled: a child span would be kept."""
    tracer = _tracer
    if tracer is None or _current_span is None or not _current_span().is_recording():
        return None
    return tracer


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[SpanAttributes]:
    tracer = _tracer
    if tracer is None or _current_span is None:
        yield _OFF
        return
    parent = _current_span()
    if not parent.is_recording() and parent.get_span_context().is_valid:
        yield _OFF  # inside a trace that is not sampled: a child would be dropped anyway
        return
    with tracer.start_as_current_span(name, attributes=_valid(attributes)) as current:
        yield SpanAttributes(current)


def annotate_current(key: str, value: Any) -> None:
    """Add an attribute to the current span (a request's, from a middleware)."""
    from opentelemetry import trace

    trace.get_current_span().set_attribute(key, value)


def request_span(scope: Mapping[str, Any], request_id: str) -> Any:
    """An ASGI request's server span, continuing a caller's `traceparent` when it sent one."""
    from opentelemetry import propagate, trace

    assert _tracer is not None
    context = None
    for key, value in scope["headers"]:
        if key == b"traceparent":
            context = propagate.extract({"traceparent": value.decode("latin-1")})
            break
    method = scope["method"]
    attributes = {"http.request.method": method, "url.path": scope["path"],
                  "http.request.id": request_id}  # fmt: skip
    return _tracer.start_as_current_span(
        method, context=context, kind=trace.SpanKind.SERVER, attributes=attributes
    )


def name_request_span(method: str, route: str, status: int) -> None:
    """Name the current request's span by its route template, once the response starts."""
    from opentelemetry import trace
    from opentelemetry.trace import Status, StatusCode

    current = trace.get_current_span()
    current.update_name(f"{method} {route}")
    current.set_attribute("http.route", route)
    current.set_attribute("http.response.status_code", status)
    if status >= 500:
        current.set_status(Status(StatusCode.ERROR))


def _valid(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _scrubbed(key, value) for key, value in attributes.items() if value is not None}


def _scrubbed(key: str, value: Any) -> Any:
    secret = _secret_names.get(key)
    if secret is None:
        secret = _secret_names[key] = SECRET_PATTERN.search(key) is not None
    if secret or (isinstance(value, str) and SECRET_PATTERN.search(value)):
        return SCRUBBED
    return value


def current_ids() -> tuple[str, str] | None:
    """The current trace and span ids, in hex, for log lines; None outside any span."""
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def no_orphan_client_spans(rate: float = 1.0) -> "Sampler":
    """`rate` of the traces a request or a task starts, whole; never a lone client call's.

    A database or Redis call outside any request or task (the worker polling its broker, start-up
    checks) would otherwise be a trace of its own, once a second. A span with a parent follows
    its parent's decision, so a trace is kept or dropped whole, across processes too.
    """
    from opentelemetry.sdk.trace.sampling import (
        Decision,
        ParentBased,
        Sampler,
        SamplingResult,
        TraceIdRatioBased,
    )
    from opentelemetry.trace import SpanKind

    roots = TraceIdRatioBased(rate)

    class _RootsButClients(Sampler):
        def should_sample(
            self,
            parent_context: Any,
            trace_id: int,
            name: str,
            kind: Any = None,
            attributes: Any = None,
            links: Any = None,
            trace_state: Any = None,
        ) -> SamplingResult:
            if kind == SpanKind.CLIENT:
                return SamplingResult(Decision.DROP)
            return roots.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )

        def get_description(self) -> str:
            return "RootsButClients"

    return ParentBased(root=_RootsButClients())
