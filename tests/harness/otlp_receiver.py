"""An OTLP/HTTP trace receiver in the test (or benchmark) process: what a collector would get.

It decodes each `ExportTraceServiceRequest` (opentelemetry-proto, the wire format) into plain
`ReceivedSpan`s, so a test can ask which spans a real process exported and how they link up.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.harness.processes import Managed

TRACES_PATH = "/v1/traces"


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    kind: int
    attributes: dict[str, Any]
    resource: dict[str, Any]


def _value(value: AnyValue) -> Any:
    which = value.WhichOneof("value")
    if which == "array_value":
        return [_value(v) for v in value.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, which) if which else None


def _parsed(body: bytes) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    return request


def count(body: bytes) -> int:
    """The spans a request carries: what a benchmark needs, for a fraction of `decode`'s CPU."""
    return sum(len(scope.spans) for resource in _parsed(body).resource_spans
               for scope in resource.scope_spans)  # fmt: skip


def decode(body: bytes) -> list[ReceivedSpan]:
    request = _parsed(body)
    found = []
    for resource_spans in request.resource_spans:
        resource = {kv.key: _value(kv.value) for kv in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                found.append(
                    ReceivedSpan(
                        service=str(resource.get("service.name", "")),
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        kind=span.kind,
                        attributes={kv.key: _value(kv.value) for kv in span.attributes},
                        resource=resource,
                    )
                )
    return found


class OtlpReceiver(Managed):
    """`with OtlpReceiver() as receiver:` point `OTEL_EXPORTER_OTLP_ENDPOINT` at `receiver.url`."""

    def __init__(self, *, keep: bool = True) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self.span_count = 0
        self._keep = keep
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "receiver not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != TRACES_PATH:
                    self.send_response(404)
                    self.end_headers()
                    return
                receiver._add(body)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _add(self, body: bytes) -> None:
        spans = decode(body) if self._keep else []
        found = len(spans) if self._keep else count(body)  # counting alone is far cheaper
        with self._lock:
            self.requests += 1
            self.span_count += found
            self.spans.extend(spans)

    def received(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self.spans)

    def wait_for(self, found: Callable[[list[ReceivedSpan]], Any], *, timeout: float = 30.0) -> Any:
        """Poll until `found(spans)` is truthy and return it; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            answer = found(self.received())
            if answer:
                return answer
            if time.monotonic() > deadline:
                names = sorted({f"{s.service}:{s.name}" for s in self.received()})
                raise AssertionError(f"not received in {timeout:.0f} s; received: {names}")
            time.sleep(0.1)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
