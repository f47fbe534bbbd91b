"""The results table and the targets (the performance targets), in markdown."""

from __future__ import annotations

from dataclasses import dataclass

from bench.api.rounds import BASELINE, BASELINE_OF, Endpoint, Measurement
from bench.common import markdown_table, verdict


@dataclass(frozen=True, kw_only=True)
class Target:
    label: str
    measured: str
    passed: bool


HEADERS = ["endpoint", "req/s", "p50 ms", "p99 ms", "ratio to ceiling", "x baseline",
           "CPU server", "CPU PostgreSQL", "errors"]  # fmt: skip


def _ratio(value: float, reference: float) -> float:
    return value / reference if reference > 0 else float("inf")


def _times_baseline(target: Endpoint, results: dict[str, Measurement]) -> str:
    if target.server == BASELINE:
        return "1.0x"
    if target.key not in BASELINE_OF:
        return "-"
    baseline = results[BASELINE_OF[target.key]].requests_per_s
    return f"{_ratio(results[target.key].requests_per_s, baseline):.1f}x"


def results_table(targets: list[Endpoint], results: dict[str, Measurement]) -> str:
    """CPU is in cores (100 % = one core): with two cores, it shows who the load saturates.

    CPU server is that of the process serving the row: the baseline's rows are its own process.
    """
    ceiling = results["ceiling"].requests_per_s
    rows = []
    for target in targets:
        m = results[target.key]
        rows.append([
            target.label, f"{m.requests_per_s:,.0f}", f"{m.p50_ms:.1f}", f"{m.p99_ms:.1f}",
            f"{_ratio(m.requests_per_s, ceiling):.0%}", _times_baseline(target, results),
            f"{m.server_cpu:.0%}", f"{m.postgres_cpu:.0%}", str(m.errors),
        ])  # fmt: skip
    return markdown_table(HEADERS, rows)


def _baseline_targets(results: dict[str, Measurement], key: str, name: str) -> list[Target]:
    """At least 3x the baseline's requests/s, and a lower p99."""
    real, baseline = results[key], results[BASELINE_OF[key]]
    times = _ratio(real.requests_per_s, baseline.requests_per_s)
    return [
        Target(label=f"{name} ≥ 3x baseline", measured=f"{times:.1f}x", passed=times >= 3),
        Target(label=f"{name} p99 < baseline p99",
               measured=f"{real.p99_ms:.1f} vs {baseline.p99_ms:.1f} ms",
               passed=real.p99_ms < baseline.p99_ms),
    ]  # fmt: skip


def issue_targets(results: dict[str, Measurement]) -> list[Target]:
    listing, create = results["list"], results["create"]
    share = _ratio(listing.requests_per_s, results["ceiling"].requests_per_s)
    errors = sum(result.errors for result in results.values())
    return [
        Target(label="list ≥ 1,000 req/s", measured=f"{listing.requests_per_s:,.0f}",
               passed=listing.requests_per_s >= 1000),
        Target(label="list p99 ≤ 50 ms", measured=f"{listing.p99_ms:.1f} ms",
               passed=listing.p99_ms <= 50),
        Target(label="list ≥ 50 % of the ceiling", measured=f"{share:.0%}", passed=share >= 0.5),
        Target(label="create ≥ 600 req/s", measured=f"{create.requests_per_s:,.0f}",
               passed=create.requests_per_s >= 600),
        *_baseline_targets(results, "list", "list"),
        *_baseline_targets(results, "create", "create"),
        Target(label="no errors (non-2xx, socket)", measured=str(errors), passed=errors == 0),
    ]  # fmt: skip


def targets_table(targets: list[Target]) -> str:
    rows = [[target.label, target.measured, verdict(target.passed)] for target in targets]
    return markdown_table(["target", "measured", "verdict"], rows)
