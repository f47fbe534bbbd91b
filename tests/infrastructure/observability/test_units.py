"""The small rules: which request ids are kept, task outcomes, log formats, the metrics folder."""

import json
import logging
import os
import sys
from pathlib import Path

import pytest

from infrastructure.observability.context import accepted_request_id
from infrastructure.observability.log_format import JsonFormatter, TextFormatter
from infrastructure.observability.metrics import _claim
from infrastructure.observability.tasks import outcome_of


@pytest.mark.parametrize("given", ["abc-123", "0af7651916cd43dd8448eb211c80319c", "a.b:c_d"])
def test_a_safe_request_id_is_kept(given: str) -> None:
    assert accepted_request_id(given.encode()) == given


@pytest.mark.parametrize("given", [None, b"", b"x" * 129, b"has space", b"new\nline", b"<script>"])
def test_an_unsafe_or_missing_request_id_is_replaced(given: bytes | None) -> None:
    made = accepted_request_id(given)

    assert made != (given or b"").decode()
    assert len(made) == 32
    assert made.isalnum()


@pytest.mark.parametrize(
    ("state", "result", "outcome"),
    [
        ("SUCCESS", {"skipped": None, "todos_deleted": 3}, "success"),
        ("SUCCESS", {"skipped": "another cleanup is running"}, "skipped"),
        ("SUCCESS", "pong", "success"),
        ("FAILURE", ValueError("x"), "failure"),
        ("RETRY", None, "retry"),
        ("IGNORED", None, "ignored"),
    ],
)
def test_task_outcomes(state: str, result: object, outcome: str) -> None:
    assert outcome_of(state, result) == outcome


def _record(message: str, *, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise RuntimeError("connect to postgres://todo:hunter2@db/todo failed")
        except RuntimeError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("todo.test", logging.WARNING, __file__, 1, message, (), exc_info)
    record.request_id = "req-1"
    record.fields = {"status": 200}
    return record


def test_json_lines_carry_the_context_and_redact_even_tracebacks() -> None:
    line = JsonFormatter().format(_record("Authorization: Bearer abc.def.ghi", exc=True))

    entry = json.loads(line)
    assert entry["request_id"] == "req-1"
    assert entry["status"] == 200
    assert entry["level"] == "WARNING"
    assert "abc.def.ghi" not in line
    assert "hunter2" not in line
    assert "RuntimeError" in entry["exception"]


def test_text_lines_append_the_request_id() -> None:
    line = TextFormatter().format(_record("GET /v1/todos 200 1.00 ms password=s3cret"))

    assert line.endswith("GET /v1/todos 200 1.00 ms password=*** [request_id=req-1]")


def test_the_first_process_of_a_start_empties_the_metrics_folder(tmp_path: Path) -> None:
    first = _claim(tmp_path)
    (tmp_path / "counter_1.db").write_bytes(b"left by a process that exited")

    joining = _claim(tmp_path)  # another process of the same start: keeps the counts
    assert (tmp_path / "counter_1.db").exists()

    os.close(first)
    os.close(joining)
    restarted = _claim(tmp_path)  # nobody holds the folder: a new start
    assert not (tmp_path / "counter_1.db").exists()
    os.close(restarted)


def test_the_sampler_drops_lone_client_calls_and_keeps_whole_traces() -> None:
    from opentelemetry.sdk.trace.sampling import Decision
    from opentelemetry.trace import (
        NonRecordingSpan,
        SpanContext,
        SpanKind,
        TraceFlags,
        set_span_in_context,
    )

    from infrastructure.observability.spans import no_orphan_client_spans

    every, none = no_orphan_client_spans(1.0), no_orphan_client_spans(0.0)
    sampled_parent = set_span_in_context(
        NonRecordingSpan(SpanContext(1, 2, is_remote=True, trace_flags=TraceFlags(1)))
    )

    def decision(sampler: object, kind: SpanKind, parent: object = None) -> Decision:
        return sampler.should_sample(parent, 7, "x", kind).decision  # type: ignore[attr-defined,no-any-return]

    assert decision(every, SpanKind.SERVER) == Decision.RECORD_AND_SAMPLE
    assert decision(every, SpanKind.CLIENT) == Decision.DROP  # a lone statement, a broker poll
    assert decision(every, SpanKind.CLIENT, sampled_parent) == Decision.RECORD_AND_SAMPLE
    assert decision(none, SpanKind.SERVER) == Decision.DROP
    assert decision(none, SpanKind.CONSUMER, sampled_parent) == Decision.RECORD_AND_SAMPLE
