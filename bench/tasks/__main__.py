"""`make bench-tasks`: `ping` round trip and throughput through a real worker, embedded and Redis.

Overrides for a quick run: BENCH_SCALE (scales sample and task counts), BENCH_MODES
(`embedded,redis`). The report goes to `var/bench/`.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from bench.common import (
    celery_version,
    machine_facts,
    markdown_table,
    redis_version,
    verdict,
    write_report,
)
from bench.tasks.mode import CONCURRENCY, ModeResult, measure_mode
from bench.tasks.roundtrip import FAST_POLL_S

COMMAND = "uv run python -m bench.tasks"
TARGET_MEDIAN_MS = {"embedded": 150.0, "redis": 5.0}


def _in_fresh_process(mode: str) -> ModeResult:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result = pool.submit(measure_mode, mode).result()
    print(f"{mode}: median {result.as_written.median_ms:.1f} ms", flush=True)
    return result


def _report(results: list[ModeResult]) -> str:
    rows = []
    for result in results:
        target, trips, fast, burst = (
            TARGET_MEDIAN_MS[result.mode],
            result.as_written,
            result.fast_poll,
            result.burst,
        )
        rows.append((
            result.mode,
            trips.samples,
            f"{trips.median_ms:.1f} ms",
            f"{trips.p99_ms:.1f} ms",
            f"< {target:g} ms",
            verdict(trips.median_ms < target),
            f"{fast.median_ms:.1f} / {fast.p99_ms:.1f} ms",
            f"{burst.per_second:.0f} tasks/s ({burst.tasks:,} in {burst.total_s:.2f} s)",
        ))  # fmt: skip
    headers = [
        "mode", "round trips", "median", "p99", "target (median)", "result",
        f"median / p99 with `get(interval={FAST_POLL_S:g})`", "throughput",
    ]  # fmt: skip
    return markdown_table(headers, rows)


def main() -> int:
    modes = [mode.strip() for mode in os.environ.get("BENCH_MODES", "embedded,redis").split(",")]
    started = time.perf_counter()
    results = [_in_fresh_process(mode) for mode in modes]
    elapsed = time.perf_counter() - started
    table = _report(results)
    note = (
        "`ping` round trips are `registry.ping.delay().get()` as the README writes them,"
        f" after a warm-up; the worker is `celery -A delivery.tasks.app worker -c {CONCURRENCY}`;"
        " throughput is every task enqueued, then every result collected."
        f" The run took {elapsed:.0f} s."
    )
    facts = machine_facts(Redis=redis_version(), Celery=celery_version())
    block = "\n\n".join([f"`{COMMAND}`", facts, note, table])
    print(f"\n{table}\n")
    print(f"written to {write_report('tasks', block)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
