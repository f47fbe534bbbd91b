"""Spans of this service's hot paths, handed straight to the SDK's span processors.

The SDK's tracer starts each span through its sampler, its span limits, a locked attribute map and
every processor's `on_start`: about 50 µs a span on a 2-core machine, where a request of the list
costs about 2 ms of CPU. A request's span and its SQL statement's were most of tracing's cost
(`docs/benchmarks.md`). A `RecordedSpan` keeps plain fields and, when it ends, gives the
processors the `ReadableSpan` that the SDK's span would have given them, so batching, export and
the tests' exporters are the SDK's own.

It serves only the SDK pipeline (OTLP), whose processors do nothing when a span starts; Logfire's
work on a span's start, so with Logfire the SDK's tracer starts these spans (`spans.enable`). The
libraries' spans (Celery, Redis, Django) still come from the SDK's tracer: a recorded span is
current like any other, so theirs are its children.
"""

import time
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.status import Status, StatusCode
from opentelemetry.util.types import AttributeValue

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_UNSET = Status(StatusCode.UNSET)
_PRIMITIVE = (str, bool, int, float)


class Recorder:
    """Starts spans as `Tracer.start_span` does, for the provider's resource and processors.

    The provider's sampler decides at a trace's root; a span with a parent follows its parent's
    decision, as the provider's `ParentBased` sampler would.
    """

    def __init__(self, provider: TracerProvider, processor: SpanProcessor, scope: str) -> None:
        self._resource = provider.resource
        self._sampler = provider.sampler
        self._ids = provider.id_generator
        self._processor = processor
        self._scope = InstrumentationScope(scope)

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> trace.Span:
        parent = trace.get_current_span(context).get_span_context()
        span_id = self._ids.generate_span_id()
        if parent.is_valid:
            if not parent.trace_flags.sampled:  # keep the trace id, so the trace stays whole
                flags, state = parent.trace_flags, parent.trace_state
                return NonRecordingSpan(SpanContext(parent.trace_id, span_id, False, flags, state))
            own = SpanContext(parent.trace_id, span_id, False, _SAMPLED, parent.trace_state)
            return RecordedSpan(self, name, own, parent, kind, attributes or {})
        trace_id = self._ids.generate_trace_id()
        decision = self._sampler.should_sample(context, trace_id, name, kind, attributes)
        if decision.decision != Decision.RECORD_AND_SAMPLE:
            return NonRecordingSpan(
                SpanContext(trace_id, span_id, False, TraceFlags(0), decision.trace_state)
            )
        own = SpanContext(trace_id, span_id, False, _SAMPLED, decision.trace_state)
        found = {**(attributes or {}), **(decision.attributes or {})}
        return RecordedSpan(self, name, own, None, kind, found)

    def finish(self, span: "RecordedSpan", end: int) -> None:
        self._processor.on_end(
            ReadableSpan(
                span.name, span.context, span.parent, self._resource, span.attributes,
                span.events, kind=span.kind, status=span.status, start_time=span.start,
                end_time=end, instrumentation_scope=self._scope,
            )
        )  # fmt: skip


class RecordedSpan(trace.Span):
    """A started span: attributes, events and status kept as given, until `end`."""

    __slots__ = ("_ended", "_recorder", "attributes", "context", "events", "kind", "name",
                 "parent", "start", "status")  # fmt: skip

    def __init__(
        self,
        recorder: Recorder,
        name: str,
        context: SpanContext,
        parent: SpanContext | None,
        kind: SpanKind,
        attributes: Mapping[str, Any],
    ) -> None:
        self._recorder = recorder
        self.name, self.context, self.parent, self.kind = name, context, parent, kind
        self.attributes = {key: _valid(value) for key, value in attributes.items()}
        self.events: list[Event] = []
        self.status = _UNSET
        self.start = time.time_ns()
        self._ended = False

    def get_span_context(self) -> SpanContext:
        return self.context

    def is_recording(self) -> bool:
        return not self._ended

    def set_attribute(self, key: str, value: Any) -> None:
        if not self._ended:
            self.attributes[key] = _valid(value)

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        for key, value in attributes.items():
            self.set_attribute(key, value)

    def add_event(
        self,
        name: str,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
    ) -> None:
        if not self._ended:
            valid = {key: _valid(value) for key, value in (attributes or {}).items()}
            self.events.append(Event(name, valid, timestamp))

    def update_name(self, name: str) -> None:
        if not self._ended:
            self.name = name

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        if self._ended:
            return
        self.status = status if isinstance(status, Status) else Status(status, description)

    def record_exception(
        self,
        exception: BaseException,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        """The exception's class only: its message can quote the values a statement was given."""
        found = {"exception.type": type(exception).__name__, **(attributes or {})}
        self.add_event("exception", found, timestamp)

    def end(self, end_time: int | None = None) -> None:
        if not self._ended:
            self._ended = True
            self._recorder.finish(self, end_time or time.time_ns())


def _valid(value: Any) -> AttributeValue:
    """What OTLP can carry: a primitive, or a sequence of them; anything else as its text."""
    if isinstance(value, _PRIMITIVE):
        return value
    if isinstance(value, Sequence) and all(isinstance(item, _PRIMITIVE) for item in value):
        return tuple(value)
    return str(value)
