"""What observability costs the list: the same API with it off, with metrics, and with tracing.

Three more API processes on the benchmark's database, one per configuration, loaded in turn
within each round like the routes. Tracing exports to an OTLP/HTTP receiver in this process,
which decodes every batch as a collector would; it runs on the same two cores, so its cost is in
the figures, as a local collector's would be.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.observability.receiver import OtlpReceiver

from bench.api.scenarios import Measurement, measure
from bench.api.settings import ApiBenchSettings
from bench.api.wrk import Load, WrkResult

SPAN_PROBES = 200  # sequential requests counted for spans per request

ServeFn = Callable[[dict[str, str], str], AbstractContextManager[str]]  # (env, name) -> base URL


@dataclass(frozen=True)
class Configuration:
    key: str
    label: str
    env: dict[str, str]


def configurations(env: dict[str, str], scratch: Path, receiver_url: str) -> list[Configuration]:
    off = {**env, "METRICS_ENABLED": "false", "OTEL_EXPORTER_OTLP_ENDPOINT": ""}
    metrics = {**off, "METRICS_ENABLED": "true", "METRICS_DIR": str(scratch / "metrics-obs")}
    return [
        Configuration("off", "observability off", off),
        Configuration("metrics", "metrics on (the default)", metrics),
        Configuration("logs", "metrics and the request log (LOGGING_LEVEL=INFO)",
                      {**metrics, "LOGGING_LEVEL": "INFO",
                       "METRICS_DIR": str(scratch / "metrics-logs")}),
        Configuration("tracing", "metrics and tracing, to a local OTLP receiver",
                      {**metrics, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver_url,
                       "METRICS_DIR": str(scratch / "metrics-tracing")}),
        Configuration("sampled", "the same, 10 % of traces kept (TRACING_SAMPLE_RATE=0.1)",
                      {**metrics, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver_url,
                       "TRACING_SAMPLE_RATE": "0.1",
                       "METRICS_DIR": str(scratch / "metrics-sampled")}),
    ]  # fmt: skip


@dataclass(frozen=True)
class Observed:
    measured: dict[str, Measurement]
    labels: dict[str, str]
    spans_per_request: float
    export_requests: int


@contextmanager
def receiving() -> Iterator[OtlpReceiver]:
    with OtlpReceiver(keep=False) as receiver:
        yield receiver


def run(
    serve: ServeFn, env: dict[str, str], scratch: Path, load: Load, settings: ApiBenchSettings
) -> Observed:
    with ExitStack() as stack:
        receiver = stack.enter_context(receiving())
        chosen = configurations(env, scratch, receiver.url)
        urls = {c.key: stack.enter_context(serve(c.env, f"api-{c.key}")) for c in chosen}
        runs: dict[str, list[WrkResult]] = {}
        for number in range(1, settings.rounds + 1):
            for configuration in chosen:
                result = measure(urls[configuration.key], load, settings)
                runs.setdefault(configuration.key, []).append(result)
                rate, p99 = result.requests_per_s, result.p99_ms
                label = configuration.label
                print(
                    f"round {number} list, {label}: {rate:,.0f} req/s, p99 {p99:.1f} ms", flush=True
                )
        spans = _spans_per_request(urls["tracing"], load, receiver)
        return Observed(
            measured={key: Measurement.median_of(results) for key, results in runs.items()},
            labels={c.key: c.label for c in chosen},
            spans_per_request=spans,
            export_requests=receiver.requests,
        )


def _spans_per_request(url: str, load: Load, receiver: OtlpReceiver) -> float:
    request = load.requests[0]
    headers = {"Authorization": f"Bearer {request.token}"} if request.token else {}
    time.sleep(6)  # the batch processor's delay is 5 s: what the load made has arrived
    before = receiver.span_count
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(SPAN_PROBES):
            client.request(request.method, request.path, headers=headers)
    time.sleep(6)
    return (receiver.span_count - before) / SPAN_PROBES
