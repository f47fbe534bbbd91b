"""The API benchmark's verdicts follow from its figures, and wrk's scripts send what they say."""

from bench.api.report import (
    isolation_targets,
    observability_table,
    observability_targets,
    route_targets,
    scale_targets,
)
from bench.api.wrk import Load, Request, WrkResult, parse_wrk_output


def _measured(requests_per_s: float, p99_ms: float) -> WrkResult:
    return WrkResult(requests_per_s=requests_per_s, p50_ms=p99_ms / 2, p99_ms=p99_ms, errors=0)


def _wrk(p50_ms: float) -> WrkResult:
    return WrkResult(requests_per_s=1 / p50_ms, p50_ms=p50_ms, p99_ms=2 * p50_ms, errors=0)


def test_every_route_must_reach_3x_the_baseline_with_a_lower_p99() -> None:
    routes = ("list", "get", "create", "patch", "delete", "health")
    measured = {(key, "baseline"): _measured(300, 100) for key in routes}
    measured |= {(key, "api"): _measured(1500, 15) for key in routes}
    measured["create", "api"] = _measured(850, 15)  # 2.8x
    measured["patch", "api"] = _measured(1500, 120)  # fast, but a worse p99
    measured["get", "api"] = _measured(1450, 10)  # below the list

    verdicts = {target.label.split(" ")[0]: target.passed for target in route_targets(measured)}

    assert verdicts == {"list": True, "get": False, "create": False, "patch": False,
                        "delete": True, "no": True}  # fmt: skip


def test_isolation_keeps_70_percent_and_the_neighbour_2x_p99() -> None:
    quiet = _measured(1000, 10)
    rows = [
        ("two PATCHes waiting on row locks", quiet, _measured(690, 30)),
        ("a 1,000,000-todo user polling on 2 connections", quiet, _measured(800, 21)),
    ]

    assert [target.passed for target in isolation_targets(rows)] == [False, True, False]


def test_scale_compares_the_largest_list_with_the_smallest_per_database() -> None:
    latencies = {
        ("PostgreSQL", 20): _wrk(1.0), ("PostgreSQL", 1_000_000): _wrk(1.9),
        ("SQLite", 20): _wrk(1.0), ("SQLite", 1_000_000): _wrk(2.1),
    }  # fmt: skip

    assert [target.passed for target in scale_targets(latencies)] == [True, False]


def test_metrics_keep_95_percent_of_the_list_and_tracing_75() -> None:
    def measured(metrics: float, tracing: float) -> dict[str, WrkResult]:
        return {"off": _measured(1000, 10), "metrics": _measured(metrics, 10),
                "metrics, tracing": _measured(tracing, 20)}  # fmt: skip

    assert [t.passed for t in observability_targets(measured(950, 750))] == [True, True]
    assert [t.passed for t in observability_targets(measured(949, 749))] == [False, False]
    assert "| metrics, tracing | 750 |" in observability_table(measured(950, 750), 10)


def test_the_wrk_report_is_read_with_its_errors() -> None:
    text = """
  Latency Distribution
     50%    8.70ms
     99%    1.26s
  18 requests in 1.00s, 4.00KB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:   1782.41
"""
    assert parse_wrk_output(text) == WrkResult(
        requests_per_s=1782.41, p50_ms=8.7, p99_ms=1260.0, errors=6
    )


def test_a_delete_load_hands_each_thread_its_own_ids() -> None:
    blocks = iter([range(100, 200)])
    script = Load(ids=lambda: next(blocks), path_prefix="/v1/todos/").script(2)
    assert "100 + slot + n * 2" in script
    assert Load([Request("GET", "/v1/todos", "t")]).script(1).count('"Bearer t"') == 1
