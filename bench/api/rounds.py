"""The endpoints under load and the measuring loop: warm up, measure, interleave, take medians.

Endpoints interleave within each round, so a slow minute on this shared machine touches every
endpoint a little instead of one endpoint a lot; medians across rounds then drop the outliers.
Each baseline endpoint is loaded right after its real counterpart, so the pair shares the minute.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench.api import paths
from bench.api.cpu import cpu_seconds
from bench.api.paths import CEILING_PATH, LIST_PATH
from bench.api.seed import SeededData
from bench.api.settings import ApiBenchSettings
from bench.api.wrk import WrkResult, run_wrk

CREATE_SCRIPT = Path(__file__).with_name("create_todo.lua")
APP, BASELINE = "app", "baseline"  # the servers: the API under test and the baseline
BASELINE_OF = {"list": "baseline-list", "create": "baseline-create"}


class Server(Protocol):
    @property
    def base_url(self) -> str: ...

    @property
    def pid(self) -> int: ...


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    key: str
    label: str
    path: str
    token: str | None = None
    script: Path | None = None
    server: str = APP


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """Medians over the rounds; the CPU figures are CPU seconds per wall second (1.0 = a core)."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu: float
    postgres_cpu: float


def endpoints(seeded: SeededData, *, probes: bool) -> list[Endpoint]:
    measured = [
        Endpoint(key="list", label="GET /v1/todos (20 items)", path=LIST_PATH,
                 token=seeded.reader_token),
        Endpoint(key="baseline-list", label="GET /v1/todos (20 items), baseline", path=LIST_PATH,
                 token=seeded.reader_token, server=BASELINE),
        Endpoint(key="create", label="POST /v1/todos", path=LIST_PATH, token=seeded.writer_token,
                 script=CREATE_SCRIPT),
        Endpoint(key="baseline-create", label="POST /v1/todos, baseline", path=LIST_PATH,
                 token=seeded.writer_token, script=CREATE_SCRIPT, server=BASELINE),
        Endpoint(key="detail", label="GET /v1/todos/{id}", path=f"{LIST_PATH}/{seeded.todo_id}",
                 token=seeded.reader_token),
        Endpoint(key="health", label="GET /v1/health", path="/v1/health"),
        Endpoint(key="ceiling", label=f"GET {CEILING_PATH} (ceiling)", path=CEILING_PATH),
    ]  # fmt: skip
    if probes:  # each pays one part of the list's work; see bench/api/probes.py
        measured += [
            Endpoint(key="probe-parameters", label="probe: the list's parameters, no database",
                     path=paths.PARAMETERS_PROBE, token=seeded.reader_token),
            Endpoint(key="probe-thread-hop", label="probe: one empty ORM thread hop",
                     path=paths.THREAD_HOP_PROBE),
            Endpoint(key="probe-async-query", label="probe: the list's query, async psycopg",
                     path=paths.ASYNC_QUERY_PROBE),
            Endpoint(key="probe-async-query-json",
                     label="probe: the list's query, JSON built by PostgreSQL",
                     path=paths.ASYNC_QUERY_JSON_PROBE),
        ]  # fmt: skip
    return measured


def load(
    base_url: str, endpoint: Endpoint, settings: ApiBenchSettings, *, duration_s: int
) -> WrkResult:
    headers = {"Authorization": f"Bearer {endpoint.token}"} if endpoint.token else None
    return run_wrk(
        base_url + endpoint.path,
        duration_s=duration_s,
        connections=settings.connections,
        threads=settings.threads,
        headers=headers,
        script=endpoint.script,
    )


def measure_all(
    servers: Mapping[str, Server],
    postgres_pid: int,
    targets: list[Endpoint],
    settings: ApiBenchSettings,
    progress: Callable[[str], None] = print,
) -> dict[str, Measurement]:
    """The CPU of "the server" is that of the process serving the endpoint (`Endpoint.server`)."""
    runs: dict[str, list[tuple[WrkResult, float, float]]] = {target.key: [] for target in targets}
    for round_number in range(1, settings.rounds + 1):
        for target in targets:
            base_url, server_pid = servers[target.server].base_url, servers[target.server].pid
            if settings.warmup:
                load(base_url, target, settings, duration_s=settings.warmup)
            server_before, postgres_before = cpu_seconds(server_pid), cpu_seconds(postgres_pid)
            result = load(base_url, target, settings, duration_s=settings.duration)
            server = (cpu_seconds(server_pid) - server_before) / settings.duration
            postgres = (cpu_seconds(postgres_pid) - postgres_before) / settings.duration
            runs[target.key].append((result, server, postgres))
            progress(
                f"round {round_number}/{settings.rounds} {target.label}: "
                f"{result.requests_per_s:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms, errors {result.errors}, "
                f"CPU server {server:.0%} PostgreSQL {postgres:.0%}"
            )
    return {key: _median(samples) for key, samples in runs.items()}


def _median(samples: list[tuple[WrkResult, float, float]]) -> Measurement:
    results = [result for result, _, _ in samples]
    return Measurement(
        requests_per_s=statistics.median(r.requests_per_s for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
        server_cpu=statistics.median(server for _, server, _ in samples),
        postgres_cpu=statistics.median(postgres for _, _, postgres in samples),
    )
