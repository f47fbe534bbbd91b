"""Spans of our own code, which cost a flag check while tracing is off.

`with span("delete_completed_todos", user_id=7) as current:` opens a span, and
`current.set("deleted_count", n)` adds an attribute once it is known. Off, both do nothing.

Attributes whose name or text looks like a secret (`SECRET_PATTERN`) are replaced by
`[scrubbed]` as they are set: the request, SQL and task spans carry no such values, so only the
attributes our code passes here are checked.

These spans, the request's and its SQL statements' start through `_start`: the SDK pipeline's
`recorded.Recorder`, or with Logfire the SDK's tracer (see `recorded.py` for why).
"""

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.sampling import Sampler
    from opentelemetry.trace import Span

TRACER_NAME = "todo-service"
SCRUBBED = "[scrubbed]"
# Logfire's default patterns, and the names of this service's own secrets.
SECRET_PATTERN = re.compile(
    r"passw(or)?d|pwd|secret|auth(?!ors?\b)|credential|private[._ -]?key|api[._ -]?key|session"
    r"|cookie|csrf|xsrf|jwt|bearer|token|social[._ -]?security|credit[._ -]?card",
    re.IGNORECASE,
)

_start: "Callable[..., Span] | None" = None  # as Tracer.start_span
_current_span: "Callable[[], Span] | None" = None
_api: Any = None  # the OpenTelemetry API, bound by `enable`: nothing is imported while off
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


def enable(
    provider: "TracerProvider | None" = None, processor: "SpanProcessor | None" = None
) -> None:
    """Start spans with the SDK `provider` feeding `processor`, or else with the global tracer."""
    global _start, _current_span, _api
    from types import SimpleNamespace

    from opentelemetry import context, propagate, trace

    if provider is not None and processor is not None:
        from infrastructure.observability.recorded import Recorder

        _start = Recorder(provider, processor, TRACER_NAME).start_span
    else:
        _start = trace.get_tracer_provider().get_tracer(TRACER_NAME).start_span
    _current_span = trace.get_current_span
    _api = SimpleNamespace(context=context, propagate=propagate, trace=trace)


def disable() -> None:
    global _start
    _start = None


def enabled() -> bool:
    return _start is not None


def recording_start() -> "Callable[..., Span] | None":
    """`_start`, when the current span is sampled: a child span would be kept."""
    start = _start
    if start is None or _current_span is None or not _current_span().is_recording():
        return None
    return start


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[SpanAttributes]:
    start = _start
    if start is None or _current_span is None:
        yield _OFF
        return
    parent = _current_span()
    if not parent.is_recording() and parent.get_span_context().is_valid:
        yield _OFF  # inside a trace that is not sampled: a child would be dropped anyway
        return
    with _current(start(name, attributes=_valid(attributes))) as current:
        yield SpanAttributes(current)


@contextmanager
def _current(started: "Span") -> "Iterator[Span]":
    """`started` as the current span until it ends; an exception marks it failed, by class."""
    token = _api.context.attach(_api.trace.set_span_in_context(started))
    try:
        yield started
    except BaseException as exc:
        started.set_attribute("error.type", type(exc).__name__)
        _failed(started)
        raise
    finally:
        _api.context.detach(token)
        started.end()


def _failed(current: "Span") -> None:
    from opentelemetry.trace import Status, StatusCode

    current.set_status(Status(StatusCode.ERROR))


def request_span(scope: Mapping[str, Any], request_id: str) -> Any:
    """An ASGI request's server span, continuing a caller's `traceparent` when it sent one."""
    assert _start is not None
    context = None
    for key, value in scope["headers"]:
        if key == b"traceparent":
            context = _api.propagate.extract({"traceparent": value.decode("latin-1")})
            break
    method = scope["method"]
    attributes = {"http.request.method": method, "url.path": scope["path"],
                  "http.request.id": request_id}  # fmt: skip
    return _current(_start(method, context=context, kind=_api.trace.SpanKind.SERVER,
                           attributes=attributes))  # fmt: skip


def name_request_span(method: str, route: str, status: int) -> None:
    """Name the current request's span by its route template, once the response starts."""
    current = _api.trace.get_current_span()
    current.update_name(f"{method} {route}")
    current.set_attribute("http.route", route)
    current.set_attribute("http.response.status_code", status)
    if status >= 500:
        _failed(current)


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
    context = _api.trace.get_current_span().get_span_context()
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
