"""Our OTLP encoding is the SDK's, message for message; the exporter delivers it over HTTP."""

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceState

from infrastructure.observability.otlp import OtlpSpanExporter, encode
from tests.harness.otlp_receiver import OtlpReceiver

RESOURCES = [
    Resource.create({"service.name": "fastapi", "service.version": "1.0.0"}),
    Resource.create({"service.name": "celery-worker"}, schema_url="https://x/1"),
]
SCOPES = [InstrumentationScope("todo-service"), None,
          InstrumentationScope("celery", "0.66b1", "https://x/2", {"a": 1})]  # fmt: skip

ids = st.integers(min_value=1, max_value=2**64 - 1)
primitives = st.one_of(
    st.booleans(),
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.binary(max_size=8),
)
values = st.one_of(primitives, st.lists(primitives, max_size=3), st.none())
attributes = st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=4)
trace_states = st.sampled_from([TraceState(), TraceState([("vendor", "abc"), ("k", "v")])])


@st.composite
def contexts(draw: st.DrawFn) -> SpanContext:
    trace_id = draw(st.integers(min_value=1, max_value=2**128 - 1))
    return SpanContext(trace_id, draw(ids), draw(st.booleans()), trace_state=draw(trace_states))


@st.composite
def readable_spans(draw: st.DrawFn) -> ReadableSpan:
    start = draw(st.integers(min_value=0, max_value=2**62))
    status = draw(st.sampled_from([Status(StatusCode.UNSET), Status(StatusCode.OK),
                                   Status(StatusCode.ERROR, "boom")]))  # fmt: skip
    events = [Event(draw(st.text(max_size=10)), draw(attributes), start + 1)
              for _ in range(draw(st.integers(0, 2)))]  # fmt: skip
    links = [Link(draw(contexts()), draw(attributes)) for _ in range(draw(st.integers(0, 2)))]
    return ReadableSpan(
        draw(st.text(max_size=30)),
        draw(contexts()),
        draw(st.one_of(st.none(), contexts())),
        draw(st.sampled_from(RESOURCES)),
        draw(attributes),
        events,
        links,
        kind=draw(st.sampled_from(list(SpanKind))),
        status=status,
        start_time=start,
        end_time=start + draw(st.integers(0, 10**9)),
        instrumentation_scope=draw(st.sampled_from(SCOPES)),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(readable_spans(), max_size=6))
def test_encoding_equals_the_sdks(batch: Sequence[ReadableSpan]) -> None:
    ours, theirs = encode(batch), encode_spans(batch)

    assert ours == theirs
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(
        deterministic=True
    )


def _span(name: str) -> ReadableSpan:
    context = SpanContext(7, 9, False)
    return ReadableSpan(name, context, None, RESOURCES[0], {"db.statement": "SELECT 1"},
                        start_time=1, end_time=2, instrumentation_scope=SCOPES[0])  # fmt: skip


def test_the_exporter_delivers_the_encoded_spans_and_drops_a_batch_over_the_limit() -> None:
    with OtlpReceiver() as receiver:
        exporter = OtlpSpanExporter(endpoint=f"{receiver.url}/v1/traces")
        small = OtlpSpanExporter(endpoint=f"{receiver.url}/v1/traces", max_request_size=64)
        try:
            assert exporter.export([_span("SELECT"), _span("INSERT")]) == SpanExportResult.SUCCESS
            assert small.export([_span("UPDATE")]) == SpanExportResult.FAILURE
            received = receiver.wait_for(lambda found: found)
        finally:
            exporter.shutdown()  # type: ignore[no-untyped-call]
            small.shutdown()  # type: ignore[no-untyped-call]

    assert [span.name for span in received] == ["SELECT", "INSERT"]
    assert received[0].attributes == {"db.statement": "SELECT 1"}
    assert received[0].service == "fastapi"


def test_a_refused_export_is_a_failure_not_an_exception() -> None:
    with OtlpReceiver() as receiver:
        exporter = OtlpSpanExporter(endpoint=f"{receiver.url}/elsewhere", timeout=5)
        try:
            assert exporter.export([_span("SELECT")]) == SpanExportResult.FAILURE
        finally:
            exporter.shutdown()  # type: ignore[no-untyped-call]
