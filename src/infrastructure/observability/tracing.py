"""Tracing with OpenTelemetry, and the Logfire SDK when exporting to Logfire; off unless set.

`configure_tracing` runs once per process, at its entry point, with the process's service name.
With no exporter it returns "off" having imported and installed nothing, so requests pay for no
instrumentation. On, it installs a span for every SQL statement (`sql.py`, at Django's execute
point) and the integrations for Redis, Celery (whose headers carry the trace context to the
worker, so the request that enqueues a task and the task's run are one trace) and Django (the
admin).

The pipeline depends on where spans go:
- to an OTLP collector only: the OpenTelemetry SDK, a parent-based sampler and one batch
  processor with the OTLP/HTTP exporter (its encoder replaced, `otlp.py`); the request's and
  SQL spans are recorded straight into the processors (`recorded.py`). Logfire's processing of
  each span (its scrubber, its rewriting of HTTP and SQL spans, its pending spans) more than
  doubled the cost of a span;
- to Logfire (with or without a collector): `logfire.configure`, Logfire's exporter and scrubbing.

A request's span is opened by the request middleware (`http.py`), not by Logfire's FastAPI or
ASGI integration, which cost the list far more for the same span (measured in
`docs/benchmarks.md`).
"""

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from configs.observability import (
    LogfireSettings,
    OtlpSettings,
    TracingMode,
    TracingSettings,
    service_version,
    tracing_mode,
)
from infrastructure.observability import log_format, spans

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import (
        SpanProcessor,
        SynchronousMultiSpanProcessor,
        TracerProvider,
    )

logger = logging.getLogger(__name__)

# Names whose values Logfire's scrubber hides, beyond its own list (password, secret, auth,
# credential, session, cookie, access and refresh tokens, api keys...).
SCRUBBED = ("access_token", "refresh_token", "authorization", "bearer", "jwt", "lock_token")


def configure_tracing(
    *, service_name: str, span_processors: Sequence["SpanProcessor"] = ()
) -> TracingMode:
    """Turn tracing on for this process when an exporter is set; `span_processors` add more."""
    logfire_settings, otlp = LogfireSettings(), OtlpSettings()
    mode = tracing_mode(logfire_settings, otlp)
    if logfire_settings.enabled and "logfire" not in mode:
        logger.warning("LOGFIRE_ENABLED is true but LOGFIRE_TOKEN is empty: no export to Logfire")
    if mode == "off" and not span_processors:
        return mode
    if otlp.endpoint:
        # Read from .env as well as the environment; the SDK's exporter reads the environment.
        os.environ.setdefault("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint)
    if _provider:  # a forked pool process, configured again
        if _provider[0] is None:
            _configure_logfire(service_name, logfire_settings, mode, span_processors)
        return mode  # the SDK's batch processor restarts its thread after a fork by itself
    if "logfire" in mode:
        _configure_logfire(service_name, logfire_settings, mode, span_processors)
        _keep_executors_plain()
        provider, processor = None, None
    else:
        provider, processor = _opentelemetry_provider(
            service_name, logfire_settings, otlp, span_processors
        )
    _provider.append(provider)
    _instrument_libraries(provider)
    log_format.trace_ids = spans.current_ids
    spans.enable(provider, processor)
    logger.info("tracing on (%s) as %s", mode, service_name)
    return mode


def _configure_logfire(
    service_name: str,
    settings: LogfireSettings,
    mode: TracingMode,
    span_processors: Sequence["SpanProcessor"],
) -> None:
    import logfire

    token = settings.token.get_secret_value() if settings.token else None
    sample_rate = TracingSettings().sample_rate
    logfire.configure(
        send_to_logfire="logfire" in mode,
        token=token if "logfire" in mode else None,
        service_name=service_name,
        service_version=service_version(),
        environment=settings.environment,
        console=False,
        metrics=False,  # metrics are Prometheus's, on /metrics
        inspect_arguments=False,
        add_baggage_to_attributes=False,
        additional_span_processors=list(span_processors),
        scrubbing=logfire.ScrubbingOptions(extra_patterns=list(SCRUBBED)),
        sampling=logfire.SamplingOptions(head=spans.no_orphan_client_spans(sample_rate)),
        # Incoming trace context is honoured: Celery's headers carry it from API to worker.
        distributed_tracing=True,
    )


def _opentelemetry_provider(
    service_name: str,
    settings: LogfireSettings,
    otlp: OtlpSettings,
    span_processors: Sequence["SpanProcessor"],
) -> tuple["TracerProvider", "SynchronousMultiSpanProcessor"]:
    """The SDK's provider: sampled at a trace's start, batched to the OTLP/HTTP exporter.

    Its spans, and those `spans` records itself, all reach `processor`.
    """
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SynchronousMultiSpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": service_name,
                                "service.version": service_version(),
                                "deployment.environment.name": settings.environment})  # fmt: skip
    sampler = spans.no_orphan_client_spans(TracingSettings().sample_rate)
    processor = SynchronousMultiSpanProcessor()  # type: ignore[no-untyped-call]
    provider = TracerProvider(resource=resource, sampler=sampler, active_span_processor=processor)
    if otlp.endpoint:
        from infrastructure.observability.otlp import OtlpSpanExporter

        # The standard variables apply: OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_* and the rest.
        provider.add_span_processor(BatchSpanProcessor(OtlpSpanExporter()))
    for extra in span_processors:
        provider.add_span_processor(extra)
    if not _global_provider_set:  # the API accepts one per process; tests configure again
        _global_provider_set.append(True)
        trace.set_tracer_provider(provider)
    return provider, processor


def _keep_executors_plain() -> None:
    """Undo Logfire's patch of `ThreadPoolExecutor.submit`, which carries the trace into threads.

    The ORM hop (`run_orm`) already runs its work in a copy of the caller's context, trace
    included; the patch serialised and restored the context a second time on every hop.
    """
    from concurrent.futures import ThreadPoolExecutor

    try:
        from logfire._internal.integrations import executors
    except ImportError:  # moved in a later SDK: leave it be
        return
    ThreadPoolExecutor.submit = executors.submit_t_orig  # type: ignore[method-assign]


# The provider of this process once tracing is on (None: Logfire's, the global one).
_provider: list["TracerProvider | None"] = []
_global_provider_set: list[bool] = []


def _instrument_libraries(provider: "TracerProvider | None") -> None:
    from infrastructure.observability import sql

    sql.trace_statements()
    if provider is None:
        import logfire

        logfire.instrument_redis()
        logfire.instrument_celery()
        logfire.instrument_django(excluded_urls=_excluded_urls())
        return
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    RedisInstrumentor().instrument(tracer_provider=provider)
    CeleryInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    DjangoInstrumentor().instrument(tracer_provider=provider, excluded_urls=_excluded_urls())


def uninstrument_libraries() -> None:
    """Undo `configure_tracing` (tests, which share one process and configure it again)."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    instrumentors: list[Any] = [
        CeleryInstrumentor(),  # type: ignore[no-untyped-call]
        DjangoInstrumentor(),
        RedisInstrumentor(),
    ]
    for instrumentor in instrumentors:
        instrumentor.uninstrument()
    for provider in _provider:
        if provider is not None:
            provider.shutdown()
    _provider.clear()
    spans.disable()
    log_format.trace_ids = None


def _excluded_urls() -> str:
    return TracingSettings().excluded_urls
