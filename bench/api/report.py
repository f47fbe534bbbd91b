"""The API benchmark's tables and targets, in markdown, and the answer check run before loading."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bench.api.settings import ApiBenchSettings
from bench.api.wrk import WrkResult
from bench.common import markdown_table, verdict

ROUTES = {
    "list": "GET /v1/todos (20 todos)", "get": "GET /v1/todos/{id}", "create": "POST /v1/todos",
    "patch": "PATCH /v1/todos/{id}", "delete": "DELETE /v1/todos/{id}", "health": "GET /v1/health",
}  # fmt: skip
AGAINST_BASELINE = ("list", "get", "create", "patch", "delete")
Isolation = tuple[str, WrkResult, WrkResult]  # what ran beside, quiet, loaded


@dataclass(frozen=True)
class Target:
    label: str
    measured: str
    passed: bool


def check_baseline(baseline_url: str, api: httpx.Client, token: str, todo_id: int) -> None:
    """The baseline must answer what the API answers, or its figures compare nothing."""
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=baseline_url, timeout=30) as baseline:
        for path in ("/v1/todos", "/v1/todos?limit=2", f"/v1/todos/{todo_id}"):
            theirs, ours = (c.get(path, headers=auth).json() for c in (baseline, api))
            if theirs != ours:
                raise RuntimeError(f"the baseline's GET {path} answered {theirs}; the API {ours}")
        if baseline.get("/v1/todos").status_code != 401:
            raise RuntimeError("the baseline answers GET /v1/todos without a token")


def routes_table(measured: dict[tuple[str, str], WrkResult]) -> str:
    rows = []
    for key, label in ROUTES.items():
        api, base = measured[key, "api"], measured[key, "baseline"]
        rows.append([label, f"{api.requests_per_s:,.0f}", f"{api.p50_ms:.1f}", f"{api.p99_ms:.1f}",
                     f"{base.requests_per_s:,.0f}", f"{base.p50_ms:.1f}", f"{base.p99_ms:.1f}",
                     f"{api.requests_per_s / base.requests_per_s:.1f}x",
                     f"{api.errors} / {base.errors}"])  # fmt: skip
    headers = ["route", "req/s", "p50 ms", "p99 ms", "baseline req/s", "baseline p50 ms",
               "baseline p99 ms", "x baseline", "errors (API / baseline)"]  # fmt: skip
    return "**Every route, the API against the baseline**\n\n" + markdown_table(headers, rows)


def route_targets(measured: dict[tuple[str, str], WrkResult]) -> list[Target]:
    targets = []
    for key in AGAINST_BASELINE:
        api, base = measured[key, "api"], measured[key, "baseline"]
        times = api.requests_per_s / base.requests_per_s
        targets.append(Target(f"{key} ≥ 3x baseline, lower p99",
                              f"{times:.1f}x, p99 {api.p99_ms:.1f} vs {base.p99_ms:.1f} ms",
                              times >= 3 and api.p99_ms < base.p99_ms))  # fmt: skip
    listing, one = measured["list", "api"], measured["get", "api"]
    errors = sum(m.errors for m in measured.values())
    return [*targets,
            Target("list ≥ 1,400 req/s", f"{listing.requests_per_s:,.0f}",
                   listing.requests_per_s >= 1_400),
            Target("get ≥ list", f"{one.requests_per_s:,.0f} vs {listing.requests_per_s:,.0f}",
                   one.requests_per_s >= listing.requests_per_s),
            Target("no errors (non-2xx, socket)", str(errors), errors == 0)]  # fmt: skip


def isolation_table(rows: list[Isolation]) -> str:
    table = [[beside, f"{quiet.requests_per_s:,.0f}", f"{quiet.p99_ms:.1f}",
              f"{loaded.requests_per_s:,.0f}", f"{loaded.p99_ms:.1f}",
              f"{loaded.requests_per_s / quiet.requests_per_s:.0%}",
              f"{loaded.p99_ms / quiet.p99_ms:.2f}x", str(quiet.errors + loaded.errors)]
             for beside, quiet, loaded in rows]  # fmt: skip
    headers = ["beside one user's list", "quiet req/s", "quiet p99 ms", "req/s", "p99 ms",
               "throughput kept", "p99 vs quiet", "errors"]  # fmt: skip
    return "**Isolation**\n\n" + markdown_table(headers, table)


def isolation_targets(rows: list[Isolation]) -> list[Target]:
    targets = []
    for beside, quiet, loaded in rows:
        kept, growth = loaded.requests_per_s / quiet.requests_per_s, loaded.p99_ms / quiet.p99_ms
        targets.append(Target(f"{beside}: ≥ 70% of quiet req/s", f"{kept:.0%}", kept >= 0.7))
        if "polling" in beside:
            targets.append(Target(f"{beside}: p99 ≤ 2x quiet", f"{growth:.2f}x", growth <= 2))
    return targets


def _smallest(latencies: dict[tuple[str, int], WrkResult], database: str) -> WrkResult:
    return latencies[database, min(size for d, size in latencies if d == database)]


def scale_table(latencies: dict[tuple[str, int], WrkResult]) -> str:
    rows = [[database, f"{size:,}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}",
             f"{r.p50_ms / _smallest(latencies, database).p50_ms:.2f}x"]
            for (database, size), r in latencies.items()]  # fmt: skip
    headers = ["database", "caller's todos", "first page p50 ms", "p99 ms", "p50 vs smallest"]
    title = "**Scale: a first page of 20, one request at a time**"
    return f"{title}\n\n{markdown_table(headers, rows)}"


def scale_targets(latencies: dict[tuple[str, int], WrkResult]) -> list[Target]:
    targets = []
    for database in dict.fromkeys(d for d, _ in latencies):
        largest = max(size for d, size in latencies if d == database)
        growth = latencies[database, largest].p50_ms / _smallest(latencies, database).p50_ms
        targets.append(Target(f"{database}: p50 at {largest:,} todos ≤ 2x the smallest",
                              f"{growth:.2f}x", growth <= 2))  # fmt: skip
    return targets


def observability_table(measured: dict[str, WrkResult], spans: int) -> str:
    off = measured["off"].requests_per_s
    rows = [[label, f"{m.requests_per_s:,.0f}", f"{m.p50_ms:.1f}", f"{m.p99_ms:.1f}",
             f"{m.requests_per_s / off:.0%}", str(m.errors)]
            for label, m in measured.items()]  # fmt: skip
    headers = ["GET /v1/todos (20 todos)", "req/s", "p50 ms", "p99 ms", "x off", "errors"]
    return (f"**What observability costs the list**\n\n{markdown_table(headers, rows)}\n\n"
            f"The receiver counted {spans:,} spans while tracing was on.")  # fmt: skip


def observability_targets(measured: dict[str, WrkResult]) -> list[Target]:
    off = measured["off"].requests_per_s
    kept = {key: measured[f"metrics{key}"].requests_per_s / off for key in ("", ", tracing")}
    return [Target("metrics on: list keeps ≥ 95 %", f"{kept['']:.0%}", kept[""] >= 0.95),
            Target("tracing on, to a local OTLP receiver: list keeps ≥ 75 %",
                   f"{kept[', tracing']:.0%}", kept[", tracing"] >= 0.75)]  # fmt: skip


def document(settings: ApiBenchSettings, facts: str, sections: list[str],
             targets: list[Target]) -> str:  # fmt: skip
    protocol = (
        f"wrk -t{settings.threads} -c{settings.connections} --latency, {settings.duration} s per "
        f"load after a {settings.warmup} s warm-up, {settings.rounds} rounds, medians. One uvicorn "
        "worker each for the API and the baseline (uvloop, httptools, no access log), "
        "DJANGO_DEBUG=false, throttling off, PostgreSQL on the same 2 cores as wrk."
    )
    rows = [[target.label, target.measured, verdict(target.passed)] for target in targets]
    command = f"`{f'{settings.overrides()} make bench-api'.strip()}`"
    targets_table = markdown_table(["target", "measured", "verdict"], rows)
    return "\n\n".join([command, facts, protocol, *sections, targets_table])
