"""Tracing with the Logfire SDK (OpenTelemetry underneath), off unless an exporter is set.

`configure_tracing` runs once per process, at its entry point, with the process's service name.
With no exporter it returns "off" having imported and installed nothing, so requests pay for no
instrumentation. On, it installs the integrations for every SQL statement (psycopg for
PostgreSQL, sqlite3), Redis, Celery (whose headers carry the trace context to the worker, so the
request that enqueues a task and the task's run are one trace) and Django (the admin).

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
    from opentelemetry.sdk.trace import SpanProcessor

logger = logging.getLogger(__name__)

# Names whose values never leave the process, beyond Logfire's own list (password, secret,
# auth, credential, session, cookie, access and refresh tokens, api keys...).
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
    _configure_logfire(service_name, logfire_settings, mode, span_processors)
    _keep_executors_plain()
    _instrument_libraries()
    log_format.trace_ids = spans.current_ids
    spans.enable()
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


_instrumented: list[bool] = []


def _instrument_libraries() -> None:
    if _instrumented:
        return  # a forked pool process is configured again, and inherits these
    _instrumented.append(True)
    import logfire

    logfire.instrument_psycopg("psycopg")
    logfire.instrument_sqlite3()
    logfire.instrument_redis()
    logfire.instrument_celery()
    logfire.instrument_django(excluded_urls=_excluded_urls())


def uninstrument_libraries() -> None:
    """Undo `configure_tracing`'s integrations (tests, which share one process)."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

    instrumentors: list[Any] = [
        CeleryInstrumentor(),  # type: ignore[no-untyped-call]
        DjangoInstrumentor(),
        PsycopgInstrumentor(),
        RedisInstrumentor(),
        SQLite3Instrumentor(),
    ]
    for instrumentor in instrumentors:
        instrumentor.uninstrument()
    _instrumented.clear()
    spans.disable()
    log_format.trace_ids = None


def _excluded_urls() -> str:
    return TracingSettings().excluded_urls
