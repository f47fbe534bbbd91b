"""`make bench-tasks`: `ping` round trips through a real worker, on each broker.

Each mode runs in a fresh process of its own (its own Celery app, built from its own environment),
with a worker `-c 2`: embedded (the folder broker, `file://` results), Redis, and RabbitMQ with
Redis for results. Overrides for a quick run: BENCH_SCALE (scales the samples), BENCH_MODES
(`embedded,redis,rabbitmq`). The report goes to `var/bench/`.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from bench.common import machine_facts, markdown_table, percentile, verdict, write_report
from bench.tasks.roundtrip import CONCURRENCY, round_trips

COMMAND = "uv run python -m bench.tasks"
TARGET_MEDIAN_MS = {"embedded": 150.0, "redis": 5.0}  # RabbitMQ: measured, no target


def _in_fresh_process(mode: str) -> list[float]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        timings = pool.submit(round_trips, mode).result()
    print(f"{mode}: median {statistics.median(timings):.1f} ms", flush=True)
    return timings


def main() -> int:
    modes = os.environ.get("BENCH_MODES", "embedded,redis,rabbitmq").split(",")
    started = time.perf_counter()
    rows = []
    for mode in (m.strip() for m in modes):
        timings = _in_fresh_process(mode)
        median, target = statistics.median(timings), TARGET_MEDIAN_MS.get(mode)
        rows.append([mode, len(timings), f"{median:.1f} ms", f"{percentile(timings, 0.99):.1f} ms",
                     f"< {target:g} ms" if target else "-",
                     verdict(median < target) if target else "-"])  # fmt: skip
    table = markdown_table(["mode", "round trips", "median", "p99", "target", "result"], rows)
    note = (
        f"`ping` round trips through `celery -A delivery.tasks.app worker -c {CONCURRENCY}`, after "
        f"a warm-up. The run took {time.perf_counter() - started:.0f} s."
    )
    facts = machine_facts("Redis", "Celery")
    print(f"\n{table}\n")
    document = "\n\n".join([f"`{COMMAND}`", facts, note, table])
    print(f"written to {write_report('tasks', document)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
