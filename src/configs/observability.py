"""Settings for tracing, metrics and the versions and names telemetry carries."""

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from configs.base import PrefixedSettings, env_config
from configs.paths import ROOT_DIR, VAR_DIR

TracingMode = Literal["off", "logfire", "otlp", "logfire+otlp"]


class LogfireSettings(PrefixedSettings):
    """Export traces to Logfire: needs both `LOGFIRE_ENABLED=true` and a write token."""

    model_config = env_config("LOGFIRE_")

    enabled: bool = False
    token: SecretStr | None = None
    # The deployment's name on every span (`deployment.environment.name`), in either mode.
    environment: str = "development"


class OtlpSettings(PrefixedSettings):
    """The standard OpenTelemetry variable: any collector, OTLP over HTTP, no account."""

    model_config = env_config("OTEL_EXPORTER_OTLP_")

    # The collector's base URL, such as http://127.0.0.1:4318; spans go to <endpoint>/v1/traces.
    endpoint: str = ""


class TracingSettings(PrefixedSettings):
    model_config = env_config("TRACING_")

    # Comma-separated regular expressions of request URLs that get no span.
    excluded_urls: str = "/v1/health,/metrics"
    # The share of traces kept, decided where a trace starts (a request, Beat): 1 keeps all.
    sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)


class MetricsSettings(PrefixedSettings):
    model_config = env_config("METRICS_")

    enabled: bool = True
    # prometheus-client's multiprocess folder: each process writes its own files here, and the
    # first process of a start empties it. The API and the worker each get a subfolder.
    dir: Path = VAR_DIR / "metrics"
    # When set, `/metrics` answers only `Authorization: Bearer <token>`.
    token: SecretStr | None = None
    # The worker serves its metrics here; port 0 serves none.
    worker_host: str = "127.0.0.1"
    worker_port: int = Field(default=9808, ge=0, le=65535)

    @field_validator("dir")
    @classmethod
    def _relative_to_the_project(cls, value: Path) -> Path:
        """The worker runs from `src/` and the API from the root: both must find one folder."""
        return value if value.is_absolute() else ROOT_DIR / value


def tracing_mode(logfire: LogfireSettings, otlp: OtlpSettings) -> TracingMode:
    to_logfire = logfire.enabled and bool(logfire.token and logfire.token.get_secret_value())
    to_otlp = bool(otlp.endpoint.strip())
    if to_logfire and to_otlp:
        return "logfire+otlp"
    if to_logfire:
        return "logfire"
    return "otlp" if to_otlp else "off"


def service_version() -> str:
    """The project's version, from `pyproject.toml`."""
    try:
        project = tomllib.loads((ROOT_DIR / "pyproject.toml").read_text())["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
    return str(project.get("version", "unknown"))


def describe_tracing() -> str:
    """One line for `make run`: which exporter is on."""
    logfire, otlp = LogfireSettings(), OtlpSettings()
    mode = tracing_mode(logfire, otlp)
    if mode == "off":
        hint = "set OTEL_EXPORTER_OTLP_ENDPOINT, or LOGFIRE_ENABLED=true and LOGFIRE_TOKEN"
        if logfire.enabled:
            hint = "LOGFIRE_ENABLED is true but LOGFIRE_TOKEN is empty; " + hint
        return f"off ({hint})"
    targets = []
    if "logfire" in mode:
        targets.append(f"Logfire (environment {logfire.environment})")
    if "otlp" in mode:
        targets.append(f"OTLP/HTTP {otlp.endpoint.rstrip('/')}/v1/traces")
    return "on, to " + " and ".join(targets)


if __name__ == "__main__":  # `make run` prints what is on
    metrics = MetricsSettings()
    if metrics.enabled and metrics.worker_port:
        print(f"  Worker metrics http://{metrics.worker_host}:{metrics.worker_port}/metrics")
    print(f"  Tracing        {describe_tracing()}")
