"""The results table and the issue's targets, in markdown for the terminal and the docs."""

from __future__ import annotations

from dataclasses import dataclass

from bench.api.rounds import Endpoint, Measurement
from bench.common import markdown_table, verdict


@dataclass(frozen=True, kw_only=True)
class Target:
    label: str
    measured: str
    passed: bool


HEADERS = ["endpoint", "req/s", "p50 ms", "p99 ms", "ratio to ceiling", "CPU server",
           "CPU PostgreSQL", "errors"]  # fmt: skip


def results_table(targets: list[Endpoint], results: dict[str, Measurement]) -> str:
    """CPU is in cores (100 % = one core): with two cores, it shows who the load saturates."""
    ceiling = results["ceiling"].requests_per_s
    rows = []
    for target in targets:
        m = results[target.key]
        rows.append([
            target.label, f"{m.requests_per_s:,.0f}", f"{m.p50_ms:.1f}", f"{m.p99_ms:.1f}",
            f"{m.requests_per_s / ceiling:.0%}", f"{m.server_cpu:.0%}", f"{m.postgres_cpu:.0%}",
            str(m.errors),
        ])  # fmt: skip
    return markdown_table(HEADERS, rows)


def issue_targets(results: dict[str, Measurement]) -> list[Target]:
    listing, create = results["list"], results["create"]
    share = listing.requests_per_s / results["ceiling"].requests_per_s
    errors = sum(result.errors for result in results.values())
    return [
        Target(label="list ≥ 1,000 req/s", measured=f"{listing.requests_per_s:,.0f}",
               passed=listing.requests_per_s >= 1000),
        Target(label="list p99 ≤ 50 ms", measured=f"{listing.p99_ms:.1f} ms",
               passed=listing.p99_ms <= 50),
        Target(label="list ≥ 50 % of the ceiling", measured=f"{share:.0%}", passed=share >= 0.5),
        Target(label="create ≥ 600 req/s", measured=f"{create.requests_per_s:,.0f}",
               passed=create.requests_per_s >= 600),
        Target(label="no errors (non-2xx, socket)", measured=str(errors), passed=errors == 0),
    ]  # fmt: skip


def targets_table(targets: list[Target]) -> str:
    rows = [[target.label, target.measured, verdict(target.passed)] for target in targets]
    return markdown_table(["target", "measured", "verdict"], rows)
