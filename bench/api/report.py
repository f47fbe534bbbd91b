"""The API benchmark's tables and targets, in markdown, and the answer checks run before loading."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bench.api.observability import Observed
from bench.api.scenarios import Measurement, Route
from bench.api.settings import ApiBenchSettings
from bench.api.wrk import WrkResult
from bench.common import markdown_table, verdict

TIMES_BASELINE = 3.0
LIST_MIN_REQUESTS_PER_S = 1_400
KEPT_UNDER_LOAD = 0.70
P99_GROWTH_UNDER_LOAD = 2.0
SCALE_GROWTH = 2.0

Isolation = tuple[str, Measurement, Measurement]  # what ran beside, quiet, loaded


@dataclass(frozen=True)
class Target:
    label: str
    measured: str
    passed: bool


def check_baseline(api_url: str, baseline_url: str, client: httpx.Client) -> None:
    """The baseline must answer what the API answers, or its figures compare nothing."""
    from bench.api.seed import create_todos, sign_up

    user = sign_up(client, "bench-shape-check")
    todo_id = create_todos(client, user, 3)[1]
    auth = {"Authorization": f"Bearer {user.token}"}
    with httpx.Client(base_url=baseline_url, timeout=30) as baseline:
        for path in ("/v1/todos", "/v1/todos?limit=2", f"/v1/todos/{todo_id}"):
            theirs, mine = (c.get(path, headers=auth).json() for c in (baseline, client))
            if theirs != mine:
                raise RuntimeError(f"the baseline's GET {path} answered {theirs}; the API {mine}")
        patch = {"title": "changed", "completed": True}
        mine = client.patch(f"/v1/todos/{todo_id}", json=patch, headers=auth).json()
        theirs = baseline.patch(f"/v1/todos/{todo_id}", json=patch, headers=auth).json()
        if {k: v for k, v in theirs.items() if k != "updated_at"} != {
            k: v for k, v in mine.items() if k != "updated_at"
        }:
            raise RuntimeError(f"the baseline's PATCH answered {theirs}; the API {mine}")
        if baseline.delete(f"/v1/todos/{todo_id}", headers=auth).status_code != 204:
            raise RuntimeError("the baseline's DELETE did not answer 204")
        if baseline.get("/v1/todos").status_code != 401:
            raise RuntimeError("the baseline answers GET /v1/todos without a token")


def routes_table(routes: list[Route], measured: dict[tuple[str, str], Measurement]) -> str:
    rows = []
    for route in routes:
        api, baseline = measured[route.key, "api"], measured[route.key, "baseline"]
        rows.append([
            route.label, f"{api.requests_per_s:,.0f}", f"{api.p50_ms:.1f}", f"{api.p99_ms:.1f}",
            f"{baseline.requests_per_s:,.0f}", f"{baseline.p50_ms:.1f}", f"{baseline.p99_ms:.1f}",
            f"{api.requests_per_s / baseline.requests_per_s:.1f}x",
            f"{api.errors} / {baseline.errors}",
        ])  # fmt: skip
    headers = ["route", "req/s", "p50 ms", "p99 ms", "baseline req/s", "baseline p50 ms",
               "baseline p99 ms", "x baseline", "errors (API / baseline)"]  # fmt: skip
    return "**Every route, API against the baseline**\n\n" + markdown_table(headers, rows)


def route_targets(measured: dict[tuple[str, str], Measurement]) -> list[Target]:
    targets = []
    for key in ("list", "get", "create", "patch", "delete"):
        api, baseline = measured[key, "api"], measured[key, "baseline"]
        times = api.requests_per_s / baseline.requests_per_s
        passed = times >= TIMES_BASELINE and api.p99_ms < baseline.p99_ms
        measured_as = f"{times:.1f}x, p99 {api.p99_ms:.1f} vs {baseline.p99_ms:.1f} ms"
        label = f"{key} ≥ {TIMES_BASELINE:g}x baseline, lower p99"
        targets.append(Target(label, measured_as, passed))
    listing, one = measured["list", "api"], measured["get", "api"]
    errors = sum(m.errors for m in measured.values())
    return [
        *targets,
        Target(f"list ≥ {LIST_MIN_REQUESTS_PER_S:,} req/s", f"{listing.requests_per_s:,.0f}",
               listing.requests_per_s >= LIST_MIN_REQUESTS_PER_S),
        Target("get ≥ list", f"{one.requests_per_s:,.0f} vs {listing.requests_per_s:,.0f}",
               one.requests_per_s >= listing.requests_per_s),
        Target("no errors (non-2xx, socket)", str(errors), errors == 0),
    ]  # fmt: skip


def isolation_table(rows: list[Isolation]) -> str:
    table = [
        [beside, f"{quiet.requests_per_s:,.0f}", f"{quiet.p99_ms:.1f}",
         f"{loaded.requests_per_s:,.0f}", f"{loaded.p99_ms:.1f}",
         f"{loaded.requests_per_s / quiet.requests_per_s:.0%}",
         f"{loaded.p99_ms / quiet.p99_ms:.2f}x", str(quiet.errors + loaded.errors)]
        for beside, quiet, loaded in rows
    ]  # fmt: skip
    headers = ["beside another user's list", "quiet req/s", "quiet p99 ms", "req/s", "p99 ms",
               "throughput kept", "p99 vs quiet", "errors"]  # fmt: skip
    return "**Isolation: one user's list while another's work waits or piles up**\n\n" + (
        markdown_table(headers, table)
    )


def isolation_targets(rows: list[Isolation]) -> list[Target]:
    targets = []
    for beside, quiet, loaded in rows:
        kept = loaded.requests_per_s / quiet.requests_per_s
        targets.append(Target(f"{beside}: ≥ {KEPT_UNDER_LOAD:.0%} of quiet req/s",
                              f"{kept:.0%}", kept >= KEPT_UNDER_LOAD))  # fmt: skip
        if "polling" in beside:
            growth = loaded.p99_ms / quiet.p99_ms
            targets.append(Target(f"{beside}: p99 ≤ {P99_GROWTH_UNDER_LOAD:g}x quiet",
                                  f"{growth:.2f}x", growth <= P99_GROWTH_UNDER_LOAD))  # fmt: skip
    return targets


def scale_table(latencies: dict[tuple[str, int], WrkResult]) -> str:
    rows = []
    for (backend, size), result in latencies.items():
        smallest = latencies[backend, min(s for b, s in latencies if b == backend)]
        rows.append([backend, f"{size:,}", f"{result.p50_ms:.2f}", f"{result.p99_ms:.2f}",
                     f"{result.p50_ms / smallest.p50_ms:.2f}x"])  # fmt: skip
    headers = ["database", "caller's todos", "first page p50 ms", "p99 ms", "p50 vs smallest"]
    return "**Scale: first page (20 todos), one request at a time**\n\n" + (
        markdown_table(headers, rows)
    )


def scale_targets(latencies: dict[tuple[str, int], WrkResult]) -> list[Target]:
    targets = []
    for backend in dict.fromkeys(b for b, _ in latencies):
        sizes = sorted(s for b, s in latencies if b == backend)
        small, large = latencies[backend, sizes[0]], latencies[backend, sizes[-1]]
        growth = large.p50_ms / small.p50_ms
        targets.append(Target(f"{backend}: p50 at {sizes[-1]:,} ≤ {SCALE_GROWTH:g}x at {sizes[0]}",
                              f"{growth:.2f}x", growth <= SCALE_GROWTH))  # fmt: skip
    return targets


METRICS_KEEP = 0.95
TRACING_KEEP = 0.75


def observability_table(observed: Observed) -> str:
    off = observed.measured["off"]
    rows = [
        [observed.labels[key], f"{m.requests_per_s:,.0f}", f"{m.p50_ms:.1f}", f"{m.p99_ms:.1f}",
         f"{m.requests_per_s / off.requests_per_s:.0%}", str(m.errors)]
        for key, m in observed.measured.items()
    ]  # fmt: skip
    headers = ["GET /v1/todos (20 todos)", "req/s", "p50 ms", "p99 ms", "vs off", "errors"]
    note = (
        f"With tracing on, {observed.spans_per_request:.1f} spans per list request reached the "
        f"receiver, in {observed.export_requests:,} export requests over the scenario."
    )
    return (
        "**What observability costs the list**\n\n"
        + markdown_table(headers, rows)
        + (f"\n\n{note}")
    )


def observability_targets(observed: Observed) -> list[Target]:
    off = observed.measured["off"].requests_per_s
    metrics = observed.measured["metrics"].requests_per_s / off
    tracing = observed.measured["tracing"].requests_per_s / off
    return [
        Target(f"metrics on: list keeps ≥ {METRICS_KEEP:.0%}", f"{metrics:.0%}",
               metrics >= METRICS_KEEP),
        Target(f"tracing on (local OTLP receiver): list keeps ≥ {TRACING_KEEP:.0%}",
               f"{tracing:.0%}", tracing >= TRACING_KEEP),
    ]  # fmt: skip


def targets_table(targets: list[Target]) -> str:
    rows = [[target.label, target.measured, verdict(target.passed)] for target in targets]
    return markdown_table(["target", "measured", "verdict"], rows)


def document(
    settings: ApiBenchSettings, facts: str, sections: list[str], targets: list[Target]
) -> str:
    protocol = (
        f"wrk -t{settings.threads} -c{settings.connections} --latency, {settings.duration} s per "
        f"load after a {settings.warmup} s warm-up, {settings.rounds} rounds, medians. One uvicorn "
        "worker each for the API and the baseline (uvloop, httptools, no access log), "
        "DJANGO_DEBUG=false, throttling off, PostgreSQL on the same 2 cores as wrk."
    )
    command = f"{settings.overrides()} make bench-api".strip()
    return "\n\n".join([f"`{command}`", facts, protocol, *sections, targets_table(targets)])
