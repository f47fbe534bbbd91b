"""The API benchmark's table and targets: ratios to the ceiling and to the baseline."""

from bench.api.report import issue_targets, results_table
from bench.api.rounds import BASELINE, Measurement, endpoints
from bench.api.seed import SeededData


def _measured(requests_per_s: float, p99_ms: float) -> Measurement:
    return Measurement(
        requests_per_s=requests_per_s, p50_ms=p99_ms / 2, p99_ms=p99_ms, errors=0,
        server_cpu=1.0, postgres_cpu=0.2,
    )  # fmt: skip


RESULTS = {
    "list": _measured(1500, 15),
    "baseline-list": _measured(300, 120),
    "create": _measured(1200, 80),
    "baseline-create": _measured(500, 60),
    "detail": _measured(1100, 20),
    "health": _measured(2800, 8),
    "ceiling": _measured(10_000, 3),
}
SEEDED = SeededData(reader_token="r", writer_token="w", todo_id=7)
TARGETS = endpoints(SEEDED, probes=False)


def test_each_baseline_endpoint_follows_its_real_counterpart() -> None:
    keys = [target.key for target in TARGETS]

    assert keys == ["list", "baseline-list", "create", "baseline-create", "detail", "health",
                    "ceiling"]  # fmt: skip
    assert [t.key for t in TARGETS if t.server == BASELINE] == ["baseline-list", "baseline-create"]


def test_the_probes_follow_the_ceiling_each_against_the_same_server() -> None:
    with_probes = endpoints(SEEDED, probes=True)
    probes = with_probes[len(TARGETS) :]

    assert with_probes[: len(TARGETS)] == TARGETS
    assert [probe.key for probe in probes] == [
        "probe-parameters", "probe-thread-hop", "probe-async-query", "probe-async-query-json",
    ]  # fmt: skip
    assert {probe.server for probe in probes} == {"app"}
    assert len({probe.path for probe in probes}) == len(probes)


def test_the_table_gives_list_and_create_as_multiples_of_the_baseline() -> None:
    lines = results_table(TARGETS, RESULTS).splitlines()
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines}

    assert "| ratio to ceiling | x baseline |" in lines[0]
    assert "| 15% | 5.0x |" in rows["GET /v1/todos (20 items)"]
    assert "| 3% | 1.0x |" in rows["GET /v1/todos (20 items), baseline"]
    assert "| 12% | 2.4x |" in rows["POST /v1/todos"]
    assert "| 11% | - |" in rows["GET /v1/todos/{id}"]


def test_the_targets_hold_both_endpoints_to_3x_the_baseline_and_a_lower_p99() -> None:
    verdicts = {target.label: (target.measured, target.passed) for target in issue_targets(RESULTS)}

    assert verdicts["list ≥ 3x baseline"] == ("5.0x", True)
    assert verdicts["list p99 < baseline p99"] == ("15.0 vs 120.0 ms", True)
    assert verdicts["create ≥ 3x baseline"] == ("2.4x", False)
    assert verdicts["create p99 < baseline p99"] == ("80.0 vs 60.0 ms", False)
    assert verdicts["no errors (non-2xx, socket)"] == ("0", True)
