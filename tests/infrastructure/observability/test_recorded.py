"""Recorded spans reach the processors as the SDK's would: ids, parents, sampling, attributes."""

from collections.abc import Iterator

import pytest
from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SynchronousMultiSpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from infrastructure.observability import spans
from infrastructure.observability.recorded import Recorder
from tests.infrastructure.observability.conftest import Spans

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _recorder(rate: float = 1.0) -> tuple[Recorder, TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    processor = SynchronousMultiSpanProcessor()  # type: ignore[no-untyped-call]
    provider = TracerProvider(
        resource=Resource.create({"service.name": "fastapi"}),
        sampler=spans.no_orphan_client_spans(rate),
        active_span_processor=processor,
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return Recorder(provider, processor, "todo-service"), provider, exporter


@pytest.fixture
def recorder() -> Iterator[tuple[Recorder, TracerProvider, InMemorySpanExporter]]:
    found = _recorder()
    yield found
    found[1].shutdown()


def test_a_root_and_its_children_form_one_trace_with_the_providers_resource(
    recorder: tuple[Recorder, TracerProvider, InMemorySpanExporter],
) -> None:
    record, provider, exporter = recorder
    root = record.start_span("GET /v1/todos", kind=SpanKind.SERVER, attributes={"a": 1})
    token = context.attach(trace.set_span_in_context(root))
    try:
        child = record.start_span("SELECT", kind=SpanKind.CLIENT)
        library = provider.get_tracer("celery").start_span("apply_async/todo.cleanup")
        library.end()
        child.end()
    finally:
        context.detach(token)
    root.end()

    by_name = {span.name: span for span in exporter.get_finished_spans()}
    assert set(by_name) == {"GET /v1/todos", "SELECT", "apply_async/todo.cleanup"}
    server = by_name["GET /v1/todos"]
    assert server.parent is None
    assert server.kind == SpanKind.SERVER
    assert dict(server.attributes or {}) == {"a": 1}
    assert server.resource.attributes["service.name"] == "fastapi"
    assert server.instrumentation_scope is not None
    assert server.instrumentation_scope.name == "todo-service"
    for name in ("SELECT", "apply_async/todo.cleanup"):  # ours and the SDK tracer's alike
        assert by_name[name].parent == server.context
        assert by_name[name].context.trace_id == server.context.trace_id
    assert server.start_time is not None
    assert server.end_time is not None
    assert server.start_time <= server.end_time


def test_an_unsampled_root_records_nothing_and_keeps_its_trace_id_for_children() -> None:
    record, provider, exporter = _recorder(rate=0.0)
    root = record.start_span("GET /v1/todos", kind=SpanKind.SERVER)
    token = context.attach(trace.set_span_in_context(root))
    try:
        child = record.start_span("SELECT", kind=SpanKind.CLIENT)
    finally:
        context.detach(token)
    child.end()
    root.end()

    assert not root.is_recording()
    assert not child.is_recording()
    assert root.get_span_context().is_valid
    assert child.get_span_context().trace_id == root.get_span_context().trace_id
    assert not child.get_span_context().trace_flags.sampled
    assert exporter.get_finished_spans() == ()
    provider.shutdown()


def test_a_callers_sampled_traceparent_is_the_parent(
    recorder: tuple[Recorder, TracerProvider, InMemorySpanExporter],
) -> None:
    record, _, exporter = recorder
    caller = propagate.extract({"traceparent": TRACEPARENT})

    record.start_span("GET /v1/todos", context=caller, kind=SpanKind.SERVER).end()

    (span,) = exporter.get_finished_spans()
    assert span.parent is not None
    assert span.parent.is_remote
    assert format(span.parent.span_id, "016x") == "b7ad6b7169203331"
    assert format(span.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"


def test_attributes_are_exportable_and_an_ended_span_is_sent_once_and_then_frozen(
    recorder: tuple[Recorder, TracerProvider, InMemorySpanExporter],
) -> None:
    record, _, exporter = recorder
    span = record.start_span("x", attributes={"ids": [1, 2], "ok": True})
    span.set_attribute("odd", object)  # type: ignore[arg-type]  # what the SDK's would drop
    span.set_attribute("count", 3)
    span.update_name("renamed")
    span.record_exception(ValueError("password=hunter2"))
    span.end()
    span.set_attribute("late", 1)
    span.update_name("later")
    span.end()

    (sent,) = exporter.get_finished_spans()
    attributes = dict(sent.attributes or {})
    assert sent.name == "renamed"
    assert attributes["ids"] == (1, 2)
    assert attributes["ok"] is True
    assert attributes["count"] == 3
    assert isinstance(attributes["odd"], str)
    assert "late" not in attributes
    (event,) = sent.events
    assert dict(event.attributes or {}) == {"exception.type": "ValueError"}  # never the message


def test_a_span_block_that_raises_is_marked_failed_by_the_exceptions_class(spans: Spans) -> None:
    from infrastructure.observability.spans import span

    with pytest.raises(RuntimeError), span("batch", first_user_id=1):
        raise RuntimeError("connect to postgres://todo:hunter2@db/todo failed")

    failed = spans.one("batch")
    assert failed.status.status_code == StatusCode.ERROR
    assert dict(failed.attributes or {}) == {"first_user_id": 1, "error.type": "RuntimeError"}
    assert "hunter2" not in str(failed.to_json())
